import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { awaitReady } from './parts.js';
import { GiveUpWaiting, freeTcpPort, waitFor } from './ports.js';
import { superviseProcess, type SupervisedProcess } from './supervisor.js';

/** A private redis-server on loopback, for the lab and the cluster tests. */
export interface RedisInstance {
  url: string;
  port: number;
  dir: string;
  process: SupervisedProcess;
  /** Stops it (SIGTERM: the append-only file is flushed). */
  stop(): Promise<void>;
  /** Starts it again on the same port and directory: what it had persisted comes back. */
  restart(): Promise<void>;
}

/**
 * Starts `redis-server` on 127.0.0.1 with its data under `dir`: no RDB snapshots (`--save ""`), an
 * append-only file fsync'd on every write so a stop/start keeps every stream entry, no protected-mode
 * surprises and no listening beyond loopback.
 */
export async function startRedis(opts: { dir: string; port?: number; logFile?: string }): Promise<RedisInstance> {
  const port = opts.port ?? (await freeTcpPort());
  mkdirSync(opts.dir, { recursive: true });
  const logFile = opts.logFile ?? join(opts.dir, 'redis.log');
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', opts.dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--daemonize', 'no', '--protected-mode', 'yes'];
  const url = `redis://127.0.0.1:${port}`;
  const launch = async (): Promise<SupervisedProcess> => {
    const proc = superviseProcess('redis-server', 'redis-server', args, { logFile });
    await awaitReady(proc, () => waitFor(`redis-server on 127.0.0.1:${port}`, async () => {
      if (!proc.alive()) throw new GiveUpWaiting('redis-server exited');
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false, retryStrategy: () => null });
      probe.on('error', () => { /* not up yet: the loop asks again */ });
      try { await probe.connect(); return (await probe.ping()) === 'PONG'; } finally { probe.disconnect(); }
    }, 20_000, 100));
    return proc;
  };
  const inst: RedisInstance = {
    url, port, dir: opts.dir, process: await launch(),
    async stop() { await inst.process.stop(); },
    async restart() {
      if (inst.process.alive()) await inst.process.stop();
      inst.process = await launch();
    },
  };
  return inst;
}
