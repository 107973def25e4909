import { describe, expect, it } from 'vitest';
import { ConfigInvalidError } from '../../../src/config/yaml-source.js';
import { loadAlertRules, parseAlertRules } from '../../../src/alerting/rules.js';

function errorsOf(yaml: string): string[] {
  try { parseAlertRules(yaml, 'alerts.yaml'); } catch (err) {
    if (err instanceof ConfigInvalidError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected the rules to be rejected');
}

describe('alerts.yaml errors name file:line:col, the field and what was expected', () => {
  it('bad severity, operator, duration and unknown key, all at once', () => {
    expect(errorsOf(`rules:
  - name: cpu
    severity: P5
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: "=>", value: 90 } }
    for: 10 minutes
    sumary: x
`)).toEqual([
      'alerts.yaml:3:15 rules[0].severity: expected P1, P2, P3 or P4, got "P5"',
      'alerts.yaml:5:52 rules[0].condition.threshold.op: expected >, >=, <, <=, == or !=, got "=>"',
      'alerts.yaml:6:10 rules[0].for: expected a duration such as "30s", "5m" or "6h", got "10 minutes"',
      'alerts.yaml:7:5 rules[0].sumary: unknown key "sumary" (misspelt, or not an option here)',
      'alerts.yaml:2:5 rules[0].summary: required (expected a text, or en and zh-CN texts)',
    ].sort(byPos));
  });

  it('a condition with no kind or two kinds', () => {
    expect(errorsOf(`rules:
  - name: a
    severity: P3
    select: { measurement: cpu }
    condition: { while: [{ field: x, op: "==", value: 1 }] }
    summary: a
  - name: b
    severity: P3
    select: { measurement: cpu }
    condition:
      threshold: { field: load_pct, op: ">", value: 1 }
      absence: { after: 5m }
    summary: b
`)).toEqual([
      'alerts.yaml:5:16 rules[0].condition: expected one condition kind: threshold, absence, change, event or rate',
      'alerts.yaml:11:7 rules[1].condition: expected exactly one condition kind, got threshold and absence',
    ]);
  });

  it('duplicate rule names, unknown template variables and bad cron are located', () => {
    expect(errorsOf(`rules:
  - name: cpu
    severity: P3
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: ">", value: 90 } }
    summary: { en: "{{device}} at {{valu}}", zh-CN: "{{device}}" }
  - name: cpu
    severity: P3
    select: { measurement: cpu }
    condition: { threshold: { field: load_pct, op: ">", value: 90 } }
    summary: "{{device}}"
maintenance:
  - name: w
    reason: r
    owner: o
    sites: [hq]
    cron: "0 25 * * *"
    duration: 1h
`)).toEqual([
      'alerts.yaml:6:20 rules[0].summary.en: unknown template variable {{valu}} (expected {{device}}, {{instance}}, {{value}}, {{threshold}}, {{site}}, {{class}}, {{rule}}, {{severity}}, {{measurement}}, {{tags.NAME}} or {{labels.NAME}})',
      'alerts.yaml:7:11 rules[1].name: duplicate rule name "cpu" (first defined at line 2)',
      'alerts.yaml:17:11 maintenance[0].cron: hour: expected a number from 0 to 23, got 25',
    ]);
  });

  it('measurements, tags and fields must be those of docs/SCHEMA.md, or the rule would never match', () => {
    expect(errorsOf(`rules:
  - name: a
    severity: P3
    select: { measurement: icpm }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: a
  - name: b
    severity: P3
    select: { measurement: cpu, match: { core: "1" } }
    condition:
      threshold: { field: load, op: ">", value: 90 }
      while: [{ measurement: icmp, field: upp, op: "==", value: true }]
    summary: b
`)).toEqual([
      'alerts.yaml:4:28 rules[0].select.measurement: unknown measurement "icpm" (expected system, interface, cpu, memory, storage, sensor, ups, ups_line, pdu, firewall, bgp_peer, snmp_poll, event, config_change, compliance, icmp or noctua_self; see docs/SCHEMA.md)',
      'alerts.yaml:9:42 rules[1].select.match.core: unknown tag "core" of measurement cpu (expected device, site, class, vendor or cpu)',
      'alerts.yaml:11:27 rules[1].condition.threshold.field: unknown field "load" of measurement cpu (expected load_pct, load_1m, load_5m or load_15m)',
      'alerts.yaml:12:43 rules[1].condition.while[0].field: unknown field "upp" of measurement icmp (expected sent, received, loss_pct, rtt_min_ms, rtt_median_ms, rtt_p90_ms, rtt_avg_ms, rtt_max_ms, jitter_ms or up)',
    ]);
  });

  it('maintenance windows need a scope and one schedule', () => {
    expect(errorsOf(`maintenance:
  - name: w
    reason: r
    owner: o
    start: "2026-11-28T22:00:00+08:00"
    end: "yesterday"
  - name: v
    reason: r
    owner: o
    devices: sw1
    cron: "0 2 * * 0"
`)).toEqual([
      'alerts.yaml:2:5 maintenance[0]: expected a scope: devices, sites or deviceTags',
      'alerts.yaml:6:10 maintenance[0].end: expected an ISO 8601 time such as 2026-11-28T22:00:00+08:00, got "yesterday"',
      'alerts.yaml:7:5 maintenance[1].duration: required with cron (expected a duration such as "2h")',
    ]);
  });

  it('a YAML syntax error and a missing file are reported with their position', () => {
    expect(errorsOf('rules:\n  - name: [a\n')[0]).toMatch(/^alerts\.yaml:\d+:\d+ YAML syntax error: /);
    expect(() => loadAlertRules('/nonexistent/alerts.yaml')).toThrow('/nonexistent/alerts.yaml:1:1 file not found');
  });

  it('the shipped example is valid and covers the issue list', () => {
    const rules = loadAlertRules('config/alerts.example.yaml');
    const names = rules.rules.map((r) => r.name);
    for (const n of ['device-down', 'packet-loss', 'rtt-high', 'snmp-unreachable', 'uplink-down', 'interface-util-in', 'interface-errors',
      'cpu-high', 'memory-high', 'storage-high', 'temperature-high', 'sensor-state', 'fan-psu-failed', 'ups-on-battery', 'ups-battery-low',
      'ups-runtime-low', 'ups-replace-battery', 'device-rebooted']) expect(names).toContain(n);
  });
});

function byPos(a: string, b: string): number {
  const pa = a.split(' ')[0]!.split(':').slice(1).map(Number);
  const pb = b.split(' ')[0]!.split(':').slice(1).map(Number);
  return pa[0]! - pb[0]! || pa[1]! - pb[1]!;
}
