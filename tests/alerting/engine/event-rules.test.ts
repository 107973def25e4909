import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAlertRules } from '../../../src/alerting/rules.js';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../../../src/events/catalog.js';
import { classifyTrap } from '../../../src/events/classify.js';
import { eventToSample } from '../../../src/events/event.js';
import { device, startHarness } from './harness.js';

// Event rules on events as the receivers make them: the shipped catalogs classify decoded traps, the shipped
// example rules select them, and the catalogs' `clears` relation ends the alerts (linkUp ends linkDown).
const catalog = loadCatalogs([BUILTIN_CATALOG_DIR]);
const EXAMPLE = readFileSync('config/alerts.example.yaml', 'utf8');
const IF_INDEX = '1.3.6.1.2.1.2.2.1.1';
const IF_NAME = '1.3.6.1.2.1.31.1.1.1.1';

type Harness = ReturnType<typeof startHarness>;

/** Classifies a trap from `dev` at the clock's time and feeds its event sample to the engine. */
async function trap(h: Harness, dev: string, trapOid: string, varbinds: { oid: string; value: string }[], cls = 'switch'): Promise<void> {
  const e = classifyTrap(catalog, { kind: 'trap', trapOid, varbinds }, '10.0.0.1', { device: dev, site: 'hq', class: cls, timeZone: 'UTC' }, h.clock.now());
  await h.engine.write([eventToSample(e)]);
  await h.engine.settled();
}
const link = (h: Harness, up: boolean, ifIndex: number, name: string, dev = 'sw1') =>
  trap(h, dev, `1.3.6.1.6.3.1.1.5.${up ? 4 : 3}`, [{ oid: `${IF_INDEX}.${ifIndex}`, value: String(ifIndex) }, { oid: `${IF_NAME}.${ifIndex}`, value: name }]);

describe('alert rules on events', () => {
  it('a linkDown trap fires link-down-event on its interface; the linkUp of the same interface resolves it after clearFor', async () => {
    const h = startHarness(EXAMPLE, [device('sw1')]);
    await link(h, false, 3, 'GE0/0/3');
    expect(h.transitions()).toEqual(['firing link-down-event sw1/GE0/0/3']);
    // Another port coming up clears nothing.
    await link(h, true, 4, 'GE0/0/4');
    await h.advance(5 * 60_000);
    expect(h.transitions()).toEqual(['firing link-down-event sw1/GE0/0/3']);
    await link(h, true, 3, 'GE0/0/3');
    await h.advance(60_000);
    expect(h.transitions()).toHaveLength(1);
    await h.advance(65_000);
    expect(h.transitions()).toEqual(['firing link-down-event sw1/GE0/0/3', 'resolved link-down-event sw1/GE0/0/3']);
  });

  it('a port flapping within clearFor stays one firing alert', async () => {
    const h = startHarness(EXAMPLE, [device('sw1')]);
    for (let i = 0; i < 20; i++) {
      await link(h, i % 2 === 1, 9, 'GE0/0/9');
      await h.advance(3000);
    }
    expect(h.transitions()).toEqual(['firing link-down-event sw1/GE0/0/9']);
    expect(h.engine.listIncidents({ state: ['open'] }).items).toHaveLength(1);
  });

  it('access switches are left out of link-down-event; hardware faults clear per entity', async () => {
    const h = startHarness(EXAMPLE, [device('acc1', { tags: ['access'] }), device('core1')]);
    await link(h, false, 1, 'Gi1', 'acc1');
    expect(h.transitions()).toEqual([]);
    const PHY_NAME = '1.3.6.1.2.1.47.1.1.1.1.7';
    const psu = (n: string) => [{ oid: `${PHY_NAME}.${n === 'PSU1' ? 1 : 2}`, value: n }];
    await trap(h, 'core1', '1.3.6.1.4.1.2011.5.25.219.2.5.3', psu('PSU1'));
    await trap(h, 'core1', '1.3.6.1.4.1.2011.5.25.219.2.5.3', psu('PSU2'));
    // hwPowerFailResume for PSU2 only.
    await trap(h, 'core1', '1.3.6.1.4.1.2011.5.25.219.2.5.4', psu('PSU2'));
    await h.advance(2 * 60_000);
    expect(h.transitions()).toEqual([
      'firing hardware-fault-event core1/PSU1', 'firing hardware-fault-event core1/PSU2', 'resolved hardware-fault-event core1/PSU2',
    ]);
  });

  it('UPS: on battery (APC) is cleared by power restored; battery low stays until its own clearing event', async () => {
    const h = startHarness(EXAMPLE, [device('ups1', { class: 'ups' })]);
    await trap(h, 'ups1', '1.3.6.1.4.1.318.0.5', [], 'ups');
    await trap(h, 'ups1', '1.3.6.1.4.1.318.0.7', [], 'ups');
    await trap(h, 'ups1', '1.3.6.1.4.1.318.0.9', [], 'ups');
    await h.advance(10_000);
    expect(h.transitions().filter((t) => t.includes('ups-power-event'))).toEqual(['firing ups-power-event ups1']);
    await trap(h, 'ups1', '1.3.6.1.4.1.318.0.11', [], 'ups');
    await h.advance(10_000);
    expect(h.transitions().filter((t) => t.includes('ups-power-event'))).toEqual(['firing ups-power-event ups1', 'resolved ups-power-event ups1']);
  });

  it('APC overload and lost contact are cleared by upsOverloadCleared and communicationEstablished', async () => {
    const h = startHarness(EXAMPLE, [device('ups2', { class: 'ups' })]);
    await trap(h, 'ups2', '1.3.6.1.4.1.318.0.2', [], 'ups');
    await trap(h, 'ups2', '1.3.6.1.4.1.318.0.1', [], 'ups');
    await trap(h, 'ups2', '1.3.6.1.4.1.318.0.33', [], 'ups');
    await h.advance(10_000);
    expect(h.transitions()).toEqual(['firing ups-power-event ups2']);
    await trap(h, 'ups2', '1.3.6.1.4.1.318.0.8', [], 'ups');
    await h.advance(10_000);
    expect(h.transitions()).toEqual(['firing ups-power-event ups2', 'resolved ups-power-event ups2']);
  });

  it('a Cisco config event says where the change came from', () => {
    const e = (source: string) => classifyTrap(catalog, { kind: 'trap', trapOid: '1.3.6.1.4.1.9.9.43.2.0.1', varbinds: [{ oid: '1.3.6.1.4.1.9.9.43.1.1.6.1.3.12', value: source }] },
      '10.0.0.1', { device: 'r1', timeZone: 'UTC' }, new Date(0));
    expect([e('1').message, e('2').message, e('9').message]).toEqual(['Configuration changed from the command line', 'Configuration changed by SNMP', 'Configuration changed']);
    expect(e('1').type).toBe('config-change');
  });

  it('an event without a clearing event resolves after resolveAfter', async () => {
    const h = startHarness(EXAMPLE, [device('r1', { class: 'router' })]);
    await trap(h, 'r1', '1.3.6.1.6.3.1.1.5.1', []);
    await h.advance(59 * 60_000);
    expect(h.transitions()).toEqual(['firing device-rebooted r1']);
    await h.advance(2 * 60_000);
    expect(h.transitions()).toEqual(['firing device-rebooted r1', 'resolved device-rebooted r1']);
  });

  it('match tests matchable fields (key, message) as well as tags, and names what exists when a key is unknown', async () => {
    const h = startHarness(`
rules:
  - name: by-key
    severity: P4
    select: { measurement: event, match: { key: "1.3.6.1.6.3.1.1.5.5" } }
    condition: { event: {} }
    summary: "{{device}} {{value}}"
  - name: by-message
    severity: P4
    select: { measurement: event, match: { message: "*cold start*" }, exclude: { source: syslog } }
    condition: { event: {} }
    summary: "{{device}} {{value}}"
`, [device('sw1')]);
    await trap(h, 'sw1', '1.3.6.1.6.3.1.1.5.5', []);
    await trap(h, 'sw1', '1.3.6.1.6.3.1.1.5.1', []);
    expect(h.transitions()).toEqual(['firing by-key sw1', 'firing by-message sw1']);
    expect(() => parseAlertRules(`
rules:
  - name: bad
    severity: P4
    select: { measurement: event, match: { raw: "*x*" } }
    condition: { event: {} }
    summary: "x"
`)).toThrow(/select\.match\.raw: unknown tag or matchable field "raw" of measurement event \(expected device, site, class, vendor, type, source, severity, ifIndex, ifName, entity, key, message, message_zh, from or clears\)/);
  });

  it('a storm summary carries its count into the alert value, and the last event decides whether it clears', async () => {
    const h = startHarness(EXAMPLE, [device('sw1')]);
    await link(h, false, 9, 'GE0/0/9');
    const e = classifyTrap(catalog, { kind: 'trap', trapOid: '1.3.6.1.6.3.1.1.5.3', varbinds: [{ oid: `${IF_INDEX}.9`, value: '9' }, { oid: `${IF_NAME}.9`, value: 'GE0/0/9' }] },
      '10.0.0.1', { device: 'sw1', site: 'hq', class: 'switch', timeZone: 'UTC' }, h.clock.now());
    await h.engine.write([eventToSample(e, { count: 995, byType: { 'link-down': 498, 'link-up': 497 } })]);
    await h.engine.settled();
    const firing = h.engine.listIncidents({ state: ['open'] }).items[0]!.alerts[0]!;
    expect(String(firing.value)).toContain('995 events held back (498 link-down, 497 link-up)');
  });
});
