import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The maker of a MAC address from the IEEE registries Debian's `ieee-data` package installs: MA-L (oui.csv,
 * 24-bit prefixes), MA-M (mam.csv, 28-bit) and MA-S (oui36.csv, 36-bit). Read once, on the first lookup, into
 * maps from prefix to an index into one list of distinct organisation names (about 50k prefixes, 2 MB).
 */

/** Where Debian puts the registries. */
export const IEEE_DATA_DIR = '/usr/share/ieee-data';

/** A MAC's maker, or why there is none. */
export interface OuiAnswer { vendor?: string; note?: string }

/** One CSV record's fields (RFC 4180 quoting; the registry quotes names that contain commas). */
function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { out.push(cur); cur = ''; } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The IEEE registries, loaded lazily from a directory. */
export class OuiRegistry {
  private loaded?: { names: string[]; byPrefix: Map<string, number>; lengths: number[] } | { missing: string };

  constructor(private readonly dir = IEEE_DATA_DIR) {}

  private load(): NonNullable<OuiRegistry['loaded']> {
    if (this.loaded) return this.loaded;
    let main: string;
    try { main = readFileSync(join(this.dir, 'oui.csv'), 'utf8'); } catch {
      this.loaded = { missing: `the IEEE OUI registry is not at ${join(this.dir, 'oui.csv')}: install Debian's ieee-data package (apt install ieee-data)` };
      return this.loaded;
    }
    const names: string[] = [];
    const nameIndex = new Map<string, number>();
    const byPrefix = new Map<string, number>();
    const add = (text: string) => {
      for (const line of text.split('\n').slice(1)) {
        const [, assignment, org] = csvFields(line.trim());
        if (!assignment || !org || !/^[0-9A-F]{6,9}$/i.test(assignment)) continue;
        const name = org.trim();
        let i = nameIndex.get(name);
        if (i === undefined) { i = names.length; names.push(name); nameIndex.set(name, i); }
        byPrefix.set(assignment.toUpperCase(), i);
      }
    };
    add(main);
    // The finer registries are optional: without them a 28- or 36-bit block reads as the IEEE's own MA-L entry.
    for (const f of ['mam.csv', 'oui36.csv']) { try { add(readFileSync(join(this.dir, f), 'utf8')); } catch { /* optional */ } }
    this.loaded = { names, byPrefix, lengths: [9, 7, 6] };
    return this.loaded;
  }

  /** The organisation a MAC (aa:bb:cc:dd:ee:ff) was assigned to, longest registered prefix first. */
  lookup(mac: string): OuiAnswer {
    const hex = mac.replace(/[^0-9a-f]/gi, '').toUpperCase();
    if (hex.length !== 12) return { note: 'not a MAC address' };
    const first = Number.parseInt(hex.slice(0, 2), 16);
    if (first & 1) return { note: 'a multicast address (no maker)' };
    if (first & 2) return { note: 'a locally administered address (random or assigned by software; no maker)' };
    const reg = this.load();
    if ('missing' in reg) return { note: reg.missing };
    for (const n of reg.lengths) {
      const i = reg.byPrefix.get(hex.slice(0, n));
      if (i !== undefined) return { vendor: reg.names[i] };
    }
    return { note: 'prefix not in the IEEE registry' };
  }
}
