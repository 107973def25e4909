import { resolve } from 'node:path';
import { loadFullConfig } from '../config-check/load.js';
import { createLogger } from '../core/log.js';
import { startLab, type Lab } from '../lab/lab.js';
import { PartFailedError, likelyCause } from '../lab/parts.js';
import { repoRoot } from '../lab/paths.js';
import { LAB_ROLES } from '../lab/users.js';
import { startNoctua, type NoctuaRuntime } from '../main.js';
import { intFlag, parseFlags, type CliCommand } from './command.js';
import { superviseRuntime, untilSignal } from './start.js';

/** `noctua lab`: a local lab of real parts (influxd, snmpsimd) with Noctua polling it. */
export const command: CliCommand = {
  name: 'lab',
  summary: 'Start a local lab: InfluxDB, simulated devices from the shared recordings, and Noctua polling them (SNMP plus ICMP probes on 127.0.0.0/8).',
  usage: 'noctua lab [--dir DIR] [--api-port N]',
  async run(argv) {
    const { values } = parseFlags(argv, { dir: { type: 'string' }, 'api-port': { type: 'string' } });
    const root = resolve(values.dir ?? resolve(repoRoot, 'var', 'lab'));
    const log = createLogger({ name: 'lab' });
    // Listen before anything starts, so Ctrl-C during start-up still stops every child.
    const signalled = untilSignal();
    let stopping = false;
    let lab: Lab;
    try {
      lab = await startLab({
        root, preferredInfluxPort: 8086, apiPort: intFlag('api-port', values['api-port'], 1, 65535),
        onCrash: (p) => { if (!stopping) log.error(`${p.name} (pid ${p.pid}) exited unexpectedly; last log lines:\n${p.tail()}`); },
        onNotice: (path, body) => {
          const b = body as { kind?: string; text?: string; incident?: { title?: string } } | undefined;
          log.info({ receiver: path, kind: b?.kind, incident: b?.incident?.title }, 'lab receiver got a notice');
        },
      });
    } catch (err) {
      return failed(err);
    }
    log.info({ influx: lab.influx.url, snmp: `udp 127.0.1.1-${lab.fixtures.length}:${lab.snmpsim.port}`, config: lab.configDir, logs: `${root}/log` },
      `lab up: ${lab.fixtures.length} simulated devices, InfluxDB at ${lab.influx.url}`);
    const cfg = loadFullConfig(lab.configDir);
    let runtime: NoctuaRuntime;
    try {
      runtime = await startNoctua(cfg, log);
    } catch (err) {
      // The lab's own parts run: stop them, or they outlive a Noctua that never started.
      await lab.stop();
      return failed(noctuaFailed(err, cfg.settings.api.port));
    }
    const wall = `${runtime.api?.url ?? lab.apiUrl}/wall?token=${lab.tokens.viewer}`;
    // Printed plainly (not only as a log field) so a person starting the lab can click it.
    process.stdout.write([
      '', 'Noctua lab is running.',
      `  NOC wall:        ${wall}`,
      `  console:         ${runtime.api?.url ?? lab.apiUrl}/console/`,
      `  API docs:        ${runtime.api?.url ?? lab.apiUrl}/docs`,
      `  viewer token:    ${lab.tokens.viewer}`,
      `  operator token:  ${lab.tokens.operator}`,
      `  admin token:     ${lab.tokens.admin}`,
      // New passwords at every start: the generated noctua.yaml keeps only their hashes.
      ...LAB_ROLES.map((r) => `  ${`${r} login:`.padEnd(17)}${lab.users[r].name} / ${lab.users[r].password}`),
      `  InfluxDB:        ${lab.influx.url} (database ${cfg.settings.influx.database})`,
      `  notices:         ${root}/log/notices.jsonl`,
      `  logs:            ${root}/log/`,
      '  Ctrl-C stops everything.', '', '',
    ].join('\n'));
    // The lab's devices.yaml can be edited (or SIGHUP sent) to try reloads against the simulated fleet.
    const signal = await superviseRuntime(runtime, lab.configDir, log, signalled);
    stopping = true;
    log.info({ signal }, 'stopping the lab');
    await runtime.stop();
    await lab.stop();
    return 0;
  },
};

/** Says which part of the lab did not start and what to do, without a stack trace; other errors are bugs and go on up. */
function failed(err: unknown): number {
  if (!(err instanceof PartFailedError)) throw err;
  process.stderr.write(`noctua lab: ${err.message}\n`);
  // A runtime that failed half-way may leave timers behind (startNoctua does not undo a partial start):
  // exit anyway once this command has returned, rather than hang after saying it failed.
  setTimeout(() => process.exit(1), 1000).unref();
  return 1;
}

/** Noctua itself did not start inside the lab: most often the API port is taken. */
function noctuaFailed(err: unknown, apiPort: number): PartFailedError {
  const reason = `did not start (${(err as Error).message.split('\n')[0]})`;
  const busy = (err as NodeJS.ErrnoException).code === 'EADDRINUSE';
  const hint = busy ? `port ${apiPort} of the API is held by another program: stop it, or start the lab with --api-port N` : likelyCause('noctua', reason, '');
  return new PartFailedError('noctua', reason, hint, undefined, '', { cause: err });
}
