import { describe, expect, it } from 'vitest';
import { RemoteDeviceState } from '../../src/cluster/remote-device-state.js';
import type { Device } from '../../src/config/inventory-schema.js';
import { FakeClock } from '../../src/core/clock.js';
import { DeviceStateRegistry } from '../../src/scheduler/device-state.js';

const dev = (name: string, site: string) => ({ name, site, class: 'switch', address: '127.0.0.1', enabled: true }) as unknown as Device;
const devices = [dev('sw-bj-1', 'bj1'), dev('sw-dc-1', 'dc1'), dev('sw-dc-2', 'dc1')];
const section = { groups: { beijing: ['bj1'] } };
const at = new Date(1795420800000);

describe('device state on the core, from the pollers\' samples', () => {
  it('records ICMP and SNMP verdicts as the scheduler would: up, down, unreachable', async () => {
    const reg = new DeviceStateRegistry(new FakeClock());
    reg.sync(devices);
    const remote = new RemoteDeviceState(reg);
    await remote.write([
      { measurement: 'icmp', tags: { device: 'sw-bj-1' }, fields: { up: true, sent: 3 }, time: at },
      { measurement: 'snmp_poll', tags: { device: 'sw-bj-1', kind: 'snmp' }, fields: { ok: true, duration_ms: 12, error: '' }, time: at },
      { measurement: 'icmp', tags: { device: 'sw-dc-1' }, fields: { up: true, sent: 3 }, time: at },
      { measurement: 'snmp_poll', tags: { device: 'sw-dc-1', kind: 'snmp' }, fields: { ok: false, duration_ms: 800, error: 'timeout' }, time: at },
      { measurement: 'icmp', tags: { device: 'sw-dc-2' }, fields: { up: false, sent: 3 }, time: at },
    ]);
    expect(reg.get('sw-bj-1')!.status).toBe('up');
    expect(reg.get('sw-dc-1')!.status).toBe('down');
    expect(reg.get('sw-dc-1')!.reason).toMatch(/timeout/);
    expect(reg.get('sw-dc-2')!.status).toBe('unreachable');
  });

  it('a partial SNMP poll (other samples in the batch) does not make a device down', async () => {
    const reg = new DeviceStateRegistry(new FakeClock());
    reg.sync(devices);
    await new RemoteDeviceState(reg).write([
      { measurement: 'interface', tags: { device: 'sw-dc-1', ifName: 'Gi0/1' }, fields: { oper_up: true }, time: at },
      { measurement: 'snmp_poll', tags: { device: 'sw-dc-1', kind: 'snmp' }, fields: { ok: false, duration_ms: 2700, error: 'deadline' }, time: at },
    ]);
    expect(reg.get('sw-dc-1')!.status).not.toBe('down');
  });

  it('devices of a group without a live poller become unknown, not down; the others keep their state', async () => {
    const reg = new DeviceStateRegistry(new FakeClock());
    reg.sync(devices);
    const remote = new RemoteDeviceState(reg);
    await remote.write(devices.map((d) => ({ measurement: 'icmp', tags: { device: d.name }, fields: { up: true, sent: 3 }, time: at })));
    expect(remote.orphan(devices, section, new Set(['default']))).toBe(1);
    expect(reg.get('sw-bj-1')!.status).toBe('unknown');
    expect(reg.get('sw-dc-1')!.status).toBe('up');
    expect(reg.list()).toHaveLength(3);
    expect(remote.orphan(devices, section, new Set(['default']))).toBe(0);
  });
});
