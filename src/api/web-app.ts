/**
 * Serves one of the browser apps (console, wall): the HTML shell and its hashed bundle files, all public (the
 * code is no secret; every piece of data comes through the API). The bundle is built while the server starts,
 * so a broken client fails the start rather than the first page load of the night shift.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { webBundle, type WebApp, type WebAsset } from '../web/bundle.js';

/** One app's page: where it lives and what its shell says before the code runs. */
export interface WebAppPage {
  app: WebApp;
  /** The shell's path (`/console/`, `/wall`); its files are under `${assetsBase}`. */
  path: string;
  assetsBase: string;
  title: string;
  /** The element the app renders into. */
  rootId: string;
  /** Shown when JavaScript is off, in both languages. */
  noscript: string;
  /** Extra `<meta>`/`<link>` lines for the head. */
  head?: string;
  /** The 404 text for a file of an older bundle (a reload fetches the new shell). */
  staleAsset: string;
}

function shell(p: WebAppPage, js: WebAsset, css: WebAsset): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
${p.head ?? ''}<title>${p.title}</title>
<link rel="stylesheet" href="${p.assetsBase}app.${css.hash}.css">
</head>
<body>
<div id="${p.rootId}"></div>
<noscript>${p.noscript}</noscript>
<script type="module" src="${p.assetsBase}app.${js.hash}.js"></script>
</body>
</html>
`;
}

/** Sends a hashed asset: cached for a year (its name changes with its content), 304 when the browser has it. */
export function sendAsset(request: FastifyRequest, reply: FastifyReply, a: WebAsset, type: string): FastifyReply {
  const etag = `"${a.hash}"`;
  reply.header('etag', etag).header('cache-control', 'public, max-age=31536000, immutable');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(type).send(a.body);
}

/** Registers the shell at `p.path` and its bundle files under `p.assetsBase`. */
export async function serveWebApp(app: FastifyInstance, p: WebAppPage): Promise<void> {
  const bundle = await webBundle(p.app);
  const page = shell(p, bundle.js, bundle.css);
  const open = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get(p.path, open, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page));
  app.get<{ Params: { file: string } }>(`${p.assetsBase}:file`, open, async (request, reply) => {
    const { file } = request.params;
    if (file === `app.${bundle.js.hash}.js`) return sendAsset(request, reply, bundle.js, 'text/javascript; charset=utf-8');
    if (file === `app.${bundle.css.hash}.css`) return sendAsset(request, reply, bundle.css, 'text/css; charset=utf-8');
    return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(p.staleAsset);
  });
}
