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
 * True for printable ASCII within the cap and without a space at either end: what {@link deviceText} would return
 * unchanged. Most device text is that (interface names, indexes), and this loop is far cheaper than the regex.
 */
function isPlainText(s: string): boolean {
  const n = s.length;
  if (n > DEVICE_TEXT_MAX_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return n === 0 || (s.charCodeAt(0) !== 0x20 && s.charCodeAt(n - 1) !== 0x20);
}

/**
 * A device's string made safe to keep: control runs replaced by a space, trimmed, and cut to
 * {@link DEVICE_TEXT_MAX_BYTES} UTF-8 bytes at a character boundary (never half a character).
 */
export function deviceText(raw: string): string {
  if (isPlainText(raw)) return raw;
  // Nothing longer than 4 x the cap can survive the cut (one byte per character at least, after collapsing).
  const head = raw.length > MAX_DECODED_BYTES ? raw.slice(0, MAX_DECODED_BYTES) : raw;
  const clean = head.replace(CONTROL_RUN, ' ').trim();
  return capUtf8(clean, DEVICE_TEXT_MAX_BYTES).trimEnd();
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lossyUtf8 = new TextDecoder('utf-8', { fatal: false });
const gb18030 = new TextDecoder('gb18030', { fatal: true });

/**
 * True when every byte is ASCII or part of a GB2312 (EUC-CN) double-byte character, with at least one Han
 * character among them: the code page the consoles of Huawei, H3C, Ruijie and ZTE gear write sysLocation, ifAlias
 * and log text in when an engineer typed Chinese. Random binary (a MAC, a bit string) rarely passes: each pair
 * must fall in 94 x 94 of 65,536 values and one must be a Han character (lead byte 0xB0-0xF7).
 */
function looksGb2312(b: Uint8Array): boolean {
  let han = false;
  for (let i = 0; i < b.length; i++) {
    const x = b[i]!;
    if (x < 0x80) continue;
    const y = b[i + 1];
    if (x < 0xa1 || x > 0xf7 || y === undefined || y < 0xa1 || y > 0xfe) return false;
    if (x >= 0xb0) han = true;
    i++;
  }
  return han;
}

/**
 * Bytes a device sent as text: UTF-8 when they are valid UTF-8; else GB2312/GBK when they read as such (see
 * {@link looksGb2312}); else UTF-8 with replacement characters, `invalid` set. One rule for SNMP strings, trap
 * values and syslog lines.
 */
export function decodeDeviceBytes(bytes: Uint8Array): { text: string; invalid: boolean } {
  try {
    return { text: strictUtf8.decode(bytes), invalid: false };
  } catch { /* not UTF-8: try the Chinese console code page next */ }
  if (looksGb2312(bytes)) {
    try { return { text: gb18030.decode(bytes), invalid: false }; } catch { /* not GB either */ }
  }
  return { text: lossyUtf8.decode(bytes), invalid: true };
}

function isPrintableAscii(b: Buffer, end: number): boolean {
  for (let i = 0; i < end; i++) {
    const x = b[i]!;
    if (x < 0x20 || x > 0x7e) return false;
  }
  return true;
}

/** An OCTET STRING as device text: UTF-8 or GBK, trailing NULs dropped, only the first bytes decoded. */
export function deviceTextFromBytes(bytes: Buffer): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  // Printable ASCII (most names and descriptions) reads the same in every decoding tried below: skip them.
  if (end <= MAX_DECODED_BYTES && isPrintableAscii(bytes, end)) return deviceText(bytes.toString('latin1', 0, end));
  let cut = bytes.subarray(0, Math.min(end, MAX_DECODED_BYTES));
  // A cut through the last double-byte character of a GBK string: leave that half out rather than garble it all.
  if (cut.length < end && looksGb2312(cut.subarray(0, cut.length - 1)) && !looksGb2312(cut)) cut = cut.subarray(0, cut.length - 1);
  return deviceText(decodeDeviceBytes(cut).text);
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
