import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { ApiSection } from '../config/sections/api.js';
import { installAccessControl } from './access.js';
import { installAuditHook } from '../auth/audit-hook.js';
import { pruneAuth, type AuthRuntime } from '../auth/runtime.js';
import { installCors } from './cors.js';
import { installQueryArrays } from './json-schema.js';
import type { ApiContext, ApiLimits } from './plugin.js';
import { installProblemHandlers, problem } from './problems.js';
import { redactingChildLogger } from './request-log.js';
import type { ApiServices } from './services/index.js';
import { configRoutes } from './routes/config.js';
import { devicesRoutes } from './routes/devices.js';
import { healthRoutes } from './routes/health.js';
import { incidentsRoutes } from './routes/incidents.js';
import { maintenanceRoutes } from './routes/maintenance.js';
import { streamRoutes } from './routes/stream.js';
import { wallDataRoutes, wallPageRoutes } from './routes/wall.js';
import { ackRoutes } from './routes/ack.js';
import { chatRoutes } from './routes/chat.js';
import { pagingRoutes } from './routes/paging.js';
import { pausesRoutes } from './routes/pauses.js';
import { reportsRoutes } from './routes/reports.js';
import { problemRecordsRoutes } from './routes/problem-records.js';
import { knowledgeRoutes } from './routes/knowledge.js';
import { consoleConfigRoutes, consolePageRoutes } from './routes/console.js';
import { onCallRoutes } from './routes/on-call.js';
import { sessionRoutes } from './routes/session.js';
import { auditRoutes } from './routes/audit.js';
import { usersRoutes } from './routes/users.js';
import { locateRoutes } from './routes/locate.js';
import { topologyRoutes } from './routes/topology.js';
import { oidcRoutes } from '../auth/oidc-routes.js';
import { eventsRoutes } from './routes/events.js';
import { configBackupsRoutes } from './routes/config-backups.js';
import { assetsRoutes } from './routes/assets.js';
import { discoveryRoutes } from './routes/discovery.js';
import { type Lang } from '../config/lang.js';

/** What {@link buildApp} needs: the `api:` settings, the services onto the running Noctua, and a logger. */
export type BuildAppOptions = CommonAppOptions & { services: ApiServices };

interface CommonAppOptions {
  settings: ApiSection;
  log: FastifyBaseLogger;
  /** The clock answers are computed against; tests pin it. */
  now?: () => Date;
  /** Lang the wall starts in (noctua.yaml `locale`); `?lang=` on the page overrides it. */
  locale?: Lang;
  /** Load limits (stream caps, wall cache); defaults when absent. */
  limits?: ApiLimits;
  /** Whether the console's login page offers single sign-on; default: when `auth.oidc` is configured. */
  sso?: boolean;
  /** Console logins, users and the audit trail over the state database (src/auth); without it only API tokens work. */
  auth?: AuthRuntime;
}

/** How often ended sessions and audit rows past retention are deleted. */
const PRUNE_EVERY_MS = 86_400_000;

/** Longest path parameter accepted: an acknowledge token with a long incident id and recipient fits. */
export const MAX_PARAM_LENGTH = 2048;

/** Where the versioned API lives. */
export const API_PREFIX = '/api/v1';

/**
 * Builds the HTTP API and the NOC wall as a fastify instance that is not listening: tests drive it
 * with `inject`, and {@link startApiServer} (server.ts) puts it on a port.
 */
export function buildApp(opts: BuildAppOptions): FastifyInstance {
  const { settings, log } = opts;
  const { services } = opts;
  const ctx: ApiContext = {
    settings, services, now: opts.now ?? (() => new Date()), locale: opts.locale ?? 'en', limits: opts.limits,
    // Single sign-on is offered exactly when OIDC is configured (its routes are registered below on the same test).
    sso: opts.sso ?? opts.auth?.settings.oidc !== undefined, auth: opts.auth,
  };
  const app = Fastify({
    loggerInstance: log,
    // One request-log serializer for every route: tokens in query strings and ack paths never reach the log.
    childLoggerFactory: redactingChildLogger,
    // Behind a reverse proxy the client is in X-Forwarded-For; only then are rate limits and stream caps per client.
    trustProxy: settings.trustProxy,
    // Acknowledge links carry a signed token in the path; fastify's default of 100 characters cut them off (414).
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    bodyLimit: settings.bodyLimitBytes,
    // Unknown fields are refused (400 with their path), not silently dropped; every problem is reported at once.
    ajv: { customOptions: { removeAdditional: false, allErrors: true, verbose: true, coerceTypes: true, useDefaults: true } },
    return503OnClosing: true,
    // Wall screens hold keep-alive and stream sockets open indefinitely; a shutdown must not wait for them.
    forceCloseConnections: true,
  }) as unknown as FastifyInstance;

  app.decorate('noctuaAuth', opts.auth);
  app.decorate('noctuaNow', ctx.now);
  installProblemHandlers(app);
  if (opts.auth) installAuth(app, opts.auth, ctx.now);
  installQueryArrays(app);
  // Swagger UI's own routes carry no access rule; the document describes the API, not its data.
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) route.config = { ...(route.config ?? {}), access: 'public' };
  });
  app.register(helmet, {
    contentSecurityPolicy: {
      // NOC walls are often reached over plain http on the LAN; upgrading would break the page there.
      directives: { 'upgrade-insecure-requests': null },
    },
  });
  app.register(rateLimit, {
    global: false,
    max: settings.rateLimitPerMinute,
    timeWindow: 60_000,
    errorResponseBuilder: (_req, c) => problem(429, `rate limit of ${c.max} requests per minute exceeded; retry in ${Math.ceil(c.ttl / 1000)}s`),
  });
  app.after(() => {
    // Limit before checking tokens, so guessing tokens is rate-limited too.
    app.addHook('onRequest', app.rateLimit());
    installCors(app, settings.cors);
    installAccessControl(app, settings, { auth: opts.auth, now: ctx.now });
  });
  app.register(swagger, {
    openapi: {
      info: { title: 'Noctua API', version: '1', description: 'Devices, incidents, maintenance and configuration of a running Noctua.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from api.tokens in noctua.yaml' } } },
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.register(healthRoutes, ctx);
  app.register(wallPageRoutes, ctx);
  app.register(consolePageRoutes, ctx);
  app.register(ackRoutes, ctx);
  if (opts.auth?.settings.oidc) app.register(oidcRoutes, ctx);
  app.register(async (v1) => {
    v1.register(devicesRoutes, ctx);
    v1.register(incidentsRoutes, ctx);
    v1.register(maintenanceRoutes, ctx);
    v1.register(configRoutes, ctx);
    v1.register(streamRoutes, ctx);
    v1.register(wallDataRoutes, ctx);
    v1.register(reportsRoutes, ctx);
    v1.register(pagingRoutes, ctx);
    v1.register(pausesRoutes, ctx);
    v1.register(problemRecordsRoutes, ctx);
    v1.register(knowledgeRoutes, ctx);
    v1.register(chatRoutes, ctx);
    v1.register(topologyRoutes, ctx);
    v1.register(locateRoutes, ctx);
    v1.register(consoleConfigRoutes, ctx);
    v1.register(onCallRoutes, ctx);
    if (opts.auth) {
      v1.register(sessionRoutes, ctx);
      v1.register(usersRoutes, ctx);
      v1.register(auditRoutes, ctx);
    }
    v1.register(eventsRoutes, ctx);
    v1.register(configBackupsRoutes, ctx);
    v1.register(assetsRoutes, ctx);
    v1.register(discoveryRoutes, ctx);
  }, { prefix: API_PREFIX });
  return app;
}

/** The audit hook on every route, and the daily prune of ended sessions and audit rows past retention. */
function installAuth(app: FastifyInstance, auth: AuthRuntime, now: () => Date): void {
  installAuditHook(app, auth.audit, now);
  let timer: NodeJS.Timeout | undefined;
  const prune = () => {
    try {
      const gone = pruneAuth(auth, now());
      if (gone.auditRows + gone.sessions > 0) app.log.info(gone, 'pruned ended sessions and old audit rows');
    } catch (err) {
      app.log.error({ err }, 'pruning sessions and audit rows failed');
    }
  };
  app.addHook('onReady', async () => {
    prune();
    timer = setInterval(prune, PRUNE_EVERY_MS);
    timer.unref();
  });
  app.addHook('onClose', async () => clearInterval(timer));
}
