import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkConfig, complianceSamples } from '../../src/config-backup/compliance.js';
import { loadComplianceRules } from '../../src/config-backup/compliance-rules.js';
import { checkBackupConfig } from '../../src/config-backup/setup.js';
import { loadVendors } from '../../src/config-backup/vendor.js';
import { normaliseConfig } from '../../src/config-backup/volatile.js';
import { ConfigInvalidError } from '../../src/config/yaml-source.js';
import { tempDir } from '../helpers/tmp.js';
import { recording } from './fixture.js';

const vendors = loadVendors();
const rules = loadComplianceRules({ knownPlatforms: [...vendors.keys()] });
/** The recorded configuration as the store keeps it (volatile lines dropped, time stamps filled). */
const stored = (v: string) => normaliseConfig(readFileSync(recording(v), 'utf8').replace(/\{\{\w+\}\}/g, '1'), vendors.get(v)!);
const verdicts = (v: string, text = stored(v)) => Object.fromEntries(checkConfig(rules, v, text).map((r) => [r.rule, r.passed]));
const HARDENING = ['no-telnet-server', 'snmp-community-restricted', 'ntp-server-set', 'syslog-host-set', 'aaa-remote', 'local-users-hashed'];

describe('shipped compliance rules on the emulator\'s recorded configurations', () => {
  it('ships the six hardening checks for every vendor the issue names', () => {
    for (const v of ['huawei-vrp', 'h3c-comware', 'ruijie-rgos', 'cisco-ios', 'cisco-nxos', 'juniper-junos', 'fortios']) {
      expect(Object.keys(verdicts(v)), v).toEqual(expect.arrayContaining(HARDENING));
    }
  });

  it('flags the violations seeded in the recordings and passes what is hardened', () => {
    expect(verdicts('huawei-vrp')).toMatchObject({ 'no-telnet-server': true, 'snmp-community-restricted': false, 'ntp-server-set': true, 'syslog-host-set': false, 'aaa-remote': false, 'local-users-hashed': true });
    expect(verdicts('h3c-comware')).toMatchObject({ 'snmp-community-restricted': false, 'ntp-server-set': false, 'local-users-hashed': true });
    expect(verdicts('ruijie-rgos')).toMatchObject({ 'no-telnet-server': false, 'snmp-community-restricted': false, 'ntp-server-set': true, 'local-users-hashed': false });
    expect(verdicts('cisco-ios')).toMatchObject({ 'no-telnet-server': true, 'snmp-community-restricted': false, 'ntp-server-set': true, 'syslog-host-set': false, 'aaa-remote': false, 'local-users-hashed': true });
    expect(verdicts('cisco-nxos')).toMatchObject({ 'no-telnet-server': true, 'snmp-community-restricted': false, 'ntp-server-set': false });
    expect(verdicts('juniper-junos')).toMatchObject({ 'no-telnet-server': true, 'snmp-community-clients': false, 'ntp-server-set': true, 'syslog-host-set': true, 'local-users-hashed': true });
    expect(verdicts('fortios')).toMatchObject({ 'no-telnet-server': true, 'snmp-community-restricted': true, 'syslog-host-set': false, 'local-users-hashed': true });
  });

  it('names the offending lines with secrets masked, and checks sections one by one', () => {
    const rg = checkConfig(rules, 'ruijie-rgos', stored('ruijie-rgos'));
    const users = rg.find((r) => r.rule === 'local-users-hashed')!;
    expect(users.evidence).toEqual([{ line: expect.any(Number), text: 'username admin privilege 15 password 7 ******' }]);
    // A second VTY block that allows telnet fails IOS's section rule, with that block's header as evidence.
    const ios = `${stored('cisco-ios')}\nline vty 5 15\n login local\n transport input telnet ssh\n!\n`;
    const vty = checkConfig(rules, 'cisco-ios', ios).find((r) => r.rule === 'no-telnet-server')!;
    expect(vty).toMatchObject({ passed: false, violations: 1, sections: 2, evidence: [{ text: 'line vty 5 15' }] });
    // Telnet turned on is a violation on VRP; a FortiOS interface allowing telnet too.
    expect(verdicts('huawei-vrp', `${stored('huawei-vrp')}\ntelnet server enable\n`)['no-telnet-server']).toBe(false);
    expect(verdicts('fortios', stored('fortios').replace('set allowaccess ping https ssh snmp', 'set allowaccess ping https ssh telnet'))['no-telnet-server']).toBe(false);
  });

  it('makes compliance samples per rule and a device total, violations as integers', () => {
    const results = checkConfig(rules, 'cisco-ios', stored('cisco-ios'));
    const samples = complianceSamples({ device: 'edge-r1', platform: 'cisco-ios', commit: 'a'.repeat(40), checkedAt: new Date(0), results }, { site: 'hq' });
    const snmp = samples.find((s) => s.tags.rule === 'snmp-community-restricted')!;
    expect(snmp).toMatchObject({ measurement: 'compliance', tags: { device: 'edge-r1', site: 'hq', platform: 'cisco-ios', severity: 'major' }, fields: { violations: 1n, passed: false } });
    const all = samples.find((s) => s.tags.rule === '_all')!;
    expect(all.fields.violations).toBe(BigInt(results.filter((r) => !r.passed).length));
    expect(all.fields.rules).toBe(BigInt(results.length));
  });
});

describe('compliance rules files', () => {
  it('lets a user file add rules, replace a shipped one by id and disable another', () => {
    const tmp = tempDir('noctua-compliance-');
    try {
      const file = join(tmp.dir, 'compliance.yaml');
      writeFileSync(file, [
        'disable: [aaa-remote]',
        'rules:',
        '  - id: syslog-host-set',
        '    platforms: [cisco-ios]',
        '    title: { en: Syslog to the NOC collector, zh-CN: 日志发往 NOC }',
        "    mustContain: 'logging host 192.0.2.60'",
        '  - id: banner-set',
        '    platforms: [cisco-ios, ruijie-rgos]',
        '    title: { en: Login banner, zh-CN: 登录提示 }',
        "    mustMatch: '^banner (login|motd) '",
      ].join('\n'));
      const mine = loadComplianceRules({ userFile: file, knownPlatforms: [...vendors.keys()] });
      const v = Object.fromEntries(checkConfig(mine, 'cisco-ios', `${stored('cisco-ios')}logging host 192.0.2.60\n`).map((r) => [r.rule, r]));
      expect(v['aaa-remote']).toBeUndefined();
      expect(v['syslog-host-set']).toMatchObject({ passed: true, title: { en: 'Syslog to the NOC collector' } });
      expect(v['banner-set']?.passed).toBe(false);
      expect(checkConfig(mine, 'ruijie-rgos', stored('ruijie-rgos')).some((r) => r.rule === 'banner-set')).toBe(true);
    } finally { tmp.cleanup(); }
  });

  it('reports every mistake with file:line: bad YAML, two checks, a backtracking pattern, an unknown platform', () => {
    const tmp = tempDir('noctua-compliance-');
    try {
      const file = join(tmp.dir, 'compliance.yaml');
      writeFileSync(file, 'rules:\n  - id: x\n    title: { en: a, zh-CN: b\n');
      expect(() => loadComplianceRules({ userFile: file })).toThrow(/compliance\.yaml:\d+:\d+/);
      writeFileSync(file, [
        'rules:',
        '  - id: two-checks',
        '    platforms: [cisco-ios]',
        '    title: { en: a, zh-CN: b }',
        '    mustContain: x',
        '    mustNotContain: y',
        '  - id: slow',
        '    platforms: [cisco-ios]',
        '    title: { en: a, zh-CN: b }',
        "    mustMatch: '(a+)+$'",
        '  - id: nowhere',
        '    platforms: [cisco-iox]',
        '    title: { en: a, zh-CN: b }',
        '    mustContain: x',
      ].join('\n'));
      let err: ConfigInvalidError | undefined;
      try { loadComplianceRules({ userFile: file, knownPlatforms: [...vendors.keys()] }); } catch (e) { err = e as ConfigInvalidError; }
      expect(err).toBeInstanceOf(ConfigInvalidError);
      const text = err!.message;
      expect(text).toMatch(/compliance\.yaml:2:\d+ rules\[0\].*exactly one of mustContain, mustNotContain, mustMatch, mustNotMatch, got mustContain and mustNotContain/);
      expect(text).toMatch(/compliance\.yaml:10:\d+ rules\[1\]\.mustMatch: refused/);
      // Schema errors come first; the platform cross-check runs on a file whose shape is right.
      writeFileSync(file, 'rules:\n  - id: nowhere\n    platforms: [cisco-iox]\n    title: { en: a, zh-CN: b }\n    mustContain: x\n');
      expect(() => loadComplianceRules({ userFile: file, knownPlatforms: [...vendors.keys()] })).toThrow(/compliance\.yaml:3:\d+ rules\[0\]\.platforms\[0\]: unknown platform "cisco-iox"/);
    } finally { tmp.cleanup(); }
  });

  it('are checked by check-config through configBackup.compliance, with the file and line of a mistake', () => {
    const tmp = tempDir('noctua-compliance-');
    try {
      writeFileSync(join(tmp.dir, 'noctua.yaml'), `stateDir: ${tmp.dir}/state\nconfigBackup: { compliance: rules.yaml }\n`);
      writeFileSync(join(tmp.dir, 'devices.yaml'), 'devices:\n  - { name: r1, address: 192.0.2.1, class: router, ssh: { platform: cisco-ios, user: u, password: p } }\n');
      writeFileSync(join(tmp.dir, 'rules.yaml'), 'rules:\n  - id: banner\n    platforms: [cisco-ios]\n    title: { en: Banner, zh-CN: 横幅 }\n    mustMatch: "^banner "\n');
      expect(checkBackupConfig(tmp.dir, {})).toEqual({ devices: 1, rules: rules.length + 1 });
      writeFileSync(join(tmp.dir, 'rules.yaml'), 'rules:\n  - id: banner\n    platforms: [cisco-ios]\n    title: { en: Banner }\n    mustMatch: "^banner "\n');
      expect(() => checkBackupConfig(tmp.dir, {})).toThrow(/rules\.yaml:4:\d+ rules\[0\]\.title/);
    } finally { tmp.cleanup(); }
  });
});
