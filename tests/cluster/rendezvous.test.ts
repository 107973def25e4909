import { describe, expect, it } from 'vitest';
import { rendezvousOwner, rendezvousSplit } from '../../src/cluster/rendezvous.js';
import { planShare } from '../../src/cluster/device-share.js';

const devices = Array.from({ length: 3000 }, (_, i) => `sw-${String(i).padStart(4, '0')}.bj1`);
const owners = (members: string[]) => new Map(devices.map((d) => [d, rendezvousOwner(d, members)!]));

describe('rendezvous hashing of devices over pollers', () => {
  it('splits a fleet evenly over three pollers (each within 10 % of a third)', () => {
    const split = rendezvousSplit(devices, ['poller-a', 'poller-b', 'poller-c']);
    for (const share of split.values()) expect(Math.abs(share.length - 1000)).toBeLessThan(100);
    expect([...split.values()].flat().sort()).toEqual([...devices].sort());
  });

  it('agrees with the per-device owner', () => {
    const members = ['p1', 'p2', 'p3', 'p4'];
    const split = rendezvousSplit(devices, members);
    for (const [m, ds] of split) for (const d of ds) expect(rendezvousOwner(d, members)).toBe(m);
  });

  it('a poller that leaves gives away only its own devices, spread over the others', () => {
    const before = owners(['p1', 'p2', 'p3']);
    const after = owners(['p1', 'p3']);
    const moved = devices.filter((d) => before.get(d) !== after.get(d));
    expect(moved.every((d) => before.get(d) === 'p2')).toBe(true);
    expect(moved.length).toBe(devices.filter((d) => before.get(d) === 'p2').length);
    const toP1 = moved.filter((d) => after.get(d) === 'p1').length;
    expect(Math.abs(toP1 - moved.length / 2)).toBeLessThan(moved.length * 0.1);
  });

  it('a poller that joins takes only devices it now wins, about 1/N of the fleet', () => {
    const before = owners(['p1', 'p2', 'p3']);
    const after = owners(['p1', 'p2', 'p3', 'p4']);
    const moved = devices.filter((d) => before.get(d) !== after.get(d));
    expect(moved.every((d) => after.get(d) === 'p4')).toBe(true);
    expect(Math.abs(moved.length - devices.length / 4)).toBeLessThan(devices.length * 0.03);
  });

  it('does not depend on the order the members are listed in', () => {
    expect(owners(['c', 'a', 'b'])).toEqual(owners(['a', 'b', 'c']));
  });
});

describe('planShare', () => {
  const ds = devices.slice(0, 300);
  it('releases what another member now wins and acquires its own share', () => {
    const mine3 = new Set(rendezvousSplit(ds, ['a', 'b', 'c']).get('a'));
    const plan = planShare({ devices: ds, members: ['a', 'b', 'c', 'd'], me: 'a', held: mine3, mayAcquire: true });
    const mine4 = rendezvousSplit(ds, ['a', 'b', 'c', 'd']).get('a')!;
    expect(plan.mine).toEqual(mine4);
    expect(plan.acquire).toEqual([]);
    expect(plan.release.sort()).toEqual([...mine3].filter((d) => !mine4.includes(d)).sort());
    expect(plan.release.length).toBeGreaterThan(0);
  });

  it('takes a dead member\'s devices only when allowed to acquire', () => {
    const held = new Set(rendezvousSplit(ds, ['a', 'b']).get('a'));
    const waiting = planShare({ devices: ds, members: ['a'], me: 'a', held, mayAcquire: false });
    expect(waiting.acquire).toEqual([]);
    expect(waiting.release).toEqual([]);
    const taking = planShare({ devices: ds, members: ['a'], me: 'a', held, mayAcquire: true });
    expect(taking.acquire.sort()).toEqual(ds.filter((d) => !held.has(d)).sort());
  });

  it('counts itself as a member even before its own heartbeat is visible', () => {
    const plan = planShare({ devices: ds, members: ['b'], me: 'a', held: new Set(), mayAcquire: true });
    expect(plan.mine).toEqual(rendezvousSplit(ds, ['a', 'b']).get('a'));
  });
});
