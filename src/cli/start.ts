import { createHash } from 'node:crypto';
import { existsSync, readFileSync, watch, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { loadFullConfig } from '../config-check/load.js';
import { ConfigInvalidError, formatConfigError } from '../config/yaml-source.js';
import { createLogger, type Logger } from '../core/log.js';
import { StandbyStoppedError, startNoctua, type NoctuaRuntime } from '../main.js';
import { PingerUnavailableError } from '../pollers/icmp/pinger.js';
import { parseFlags, type CliCommand } from './command.js';

/** Resolves when the process receives SIGINT or SIGTERM. */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (s: NodeJS.Signals) => { process.off('SIGINT', on); process.off('SIGTERM', on); resolve(s); };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

/** Files whose change triggers a reload. */
const WATCHED = ['devices.yaml', 'noctua.yaml'];
/** Editors write a file in several steps (truncate, write, rename): wait for them to finish. */
const SETTLE_MS = 300;

function fingerprint(dir: string): string {
  const h = createHash('sha256');
  for (const f of WATCHED) {
    const p = join(dir, f);
    h.update(f).update(existsSync(p) ? readFileSync(p) : '(absent)');
  }
  return h.digest('hex');
}

/**
 * Keeps a runtime in step with its config directory until SIGINT/SIGTERM: SIGHUP or a change to
 * devices.yaml/noctua.yaml reloads it. A configuration that does not load is logged with every
 * file:line:col error and the running inventory stays as it was. Returns the stopping signal.
 */
export async function superviseRuntime(runtime: NoctuaRuntime, configDir: string, log: Logger, stopSignal: Promise<NodeJS.Signals> = untilSignal()): Promise<NodeJS.Signals> {
  let loaded = fingerprint(configDir);
  const reload = (why: string) => {
    const now = fingerprint(configDir);
    if (why === 'file change' && now === loaded) return;
    loaded = now;
    try {
      runtime.reload(loadFullConfig(configDir));
    } catch (err) {
      if (!(err instanceof ConfigInvalidError)) { log.error({ err, trigger: why }, 'reload failed; the previous inventory keeps running'); return; }
      log.error({ trigger: why, errors: err.errors.map(formatConfigError) },
        `reload rejected (${err.errors.length} configuration error${err.errors.length === 1 ? '' : 's'}); the previous inventory keeps running:\n${err.errors.map(formatConfigError).join('\n')}`);
    }
  };
  const onHup = () => { log.info('SIGHUP: reloading the configuration'); reload('SIGHUP'); };
  process.on('SIGHUP', onHup);
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    // The directory, not the files: an editor's rename-over replaces the file a file watch would follow.
    watcher = watch(configDir, (_event, file) => {
      if (!file || !WATCHED.includes(String(file))) return;
      clearTimeout(timer);
      timer = setTimeout(() => reload('file change'), SETTLE_MS);
    });
    watcher.on('error', (err) => log.warn({ err }, 'config directory watch failed; SIGHUP still reloads'));
  } catch (err) {
    log.warn({ err, dir: configDir }, 'cannot watch the config directory; SIGHUP still reloads');
  }
  try {
    return await stopSignal;
  } finally {
    process.off('SIGHUP', onHup);
    clearTimeout(timer);
    watcher?.close();
  }
}

/** How long after the drain deadline the process may linger before it is made to exit. */
const EXIT_GRACE_MS = 3000;
/** Exit code of a core that found another core holding the leader lease (docs/SCALE.md): systemd restarts it as the standby. */
export const EXIT_LEADERSHIP_LOST = 3;

/** Everything is closed; a handle some library left open must not keep a stopped process alive. */
function exitSoon(log: Logger): void {
  setTimeout(() => { log.warn('open handles remained after stop; exiting anyway'); process.exit(0); }, EXIT_GRACE_MS).unref();
}

/** `noctua start`: runs the configured fleet until SIGTERM. */
export const command: CliCommand = {
  name: 'start',
  summary: 'Run Noctua: poll the inventory on schedule until SIGTERM; SIGHUP or editing devices.yaml reloads it.',
  usage: 'noctua start [--config DIR]',
  async run(argv) {
    const { values } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' } });
    const signalled = untilSignal();
    // A standby core waits inside startNoctua for as long as the leader lives: a signal ends that wait.
    const standby = new AbortController();
    void signalled.then(() => standby.abort());
    const dir = values.config!;
    const cfg = loadFullConfig(dir);
    const log = createLogger({ level: cfg.settings.logLevel });
    let runtime: NoctuaRuntime;
    try {
      runtime = await startNoctua(cfg, log, {
        standbySignal: standby.signal,
        // Exit at once, before anything else runs: two alert engines must never run side by side.
        onLeadershipLost: () => process.exit(EXIT_LEADERSHIP_LOST),
      });
    } catch (err) {
      if (err instanceof StandbyStoppedError) { exitSoon(log); return 0; }
      // A missing ICMP backend is a setup mistake: say what to do, without a stack trace.
      if (!(err instanceof PingerUnavailableError)) throw err;
      console.error(`noctua start: ${err.message}`);
      return 1;
    }
    const signal = await superviseRuntime(runtime, dir, log, signalled);
    log.info({ signal, drainTimeoutMs: cfg.settings.scheduler.drainTimeout }, 'stopping: draining polls under way');
    // A second signal while draining means "now".
    const force = (s: NodeJS.Signals) => { log.warn({ signal: s }, 'second signal: exiting without draining'); process.exit(1); };
    // SIGHUP's default action would kill the process mid-drain.
    process.on('SIGHUP', () => log.info('SIGHUP ignored while stopping'));
    process.once('SIGINT', force);
    process.once('SIGTERM', force);
    await runtime.stop();
    exitSoon(log);
    return 0;
  },
};
