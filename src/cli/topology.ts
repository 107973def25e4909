import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/loader.js';
import { openStateDb } from '../core/database.js';
import { explainParents } from '../topology/explain.js';
import { topologyRoot } from '../topology/root.js';
import { TopologyStore } from '../topology/store.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** `noctua topology parents`: the parents derived from the links in the state database, and why. */
export const command: CliCommand = {
  name: 'topology',
  summary: 'Show the parent each device gets from the LLDP/CDP topology (parent: auto), and why.',
  usage: [
    'noctua topology parents [--config DIR] [--json]',
    '  Reads the links a running Noctua stored in <stateDir>/noctua.db and topology.root from noctua.yaml;',
    '  lost links are left out. --json prints one JSON object per device.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { config: { type: 'string', short: 'c', default: 'config' }, json: { type: 'boolean', default: false } }, true);
    if (positionals[0] !== 'parents' || positionals.length !== 1) throw new UsageError('expected: noctua topology parents [--config DIR] [--json]');
    const cfg = loadConfig(values.config!);
    if (!existsSync(join(cfg.stateDir, 'noctua.db'))) {
      throw new UsageError(`no state database at ${join(cfg.stateDir, 'noctua.db')}: start Noctua (noctua start) so it polls the neighbour tables first`);
    }
    const db = openStateDb(cfg.stateDir);
    try {
      const links = new TopologyStore(db).all().filter((l) => !l.lost).map((l) => ({ ...l, reportedBy: [] }));
      const root = topologyRoot(cfg.settings.topology.root, cfg.devices);
      const rows = explainParents(cfg.devices, links, root);
      if (values.json) {
        for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
        return 0;
      }
      const from = cfg.settings.topology.root !== undefined ? '' : root !== undefined ? ' (the default gateway)' : '';
      process.stdout.write(`topology root: ${root ?? '(none: set topology.root in noctua.yaml)'}${from}; ${links.length} live links\n`);
      for (const r of rows) process.stdout.write(`${r.device}  ${r.mode}  ${r.parent ?? '-'}  ${r.reason}\n`);
      return 0;
    } finally {
      db.close();
    }
  },
};
