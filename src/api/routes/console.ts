import { z } from 'zod';
import { serveWebApp } from '../web-app.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { problemSchema } from '../problems.js';
import { API_ROLES } from '../../config/sections/api.js';

/** Where the console lives; every console path after it is a `#/…` hash the browser keeps. */
export const CONSOLE_PATH = '/console/';

/** /console/: the operator console, a Preact app bundled in memory at start (src/web/bundle.ts). */
export const consolePageRoutes = apiPlugin('noctua-console-page', [], async (app) => {
  app.get('/console', { config: { access: 'public' as const }, schema: { hide: true } }, async (_request, reply) => reply.redirect(CONSOLE_PATH, 301));
  await serveWebApp(app, {
    app: 'console', path: CONSOLE_PATH, assetsBase: `${CONSOLE_PATH}assets/`, title: 'Noctua', rootId: 'app',
    noscript: "Noctua's console needs JavaScript. 控制台需要启用 JavaScript。",
    staleAsset: 'no such console asset; reload the page',
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
