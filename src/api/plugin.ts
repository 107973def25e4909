import type { FastifyInstance } from 'fastify';
import type { ApiSection } from '../config/sections/api.js';
import type { ApiServices } from './services/index.js';
import type { AuthRuntime } from '../auth/runtime.js';
import { type Lang } from '../config/lang.js';

/** What every API plugin is given: the `api:` settings, the services it reads and acts through, and the clock answers are stamped with. */
export interface ApiContext {
  settings: ApiSection;
  services: ApiServices;
  now: () => Date;
  /** Lang the wall starts in when the page does not ask for one. */
  locale: Lang;
  /** Load limits; the defaults suit production, tests shrink them. */
  limits?: ApiLimits;
  /** True when single sign-on is configured: the console's login page then offers it. */
  sso?: boolean;
  /** Logins, sessions, users and the audit trail; absent without a state database (then only tokens work). */
  auth?: AuthRuntime;
}

/** Limits on what clients can make the API hold or recompute. */
export interface ApiLimits {
  /** Open live streams per client address and in total (routes/stream.ts DEFAULT_STREAM_LIMITS). */
  streams?: { perClient: number; total: number };
  /** How long the wall's WAN sparklines (InfluxDB queries) are reused between /api/v1/wall answers (routes/wall.ts). */
  wallSparklineCacheMs?: number;
}

/** A resource's routes as an encapsulated fastify plugin. */
export type ApiPlugin = ((app: FastifyInstance, ctx: ApiContext) => Promise<void>) & { [key: symbol]: unknown };

/**
 * Names a plugin and declares what it depends on, the way fastify reads plugin metadata, so a missing
 * dependency fails at start with the plugin's name rather than at the first request.
 */
export function apiPlugin(name: string, dependencies: string[], fn: (app: FastifyInstance, ctx: ApiContext) => Promise<void>): ApiPlugin {
  const plugin = fn as ApiPlugin;
  plugin[Symbol.for('plugin-meta')] = { name, dependencies, fastify: '5.x' };
  plugin[Symbol.for('fastify.display-name')] = name;
  return plugin;
}
