import { Redis } from 'ioredis';
import type { Logger } from '../core/log.js';
import type { ClusterSection } from '../config/sections/cluster.js';

/**
 * A Redis URL fit for logs and error messages: `redis://user:password@host:port/db` becomes
 * `redis://***@host:port/db`. The user name goes too (with ACLs it is half the credential).
 */
export function redisUrlForLogs(url: string): string {
  try {
    const u = new URL(url);
    const auth = u.username || u.password ? '***@' : '';
    return `${u.protocol}//${auth}${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return '(invalid Redis URL)';
  }
}

/** Removes the URL's password from a text (and the URL itself), in case a library put them into an error message. */
export function withoutRedisSecrets(text: string, url: string): string {
  let out = text.split(url).join(redisUrlForLogs(url));
  try {
    const u = new URL(url);
    for (const secret of new Set([u.password, decodeURIComponent(u.password)])) if (secret.length > 0) out = out.split(secret).join('***');
  } catch { /* not a URL: nothing to find */ }
  return out;
}

/**
 * A Redis connection for cluster work. Commands fail at once while disconnected (no offline queue) and
 * after `commandTimeout` when Redis does not answer, so a poller notices an outage within one command
 * and spools instead of piling commands up in memory; reconnection goes on in the background forever.
 */
export function createClusterRedis(settings: ClusterSection['redis'], log: Logger, name: string): Redis {
  const redis = new Redis(settings.url, {
    connectionName: name,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: settings.commandTimeout,
    connectTimeout: settings.commandTimeout,
    // Reconnect every 0.2 s up to every 2 s: a Redis restart is noticed within two seconds.
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
  });
  const where = redisUrlForLogs(settings.url);
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: withoutRedisSecrets(err.message, settings.url), redis: name, url: where }, 'Redis unreachable; retrying in the background');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: name, url: where }, 'Redis reachable again');
    down = false;
  });
  return redis;
}
