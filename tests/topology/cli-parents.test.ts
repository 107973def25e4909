import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { command } from '../../src/cli/topology.js';
import { UsageError } from '../../src/cli/command.js';
import { openStateDb } from '../../src/core/database.js';
import { TopologyStore } from '../../src/topology/store.js';
import { tempDir } from '../helpers/tmp.js';

/** `noctua topology parents` over a config directory and the links stored in its state database. */

const tmp = tempDir('noctua-topo-cli-');
afterAll(() => tmp.cleanup());

function configDir(name: string, root?: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), `defaults: { parent: auto }
devices:
  - { name: core, address: 10.0.0.1, class: router }
  - { name: dist, address: 10.0.0.2, class: switch }
  - { name: acc, address: 10.0.0.3, class: switch, parent: core }
`);
  writeFileSync(join(dir, 'noctua.yaml'), `stateDir: ${join(dir, 'state')}\n${root ? `topology: { root: ${root} }\n` : ''}`);
  return dir;
}

async function run(argv: string[]): Promise<string> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out += String(chunk); return true; });
  try { expect(await command.run(argv)).toBe(0); } finally { spy.mockRestore(); }
  return out;
}

describe('noctua topology parents', () => {
  it('prints the derived parent and why, and an explicit parent as configured', async () => {
    const dir = configDir('a', 'core');
    const db = openStateDb(join(dir, 'state'));
    const at = new Date('2026-12-01T00:00:00Z');
    const link = { id: 'core:ge1|dist:up0', a: { device: 'core', port: 'ge1' }, b: { device: 'dist', port: 'up0' }, protocol: 'lldp', matchedBy: 'chassis-id' as const, reportedBy: ['dist'] };
    new TopologyStore(db).cycle('dist', [link], at, 3);
    db.close();
    expect(await run(['parents', '--config', dir])).toBe([
      'topology root: core; 1 live links',
      'core  derived  -  is the topology root',
      'dist  derived  core  core is the next hop toward the root: core -> dist',
      'acc  configured  core  explicit parent: in devices.yaml (always wins over auto)',
      '',
    ].join('\n'));
    const json = (await run(['parents', '--config', dir, '--json'])).trim().split('\n').map((l) => JSON.parse(l) as { device: string; parent?: string });
    expect(json.map((r) => [r.device, r.parent])).toEqual([['core', undefined], ['dist', 'core'], ['acc', 'core']]);
  });

  it('says what to do without a state database or with a wrong subcommand', async () => {
    const dir = configDir('b');
    await expect(command.run(['parents', '--config', dir])).rejects.toThrow(/no state database at .*noctua\.db: start Noctua/);
    await expect(command.run(['parent', '--config', dir])).rejects.toBeInstanceOf(UsageError);
  });
});
