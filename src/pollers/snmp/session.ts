import snmp from 'net-snmp';
import type { SnmpSettings } from '../../config/inventory-schema.js';
import { classifyError, redactSecrets, SnmpError } from './errors.js';
import { planWalk } from './walk-plan.js';

export { classifyError, redactSecrets, SnmpError, type ClassifySettings, type SnmpErrorKind } from './errors.js';

/**
 * One value as the agent sent it: integers and counters as number (32-bit) or bigint (Counter64),
 * OctetString as Buffer, OBJECT IDENTIFIER and IpAddress as string. Absent (noSuch*) values are undefined.
 */
export type SnmpValue = number | bigint | Buffer | string;

/** Column OID -> row index (the OID suffix after the column) -> value. */
export type ColumnValues = Map<string, Map<string, SnmpValue>>;

/** The seam between the poller and the network: real net-snmp sessions in production, fakes in unit tests. */
export interface SnmpSession {
  /** GETs scalars (full instance OIDs); noSuchObject/noSuchInstance come back as undefined, quietly. */
  get(oids: readonly string[], signal?: AbortSignal): Promise<(SnmpValue | undefined)[]>;
  /** Walks each column subtree (GETBULK, or GETNEXT for v1), stopping at the end of each column. */
  walk(columns: readonly string[], signal?: AbortSignal): Promise<ColumnValues>;
  /** For each OID, the first OID after it that lies inside it, or undefined where the agent has nothing (one GETNEXT of them all). */
  firstUnder(oids: readonly string[], signal?: AbortSignal): Promise<(string | undefined)[]>;
  /** Varbinds received since the session was made (for `snmp_poll.varbinds`). */
  readonly varbinds: number;
  /** SNMP v3 engine boots/time learnt from the agent during discovery, when the session is v3. */
  engine(): { boots: number; time: number } | undefined;
  close(): void;
}

const T = snmp.ObjectType;

/** Converts a net-snmp varbind value to our representation; undefined for exceptions (noSuch*, endOfMibView). */
export function varbindValue(vb: snmp.Varbind): SnmpValue | undefined {
  switch (vb.type) {
    case T.Counter64: {
      const v = vb.value as unknown;
      if (Buffer.isBuffer(v)) {
        // Big-endian, usually 8 bytes (9 with a sign byte, fewer when small); never through a JS number (precision).
        if (v.length === 8) return v.readBigUInt64BE(0);
        if (v.length === 9 && v[0] === 0) return v.readBigUInt64BE(1);
        let n = 0n;
        for (const byte of v) n = (n << 8n) | BigInt(byte);
        return n;
      }
      return typeof v === 'number' ? BigInt(v) : typeof v === 'bigint' ? v : undefined;
    }
    case T.Integer: case T.Counter32: case T.Gauge32: case T.TimeTicks: case T.Counter: case T.Gauge: case T.Unsigned32:
      return typeof vb.value === 'number' ? vb.value : Number(vb.value);
    case T.OctetString: case T.Opaque:
      return Buffer.isBuffer(vb.value) ? vb.value : Buffer.from(String(vb.value ?? ''));
    case T.OID: case T.IpAddress:
      return String(vb.value);
    case T.Null: case T.NoSuchObject: case T.NoSuchInstance: case T.EndOfMibView:
      return undefined;
    default:
      return undefined;
  }
}

/** True when `oid` lies strictly inside the subtree `prefix` (numeric dotted OIDs). */
export function inSubtree(oid: string, prefix: string): boolean {
  return oid.length > prefix.length && oid.charCodeAt(prefix.length) === 46 /* . */ && oid.startsWith(prefix);
}

/** Orders dotted OIDs numerically (1.10 after 1.9), without splitting: it runs once per varbind. */
export function compareOids(a: string, b: string): number {
  let i = 0, j = 0;
  const la = a.length, lb = b.length;
  while (i < la && j < lb) {
    let x = 0, y = 0;
    while (i < la && a.charCodeAt(i) !== 46) x = x * 10 + (a.charCodeAt(i++) - 48);
    while (j < lb && b.charCodeAt(j) !== 46) y = y * 10 + (b.charCodeAt(j++) - 48);
    if (x !== y) return x - y;
    i++; j++;
  }
  return (i < la ? 1 : 0) - (j < lb ? 1 : 0);
}

/** Config protocol names to net-snmp's constants (the trap receiver's v3 users use the same names). */
export const AUTH: Record<NonNullable<SnmpSettings['authProtocol']>, number> = {
  md5: snmp.AuthProtocols.md5, sha: snmp.AuthProtocols.sha, sha224: snmp.AuthProtocols.sha224,
  sha256: snmp.AuthProtocols.sha256, sha384: snmp.AuthProtocols.sha384, sha512: snmp.AuthProtocols.sha512,
};
export const PRIV: Record<NonNullable<SnmpSettings['privProtocol']>, number> = {
  des: snmp.PrivProtocols.des, aes: snmp.PrivProtocols.aes, aes256b: snmp.PrivProtocols.aes256b, aes256r: snmp.PrivProtocols.aes256r,
};

/**
 * Varbinds asked for in one GETBULK, at least: columns x repetitions is capped at max(4 x maxRepetitions, this),
 * so answers stay a few kB: big UDP answers get fragmented, and fragments are what firewalls drop.
 */
const MIN_VARBINDS_PER_REQUEST = 50;
/** Upper bound on request rounds for one walk, so a looping agent cannot keep a poll busy forever. */
const MAX_ROUNDS = 20_000;

/** A real net-snmp session for one device: the only place that speaks to the network. */
export class NetSnmpSession implements SnmpSession {
  private readonly session: snmp.Session;
  private count = 0;
  /** Repetitions that worked last; halved on tooBig and remembered for the next poll. */
  private repetitions: number;
  private readonly v1: boolean;
  private lastGarbage?: { at: number; message: string };
  /** Rows each column had at its last walk, for packing the next walk's requests (walk-plan.ts). */
  private readonly rowsSeen = new Map<string, number>();
  /** Most varbinds the agent put in a GETBULK answer that was cut short (undefined: none was). */
  private agentMax?: number;

  /** `raw` replaces the net-snmp session (tests drive the walking logic with a scripted one). */
  constructor(address: string, private readonly settings: SnmpSettings, raw?: snmp.Session) {
    const common = {
      port: settings.port, retries: settings.retries, timeout: settings.timeoutMs,
      transport: address.includes(':') ? 'udp6' as const : 'udp4' as const,
      // Some agents answer GETNEXT/GETBULK out of order at table ends; we stop at the column prefix ourselves.
      backwardsGetNexts: true,
    };
    this.repetitions = settings.maxRepetitions;
    this.v1 = settings.version === '1';
    if (raw) {
      this.session = raw;
    } else if (settings.version === '3') {
      const level = settings.securityLevel ?? (settings.privKey ? 'authPriv' : settings.authKey ? 'authNoPriv' : 'noAuthNoPriv');
      const user: snmp.User = { name: settings.user ?? '', level: snmp.SecurityLevel[level] };
      if (level !== 'noAuthNoPriv') { user.authProtocol = AUTH[settings.authProtocol ?? 'sha']; user.authKey = settings.authKey; }
      if (level === 'authPriv') { user.privProtocol = PRIV[settings.privProtocol ?? 'aes']; user.privKey = settings.privKey; }
      this.session = snmp.createV3Session(address, user, { ...common, version: snmp.Version3, context: settings.context ?? '' });
    } else {
      this.session = snmp.createSession(address, settings.community, { ...common, version: this.v1 ? snmp.Version1 : snmp.Version2c });
    }
    // Undecodable answers and socket errors arrive as 'error' events, and the request then times out:
    // remember them so that the timeout can say the agent sent garbage rather than nothing.
    this.session.on('error', (err: Error) => { this.lastGarbage = { at: Date.now(), message: redactSecrets(err?.message ?? String(err), settings) }; });
  }

  get varbinds(): number { return this.count; }

  engine(): { boots: number; time: number } | undefined {
    const p = (this.session as unknown as { msgSecurityParameters?: { msgAuthoritativeEngineBoots?: number; msgAuthoritativeEngineTime?: number } }).msgSecurityParameters;
    if (this.settings.version !== '3' || !p || p.msgAuthoritativeEngineBoots === undefined) return undefined;
    return { boots: p.msgAuthoritativeEngineBoots, time: p.msgAuthoritativeEngineTime ?? 0 };
  }

  close(): void {
    try { this.session.close(); } catch { /* already closed */ }
  }

  private request<R>(what: string, signal: AbortSignal | undefined, send: (cb: (err: Error | null, vbs: R) => void) => void): Promise<R> {
    if (signal?.aborted) return Promise.reject(new SnmpError('timeout', `${what}: poll aborted (deadline passed)`));
    const sentAt = Date.now();
    return new Promise<R>((resolve, reject) => {
      let done = false;
      const onAbort = () => { if (!done) { done = true; reject(new SnmpError('timeout', `${what}: poll aborted (deadline passed)`)); } };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        send((err, vbs) => {
          signal?.removeEventListener('abort', onAbort);
          if (done) return;
          done = true;
          if (!err) { resolve(vbs); return; }
          const e = classifyError(err, what, this.settings);
          const g = this.lastGarbage;
          if (e.kind === 'timeout' && g && g.at >= sentAt) reject(new SnmpError('garbage', `the agent answered ${what} with something that is not a valid SNMP message (${g.message})`, { cause: e.cause }));
          else reject(e);
        });
      } catch (err) {
        signal?.removeEventListener('abort', onAbort);
        done = true;
        reject(classifyError(err, what, this.settings));
      }
    });
  }

  async get(oids: readonly string[], signal?: AbortSignal): Promise<(SnmpValue | undefined)[]> {
    if (oids.length === 0) return [];
    const out: (SnmpValue | undefined)[] = [];
    // Agents limit PDU sizes; 30 scalars per GET stays well under the smallest common limit.
    for (let i = 0; i < oids.length; i += 30) {
      const chunk = oids.slice(i, i + 30);
      try {
        const vbs = await this.request<snmp.Varbind[]>(`GET ${chunk[0]}${chunk.length > 1 ? ` (+${chunk.length - 1})` : ''}`, signal, (cb) => this.session.get([...chunk], cb as unknown as snmp.GetSetCallback));
        this.count += vbs.length;
        for (const vb of vbs) out.push(varbindValue(vb));
      } catch (err) {
        // v1 fails a whole GET with noSuchName when one OID is absent: ask one by one so the rest still arrive.
        if (this.v1 && err instanceof SnmpError && err.kind === 'other' && chunk.length > 1) {
          for (const oid of chunk) out.push((await this.get([oid], signal).catch((e: unknown) => {
            if (e instanceof SnmpError && e.kind === 'other') return [undefined];
            throw e;
          }))[0]);
        } else if (this.v1 && err instanceof SnmpError && err.kind === 'other') {
          out.push(undefined);
        } else throw err;
      }
    }
    return out;
  }

  async firstUnder(oids: readonly string[], signal?: AbortSignal): Promise<(string | undefined)[]> {
    const out: (string | undefined)[] = [];
    // One GETNEXT PDU with a varbind per OID (30 at most, as GET), so that N existence probes cost one request.
    for (let i = 0; i < oids.length; i += 30) {
      const chunk = oids.slice(i, i + 30);
      let vbs: snmp.Varbind[];
      try {
        vbs = await this.request<snmp.Varbind[]>(`GETNEXT ${chunk[0]}${chunk.length > 1 ? ` (+${chunk.length - 1})` : ''}`, signal, (cb) => this.session.getNext([...chunk], cb as unknown as snmp.GetSetCallback));
      } catch (err) {
        // v1 fails the whole GETNEXT with noSuchName when one OID runs off the end of the MIB: ask one by one.
        if (this.v1 && err instanceof SnmpError && err.kind === 'other') {
          if (chunk.length === 1) out.push(undefined);
          else for (const oid of chunk) out.push((await this.firstUnder([oid], signal))[0]);
          continue;
        }
        throw err;
      }
      this.count += vbs.length;
      for (const [j, oid] of chunk.entries()) out.push(vbs[j] && vbs[j].type !== T.EndOfMibView && inSubtree(vbs[j].oid, oid) ? vbs[j].oid : undefined);
    }
    return out;
  }

  async walk(columns: readonly string[], signal?: AbortSignal): Promise<ColumnValues> {
    const result: ColumnValues = new Map();
    for (const c of columns) result.set(c, new Map());
    const unique = [...new Set(columns)];
    const groups = this.v1 ? planWalk(unique, new Map(), 1, 1) : planWalk(unique, this.rowsSeen, this.repetitions, this.budget());
    for (const g of groups) {
      await this.walkGroup(g.columns, result, signal, g.reps);
      if (!this.v1) for (const c of g.columns) this.rowsSeen.set(c, result.get(c)!.size);
    }
    return result;
  }

  /** Varbinds one GETBULK may ask for (columns x repetitions): ours, or the agent's own cap once it showed one. */
  private budget(): number {
    return Math.min(Math.max(this.settings.maxRepetitions * 4, MIN_VARBINDS_PER_REQUEST), this.agentMax ?? Infinity);
  }

  /**
   * Walks a few columns side by side: each request continues every unfinished column from its last OID.
   * `hint` caps the repetitions while no column has more rows than at the last walk (see walk-plan.ts).
   */
  private async walkGroup(columns: string[], result: ColumnValues, signal?: AbortSignal, hint?: number): Promise<void> {
    const cursor = new Map<string, string>(columns.map((c) => [c, c]));
    for (let round = 0; round < MAX_ROUNDS && cursor.size > 0; round++) {
      const active = [...cursor.keys()];
      const from = active.map((c) => cursor.get(c)!);
      let rows: snmp.Varbind[][];
      let asked = 1;
      if (this.v1) {
        let vbs: snmp.Varbind[];
        try {
          vbs = await this.request<snmp.Varbind[]>(`GETNEXT ${from[0]}`, signal, (cb) => this.session.getNext(from, cb as unknown as snmp.GetSetCallback));
        } catch (err) {
          // v1 signals the end of the MIB with noSuchName: walk the columns one at a time to find which ended.
          if (err instanceof SnmpError && err.kind === 'other') {
            if (active.length === 1) { cursor.delete(active[0]!); continue; }
            for (const c of active) {
              const one = new Map([[c, cursor.get(c)!]]);
              await this.walkOneV1(c, one.get(c)!, result, signal);
              cursor.delete(c);
            }
            continue;
          }
          throw err;
        }
        rows = vbs.map((vb) => [vb]);
      } else {
        const reps = Math.max(1, Math.min(this.repetitions, Math.floor(this.budget() / from.length), hint ?? Infinity));
        asked = reps;
        try {
          rows = await this.request<snmp.Varbind[][]>(`GETBULK ${from[0]}${from.length > 1 ? ` (+${from.length - 1} columns)` : ''}`, signal,
            (cb) => this.session.getBulk(from, 0, reps, cb as unknown as snmp.GetBulkCallback));
        } catch (err) {
          if (err instanceof SnmpError && err.kind === 'tooBig' && reps > 1) {
            // Halve what was actually asked for and remember it, so the next poll does not hit the limit again.
            this.repetitions = Math.max(1, Math.floor(reps / 2));
            continue;
          }
          if (err instanceof SnmpError && err.kind === 'tooBig' && active.length > 1) {
            for (const c of active) { await this.walkGroup([c], result, signal); cursor.delete(c); }
            // walkGroup restarted those columns from their start: harmless, values are overwritten in place.
            continue;
          }
          throw err;
        }
      }
      let truncated = false;
      const total = rows.reduce((n, r) => n + (r?.length ?? 0), 0);
      active.forEach((col, i) => {
        const got = rows[i] ?? [];
        const values = result.get(col)!;
        // An answer cut short (too big for the agent's buffer) can leave later columns without a varbind: they have
        // not ended, they go on next round. Only an answer with nothing at all ends them all.
        if (got.length === 0 && total > 0 && !this.v1) { truncated = true; return; }
        let last: string | undefined;
        let finished = got.length === 0;
        for (const vb of got) {
          this.count++;
          if (vb.type === T.EndOfMibView || !inSubtree(vb.oid, col)) { finished = true; break; }
          // A non-increasing OID would loop forever: treat it as the end of this column.
          if (last !== undefined ? compareOids(vb.oid, last) <= 0 : compareOids(vb.oid, cursor.get(col)!) <= 0) { finished = true; break; }
          last = vb.oid;
          const v = varbindValue(vb);
          if (v !== undefined) values.set(vb.oid.slice(col.length + 1), v);
        }
        if (finished || last === undefined) cursor.delete(col);
        else cursor.set(col, last);
        // A column grew past its last walk's rows: its row count no longer says when it ends.
        if (hint !== undefined && !finished && values.size > (this.rowsSeen.get(col) ?? 0)) hint = undefined;
        if (!finished && !this.v1 && got.length < asked) truncated = true;
      });
      // The agent sent fewer repetitions than asked of a column that had not ended: it caps its answers (snmpsimd at
      // 64 varbinds). Asking for more than it gives only makes the planner group badly: remember its cap.
      if (truncated && total > 0) this.agentMax = Math.max(this.agentMax ?? 0, total);
    }
  }

  private async walkOneV1(col: string, start: string, result: ColumnValues, signal?: AbortSignal): Promise<void> {
    let at = start;
    const values = result.get(col)!;
    for (let i = 0; i < MAX_ROUNDS; i++) {
      let vbs: snmp.Varbind[];
      try {
        vbs = await this.request<snmp.Varbind[]>(`GETNEXT ${at}`, signal, (cb) => this.session.getNext([at], cb as unknown as snmp.GetSetCallback));
      } catch (err) {
        if (err instanceof SnmpError && err.kind === 'other') return;
        throw err;
      }
      const vb = vbs[0];
      this.count++;
      if (!vb || !inSubtree(vb.oid, col) || compareOids(vb.oid, at) <= 0) return;
      const v = varbindValue(vb);
      if (v !== undefined) values.set(vb.oid.slice(col.length + 1), v);
      at = vb.oid;
    }
  }
}

/** Opens a session for a device's SNMP settings. */
export function openSession(address: string, settings: SnmpSettings): SnmpSession {
  return new NetSnmpSession(address, settings);
}
