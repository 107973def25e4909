import type { FastifyInstance } from 'fastify';
import type { ApiSection } from '../config/sections/api.js';
import type { ApiPorts } from './ports.js';

/** What every API plugin is given: the `api:` settings, the ports, and the clock answers are stamped with. */
export interface ApiContext {
  settings: ApiSection;
  ports: ApiPorts;
  now: () => Date;
  /** Locale the wall starts in when the page does not ask for one. */
  locale: 'en' | 'zh-CN';
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
