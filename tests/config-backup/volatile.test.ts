import { describe, expect, it } from 'vitest';
import { loadVendors } from '../../src/config-backup/vendor.js';
import { normaliseConfig } from '../../src/config-backup/volatile.js';
import { cleanTerminalText } from '../../src/config-backup/terminal.js';

const vendors = loadVendors();
const norm = (vendor: string, text: string) => normaliseConfig(text, vendors.get(vendor)!);

describe('lines that change on every read are masked per vendor', () => {
  it.each([
    ['cisco-ios', 'Building configuration...\n\nCurrent configuration : 2311 bytes\n!\n! Last configuration change at 08:01:02 UTC Wed Dec 2 2026 by admin\n! NVRAM config last updated at 08:01:05 UTC Wed Dec 2 2026 by admin\nhostname R1\nntp clock-period 17179245\nend\n', '!\nhostname R1\nend\n'],
    ['huawei-vrp', '!Software Version V200R019C10SPC800\n!Last configuration was updated at 2026-12-02 08:00:00+00:00 by admin\n#\nsysname S1\nreturn\n', '!Software Version V200R019C10SPC800\n#\nsysname S1\nreturn\n'],
    ['cisco-nxos', '\n!Command: show running-config\n!Running configuration last done at: Wed Dec  2 08:00:00 2026\n!Time: Wed Dec  2 08:05:00 2026\n\nversion 9.3(8)\n', '\nversion 9.3(8)\n'],
    ['fortios', '#conf_file_ver=4123\n#buildno=0523\n        set password ENC SH2xkq1+abc/==\n', '#buildno=0523\n        set password ENC <changes on every read>\n'],
    ['juniper-junos', '\n## Last commit: 2026-12-02 08:00:00 UTC by admin\nset version 21.4R3.15\n\n', 'set version 21.4R3.15\n'],
  ])('%s', (vendor, raw, expected) => {
    expect(norm(vendor, raw)).toBe(expected);
  });

  it('gives the same text for two reads that differ only in volatile lines', () => {
    const read = (t: string, period: number) => `Current configuration : 900 bytes\n! Last configuration change at ${t}\nhostname R1\nntp clock-period ${period}\nend\n`;
    expect(norm('cisco-ios', read('08:00:00 UTC Wed Dec 2 2026', 17179245))).toBe(norm('cisco-ios', read('09:13:07 UTC Wed Dec 2 2026', 17179871)));
  });
});

describe('terminal output is cleaned of pagers and their erase sequences', () => {
  it('joins Huawei pages (cursor-left, spaces, cursor-left)', () => {
    const raw = `#\r\n  ---- More ----\x1b[42D${' '.repeat(42)}\x1b[42D interface Vlanif10\r\n`;
    expect(cleanTerminalText(raw, ['---- More ----'])).toBe('#\n interface Vlanif10\n');
  });
  it('joins Cisco pages (backspaces, spaces, backspaces)', () => {
    const raw = `!\r\n --More-- ${'\b'.repeat(10)}${' '.repeat(10)}${'\b'.repeat(10)} description LAN\r\n`;
    expect(cleanTerminalText(raw, [' --More-- ', '--More--'])).toBe('!\n description LAN\n');
  });
  it('joins Junos pages (carriage return over spaces)', () => {
    const raw = `set a\r\n---(more 42%)---\r${' '.repeat(16)}\rset b\r\n`;
    expect(cleanTerminalText(raw, ['---(more'])).toBe('set a\nset b\n');
  });
});
