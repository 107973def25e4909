import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidCredentialsError } from 'ldapts';
import { afterAll, describe, expect, it } from 'vitest';
import { accessFromGroups } from '../../src/auth/group-roles.js';
import { personBindFailure } from '../../src/auth/ldap-errors.js';
import { ldapSectionSchema, oidcSectionSchema } from '../../src/config/sections/auth-directory.js';
import { loadConfig } from '../../src/config/loader.js';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { repoRoot } from '../../src/lab/paths.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-sso-config-');
afterAll(() => tmp.cleanup());

const issues = (r: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } }) =>
  (r.error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('group → role mapping', () => {
  const table = [
    { group: 'noc-operators', role: 'operator' as const },
    { group: 'cn=noc-admins,ou=groups,dc=example,dc=com', role: 'admin' as const },
    { group: 'branch-sh', role: 'operator' as const, sites: ['branch-sh'] },
    { group: 'branch-bj', role: 'operator' as const, sites: ['branch-bj'] },
    { group: 'sh-leads', role: 'admin' as const, sites: ['branch-sh'] },
  ];
  it('matches names and DNs case-insensitively; the strongest role wins; its lines give the sites', () => {
    expect(accessFromGroups(['CN=NOC-Operators,OU=Groups,DC=example,DC=com'], table)).toEqual({ role: 'operator' });
    expect(accessFromGroups(['cn=noc-admins, ou=groups, dc=example, dc=com', 'noc-operators'], table)).toEqual({ role: 'admin' });
    expect(accessFromGroups(['branch-sh', 'branch-bj'], table)).toEqual({ role: 'operator', sites: ['branch-bj', 'branch-sh'] });
    // An unscoped operator line beside a scoped one: every site.
    expect(accessFromGroups(['branch-sh', 'noc-operators'], table)).toEqual({ role: 'operator' });
    // A weaker role never widens a stronger one's sites: admin of shanghai stays admin of shanghai only.
    expect(accessFromGroups(['sh-leads', 'noc-operators'], table)).toEqual({ role: 'admin', sites: ['branch-sh'] });
  });

  it('a line written as a DN matches only that DN, not a group of the same name elsewhere; nothing mapped is undefined', () => {
    expect(accessFromGroups(['cn=noc-admins,ou=guests,dc=example,dc=com'], table)).toBeUndefined();
    expect(accessFromGroups(['noc-admins'], table)).toBeUndefined();
    expect(accessFromGroups([], table)).toBeUndefined();
    expect(accessFromGroups(['finance', 'cn=finance,ou=groups,dc=example,dc=com'], table)).toBeUndefined();
  });
});

describe('Active Directory bind sub-codes', () => {
  const ad = (data: string) => new InvalidCredentialsError(`80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data ${data}, v4563`);
  it('a locked, disabled or expired account is refused with the reason; 52e is a wrong password', () => {
    expect(personBindFailure(ad('775'))).toEqual({ reason: 'refused', detail: 'the account is locked at the directory (AD 775)' });
    expect(personBindFailure(ad('533'))).toMatchObject({ reason: 'refused', detail: expect.stringMatching(/disabled/) });
    expect(personBindFailure(ad('532'))).toMatchObject({ reason: 'refused', detail: expect.stringMatching(/expired/) });
    expect(personBindFailure(ad('52e'))).toMatchObject({ reason: 'bad-password' });
    expect(personBindFailure(new InvalidCredentialsError())).toMatchObject({ reason: 'bad-password' });
  });
});

describe('auth.ldap and auth.oidc settings', () => {
  const base = { url: 'ldap://dir.example.com', memberOfAttribute: 'memberOf', groups: [{ group: 'noc', role: 'operator' }] };
  it('refuses contradictory or incomplete LDAP settings, naming the field', () => {
    expect(issues(ldapSectionSchema.safeParse(base))).toEqual(['bindDn: expected exactly one of bindDn (direct bind) and search (search-then-bind)']);
    expect(issues(ldapSectionSchema.safeParse({ ...base, bindDn: 'uid=x,ou=people' }))).toEqual(['bindDn: expected a bind name template (a DN, or user@domain for Active Directory) containing {username}']);
    expect(issues(ldapSectionSchema.safeParse({ ...base, bindDn: 'uid={username}', url: 'ldaps://dir', startTls: true }))).toEqual(['startTls: expected startTls only with an ldap:// URL (ldaps:// is TLS already)']);
    expect(issues(ldapSectionSchema.safeParse({ ...base, bindDn: 'uid={username}', groups: [] }))).toEqual(['groups: expected at least one group → role line: without one nobody could log in']);
    expect(issues(ldapSectionSchema.safeParse({ ...base, search: { base: 'dc=x', bindDn: 'cn=svc' } }))).toEqual(['search.bindPassword: expected search.bindDn and search.bindPassword together (or neither, for an anonymous search)']);
    expect(issues(ldapSectionSchema.safeParse({ ...base, url: 'http://dir', bindDn: 'uid={username}' }))).toEqual(['url: expected ldap://host[:port] or ldaps://host[:port]']);
  });

  it('refuses an http issuer unless allowed for a lab, and a redirect URL that is not the callback', () => {
    const oidc = { issuer: 'http://sso.example.com', clientId: 'noctua', redirectUrl: 'https://noc.example.com/auth/oidc/callback', groups: [{ group: 'noc', role: 'viewer' }] };
    expect(issues(oidcSectionSchema.safeParse(oidc))).toEqual(['issuer: expected an https:// issuer (allowInsecureHttp: true only for a lab)']);
    expect(oidcSectionSchema.safeParse({ ...oidc, allowInsecureHttp: true }).success).toBe(true);
    expect(issues(oidcSectionSchema.safeParse({ ...oidc, issuer: 'https://sso', redirectUrl: 'https://noc.example.com/console/' }))).toEqual(['redirectUrl: expected the URL to end in /auth/oidc/callback']);
    expect(issues(oidcSectionSchema.safeParse({ ...oidc, issuer: 'https://sso', scopes: ['profile'] }))).toEqual(['scopes: expected the scope list to include openid']);
  });

  /** The example's commented ldap and oidc blocks (inside its auth: section), uncommented, in a copy of the example config directory. */
  function exampleWithAuth(extra = ''): string {
    const example = readFileSync(join(repoRoot, 'config', 'noctua.example.yaml'), 'utf8');
    const lines = example.split('\n');
    const from = lines.indexOf('  # ldap:');
    let to = from;
    while (to < lines.length && lines[to]!.startsWith('  #')) to++;
    for (let i = from; i < to; i++) lines[i] = `  ${lines[i]!.replace(/^ {2}# ?/, '')}`;
    const dir = join(tmp.dir, `c${Math.random().toString(36).slice(2)}`);
    mkdirSync(dir);
    writeFileSync(join(dir, 'noctua.yaml'), `${lines.join('\n')}${extra}`);
    writeFileSync(join(dir, 'devices.yaml'), readFileSync(join(repoRoot, 'config', 'devices.example.yaml'), 'utf8'));
    return dir;
  }
  const env = { NOCTUA_LDAP_BIND_PASSWORD: 'svc-pw', NOCTUA_OIDC_CLIENT_SECRET: 'oidc-secret', NOCTUA_SNMP_COMMUNITY: 'c', NOCTUA_TRAP_COMMUNITY: 't', NOCTUA_V3_AUTH: 'auth-pass-1', NOCTUA_V3_PRIV: 'priv-pass-1' };

  it('the example\'s auth.ldap and auth.oidc blocks, uncommented, load', () => {
    const cfg = loadConfig(exampleWithAuth(), env);
    expect(cfg.settings.auth.ldap).toMatchObject({ url: 'ldaps://ad.example.com', search: { bindPassword: 'svc-pw' }, memberOfAttribute: 'memberOf' });
    expect(cfg.settings.auth.oidc).toMatchObject({ clientId: 'noctua', clientSecret: 'oidc-secret', claims: { name: 'preferred_username', groups: 'groups' } });
  });

  it('a group line naming a site devices.yaml does not have is an error with file:line:col', () => {
    const dir = exampleWithAuth();
    const text = readFileSync(join(dir, 'noctua.yaml'), 'utf8').replace('sites: [branch-sh]', 'sites: [branch-shh]');
    writeFileSync(join(dir, 'noctua.yaml'), text);
    try {
      loadConfig(dir, env);
      expect.unreachable('the unknown site was accepted');
    } catch (err) {
      if (!(err instanceof ConfigInvalidError)) throw err;
      expect(err.errors.map((e) => formatConfigError({ ...e, file: 'noctua.yaml' }))).toEqual([
        expect.stringMatching(/^noctua\.yaml:\d+:\d+ auth\.ldap\.groups\[2\]\.sites\[0\]: unknown site "branch-shh" \(expected one of the sites in devices\.yaml: hq, branch-sh\)$/),
      ]);
    }
  });
});
