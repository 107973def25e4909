import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { organisationCore } from './short-name.js';

/**
 * The IANA Private Enterprise Numbers registry as shipped with Noctua: number -> organisation name.
 * Built by scripts/build-enterprises.ts from Debian's libwireshark-data copy; read once, on first use.
 *
 * File format (enterprises.tsv.gz, UTF-8 after gunzip): lines starting with `#` are comments; every other
 * line is `<gap>\t<organisation>` where the number is the previous line's number + 1 + gap (an empty gap
 * means 0). Consecutive numbers thus cost no digits.
 */

/** The registry file shipped in the repository. */
export const REGISTRY_FILE = join(dirname(fileURLToPath(import.meta.url)), 'enterprises.tsv.gz');

/** Parses the registry as Wireshark's enterprises.tsv has it (`number<TAB>name  # remark`), keeping {@link organisationCore} of each name. */
export function parseWiresharkRegistry(text: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const tab = line.search(/\s/);
    if (tab <= 0) continue;
    const n = Number(line.slice(0, tab));
    if (!Number.isInteger(n) || n < 0) continue;
    let name = line.slice(tab).trim();
    const remark = name.indexOf('\t#');
    if (remark >= 0) name = name.slice(0, remark);
    name = organisationCore(name);
    if (name !== '') out.set(n, name);
  }
  return out;
}

/** Writes the compact form described above (without gzip). */
export function encodeRegistry(entries: Map<number, string>, header: readonly string[]): string {
  const lines = header.map((h) => `# ${h}`);
  let prev = -1;
  for (const n of [...entries.keys()].sort((a, b) => a - b)) {
    const gap = n - prev - 1;
    lines.push(`${gap === 0 ? '' : gap}\t${entries.get(n)!.replace(/[\t\n]/g, ' ')}`);
    prev = n;
  }
  return lines.join('\n') + '\n';
}

/** Reads the compact form back. */
export function decodeRegistry(text: string): Map<number, string> {
  const out = new Map<number, string>();
  let prev = -1;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const gap = tab === 0 ? 0 : Number(line.slice(0, tab));
    if (!Number.isInteger(gap) || gap < 0) throw new Error(`${REGISTRY_FILE}: bad gap "${line.slice(0, tab)}" (expected a whole number)`);
    prev += 1 + gap;
    out.set(prev, line.slice(tab + 1));
  }
  return out;
}

let loaded: Map<number, string> | undefined;

/** The organisation the IANA registry lists for an enterprise number (the file is read on the first call). */
export function organisationOf(n: number): string | undefined {
  loaded ??= decodeRegistry(gunzipSync(readFileSync(REGISTRY_FILE)).toString('utf8'));
  return loaded.get(n);
}
