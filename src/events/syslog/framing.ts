/**
 * Splits a syslog TCP stream into messages (RFC 6587): octet-counted frames (`123 <13>1 ...`) and
 * newline-terminated ones, chosen per frame by its first byte. A frame longer than `maxBytes` keeps its first
 * `maxBytes` (flagged truncated) and the rest is skipped, so one endless line costs one message, not many.
 */
export interface Frame { bytes: Buffer; truncated: boolean }

/** Digits of an octet count at most (99,999,999 bytes): more is not a count but garbage. */
const MAX_COUNT_DIGITS = 8;

export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes still to skip from an over-long octet-counted frame. */
  private skipBytes = 0;
  /** Skipping the rest of an over-long newline-terminated line. */
  private skipLine = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk]);
    const out: Frame[] = [];
    for (;;) {
      if (this.skipBytes > 0) {
        const n = Math.min(this.skipBytes, this.buf.length);
        this.skipBytes -= n;
        this.buf = this.buf.subarray(n);
        if (this.skipBytes > 0) return out;
      }
      if (this.skipLine) {
        const nl = this.buf.indexOf(10);
        if (nl < 0) { this.buf = Buffer.alloc(0); return out; }
        this.buf = this.buf.subarray(nl + 1);
        this.skipLine = false;
      }
      while (this.buf.length > 0 && (this.buf[0] === 10 || this.buf[0] === 13 || this.buf[0] === 0)) this.buf = this.buf.subarray(1);
      if (this.buf.length === 0) return out;
      const frame = this.buf[0]! >= 48 && this.buf[0]! <= 57 ? this.octetCounted() : this.newlineFramed();
      if (!frame) return out;
      out.push(frame);
    }
  }

  /** What is left when the connection closes: a last line without its newline is still a message. */
  end(): Frame[] {
    if (this.skipBytes > 0 || this.skipLine || this.buf.length === 0) return [];
    const f = { bytes: this.buf.subarray(0, this.maxBytes), truncated: this.buf.length > this.maxBytes };
    this.buf = Buffer.alloc(0);
    return [f];
  }

  private octetCounted(): Frame | undefined {
    let i = 0;
    while (i < this.buf.length && i <= MAX_COUNT_DIGITS && this.buf[i]! >= 48 && this.buf[i]! <= 57) i++;
    if (i === this.buf.length) return undefined; // the count is still arriving
    if (this.buf[i] !== 32 || i > MAX_COUNT_DIGITS) return this.newlineFramed(); // digits, but not a count: a plain line
    const count = Number(this.buf.subarray(0, i).toString('latin1'));
    const start = i + 1;
    if (count <= this.maxBytes) {
      if (this.buf.length < start + count) return undefined;
      const bytes = this.buf.subarray(start, start + count);
      this.buf = this.buf.subarray(start + count);
      return { bytes, truncated: false };
    }
    if (this.buf.length < start + this.maxBytes) return undefined;
    const bytes = Buffer.from(this.buf.subarray(start, start + this.maxBytes));
    const have = this.buf.length - start;
    const skipNow = Math.min(have, count);
    this.skipBytes = count - skipNow;
    this.buf = this.buf.subarray(start + skipNow);
    return { bytes, truncated: true };
  }

  private newlineFramed(): Frame | undefined {
    const nl = this.buf.indexOf(10);
    if (nl >= 0 && nl <= this.maxBytes) {
      const bytes = this.buf.subarray(0, nl);
      this.buf = this.buf.subarray(nl + 1);
      return { bytes, truncated: false };
    }
    if (this.buf.length <= this.maxBytes) return undefined; // wait for the newline
    const bytes = Buffer.from(this.buf.subarray(0, this.maxBytes));
    if (nl >= 0) this.buf = this.buf.subarray(nl + 1);
    else { this.buf = Buffer.alloc(0); this.skipLine = true; }
    return { bytes, truncated: true };
  }
}
