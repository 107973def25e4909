import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/cli/command.js';
import { command } from '../../src/cli/locate.js';
import { openStateDb } from '../../src/core/database.js';
import { L2Store } from '../../src/topology/l2-store.js';
import { TopologyStore } from '../../src/topology/store.js';
import { tempDir } from '../helpers/tmp.js';

/** `noctua locate` over a config directory and the layer-2 rows and links stored in its state database. */

const tmp = tempDir('noctua-locate-cli-');
afterAll(() => tmp.cleanup());
const at = new Date('2026-12-01T08:00:00Z');
const keep = { keepForMs: 86_400_000, maxRowsPerDevice: 1000 };
const MAC = '00:0f:e2:6a:1e:44';

function configDir(withDb: boolean): string {
  const dir = join(tmp.dir, withDb ? 'a' : 'b');
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), 'devices:\n  - { name: core, address: 10.0.0.1, class: switch }\n  - { name: acc-1, address: 10.0.0.11, class: switch }\n');
  writeFileSync(join(dir, 'noctua.yaml'), `stateDir: ${join(dir, 'state')}\n`);
  if (!withDb) return dir;
  const db = openStateDb(join(dir, 'state'));
  const link = { id: 'acc-1:Gi0/48|core:Gi1/0/1', a: { device: 'acc-1', port: 'Gi0/48' }, b: { device: 'core', port: 'Gi1/0/1' }, protocol: 'lldp', matchedBy: 'sysname' as const, reportedBy: ['acc-1'] };
  new TopologyStore(db).cycle('acc-1', [link], at, 3);
  const l2 = new L2Store(db);
  l2.cycle('core', { fdb: [{ mac: MAC, vlan: 20, ifName: 'Gi1/0/1', ifIndex: '1', status: 'learned' }], arp: [{ ip: '10.0.20.5', mac: MAC, ifName: 'Vlanif20', ifIndex: '99', type: 'dynamic' }], vlan: [] }, at, keep);
  l2.cycle('acc-1', { fdb: [{ mac: MAC, vlan: 20, ifName: 'Gi0/7', ifIndex: '7', status: 'learned' }], arp: [], vlan: [] }, at, keep);
  db.close();
  return dir;
}

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => { out += String(chunk); return true; });
  try { return { code: await command.run(argv), out }; } finally { spy.mockRestore(); }
}

describe('noctua locate', () => {
  const dir = configDir(true);
  const T = at.toISOString();

  it('prints the edge port first, the uplink after, the IP and the maker (en and zh-CN)', async () => {
    const en = await run(['10.0.20.5', '--config', dir, '--lang', 'en']);
    expect(en.code).toBe(0);
    expect(en.out.split('\n')).toEqual([
      `${MAC}  Hangzhou H3C Technologies Co., Limited`,
      `  plugged in at: acc-1 Gi0/7 VLAN 20 (edge port, 1 MACs on the port; first seen ${T}, on this port since ${T}, last seen ${T})`,
      '  IP addresses: 10.0.20.5 (core)',
      `  also learned on: core Gi1/0/1 VLAN 20 (uplink, 1 MACs on the port; first seen ${T}, on this port since ${T}, last seen ${T})`,
      '',
    ]);
    const zh = await run(['000f.e26a.1e44', '--config', dir, '--lang', 'zh-CN']);
    expect(zh.out).toContain('接入位置: acc-1 Gi0/7 VLAN 20 (接入端口');
    expect(zh.out).toContain('也在以下端口学到: core Gi1/0/1 VLAN 20 (上联口');
    const json = JSON.parse((await run([MAC, '--config', dir, '--json'])).out) as { hosts: { best: { device: string } }[] };
    expect(json.hosts[0]!.best.device).toBe('acc-1');
  });

  it('exits 1 with a sentence when nothing is known', async () => {
    const r = await run(['10.9.9.9', '--config', dir, '--lang', 'en']);
    expect(r.code).toBe(1);
    expect(r.out).toBe('nothing known about 10.9.9.9: no FDB or ARP entry of any polled device has it\n');
  });

  it('refuses a malformed query, a bad --lang and a missing state database with what was expected', async () => {
    await expect(run(['aa:bb:cc:dd:ee', '--config', dir])).rejects.toThrow(new UsageError('query: expected a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabb.ccdd.eeff), an IPv4/IPv6 address, or part of a host name (letters, digits, . _ -); this is not a valid MAC or IP address, got "aa:bb:cc:dd:ee"'));
    await expect(run(['x'.repeat(10_000), '--config', dir])).rejects.toThrow(/query: expected at most 253 characters, got 10000 characters/);
    await expect(run([MAC, '--config', dir, '--lang', 'fr'])).rejects.toThrow(/--lang: expected zh-CN or en, got "fr"/);
    await expect(run([MAC, '--config', configDir(false)])).rejects.toThrow(/no state database at .*noctua\.db: start Noctua/);
    await expect(run(['--config', dir])).rejects.toThrow(/expected: noctua locate <mac\|ip\|host-name-part>/);
  });
});
