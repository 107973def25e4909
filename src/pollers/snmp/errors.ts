/** SNMP failures in an operator's words: the classified error, and net-snmp's text with every secret kept out (src/pollers/snmp/session.ts re-exports them). */
import snmp from 'net-snmp';
import type { SnmpSettings } from '../../config/inventory-schema.js';

/** What went wrong talking to an agent, in the words an operator uses. */
export type SnmpErrorKind = 'timeout' | 'auth' | 'community' | 'tooBig' | 'garbage' | 'other';

/** A failed SNMP request, classified; the poller turns it into `snmp_poll ok=false error_kind=...`. */
export class SnmpError extends Error {
  constructor(readonly kind: SnmpErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SnmpError';
  }
}

/** What {@link classifyError} needs of the settings: retry budget for the wording, secrets to keep out of it. */
export type ClassifySettings = Pick<SnmpSettings, 'timeoutMs' | 'retries' | 'version'> & Partial<Pick<SnmpSettings, 'community' | 'authKey' | 'privKey'>>;

/**
 * The names net-snmp gives the USM statistics reports of RFC 3414 (usmStats*): a fixed set of words, so they
 * are safe to show. Any other authentication text of net-snmp may carry digests computed with our key.
 */
const USM_REPORTS = new Set([
  'Unsupported Security Level', 'Not In Time Window', 'Unknown User Name', 'Unknown Engine ID',
  'Wrong Digest (incorrect password, community or key)', 'Decryption Error',
]);

/** Longest piece of net-snmp's own wording kept in a message (it can quote what the agent sent). */
const MAX_DETAIL_CHARS = 200;

/**
 * net-snmp's text with every configured secret (community, v3 keys) replaced and its length bounded. The
 * messages that are known to quote a secret get fixed wording in {@link classifyError}; this is the net under it.
 */
export function redactSecrets(text: string, settings: Partial<Pick<SnmpSettings, 'community' | 'authKey' | 'privKey'>>): string {
  let out = text;
  for (const secret of [settings.community, settings.authKey, settings.privKey]) {
    if (secret) out = out.split(secret).join('<redacted>');
  }
  return out.length > MAX_DETAIL_CHARS ? `${out.slice(0, MAX_DETAIL_CHARS)}…` : out;
}

/**
 * Turns whatever net-snmp reported into a classified {@link SnmpError}. The message becomes the device's reason
 * in the API, the wall, `snmp_poll.error` and the log, so it never quotes the community or a key: a community
 * mismatch gets fixed wording (net-snmp's names the configured community), authentication failures too (net-snmp's
 * quotes a digest computed with our key), everything else is redacted. The cause is a bare copy of net-snmp's error
 * (name and redacted message): its `info.user` holds the v3 keys.
 */
export function classifyError(err: unknown, what: string, settings: ClassifySettings): SnmpError {
  if (err instanceof SnmpError) return err;
  const e = err as { name?: string; message?: string; code?: number; status?: number };
  const msg = redactSecrets(e?.message ?? String(err), settings);
  const name = e?.name ?? 'Error';
  const fail = (kind: SnmpErrorKind, message: string) => {
    // Authentication and community texts of net-snmp are exactly the ones that quote secrets: not even the cause keeps them.
    const kept = kind === 'auth' || kind === 'community' ? 'withheld: it may quote a secret' : msg;
    const cause = Object.assign(new Error(kept), { name, stack: `${name}: ${kept}` });
    return new SnmpError(kind, message, { cause });
  };
  if (e?.name === 'RequestTimedOutError') {
    const tries = settings.retries + 1;
    const hint = settings.version === '3' ? '' : ' (device down, unreachable, or a wrong community: v1/v2c agents ignore those)';
    return fail('timeout', `no answer to ${what} within ${settings.timeoutMs} ms x ${tries} ${tries === 1 ? 'try' : 'tries'}${hint}`);
  }
  if (e?.name === 'ResponseInvalidError') {
    if (e.code === snmp.ResponseInvalidCode.EAuthFailure) {
      const said = USM_REPORTS.has(msg) ? `the agent reported "${msg}"` : 'the answer did not pass the authentication check';
      return fail('auth', `authentication failure: ${said} (check the v3 user, protocols and keys)`);
    }
    if (e.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) return fail('auth', `could not decrypt the agent's answer to ${what} (check the privacy protocol and key)`);
    if (e.code === snmp.ResponseInvalidCode.ECommunityNoMatch) return fail('community', `wrong community: the agent answered ${what} with a community other than the configured one`);
    return fail('garbage', `the agent returned an invalid answer to ${what}: ${msg}`);
  }
  if (e?.name === 'RequestFailedError') {
    if (e.status === snmp.ErrorStatus.TooBig) return fail('tooBig', `the answer to ${what} was too big for the agent (tooBig)`);
    if (e.status === snmp.ErrorStatus.AuthorizationError || e.status === snmp.ErrorStatus.NoAccess) return fail('auth', `the agent refused ${what}: ${msg} (the view or community does not allow it)`);
    return fail('other', `the agent answered ${what} with an error: ${msg}`);
  }
  if (e?.name === 'ProcessingError') return fail('garbage', `could not decode the agent's answer to ${what}: ${msg}`);
  if (/digital envelope|des-cbc|unsupported/i.test(msg)) {
    return fail('other', `${what}: this Node.js cannot do the privacy protocol (${msg}); DES needs OpenSSL's legacy provider: start Noctua with NODE_OPTIONS=--openssl-legacy-provider, or use AES on the device`);
  }
  return fail('other', `${what}: ${msg}`);
}
