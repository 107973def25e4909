import { type InvalidCredentialsError, ResultCodeError } from 'ldapts';

/** Why a directory login failed, in the authenticator contract's words. */
export type LdapFailure = { reason: 'unknown-user' | 'bad-password' | 'refused' | 'unavailable'; detail: string };

/** Network and TLS error codes that mean "the directory cannot be reached or trusted", not "wrong password". */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'ECONNABORTED']);
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/;

/**
 * Active Directory says why a bind failed in `data NNN` inside the invalidCredentials message
 * (Microsoft's "LDAP error 49" sub-codes). A locked or disabled account is refused, not a wrong password,
 * so the person is told to call the directory's administrators instead of trying again.
 */
const AD_SUBCODES: Record<string, LdapFailure> = {
  '525': { reason: 'unknown-user', detail: 'the directory has no such user (AD 525)' },
  '52e': { reason: 'bad-password', detail: 'wrong password (AD 52e)' },
  '530': { reason: 'refused', detail: 'the directory does not allow this account to log in at this time (AD 530)' },
  '531': { reason: 'refused', detail: 'the directory does not allow this account to log in from here (AD 531)' },
  '532': { reason: 'refused', detail: 'the password has expired at the directory (AD 532)' },
  '533': { reason: 'refused', detail: 'the account is disabled at the directory (AD 533)' },
  '701': { reason: 'refused', detail: 'the account has expired at the directory (AD 701)' },
  '773': { reason: 'refused', detail: 'the directory requires a password change first (AD 773)' },
  '775': { reason: 'refused', detail: 'the account is locked at the directory (AD 775)' },
};

/** The failure a bind as the person means: wrong password, or (AD) a locked/disabled/expired account. */
export function personBindFailure(err: InvalidCredentialsError): LdapFailure {
  const sub = /\bdata ([0-9a-f]{3}),/i.exec(err.message)?.[1]?.toLowerCase();
  return (sub && AD_SUBCODES[sub]) || { reason: 'bad-password', detail: 'the directory refused the password' };
}

/** Any other failure while talking to the directory: the directory is unavailable, with what to check. */
export function directoryFailure(err: unknown, url: string, stage: string): LdapFailure {
  const code = (err as { code?: unknown })?.code;
  const message = err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err).slice(0, 300);
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return { reason: 'unavailable', detail: `cannot reach the directory at ${url} (${code}) while ${stage}` };
  }
  if (typeof code === 'string' && TLS_CODE.test(code)) {
    return { reason: 'unavailable', detail: `TLS with the directory at ${url} failed (${code}: ${message}) while ${stage}: check auth.ldap.tls.caFile and serverName` };
  }
  if (/timed? ?out/i.test(message)) return { reason: 'unavailable', detail: `the directory at ${url} did not answer in time while ${stage} (${message})` };
  if (err instanceof ResultCodeError) {
    return { reason: 'unavailable', detail: `the directory at ${url} answered ${err.name} (LDAP result ${err.code}) while ${stage}: ${message}` };
  }
  return { reason: 'unavailable', detail: `the directory at ${url} failed while ${stage}: ${message}` };
}
