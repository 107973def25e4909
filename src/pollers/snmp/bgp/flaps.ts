import type { FieldValue } from '../../../core/sample.js';

interface Seen { atMs: number; establishedS?: number; transitions?: bigint; established: boolean }

/**
 * Per device: what each peer looked like at the last poll, to count sessions that went down and came back
 * between two polls (a flap the state alone never shows). bgpPeerFsmEstablishedTransitions says it directly;
 * where the agent lacks it (or it went backwards: cleared, rebooted), an established time that restarted does.
 */
export class FlapMemory {
  private readonly seen = new Map<string, Seen>();

  /**
   * Flaps of one peer since the last poll: 0 or more, or undefined on first sight (no baseline yet).
   * A peer that was down at the last poll and is up now has recovered once, which is not a flap.
   */
  observe(peer: string, fields: Readonly<Record<string, FieldValue>>, nowMs: number): number | undefined {
    const cur: Seen = {
      atMs: nowMs,
      established: fields.established === true,
      establishedS: typeof fields.established_s === 'number' ? fields.established_s : undefined,
      transitions: typeof fields.established_transitions === 'bigint' ? fields.established_transitions : undefined,
    };
    const prev = this.seen.get(peer);
    this.seen.set(peer, cur);
    if (!prev) return undefined;
    const recovered = !prev.established && cur.established ? 1 : 0;
    if (prev.transitions !== undefined && cur.transitions !== undefined && cur.transitions >= prev.transitions) {
      return Math.max(0, Number(cur.transitions - prev.transitions) - recovered);
    }
    if (prev.established && cur.established && prev.establishedS !== undefined && cur.establishedS !== undefined) {
      const elapsedS = (nowMs - prev.atMs) / 1000;
      // Agents refresh the established time coarsely; a restart shows as far less time than has passed.
      const slackS = Math.max(10, elapsedS * 0.2);
      return cur.establishedS + slackS < prev.establishedS + elapsedS ? 1 : 0;
    }
    return 0;
  }

  /** Forgets peers the device no longer reports (removed from its configuration). */
  keepOnly(peers: ReadonlySet<string>): void {
    for (const p of this.seen.keys()) if (!peers.has(p)) this.seen.delete(p);
  }
}
