import { resolve } from 'node:path';
import { loadFullConfig } from '../config-check/load.js';
import { createLogger } from '../core/log.js';
import { startLab } from '../lab/lab.js';
import { repoRoot } from '../lab/paths.js';
import { startNoctua } from '../main.js';
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
    const lab = await startLab({
      root, preferredInfluxPort: 8086, apiPort: intFlag('api-port', values['api-port'], 1, 65535),
      onCrash: (p) => { if (!stopping) log.error(`${p.name} (pid ${p.pid}) exited unexpectedly; last log lines:\n${p.tail()}`); },
      onNotice: (path, body) => {
        const b = body as { kind?: string; text?: string; incident?: { title?: string } } | undefined;
        log.info({ receiver: path, kind: b?.kind, incident: b?.incident?.title }, 'lab receiver got a notice');
      },
    });
    log.info({ influx: lab.influx.url, snmp: `udp 127.0.1.1-${lab.fixtures.length}:${lab.snmpsim.port}`, config: lab.configDir, logs: `${root}/log` },
      `lab up: ${lab.fixtures.length} simulated devices, InfluxDB at ${lab.influx.url}`);
    const cfg = loadFullConfig(lab.configDir);
    const runtime = await startNoctua(cfg, log);
    const wall = `${runtime.api?.url ?? lab.apiUrl}/wall?token=${lab.tokens.viewer}`;
    // Printed plainly (not only as a log field) so a person starting the lab can click it.
    process.stdout.write([
      '', 'Noctua lab is running.',
      `  NOC wall:        ${wall}`,
      `  API docs:        ${runtime.api?.url ?? lab.apiUrl}/docs`,
      `  viewer token:    ${lab.tokens.viewer}`,
      `  operator token:  ${lab.tokens.operator}`,
      `  admin token:     ${lab.tokens.admin}`,
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
