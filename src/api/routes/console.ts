import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { webBundle, type WebAsset } from '../../web/bundle.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { problemSchema } from '../problems.js';
import { API_ROLES } from '../../config/sections/api.js';

/** Where the console lives; every console path after it is a `#/…` hash the browser keeps. */
export const CONSOLE_PATH = '/console/';

function shell(js: WebAsset, css: WebAsset): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Noctua</title>
<link rel="stylesheet" href="${CONSOLE_PATH}assets/app.${css.hash}.css">
</head>
<body>
<div id="app"></div>
<noscript>Noctua's console needs JavaScript. 控制台需要启用 JavaScript。</noscript>
<script type="module" src="${CONSOLE_PATH}assets/app.${js.hash}.js"></script>
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

/**
 * /console/: the operator console, a Preact app bundled in memory at start (src/web/bundle.ts). The
 * shell and its assets are public (the code is no secret); every piece of data comes through the API.
 */
export const consolePageRoutes = apiPlugin('noctua-console-page', [], async (app) => {
  // Built while the server starts: a broken client fails the start, not the first operator's page load.
  const bundle = await webBundle('console');
  const page = shell(bundle.js, bundle.css);
  const open = { config: { access: 'public' as const }, schema: { hide: true } };
  app.get('/console', open, async (_request, reply) => reply.redirect(CONSOLE_PATH, 301));
  app.get(CONSOLE_PATH, open, async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(page));
  app.get<{ Params: { file: string } }>(`${CONSOLE_PATH}assets/:file`, open, async (request, reply) => {
    const { file } = request.params;
    if (file === `app.${bundle.js.hash}.js`) return sendAsset(request, reply, bundle.js, 'text/javascript; charset=utf-8');
    if (file === `app.${bundle.css.hash}.css`) return sendAsset(request, reply, bundle.css, 'text/css; charset=utf-8');
    // An old page asking for last version's bundle: a reload fetches the new shell.
    return reply.code(404).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send('no such console asset; reload the page');
  });
});

const consoleConfigJson = z.object({
  sso: z.boolean().describe('true when single sign-on is configured: the login page shows its button'),
  locale: z.enum(['en', 'zh-CN']).describe('the language the console starts in when the browser has no choice saved'),
  principal: z.object({ name: z.string(), role: z.enum(API_ROLES) }).optional()
    .describe('the caller, when the request carried a valid credential'),
});

/** /api/v1/console-config: what the console needs before anyone is signed in. */
export const consoleConfigRoutes = apiPlugin('noctua-console-config', ['@fastify/swagger'], async (app, ctx) => {
  app.get('/console-config', {
    config: { access: 'public' },
    schema: routeSchema({ summary: 'Public console settings: single sign-on offered, default language', tags: ['console'], response: { 200: consoleConfigJson } }, problemSchema),
  }, async (request) => ({
    sso: ctx.sso ?? false,
    locale: ctx.locale,
    principal: request.principal ? { name: request.principal.name, role: request.principal.role } : undefined,
  }));
});
