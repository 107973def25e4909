import { z } from 'zod';
import { formatConfigError } from '../../config/yaml-source.js';
import { actor } from '../access.js';
import { routeSchema } from '../json-schema.js';
import { apiPlugin } from '../plugin.js';
import { noteAudit } from '../../auth/audit-hook.js';
import type { ConfigCheck } from '../services/index.js';
import { problemSchema } from '../problems.js';

const checkJson = z.object({
  ok: z.boolean(),
  devices: z.number().int().optional(),
  sites: z.number().int().optional(),
  disabled: z.number().int().optional(),
  errors: z.array(z.object({
    file: z.string(), line: z.number().int(), col: z.number().int(), path: z.string(), message: z.string(),
    text: z.string().describe('the line `noctua check-config` prints: file:line:col path: message'),
  })).optional(),
});

function checkToJson(c: ConfigCheck): z.infer<typeof checkJson> {
  if (c.ok) return { ok: true, devices: c.devices, sites: c.sites, disabled: c.disabled };
  return { ok: false, errors: c.errors.map((e) => ({ ...e, text: formatConfigError(e) })) };
}

/** /api/v1/config: check the configuration on disk and swap it into the running process. */
export const configRoutes = apiPlugin('noctua-config', ['@fastify/swagger'], async (app, { services }) => {
  app.post('/config/validate', {
    config: { access: 'admin', audit: 'config.validate' },
    schema: routeSchema({
      summary: 'Validate the configuration directory, with the same errors as noctua check-config',
      tags: ['config'], response: { 200: checkJson },
    }, problemSchema),
  }, async () => checkToJson(await services.config.validate()));

  app.post('/config/reload', {
    config: { access: 'admin', audit: 'config.reload' },
    schema: routeSchema({
      summary: 'Validate and apply the configuration; an invalid one is refused (422) and the running one kept',
      tags: ['config'], response: { 200: checkJson, 422: checkJson },
    }, problemSchema),
  }, async (request, reply) => {
    const result = await services.config.reload(actor(request));
    request.log.info({ by: actor(request), ok: result.ok }, 'configuration reload requested');
    noteAudit(request, { target: 'config', after: result.ok ? { ok: true, devices: result.devices, sites: result.sites } : { ok: false, errors: result.errors.length } });
    return reply.code(result.ok ? 200 : 422).send(checkToJson(result));
  });
});
