import { loadConfig } from '../config/loader.js';
import { createLogger } from '../core/log.js';
import { ClusterKeys } from '../cluster/keys.js';
import { createClusterRedis, redisUrlForLogs, withoutRedisSecrets } from '../cluster/redis-client.js';
import { formatClusterStatus, readClusterStatus } from '../cluster/status.js';
import { UsageError, parseFlags, type CliCommand } from './command.js';

/** `noctua cluster status`: members, groups, device counts, stream lag and the leader, read from Redis. */
export const command: CliCommand = {
  name: 'cluster',
  summary: 'Show the cluster as Redis sees it: pollers per group and their device counts, stream lag, the leader core.',
  usage: 'noctua cluster status [--config DIR] [--json]',
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' }, json: { type: 'boolean' } }, true);
    if (positionals[0] !== 'status' || positionals.length !== 1) throw new UsageError(`expected "status", got ${JSON.stringify(positionals.join(' '))}`);
    const cfg = loadConfig(values.config!);
    const section = cfg.settings.cluster;
    const redis = createClusterRedis(section.redis, createLogger({ level: 'error' }), 'noctua-cluster-status');
    try {
      await new Promise<void>((resolve, reject) => {
        if (redis.status === 'ready') return resolve();
        const t = setTimeout(() => reject(new Error(`Redis at ${redisUrlForLogs(section.redis.url)} did not answer within ${section.redis.commandTimeout} ms`)), section.redis.commandTimeout);
        redis.once('ready', () => { clearTimeout(t); resolve(); });
      });
      const status = await readClusterStatus(redis, new ClusterKeys(section.redis.keyPrefix));
      console.log(values.json ? JSON.stringify(status, null, 2) : formatClusterStatus(status));
      return 0;
    } catch (err) {
      console.error(`noctua cluster status: ${withoutRedisSecrets((err as Error).message, section.redis.url)}`);
      return 1;
    } finally {
      redis.disconnect();
    }
  },
};
