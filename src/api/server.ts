import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildAppOptions } from './app.js';

/** The API while it listens. */
export interface ApiServer {
  app: FastifyInstance;
  /** Base URL it answers on, e.g. http://127.0.0.1:8080 (the real port when settings.port is 0). */
  url: string;
  /** Ends live streams, stops accepting requests and waits for those in flight. */
  close(): Promise<void>;
}

/** Builds the app and listens on `api.host`:`api.port`; port 0 picks a free port. */
export async function startApiServer(opts: BuildAppOptions): Promise<ApiServer> {
  const app = buildApp(opts);
  await app.listen({ host: opts.settings.host, port: opts.settings.port });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.settings.port;
  const host = opts.settings.host.includes(':') ? `[${opts.settings.host}]` : opts.settings.host;
  opts.log.info({ url: `http://${host}:${port}` }, 'API listening; the NOC wall is at /wall, the API documentation at /docs');
  return { app, url: `http://${host}:${port}`, close: () => app.close() };
}
