import { describe, expect, it, onTestFinished } from 'vitest';
import { device, harness } from './harness.js';

/** Parent suppression with parents derived from the topology (`parent: auto`), injected as a lookup. */

const RULES = `
evaluationInterval: 5s
rules:
  - name: device-down
    severity: P2
    consecutive: 2
    deviceDown: true
    suppressedByParent: true
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} is down"
`;

describe('derived parents in dependency suppression', () => {
  const derived = new Map<string, string>();
  const start = () => {
    const h = harness(RULES, [
      device('core', { class: 'router' }),
      device('dist', { parentAuto: true }),
      device('acc-1', { parentAuto: true }),
      // An explicit parent wins over the topology's answer.
      device('acc-2', { parent: 'core' }),
      device('acc-3'),
    ], { derivedParent: (d) => derived.get(d) });
    h.engine.start();
    onTestFinished(() => h.engine.stop());
    return h;
  };
  const cycle = async (h: ReturnType<typeof start>, down: string[]) => {
    for (const d of ['acc-1', 'acc-2', 'acc-3', 'dist', 'core']) await h.feed('icmp', d, { up: !down.includes(d) });
    await h.advance(30_000);
  };

  it('a dead distribution switch is one incident listing the access switch whose parent was derived', async () => {
    derived.clear();
    for (const [c, p] of [['dist', 'core'], ['acc-1', 'dist'], ['acc-2', 'dist'], ['acc-3', 'dist']] as const) derived.set(c, p);
    const h = start();
    for (let i = 0; i < 3; i++) await cycle(h, ['dist', 'acc-1', 'acc-2', 'acc-3']);
    const open = h.engine.listIncidents({ state: 'open' }).items.map((i) => [i.device, i.muted, i.suppressedDevices]);
    // acc-2's explicit parent (core) is up: it pages; acc-3 has no parent: auto, so the derived one is not used.
    expect(open.sort()).toEqual([['acc-2', false, []], ['acc-3', false, []], ['dist', false, ['acc-1']]]);
  });

  it('without a derived parent the device pages on its own, and the lookup is read at each evaluation', async () => {
    derived.clear();
    const h = start();
    for (let i = 0; i < 2; i++) await cycle(h, ['dist', 'acc-1']);
    expect(h.engine.listIncidents({ state: 'open' }).items.map((i) => i.device).sort()).toEqual(['acc-1', 'dist']);
    derived.set('acc-1', 'dist');
    await cycle(h, ['dist', 'acc-1']);
    const acc = h.engine.listAlerts().items.find((a) => a.device === 'acc-1')!;
    expect(acc.mutedBy?.kind).toBe('parent');
  });
});
