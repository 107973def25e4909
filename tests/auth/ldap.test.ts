import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ldapSectionSchema, type LdapSection } from '../../src/config/sections/auth-directory.js';
import { LdapAuthenticator } from '../../src/auth/ldap.js';
import { freeTcpPort } from '../../src/lab/ports.js';
import { LDAP_BASE, LDAP_PEOPLE, LDAP_SERVICE, startSlapd, type SlapdInstance } from '../helpers/slapd.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-slapd-');
let slapd: SlapdInstance;

/** The group → role table every configuration below uses: names for some lines, a full DN for another. */
const GROUPS = [
  { group: 'noc-operators', role: 'operator' },
  { group: `cn=noc-admins,ou=groups,${LDAP_BASE}`, role: 'admin' },
  { group: 'branch-shanghai', role: 'operator', sites: ['shanghai'] },
  { group: 'branch-beijing', role: 'operator', sites: ['beijing'] },
];

/** Search-then-bind as a service account, groups read from memberOf (the Active Directory shape). */
function searchConfig(over: Record<string, unknown> = {}): LdapSection {
  return ldapSectionSchema.parse({
    url: slapd.url,
    search: { bindDn: LDAP_SERVICE.dn, bindPassword: LDAP_SERVICE.password, base: `ou=people,${LDAP_BASE}` },
    memberOfAttribute: 'memberOf',
    groups: GROUPS,
    ...over,
  });
}

/** Direct bind from a DN template, groups found by a search run as the person (no service account). */
function bindConfig(over: Record<string, unknown> = {}): LdapSection {
  return ldapSectionSchema.parse({
    url: slapd.url,
    bindDn: `uid={username},ou=people,${LDAP_BASE}`,
    groupSearch: { base: `ou=groups,${LDAP_BASE}` },
    groups: GROUPS,
    ...over,
  });
}

const pw = (uid: string) => LDAP_PEOPLE.find((p) => p.uid === uid)!.password;
const login = (cfg: LdapSection, user: string, password: string, signal = new AbortController().signal) =>
  new LdapAuthenticator(cfg).authenticate(user, password, signal);

beforeAll(async () => {
  slapd = await startSlapd({ dir: tmp.dir });
}, 30_000);

afterAll(async () => {
  await slapd?.stop();
  tmp.cleanup();
});

describe('LDAP logins against a real slapd: groups become roles', () => {
  for (const [name, cfg] of [['search-then-bind with memberOf', searchConfig], ['direct bind with a group search', bindConfig]] as const) {
    it(`${name}: operators, admins and branch teams get their role and sites`, async () => {
      expect(await login(cfg(), 'alice', pw('alice'))).toEqual({ ok: true, user: { name: 'alice', role: 'operator' } });
      // bob is in noc-operators and noc-admins: the strongest role wins.
      expect(await login(cfg(), 'bob', pw('bob'))).toEqual({ ok: true, user: { name: 'bob', role: 'admin' } });
      expect(await login(cfg(), 'dave', pw('dave'))).toEqual({ ok: true, user: { name: 'dave', role: 'operator', sites: ['shanghai'] } });
      expect(await login(cfg(), 'erin', pw('erin'))).toEqual({ ok: true, user: { name: 'erin', role: 'operator', sites: ['beijing', 'shanghai'] } });
    });

    it(`${name}: a person in no mapped group is refused, saying so`, async () => {
      for (const uid of ['carol', 'frank']) {
        const r = await login(cfg(), uid, pw(uid));
        expect(r, uid).toMatchObject({ ok: false, reason: 'refused' });
        expect(!r.ok && r.detail, uid).toMatch(/in no group that auth\.ldap\.groups maps to a role/);
      }
    });

    it(`${name}: a wrong or empty password is refused`, async () => {
      expect(await login(cfg(), 'alice', 'not-her-password')).toMatchObject({ ok: false, reason: 'bad-password' });
      expect(await login(cfg(), 'alice', pw('bob'))).toMatchObject({ ok: false, reason: 'bad-password' });
      // An empty password would be an "unauthenticated bind": it never reaches the directory.
      expect(await login(cfg(), 'alice', '')).toMatchObject({ ok: false, reason: 'bad-password', detail: expect.stringMatching(/empty password/) });
    });
  }

  it('the name Noctua shows is the directory\'s, not how it was typed', async () => {
    expect(await login(searchConfig(), 'ALICE', pw('alice'))).toMatchObject({ ok: true, user: { name: 'alice' } });
    expect(await login(searchConfig({ nameAttribute: 'displayName' }), 'alice', pw('alice'))).toMatchObject({ ok: true, user: { name: 'Alice Operator' } });
  });

  it('an unknown user is told apart from a wrong password when the directory is searched', async () => {
    expect(await login(searchConfig(), 'mallory', 'whatever')).toMatchObject({ ok: false, reason: 'unknown-user' });
  });

  it('filter syntax in the user name is escaped: wildcards and injected clauses match nobody', async () => {
    // The attack is real: unescaped, `al*` selects alice (one entry), so her password would log in as "al*".
    const raw = new Client({ url: slapd.url });
    try {
      await raw.bind(LDAP_SERVICE.dn, LDAP_SERVICE.password);
      expect((await raw.search(`ou=people,${LDAP_BASE}`, { filter: '(uid=al*)' })).searchEntries.map((e) => e.dn)).toEqual([`uid=alice,ou=people,${LDAP_BASE}`]);
    } finally { await raw.unbind(); }
    for (const evil of ['al*', '*', '*)(uid=*', 'alice)(|(uid=*', 'alice)(uid=bob', 'x)(!(uid=nobody']) {
      expect(await login(searchConfig(), evil, pw('alice')), evil).toMatchObject({ ok: false, reason: 'unknown-user' });
    }
  });

  it('DN syntax in the user name is escaped in a bind template: it names no other entry', async () => {
    for (const evil of ['alice,ou=people', `bob,ou=people,${LDAP_BASE}`, '*', 'alice+cn=x', 'alice\\']) {
      expect(await login(bindConfig(), evil, pw('alice')), evil).toMatchObject({ ok: false, reason: 'bad-password' });
      expect(await login(bindConfig(), evil, pw('bob')), evil).toMatchObject({ ok: false, reason: 'bad-password' });
    }
  });

  it('control characters, surrounding spaces and 10,000-character fields are refused before the directory is asked', async () => {
    for (const evil of ['alice\u0000', 'ali\nce', ' alice', 'x'.repeat(10_000)]) {
      expect(await login(searchConfig(), evil, pw('alice')), JSON.stringify(evil.slice(0, 20))).toMatchObject({ ok: false, reason: 'unknown-user' });
    }
    expect(await login(searchConfig(), 'alice', 'p'.repeat(10_000))).toMatchObject({ ok: false, reason: 'bad-password' });
  });

  it('a wrong service-account password makes the directory unavailable, naming the setting to fix', async () => {
    const cfg = searchConfig({ search: { bindDn: LDAP_SERVICE.dn, bindPassword: 'wrong', base: `ou=people,${LDAP_BASE}` } });
    const r = await login(cfg, 'alice', pw('alice'));
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(!r.ok && r.detail).toMatch(/search\.bindPassword/);
  });
});

describe('LDAP over TLS with the directory\'s own CA', () => {
  it('StartTLS on ldap:// and ldaps:// log in when the CA file is given', async () => {
    expect(await login(searchConfig({ startTls: true, tls: { caFile: slapd.caFile } }), 'alice', pw('alice'))).toMatchObject({ ok: true, user: { role: 'operator' } });
    expect(await login(searchConfig({ url: slapd.tlsUrl, tls: { caFile: slapd.caFile } }), 'bob', pw('bob'))).toMatchObject({ ok: true, user: { role: 'admin' } });
  });

  it('an untrusted certificate makes the directory unavailable before any password is sent', async () => {
    // No CA given (the system's CAs do not know it), or the CA given but the certificate names another host.
    for (const cfg of [searchConfig({ url: slapd.tlsUrl }), searchConfig({ startTls: true }),
      searchConfig({ url: slapd.tlsUrl, tls: { caFile: slapd.caFile, serverName: 'ldap.other.example' } }),
      searchConfig({ startTls: true, tls: { caFile: slapd.caFile, serverName: 'ldap.other.example' } })]) {
      const r = await login(cfg, 'alice', pw('alice'));
      expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
      expect(!r.ok && r.detail).toMatch(/TLS .* failed .*caFile/);
    }
  });
});

describe('a directory that is down or silent', () => {
  let silent: Server;
  const held: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers: a hung directory or a firewall that swallows packets.
    silent = createServer((s) => { held.push(s); });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of held) s.destroy();
    await new Promise((r) => silent.close(r));
  });
  const silentUrl = () => `ldap://127.0.0.1:${(silent.address() as { port: number }).port}`;

  it('nothing listening: unavailable, saying the directory cannot be reached', async () => {
    const r = await login(searchConfig({ url: `ldap://127.0.0.1:${await freeTcpPort()}` }), 'alice', pw('alice'));
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(!r.ok && r.detail).toMatch(/cannot reach the directory at ldap:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
  });

  it('a silent directory: unavailable after the operation timeout', async () => {
    const r = await login(searchConfig({ url: silentUrl(), timeout: '300ms' }), 'alice', pw('alice'));
    expect(r).toMatchObject({ ok: false, reason: 'unavailable' });
    expect(!r.ok && r.detail).toMatch(/did not answer in time/);
  });

  it('a cancelled login ends at once as unavailable', async () => {
    const ac = new AbortController();
    const pending = login(searchConfig({ url: silentUrl(), timeout: '60s' }), 'alice', pw('alice'), ac.signal);
    setTimeout(() => ac.abort(), 100);
    expect(await pending).toEqual({ ok: false, reason: 'unavailable', detail: 'the login was cancelled' });
  });

  it('the real slapd stopped: the same configuration that logged alice in reports unavailable', async () => {
    expect(await login(searchConfig(), 'alice', pw('alice'))).toMatchObject({ ok: true });
    await slapd.stop();
    const r = await login(searchConfig(), 'alice', pw('alice'));
    expect(r).toMatchObject({ ok: false, reason: 'unavailable', detail: expect.stringMatching(/ECONNREFUSED/) });
  });
});
