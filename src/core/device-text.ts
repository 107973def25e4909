/**
 * Text a device controls (sysName, sysDescr, ifAlias, sensor and mount names, any OCTET STRING) is hostile
 * until bounded: it becomes tags and fields in InfluxDB, keys in memory, input to profile regexes, and lines
 * on the wall. Every such string passes through {@link deviceText} once, where it enters Noctua.
 */

/** Longest device text kept, in UTF-8 bytes (docs/SCHEMA.md, "Device text"). */
export const DEVICE_TEXT_MAX_BYTES = 255;

/**
 * C0 and C1 control characters, DEL, and the Unicode characters that reorder or break lines where they are shown
 * (bidirectional embeddings, overrides and isolates, line and paragraph separators). A run becomes one space,
 * so the lines of a multi-line sysDescr stay separate words. One character class: no backtracking.
 */
export const CONTROL_RUN = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/** Bytes read from an OCTET STRING at most: enough for 255 bytes of text after control runs shrink. */
const MAX_DECODED_BYTES = DEVICE_TEXT_MAX_BYTES * 4;

/**
 * A device's string made safe to keep: control runs replaced by a space, trimmed, and cut to
 * {@link DEVICE_TEXT_MAX_BYTES} UTF-8 bytes at a character boundary (never half a character).
 */
export function deviceText(raw: string): string {
  // Nothing longer than 4 x the cap can survive the cut (one byte per character at least, after collapsing).
  const head = raw.length > MAX_DECODED_BYTES ? raw.slice(0, MAX_DECODED_BYTES) : raw;
  const clean = head.replace(CONTROL_RUN, ' ').trim();
  return capUtf8(clean, DEVICE_TEXT_MAX_BYTES).trimEnd();
}

/** An OCTET STRING as device text: UTF-8, trailing NULs dropped, only the first bytes decoded. */
export function deviceTextFromBytes(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return deviceText(bytes.subarray(0, Math.min(end, MAX_DECODED_BYTES)).toString('utf8'));
}

/** `text` cut to at most `maxBytes` UTF-8 bytes, ending on a whole character (surrogate pairs kept together). */
export function capUtf8(text: string, maxBytes: number): string {
  // Each UTF-16 code unit is at most 3 UTF-8 bytes: short strings need no counting.
  if (text.length * 3 <= maxBytes || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  let bytes = 0;
  let i = 0;
  while (i < text.length) {
    const code = text.codePointAt(i)!;
    const width = code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
    if (bytes + width > maxBytes) break;
    bytes += width;
    i += code >= 0x10000 ? 2 : 1;
  }
  return text.slice(0, i);
}

/** Tags and string fields of a sample, each bounded as device text (numbers and booleans are left alone). */
export function boundDeviceStrings<T extends { tags: Record<string, string>; fields: Record<string, unknown> }>(sample: T): T {
  for (const [k, v] of Object.entries(sample.tags)) sample.tags[k] = deviceText(v);
  for (const [k, v] of Object.entries(sample.fields)) if (typeof v === 'string') sample.fields[k] = deviceText(v);
  return sample;
}
