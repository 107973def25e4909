import { describe, expect, it } from 'vitest';
import { SECRET_MARK, maskSecrets, maskSecretsInDiff } from '../../src/config-backup/secrets.js';
import { loadVendors } from '../../src/config-backup/vendor.js';

const M = SECRET_MARK;

describe('secrets in configurations are masked for non-admins', () => {
  it.each([
    ['Cisco enable secret', 'enable secret 9 $9$nhEmQVczB7dqsO$X.Hsg', `enable secret 9 ${M}`],
    ['Cisco user secret', 'username admin privilege 15 secret 9 $9$1c9eWx$qCk', `username admin privilege 15 secret 9 ${M}`],
    ['Cisco type 7 password', 'username ops password 7 095c4f1a0a1218000f', `username ops password 7 ${M}`],
    ['Cisco community', 'snmp-server community N0cR3ad RO 10', `snmp-server community ${M} RO 10`],
    ['Cisco trap community after version 2c', 'snmp-server host 192.0.2.60 version 2c trapcomm', `snmp-server host 192.0.2.60 version 2c ${M}`],
    ['Cisco SNMPv3 user keys', 'snmp-server user u1 g1 v3 auth sha AuthPass1 priv aes 128 PrivPass1', `snmp-server user u1 g1 v3 auth sha ${M} priv aes 128 ${M}`],
    ['TACACS key', ' key 7 0822455D0A16', ` key 7 ${M}`],
    ['ISAKMP key', 'crypto isakmp key Sh4red address 203.0.113.9', `crypto isakmp key ${M} address 203.0.113.9`],
    ['OSPF md5 key', ' ip ospf message-digest-key 1 md5 7 121A0C0411', ` ip ospf message-digest-key ${M} md5 7 ${M}`],
    ['key chain is a name, not a value', 'key chain OSPF-KEYS', 'key chain OSPF-KEYS'],
    ['Huawei local user', ' local-user admin password irreversible-cipher $1a$Wn;Q%7S)hN$bYx#B8Z$', ` local-user admin password irreversible-cipher ${M}`],
    ['Huawei community', 'snmp-agent community read cipher %^%#f2U0:%e#-Qm<c%^%#', `snmp-agent community read cipher ${M}`],
    ['H3C simple community', ' snmp-agent community read simple NocRead2026', ` snmp-agent community read simple ${M}`],
    ['H3C hashed password', ' password hash $h$6$gRjVx9pF0iHQk3sE$3Ow0n7q2', ` password hash ${M}`],
    ['Huawei RADIUS shared key', ' radius-server shared-key cipher %^%#abc%^%#', ` radius-server shared-key cipher ${M}`],
    ['Junos root password', 'set system root-authentication encrypted-password "$6$Zq4mB$5Wf0"', `set system root-authentication encrypted-password ${M}`],
    ['Junos community', 'set snmp community noc-ro authorization read-only', `set snmp community ${M} authorization read-only`],
    ['Junos $9$ anywhere', 'set protocols bgp group ext authentication-key "$9$dDbYgZUj"', `set protocols bgp group ext authentication-key ${M}`],
    ['Junos IKE pre-shared key', 'set security ike policy p pre-shared-key ascii-text "$9$abc"', `set security ike policy p pre-shared-key ascii-text ${M}`],
    ['FortiOS admin password', '        set password ENC SH2xkq1', `        set password ENC ${M}`],
    ['FortiOS psk', '        set psksecret ENC Q2hhbmdl', `        set psksecret ENC ${M}`],
    ['not secrets', 'service password-encryption', 'service password-encryption'],
    ['plain lines are untouched', ' ip address 192.0.2.1 255.255.255.0', ' ip address 192.0.2.1 255.255.255.0'],
  ])('%s', (_what, line, expected) => {
    expect(maskSecrets(line)).toBe(expected);
  });

  it('masks a PEM private key block whole, and keeps the lines after it', () => {
    const cfg = ['set private-key "-----BEGIN ENCRYPTED PRIVATE KEY-----', 'MIIFHDBOBgkqhkiG9w0BBQ0wQTApBgkqhkiG', 'AbCdEf==', '-----END ENCRYPTED PRIVATE KEY-----"', 'set certificate "-----BEGIN CERTIFICATE-----"', 'next'].join('\n');
    const out = maskSecrets(cfg).split('\n');
    expect(out[1]).toBe(M);
    expect(out[2]).toBe(M);
    expect(out.join('\n')).not.toContain('MIIFHDBOBgkq');
    expect(out[5]).toBe('next');
  });

  it('masks removed, added and context lines of a diff, leaving its headers alone', () => {
    const diff = ['diff --git a/r1.cfg b/r1.cfg', '--- a/r1.cfg', '+++ b/r1.cfg', '@@ -1,3 +1,3 @@', ' hostname R1', '-snmp-server community old RO', '+snmp-server community new RO', ' end'].join('\n');
    expect(maskSecretsInDiff(diff).split('\n')).toEqual(['diff --git a/r1.cfg b/r1.cfg', '--- a/r1.cfg', '+++ b/r1.cfg', '@@ -1,3 +1,3 @@', ' hostname R1', `-snmp-server community ${M} RO`, `+snmp-server community ${M} RO`, ' end']);
  });

  it('takes linear time on a hostile 1 MB line', () => {
    const line = `password ${'a '.repeat(500_000)}`;
    const t = Date.now();
    expect(maskSecrets(line).startsWith('password ')).toBe(true);
    // A guard against catastrophic backtracking, not a speed figure: that would not end on 1 MB within hours,
    // linear masking takes milliseconds; the bound only has to survive a loaded CI machine.
    expect(Date.now() - t).toBeLessThan(20_000);
  });

  it('masks a vendor\'s own secret keywords, from its command set, on top of the common ones', () => {
    const forti = loadVendors().get('fortios')!.secretKeywords;
    const text = 'config user radius\n    edit "nps"\n        set tertiary-secret hunter2\n        set ppk-secret "pq-key"\n    next\nend\n';
    const masked = maskSecrets(text, forti);
    expect(masked).toContain(`set tertiary-secret ${SECRET_MARK}`);
    expect(masked).toContain(`set ppk-secret ${SECRET_MARK}`);
    expect(masked).not.toMatch(/hunter2|pq-key/);
    // Without the vendor's keywords these are not known as secrets: the keywords are what makes the difference.
    expect(maskSecrets(text)).toContain('hunter2');
    expect(maskSecretsInDiff('-        set tertiary-secret old1\n+        set tertiary-secret new2\n', forti)).not.toMatch(/old1|new2/);
  });
});
