import { closeSync, openSync, readSync } from 'node:fs';

/**
 * Counts occurrences of `marker` in a file a peer keeps appending to (snmptrapd's and rsyslogd's output), reading
 * only what was added since the last call: how many messages the peer has written out so far.
 */
export function outputCounter(file: string, marker: string): () => number {
  const needle = Buffer.from(marker);
  const buf = Buffer.alloc(1 << 20);
  let offset = 0, count = 0;
  // The tail of the last read that may hold the start of a marker cut by the read boundary.
  let carry = Buffer.alloc(0);
  return () => {
    let fd: number;
    try { fd = openSync(file, 'r'); } catch { return count; }
    try {
      // Bounded: at most 1 GiB per call, far more than any run writes.
      for (let reads = 0; reads < 1024; reads++) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        offset += n;
        const chunk = carry.length ? Buffer.concat([carry, buf.subarray(0, n)]) : buf.subarray(0, n);
        let at = chunk.indexOf(needle), last = -1;
        while (at >= 0) { count++; last = at; at = chunk.indexOf(needle, at + needle.length); }
        const keepFrom = Math.max(last + needle.length, chunk.length - needle.length + 1);
        carry = Buffer.from(chunk.subarray(Math.max(0, keepFrom)));
      }
    } finally { closeSync(fd); }
    return count;
  };
}
