import { Redis } from 'ioredis';
import type { Logger } from '../core/log.js';
import type { ClusterSection } from '../config/sections/cluster.js';

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
  let down = false;
  redis.on('error', (err: Error) => {
    if (!down) log.warn({ err: err.message, redis: name }, 'Redis unreachable; retrying in the background');
    down = true;
  });
  redis.on('ready', () => {
    if (down) log.info({ redis: name }, 'Redis reachable again');
    down = false;
  });
  return redis;
}
