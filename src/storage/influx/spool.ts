import { closeSync, fsyncSync, openSync } from 'node:fs';
import { chmod, open, readdir, readFile, rm, stat, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE, ensurePrivateDir, openPrivate, writePrivateFile } from '../../core/private-files.js';
import { crc32 } from 'node:zlib';
import type { Logger } from '../../core/log.js';
import type { WritePrecision } from './line-protocol.js';

/**
 * On-disk layout: `<dir>/<12-digit id>.seg` segment files, each a run of records
 *   magic "NSP1" | precision u8 (0 = s, 1 = ms) | 3 bytes zero | points u32 | length u32 | crc32 u32 | payload
 * (all big-endian; payload = line protocol, UTF-8), and `<dir>/cursor` = "<segment id> <byte offset>" of the
 * oldest record not yet acknowledged by InfluxDB. Segments are only ever appended to, then deleted whole.
 */
const MAGIC = Buffer.from('NSP1');
const HEADER = 20;
const SEGMENT_RE = /^(\d{12})\.seg$/;

/** One spooled batch, as read back for replay. */
export interface SpoolRecord {
  segment: number;
  offset: number;
  /** The batch as stored: UTF-8 line protocol, sent as it is. */
  bytes: Buffer;
  /** The same batch as text (decoded on first use). */
  readonly payload: string;
  points: number;
  precision: WritePrecision;
}

/** What the spool holds and what it had to give up, for stats and self metrics. */
export interface SpoolStats {
  bytes: number;
  segments: number;
  records: number;
  points: number;
  droppedPoints: number;
  droppedSegments: number;
}

interface RecordEntry { offset: number; size: number; points: number }
interface Segment { id: number; bytes: number; records: RecordEntry[]; next: number }

/** Options of {@link Spool.open}. */
export interface SpoolOptions {
  dir: string;
  maxBytes: number;
  segmentBytes: number;
  log: Logger;
}

function segmentName(id: number): string {
  return `${String(id).padStart(12, '0')}.seg`;
}

function encodeRecord(payload: string | Uint8Array, points: number, precision: WritePrecision): Buffer {
  // The writer hands over the UTF-8 body it sent; only text callers are encoded here.
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(HEADER);
  MAGIC.copy(head, 0);
  head.writeUInt8(precision === 'ms' ? 1 : 0, 4);
  head.writeUInt32BE(points, 8);
  head.writeUInt32BE(body.length, 12);
  head.writeUInt32BE(crc32(body), 16);
  return Buffer.concat([head, body]);
}

/**
 * The append-only, fsync'd, segmented disk spool that holds batches while InfluxDB cannot take them,
 * and gives them back oldest first. Operations are serialised, so appends and acknowledgements
 * never interleave on disk.
 */
export class Spool {
  private segments: Segment[] = [];
  private active: { id: number; fh: FileHandle } | undefined;
  private nextId = 1;
  private chain: Promise<unknown> = Promise.resolve();
  private unacked = 0;
  private unackedPoints = 0;
  private droppedPoints = 0;
  private droppedSegments = 0;
  private closed = false;

  private constructor(private readonly opts: SpoolOptions) {}

  /** Opens (or creates) the spool in `opts.dir`, checking every record and cutting a torn tail left by a crash. */
  static async open(opts: SpoolOptions): Promise<Spool> {
    const spool = new Spool(opts);
    await spool.load();
    return spool;
  }

  private async load(): Promise<void> {
    const { dir, log } = this.opts;
    await ensurePrivateDir(dir);
    let cursor = { segment: 0, offset: 0 };
    try {
      const [seg, off] = (await readFile(join(dir, 'cursor'), 'utf8')).trim().split(' ').map(Number);
      if (Number.isInteger(seg) && Number.isInteger(off)) cursor = { segment: seg!, offset: off! };
    } catch { /* no cursor yet: nothing acknowledged */ }
    const ids = (await readdir(dir)).map((f) => SEGMENT_RE.exec(f)?.[1]).filter((x): x is string => x !== undefined).map(Number).sort((a, b) => a - b);
    for (const id of ids) {
      this.nextId = Math.max(this.nextId, id + 1);
      const file = join(dir, segmentName(id));
      if (id < cursor.segment) { await rm(file, { force: true }); continue; }
      // A segment written by a version that left the umask's mode: tighten it before keeping it.
      await chmod(file, PRIVATE_FILE_MODE);
      const buf = await readFile(file);
      const records: RecordEntry[] = [];
      let offset = 0;
      while (offset < buf.length) {
        const ok = offset + HEADER <= buf.length && buf.subarray(offset, offset + 4).equals(MAGIC);
        const length = ok ? buf.readUInt32BE(offset + 12) : 0;
        const whole = ok && offset + HEADER + length <= buf.length;
        if (!whole || crc32(buf.subarray(offset + HEADER, offset + HEADER + length)) !== buf.readUInt32BE(offset + 16)) {
          log.warn({ file, offset, bytes: buf.length - offset }, 'spool: cutting a torn or damaged record at the end of a segment (a write interrupted by a crash was never acknowledged to the bus)');
          await truncate(file, offset);
          break;
        }
        records.push({ offset, size: HEADER + length, points: buf.readUInt32BE(offset + 8) });
        offset += HEADER + length;
      }
      const next = id === cursor.segment ? records.findIndex((r) => r.offset >= cursor.offset) : 0;
      const seg: Segment = { id, bytes: offset, records, next: next === -1 ? records.length : next };
      if (seg.next >= records.length) { await rm(file, { force: true }); continue; }
      this.segments.push(seg);
      for (const r of records.slice(seg.next)) { this.unacked++; this.unackedPoints += r.points; }
    }
    if (this.unacked > 0) log.info({ dir, records: this.unacked, points: this.unackedPoints }, 'spool: replaying what a previous run left');
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const run = this.chain.then(op, op);
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** True when nothing waits in the spool, counting appends still on their way to disk. */
  isEmpty(): boolean {
    return this.unacked === 0;
  }

  /** Appends one batch durably (written and fsync'd before the promise resolves), then applies the size cap. */
  append(payload: string | Uint8Array, points: number, precision: WritePrecision): Promise<void> {
    if (this.closed) return Promise.reject(new Error('spool is closed'));
    this.unacked++;
    this.unackedPoints += points;
    return this.serial(async () => {
      try {
        const rec = encodeRecord(payload, points, precision);
        let seg = this.segments.at(-1);
        if (!this.active || !seg || seg.id !== this.active.id || (seg.bytes > 0 && seg.bytes + rec.length > this.opts.segmentBytes)) {
          seg = await this.startSegment();
        }
        await this.active!.fh.write(rec, 0, rec.length, seg.bytes);
        await this.active!.fh.sync();
        seg.records.push({ offset: seg.bytes, size: rec.length, points });
        seg.bytes += rec.length;
      } catch (err) {
        this.unacked--;
        this.unackedPoints -= points;
        throw err;
      }
      this.enforceCap();
    });
  }

  private async startSegment(): Promise<Segment> {
    if (this.active) await this.active.fh.close();
    const id = this.nextId++;
    const fh = await openPrivate(join(this.opts.dir, segmentName(id)), 'wx+');
    // The new file's directory entry must survive a power cut as well as its contents.
    const dirFd = openSync(this.opts.dir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
    this.active = { id, fh };
    const seg: Segment = { id, bytes: 0, records: [], next: 0 };
    this.segments.push(seg);
    return seg;
  }

  private totalBytes(): number {
    let n = 0;
    for (const s of this.segments) n += s.bytes;
    return n;
  }

  /** Over the cap, the oldest segment goes: the one documented way samples are lost. Said loudly and counted. */
  private enforceCap(): void {
    while (this.totalBytes() > this.opts.maxBytes && this.segments.length > 1) {
      const seg = this.segments.shift()!;
      let points = 0;
      const pending = seg.records.slice(seg.next);
      for (const r of pending) points += r.points;
      this.unacked -= pending.length;
      this.unackedPoints -= points;
      this.droppedPoints += points;
      this.droppedSegments++;
      rm(join(this.opts.dir, segmentName(seg.id)), { force: true }).catch((err: unknown) => {
        this.opts.log.error({ err, segment: segmentName(seg.id) }, 'spool: could not delete a dropped segment; the next start would replay it');
      });
      this.opts.log.error(
        { segment: segmentName(seg.id), droppedPoints: points, maxBytes: this.opts.maxBytes, totalDroppedPoints: this.droppedPoints },
        'spool: SIZE CAP REACHED, dropped the oldest segment; these samples are lost (InfluxDB has been unreachable for too long)',
      );
    }
  }

  /** The oldest batch not yet acknowledged, or undefined when the spool is empty. */
  head(): Promise<SpoolRecord | undefined> {
    return this.serial(async () => {
      const seg = this.segments[0];
      const entry = seg?.records[seg.next];
      if (!seg || !entry) return undefined;
      const fh = this.active?.id === seg.id ? this.active.fh : await open(join(this.opts.dir, segmentName(seg.id)), 'r');
      try {
        const buf = Buffer.alloc(entry.size);
        await fh.read(buf, 0, entry.size, entry.offset);
        const bytes = buf.subarray(HEADER);
        let text: string | undefined;
        return {
          segment: seg.id, offset: entry.offset, points: entry.points,
          precision: buf.readUInt8(4) === 1 ? 'ms' : 's',
          bytes,
          // Replay sends the bytes; only a refused batch (or a text caller) needs them decoded.
          get payload() { return (text ??= bytes.toString('utf8')); },
        } satisfies SpoolRecord;
      } finally {
        if (fh !== this.active?.fh) await fh.close();
      }
    });
  }

  /** Marks `record` as stored in InfluxDB; a segment whose records are all acknowledged is deleted. */
  ack(record: SpoolRecord): Promise<void> {
    return this.serial(async () => {
      const seg = this.segments[0];
      // The cap may have dropped the segment while its record was on the wire.
      if (!seg || seg.id !== record.segment || seg.records[seg.next]?.offset !== record.offset) return;
      seg.next++;
      this.unacked--;
      this.unackedPoints -= record.points;
      if (seg.next >= seg.records.length) {
        this.segments.shift();
        if (this.active?.id === seg.id) { await this.active.fh.close(); this.active = undefined; }
        await rm(join(this.opts.dir, segmentName(seg.id)), { force: true });
        await this.writeCursor(seg.id + 1, 0);
      } else {
        await this.writeCursor(seg.id, seg.records[seg.next]!.offset);
      }
    });
  }

  // Losing the cursor only means replaying acknowledged batches again, which InfluxDB absorbs (same points
  // overwrite themselves), so it is replaced atomically but not fsync'd on every acknowledgement.
  private async writeCursor(segment: number, offset: number): Promise<void> {
    await writePrivateFile(join(this.opts.dir, 'cursor'), `${segment} ${offset}\n`);
  }

  /** Sizes and losses so far. */
  stats(): SpoolStats {
    return {
      bytes: this.totalBytes(), segments: this.segments.length, records: this.unacked, points: this.unackedPoints,
      droppedPoints: this.droppedPoints, droppedSegments: this.droppedSegments,
    };
  }

  /** Waits for pending appends and closes the open segment; what is left is replayed by the next open. */
  close(): Promise<void> {
    const done = this.serial(async () => {
      if (this.active) { await this.active.fh.close(); this.active = undefined; }
    });
    this.closed = true;
    return done;
  }
}

/** Bytes a spool directory takes on disk (segments only), for tests and diagnostics. */
export async function spoolDiskBytes(dir: string): Promise<number> {
  let n = 0;
  for (const f of await readdir(dir).catch(() => [] as string[])) if (SEGMENT_RE.test(f)) n += (await stat(join(dir, f))).size;
  return n;
}
