import { createHmac, timingSafeEqual } from 'node:crypto';

/** What an acknowledge link carries: the incident, who the link was sent to, and when it stops working. */
export interface AckClaim { incidentId: string; by: string; expiresAt: Date }

/** Result of checking a link token: the claim, or why it is refused. */
export type AckTokenCheck =
  | ({ ok: true } & AckClaim)
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; message: string };

// A purpose prefix keeps these MACs from being valid for anything else signed with the same secret.
const PURPOSE = 'noctua-ack-v1.';

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(PURPOSE + payload).digest('base64url');
}

/** Signs an acknowledge-link token: base64url(JSON claim) "." base64url(HMAC-SHA256). */
export function signAckToken(secret: string, claim: AckClaim): string {
  const payload = Buffer.from(JSON.stringify({ i: claim.incidentId, b: claim.by, e: Math.floor(claim.expiresAt.getTime() / 1000) })).toString('base64url');
  return `${payload}.${mac(secret, payload)}`;
}

/** Verifies a token from an acknowledge link: signature first (constant time), then expiry. */
export function verifyAckToken(secret: string, token: string, nowMs: number): AckTokenCheck {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed', message: 'the acknowledge token is not of the form PAYLOAD.SIGNATURE' };
  const want = Buffer.from(mac(secret, m[1]!));
  const got = Buffer.from(m[2]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return { ok: false, reason: 'bad-signature', message: 'the acknowledge token signature does not match (altered, or signed with another secret)' };
  let claim: { i?: unknown; b?: unknown; e?: unknown };
  try {
    claim = JSON.parse(Buffer.from(m[1]!, 'base64url').toString('utf8')) as typeof claim;
  } catch {
    return { ok: false, reason: 'malformed', message: 'the acknowledge token payload is not JSON' };
  }
  if (typeof claim.i !== 'string' || typeof claim.b !== 'string' || typeof claim.e !== 'number') return { ok: false, reason: 'malformed', message: 'the acknowledge token payload lacks incident, sender or expiry' };
  const expiresAt = new Date(claim.e * 1000);
  if (nowMs >= expiresAt.getTime()) return { ok: false, reason: 'expired', message: `the acknowledge link expired at ${expiresAt.toISOString()}` };
  return { ok: true, incidentId: claim.i, by: claim.b, expiresAt };
}
