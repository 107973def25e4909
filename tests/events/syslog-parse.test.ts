import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG_DIR, loadCatalogs } from '../../src/events/catalog.js';
import { classifySyslog } from '../../src/events/classify.js';
import { findMnemonic } from '../../src/events/syslog/mnemonic.js';
import { parseSyslog, resolveLocalTime } from '../../src/events/syslog/parse.js';
import { SyslogFramer } from '../../src/events/syslog/framing.js';

const catalog = loadCatalogs([BUILTIN_CATALOG_DIR]);
const src = { device: 'dev', timeZone: 'Asia/Shanghai' };
const NOW = new Date('2026-12-02T08:00:00Z');
const classify = (line: string | Buffer) => classifySyslog(catalog, parseSyslog(Buffer.isBuffer(line) ? line : Buffer.from(line)), '10.0.0.1', src, NOW);

describe('vendor syslog lines become catalog events', () => {
  const cases: [string, string, string, string | undefined][] = [
    ['<187>Dec  2 2026 07:00:00 HUAWEI-SW %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GigabitEthernet0/0/1 has entered the DOWN state.', 'link-down', 'huawei', 'GigabitEthernet0/0/1'],
    ['<187>Dec  2 07:00:00 HUAWEI-SW %%01IFPDT/4/IF_STATE(l)[1]:Interface GigabitEthernet0/0/2 has turned into UP state.', 'link-up', 'huawei', 'GigabitEthernet0/0/2'],
    ['<188>Dec  2 07:00:00:123 2026 H3C %%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/1 changed to down.', 'link-down', 'h3c', 'GigabitEthernet1/0/1'],
    ['<186>Dec  2 07:00:00 2026 H3C %%10DEV/2/POWER_FAILED: Power 1 failed.', 'power-supply-fault', 'h3c', undefined],
    ['<189>123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down', 'link-down', 'cisco', 'GigabitEthernet0/1'],
    ['<189>Dec  2 07:00:00 c-sw 45: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.5)', 'config-change', 'cisco', undefined],
    ['<189>Dec  2 07:00:00 ruijie-sw %LINK-5-CHANGED: Interface GigabitEthernet 0/1, changed state to up.', 'link-up', 'ruijie', 'GigabitEthernet 0/1'],
    ['<28>Dec  2 07:00:00 jnx-r1 mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex 526, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/1', 'link-down', 'juniper', 'ge-0/0/1'],
    ['<189>date=2026-12-02 time=07:00:00 devname="FG100" devid="FG100E" logid="0100032001" type="event" subtype="system" level="information" user="admin" logdesc="Admin login successful"', 'admin-login', 'fortinet', undefined],
  ];
  it.each(cases)('%s', (line, type, vendor, ifName) => {
    const e = classify(line);
    expect(e.type).toBe(type);
    expect(e.vendor).toBe(vendor);
    expect(e.ifName).toBe(ifName);
    expect(e.parseError).toBeUndefined();
  });

  it('reads a zone-less time in the device site zone, and an RFC 5424 offset as written', () => {
    expect(classify('<187>Dec  2 2026 07:00:00 HUAWEI-SW %%01IFNET/4/LINK_STATE(l)[0]:x').time.toISOString()).toBe('2026-12-01T23:00:00.000Z');
    expect(classify('<13>1 2026-12-02T07:00:00.123+08:00 sw app - - - hello').time.toISOString()).toBe('2026-12-01T23:00:00.123Z');
    // No year: the December line read on 2 January belongs to last year.
    expect(resolveLocalTime({ month: 12, day: 31, hour: 23, minute: 0, second: 0, ms: 0 }, 'UTC', new Date('2027-01-02T00:00:00Z')).toISOString()).toBe('2026-12-31T23:00:00.000Z');
  });

  it('takes the receive time when the device clock was never set (Cisco *) or lies outside a day before to 5 min after', () => {
    // Stored at 1 March the event would fall outside the retention policy and be refused: heard, then lost.
    expect(classify('<189>123: *Mar  1 00:01:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down').time).toEqual(NOW);
    expect(classify('<189>124: .Dec  2 07:59:02.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/1, changed state to down').time.toISOString()).toBe('2026-12-02T07:59:02.345Z');
    expect(classify('<13>1 1993-01-01T00:00:00Z sw app - - - clock never set').time).toEqual(NOW);
    expect(classify('<13>1 2026-12-02T08:06:00Z sw app - - - six minutes ahead').time).toEqual(NOW);
    expect(classify('<13>1 2026-12-02T08:04:00Z sw app - - - four minutes ahead').time.toISOString()).toBe('2026-12-02T08:04:00.000Z');
    expect(classify('<13>1 2026-12-01T09:00:00Z sw app - - - relayed 23 h late').time.toISOString()).toBe('2026-12-01T09:00:00.000Z');
  });

  it('keeps an unknown line as a generic syslog event with the PRI severity', () => {
    const e = classify('<11>Dec  2 07:00:00 box app[1]: disk on fire');
    expect(e).toMatchObject({ type: 'syslog', severity: 'major', message: 'app: disk on fire' });
  });

  it('parses RFC 5424 structured data with escaped brackets and keeps the message after it', () => {
    const m = parseSyslog(Buffer.from('<165>1 2026-12-02T07:00:00Z host app 12 ID47 [ex@1 a="x\\]y" b="\\"q"][n@2 c="1"] %LINK-3-UPDOWN: Interface Gi0/1, changed state to up'));
    expect(m).toMatchObject({ format: 'rfc5424', host: 'host', program: 'app', pid: '12', msgid: 'ID47', structuredData: '[ex@1 a="x\\]y" b="\\"q"][n@2 c="1"]' });
    expect(findMnemonic(m.text)?.key).toBe('LINK/UPDOWN');
  });
});

describe('hostile input is kept raw, bounded and parsed in linear time', () => {
  it('a 64 KiB garbage line and random bytes parse within the time bound and are kept with parse_error', () => {
    const garbage = Buffer.alloc(65_536);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919 + 13) % 256;
    const patterns = [garbage, Buffer.from('%'.repeat(65_536)), Buffer.from('<13>' + '%%01'.repeat(16_000)), Buffer.from('<13>' + 'a=b '.repeat(16_000) + 'logid=1'),
      Buffer.from('<13>1 ' + '['.repeat(65_000)), Buffer.from('<13>Dec  2 ' + ' '.repeat(65_000))];
    const t0 = performance.now();
    for (const p of patterns) for (let i = 0; i < 20; i++) classify(p);
    expect(performance.now() - t0).toBeLessThan(2000);
    const e = classify(garbage);
    expect(e.parseError).toMatch(/no <PRI> header/);
    expect(e.raw.length).toBeGreaterThan(40_000); // control runs collapse to one space
    expect(e.raw).not.toMatch(/[\n\r\x00]/);
  });

  it('a Huawei line in GBK (a Chinese interface description) reads as Chinese, without a parse error', () => {
    const head = Buffer.from('<187>Dec  2 07:00:00 sw %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GE0/0/1 (');
    const e = classify(Buffer.concat([head, Buffer.from([0xb5, 0xe7, 0xd0, 0xc5, 0xd7, 0xa8, 0xcf, 0xdf]), Buffer.from(') has entered the DOWN state.')]));
    expect(e.type).toBe('link-down');
    expect(e.parseError).toBeUndefined();
    expect(e.raw).toContain('(电信专线)');
  });

  it('invalid UTF-8 is replaced, flagged, and the rest still parsed', () => {
    const bytes = Buffer.concat([Buffer.from('<187>Dec  2 07:00:00 sw %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GE0/0/1 has entered the DOWN state. '), Buffer.from([0xff, 0xfe, 0xc3])]);
    const e = classify(bytes);
    expect(e.type).toBe('link-down');
    expect(e.parseError).toMatch(/neither UTF-8 nor GBK/);
    expect(e.raw).toContain('\uFFFD');
  });
});

describe('TCP framing (RFC 6587)', () => {
  it('splits octet-counted and newline frames, also across chunks', () => {
    const f = new SyslogFramer(8192);
    const a = f.push(Buffer.from('12 <13>hello w'));
    const b = f.push(Buffer.from('x<13>line one\n<13>line'));
    const c = f.push(Buffer.from(' two\n5 <13>a'));
    expect([...a, ...b, ...c].map((x) => x.bytes.toString())).toEqual(['<13>hello wx', '<13>line one', '<13>line two', '<13>a']);
  });

  it('cuts a frame over the limit once, flags it, and skips the rest of it', () => {
    const f = new SyslogFramer(1024);
    const long = 'x'.repeat(65_536);
    const frames = [...f.push(Buffer.from(`<13>${long.slice(0, 30_000)}`)), ...f.push(Buffer.from(`${long.slice(30_000)}\n<13>next\n`))];
    expect(frames.map((x) => [x.bytes.length, x.truncated])).toEqual([[1024, true], [8, false]]);
    const g = new SyslogFramer(1024);
    const counted = g.push(Buffer.from(`70000 <13>${'y'.repeat(69_996)}5 <13>z`));
    expect(counted.map((x) => [x.bytes.length, x.truncated])).toEqual([[1024, true], [5, false]]);
  });
});
