import { createHmac, timingSafeEqual } from 'node:crypto';
import { migrate, type Db } from '../../core/database.js';

import { LINK_ACTIONS, type LinkAction } from './link-actions.js';

export { LINK_ACTIONS, type LinkAction };

/** What an acknowledge link carries: the incident, who the link was sent to, and when it stops working. */
export interface AckClaim { incidentId: string; by: string; expiresAt: Date }

/** Result of checking a link token: the claim (and the MAC that names this token), or why it is refused. */
export type AckTokenCheck =
  | ({ ok: true; tokenId: string } & AckClaim)
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired'; message: string };

// A purpose prefix keeps these MACs from being valid for anything else signed with the same secret.
const PURPOSE_V1 = 'noctua-ack-v1.';
const PURPOSE_V2 = 'noctua-ack-v2.';
/**
 * The action is part of what is signed (not of the token's text): a claim token shown at /mute/ or an ack
 * token at /claim/ fails its signature, so a link does only what it was issued for. Ack keeps the v2 purpose,
 * so links already in chats stay valid.
 */
const purposeOf = (action: LinkAction) => (action === 'ack' ? PURPOSE_V2 : `noctua-${action}-v2.`);
/** 128 bits of HMAC-SHA256 are plenty against forgery and keep the link short (22 base64url characters). */
const MAC_V2_CHARS = 22;
/** v1 tokens (JSON payload) carried the whole 256-bit MAC (43 characters); such links may still sit in chats until they expire. */
const MAC_V1_CHARS = 43;

function mac(secret: string, purpose: string, payload: string): string {
  return createHmac('sha256', secret).update(purpose + payload).digest('base64url');
}

/**
 * Signs an acknowledge-link token: base64url("expiry-in-base36-seconds \n incident \n recipient") "."
 * a 128-bit HMAC. About 80 characters for a typical incident and a channel recipient (the JSON form of
 * v1 passed fastify's 100-character parameter limit with a recipient like `channel:feishu`).
 */
export function signAckToken(secret: string, claim: AckClaim, action: LinkAction = 'ack'): string {
  const body = `${Math.floor(claim.expiresAt.getTime() / 1000).toString(36)}\n${claim.incidentId}\n${claim.by}`;
  const payload = Buffer.from(body, 'utf8').toString('base64url');
  return `${payload}.${mac(secret, purposeOf(action), payload).slice(0, MAC_V2_CHARS)}`;
}

function parseClaim(payload: string, v2: boolean): { i: string; b: string; e: number } | undefined {
  const text = Buffer.from(payload, 'base64url').toString('utf8');
  if (v2) {
    const [e, i, b, ...rest] = text.split('\n');
    const seconds = e !== undefined && /^[0-9a-z]{1,10}$/.test(e) ? parseInt(e, 36) : NaN;
    return rest.length === 0 && i && b && Number.isFinite(seconds) ? { i, b, e: seconds } : undefined;
  }
  try {
    const c = JSON.parse(text) as { i?: unknown; b?: unknown; e?: unknown };
    return typeof c.i === 'string' && typeof c.b === 'string' && typeof c.e === 'number' ? { i: c.i, b: c.b, e: c.e } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a token from a link for `action`: signature first (constant time), then expiry. Does not say whether
 * it was used. v1 tokens (whole-MAC, JSON) only ever acknowledged.
 */
export function verifyAckToken(secret: string, token: string, nowMs: number, action: LinkAction = 'ack'): AckTokenCheck {
  const m = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(token.trim());
  if (!m) return { ok: false, reason: 'malformed', message: 'the acknowledge token is not of the form PAYLOAD.SIGNATURE' };
  const [, payload, sig] = m as unknown as [string, string, string];
  const v2 = sig.length === MAC_V2_CHARS;
  const want = Buffer.from(v2 ? mac(secret, purposeOf(action), payload).slice(0, MAC_V2_CHARS) : mac(secret, PURPOSE_V1, payload));
  const got = Buffer.from(sig);
  if ((!v2 && (sig.length !== MAC_V1_CHARS || action !== 'ack')) || want.length !== got.length || !timingSafeEqual(want, got)) {
    return { ok: false, reason: 'bad-signature', message: 'the link token signature does not match (altered, or signed with another secret)' };
  }
  const claim = parseClaim(payload, v2);
  if (!claim) return { ok: false, reason: 'malformed', message: 'the acknowledge token payload lacks incident, recipient or expiry' };
  const expiresAt = new Date(claim.e * 1000);
  if (nowMs >= expiresAt.getTime()) return { ok: false, reason: 'expired', message: `the acknowledge link expired at ${expiresAt.toISOString()}` };
  return { ok: true, tokenId: sig, incidentId: claim.i, by: claim.b, expiresAt };
}

/** Tables of the used-token ledger (migrate module "ack-tokens"); append, never edit, once released. */
const ACK_TOKEN_MIGRATIONS: readonly string[] = [
  `CREATE TABLE ack_tokens_used (
    token_id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, used_by TEXT NOT NULL, used_at INTEGER NOT NULL, expires_at INTEGER NOT NULL
  )`,
];

/**
 * The acknowledge tokens that have acted, in the state database, so a link acts once: not again after
 * an operator un-acknowledges, nor after a restart. A row is kept until its token would have expired anyway.
 */
export class AckTokenLedger {
  private readonly q;

  constructor(db: Db) {
    migrate(db, 'ack-tokens', ACK_TOKEN_MIGRATIONS);
    this.q = {
      used: db.prepare('SELECT used_at FROM ack_tokens_used WHERE token_id = ?'),
      claim: db.prepare('INSERT OR IGNORE INTO ack_tokens_used (token_id, incident_id, used_by, used_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      purge: db.prepare('DELETE FROM ack_tokens_used WHERE expires_at <= ?'),
    };
  }

  /** When the token acted, or undefined when it never did. */
  usedAt(tokenId: string): Date | undefined {
    const row = this.q.used.get(tokenId) as { used_at: number } | undefined;
    return row ? new Date(row.used_at) : undefined;
  }

  /** Records the token as used; false when it already was (the caller must then not act). */
  claim(check: Extract<AckTokenCheck, { ok: true }>, nowMs: number): boolean {
    this.q.purge.run(nowMs);
    return this.q.claim.run(check.tokenId, check.incidentId, check.by, nowMs, check.expiresAt.getTime()).changes === 1;
  }
}
