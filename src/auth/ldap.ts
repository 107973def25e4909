import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions } from 'node:tls';
import { Client, DN, Filter, InvalidCredentialsError, SizeLimitExceededError, type Entry } from 'ldapts';
import type { LdapSection } from '../config/sections/auth-directory.js';
import type { AuthResult, Authenticator } from './authenticator.js';
import { accessFromGroups } from './group-roles.js';
import { directoryFailure, personBindFailure, type LdapFailure } from './ldap-errors.js';

/** Longest login name and password sent to a directory; longer ones are refused before any connection. */
const MAX_USERNAME = 256;
const MAX_PASSWORD = 1024;
/** At most this many groups are read for one person (a bound on what a directory can make us hold). */
const MAX_GROUPS = 1000;

/** Replaces `{key}` in a template with values already escaped for where they go (split/join: no `$` patterns). */
function fill(template: string, values: Record<string, string>): string {
  let out = template;
  for (const [k, v] of Object.entries(values)) out = out.split(`{${k}}`).join(v);
  return out;
}

/** A value escaped for use inside a DN (RFC 4514), e.g. `uid={username},ou=people,…`. */
function dnValue(value: string): string {
  return new DN({ x: value }).toString().slice(2);
}

function strings(value: Entry[string] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** Checks a login name and password before they reach the directory (an empty password would be an anonymous bind). */
function invalidInput(username: string, password: string): LdapFailure | undefined {
  if (username.length === 0 || username.length > MAX_USERNAME) return { reason: 'unknown-user', detail: `expected a user name of 1–${MAX_USERNAME} characters` };
   
  if (/[\u0000-\u001f\u007f]/.test(username) || username.trim() !== username) return { reason: 'unknown-user', detail: 'expected a user name without control characters or surrounding spaces' };
  // RFC 4513 5.1.2: a bind with a name and an empty password is an unauthenticated bind that many servers accept.
  if (password.length === 0) return { reason: 'bad-password', detail: 'an empty password is never sent to the directory' };
  if (password.length > MAX_PASSWORD) return { reason: 'bad-password', detail: `expected a password of at most ${MAX_PASSWORD} characters` };
  return undefined;
}

/** Thrown inside a login to stop it with a result (caught in `authenticate`). */
class Outcome extends Error {
  constructor(readonly failure: LdapFailure) { super(failure.detail); }
}

/** Logins checked against an LDAP directory or Active Directory: bind as the person, then map their groups to a role. */
export class LdapAuthenticator implements Authenticator {
  readonly name = 'ldap';
  private readonly tls: ConnectionOptions;

  /** Reads the CA file now, so a wrong path is a start-up error rather than a failed login at 3 a.m. */
  constructor(private readonly cfg: LdapSection) {
    const host = /^ldaps?:\/\/(?:\[([^\]]+)\]|([^:/]+))/.exec(cfg.url);
    const expected = cfg.tls.serverName ?? host?.[1] ?? host?.[2] ?? '';
    this.tls = {
      ca: cfg.tls.caFile ? readFileSync(cfg.tls.caFile) : undefined,
      // SNI carries host names only (RFC 6066), never an IP address ...
      servername: cfg.tls.serverName ?? (host?.[2] && isIP(host[2]) === 0 ? host[2] : undefined),
      // ... so the certificate is checked against the expected name here (StartTLS has only a socket to go by).
      checkServerIdentity: (_name, cert) => checkServerIdentity(expected, cert),
      rejectUnauthorized: !cfg.tls.insecureSkipVerify,
      minVersion: 'TLSv1.2',
    };
  }

  /** Checks one login: unknown user, wrong password, no mapped group (refused), directory unreachable (unavailable). */
  async authenticate(username: string, password: string, signal: AbortSignal): Promise<AuthResult> {
    const bad = invalidInput(username, password);
    if (bad) return { ok: false, ...bad };
    // ldapts speaks TLS from the first byte whenever tlsOptions are given: only for ldaps:// (StartTLS gets them later).
    const tlsOptions = this.cfg.url.startsWith('ldaps:') ? this.tls : undefined;
    const client = new Client({ url: this.cfg.url, connectTimeout: this.cfg.connectTimeout, timeout: this.cfg.timeout, tlsOptions });
    // Closing the connection makes the pending operation fail, so an aborted login ends at once.
    const onAbort = () => { void client.unbind().catch(() => undefined); };
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (signal.aborted) throw new Outcome({ reason: 'unavailable', detail: 'the login was cancelled' });
      const user = await this.login(client, username, password);
      return { ok: true, user };
    } catch (err) {
      const failure = err instanceof Outcome ? err.failure : directoryFailure(err, this.cfg.url, 'checking the login');
      return { ok: false, ...(signal.aborted ? { reason: 'unavailable' as const, detail: 'the login was cancelled' } : failure) };
    } finally {
      signal.removeEventListener('abort', onAbort);
      await client.unbind().catch(() => undefined);
    }
  }

  private async login(client: Client, username: string, password: string): Promise<{ name: string; role: 'viewer' | 'operator' | 'admin'; sites?: string[] }> {
    const { url } = this.cfg;
    if (this.cfg.startTls) await client.startTLS(this.tls).catch((err: unknown) => { throw new Outcome(directoryFailure(err, url, 'starting TLS')); });
    const serviceBind = async () => {
      const s = this.cfg.search;
      if (!s?.bindDn || !s.bindPassword) return;
      await client.bind(s.bindDn, s.bindPassword).catch((err: unknown) => {
        throw new Outcome(err instanceof InvalidCredentialsError
          ? { reason: 'unavailable', detail: `the directory refused Noctua's service account (auth.ldap.search.bindDn ${s.bindDn}): check auth.ldap.search.bindPassword` }
          : directoryFailure(err, url, 'binding as the service account'));
      });
    };
    await serviceBind();
    const dn = this.cfg.search ? await this.findPerson(client, username) : fill(this.cfg.bindDn!, { username: dnValue(username) });
    await client.bind(dn, password).catch((err: unknown) => {
      throw new Outcome(err instanceof InvalidCredentialsError ? personBindFailure(err) : directoryFailure(err, url, 'binding as the user'));
    });
    // Group membership is read as the service account when there is one (people may not read groups), else as the person.
    await serviceBind();
    const entry = await this.readEntry(client, dn);
    const groups = [...strings(this.cfg.memberOfAttribute ? entry[this.cfg.memberOfAttribute] : undefined), ...await this.searchGroups(client, dn, username)];
    const name = strings(entry[this.cfg.nameAttribute])[0] ?? username;
    const access = accessFromGroups(groups.slice(0, MAX_GROUPS), this.cfg.groups);
    if (!access) {
      throw new Outcome({ reason: 'refused', detail: `${username} is in no group that auth.ldap.groups maps to a role (member of ${groups.length} group${groups.length === 1 ? '' : 's'})` });
    }
    return { name, ...access };
  }

  /** Search-then-bind: the one entry whose login attribute equals the name (the name escaped, RFC 4515). */
  private async findPerson(client: Client, username: string): Promise<string> {
    const s = this.cfg.search!;
    const filter = fill(s.filter, { username: Filter.escape(username) });
    try {
      const { searchEntries } = await client.search(s.base, { scope: s.scope, filter, attributes: ['1.1'], sizeLimit: 2 });
      if (searchEntries.length === 0) throw new Outcome({ reason: 'unknown-user', detail: 'no directory entry matches this user name' });
      if (searchEntries.length > 1) throw new Outcome({ reason: 'refused', detail: `the user name matches ${searchEntries.length} directory entries: auth.ldap.search.filter must select one` });
      return searchEntries[0]!.dn;
    } catch (err) {
      if (err instanceof Outcome) throw err;
      if (err instanceof SizeLimitExceededError) throw new Outcome({ reason: 'refused', detail: 'the user name matches several directory entries: auth.ldap.search.filter must select one' });
      throw new Outcome(directoryFailure(err, this.cfg.url, `searching ${s.base} for the user`));
    }
  }

  private async readEntry(client: Client, dn: string): Promise<Entry> {
    const attributes = [this.cfg.nameAttribute, ...(this.cfg.memberOfAttribute ? [this.cfg.memberOfAttribute] : [])];
    try {
      const { searchEntries } = await client.search(dn, { scope: 'base', filter: '(objectClass=*)', attributes });
      return searchEntries[0] ?? { dn };
    } catch (err) {
      throw new Outcome(directoryFailure(err, this.cfg.url, 'reading the user\'s entry'));
    }
  }

  private async searchGroups(client: Client, dn: string, username: string): Promise<string[]> {
    const g = this.cfg.groupSearch;
    if (!g) return [];
    const filter = fill(g.filter, { dn: Filter.escape(dn), username: Filter.escape(username) });
    try {
      const { searchEntries } = await client.search(g.base, { scope: 'sub', filter, attributes: ['1.1'], sizeLimit: MAX_GROUPS });
      return searchEntries.map((e) => e.dn);
    } catch (err) {
      if (err instanceof SizeLimitExceededError) throw new Outcome({ reason: 'refused', detail: `member of more than ${MAX_GROUPS} groups under ${g.base}: narrow auth.ldap.groupSearch` });
      throw new Outcome(directoryFailure(err, this.cfg.url, `searching ${g.base} for the user's groups`));
    }
  }
}
