/**
 * One batch of line protocol being filled: each line is copied as UTF-8 into one growing buffer as soon as it is
 * encoded, so no line string (nor the pieces it was concatenated from) outlives the call that made it. Lines kept
 * as strings until the batch was full survived young-generation collections by the thousand; that copying was
 * most of the writer's GC time. The finished body is what goes on the wire and, unchanged, into the spool.
 */
export class BatchBody {
  private buf = Buffer.alloc(0);
  private used = 0;
  /** The largest body finished so far: the next one starts at about that size instead of doubling its way up. */
  private largest = 0;
  /** Lines (points) in the body so far. */
  points = 0;

  /** Appends one line (a newline goes between lines). */
  add(line: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit (a surrogate pair, 2 units, takes 4).
    const room = line.length * 3 + 1;
    if (this.used + room > this.buf.length) this.grow(this.used + room);
    if (this.points > 0) this.buf[this.used++] = 10;
    this.used += this.buf.write(line, this.used, 'utf8');
    this.points++;
  }

  /** Bytes written so far. */
  get bytes(): number {
    return this.used;
  }

  /** Returns the body and starts an empty one: a view when most of the buffer is used, else a copy of its own size (a queued batch holds no slack). */
  finish(): Buffer {
    this.largest = Math.max(this.largest, this.used);
    const body = this.used * 2 >= this.buf.length ? this.buf.subarray(0, this.used) : Buffer.from(this.buf.subarray(0, this.used));
    this.buf = Buffer.alloc(0);
    this.used = 0;
    this.points = 0;
    return body;
  }

  private grow(need: number): void {
    const next = Buffer.allocUnsafe(Math.max(need, this.buf.length * 2, Math.ceil(this.largest * 1.1), 4096));
    this.buf.copy(next, 0, 0, this.used);
    this.buf = next;
  }
}
