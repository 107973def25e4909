import { numberToIpv4, parseIpv4Range, type Ipv4Range } from '../config/sections/discovery.js';

/** Most addresses one run may sweep across all its ranges (four /16s): a bound on the memory and time of a run. */
export const MAX_RUN_ADDRESSES = 262_144;

/** A range as the operator wrote it, parsed. */
export interface NamedRange extends Ipv4Range { text: string }

/** Parses ranges, throwing an Error that names the one that is wrong (CLI arguments; config is checked by its schema). */
export function parseRanges(texts: readonly string[], what: string, bounded = true): NamedRange[] {
  return texts.map((text) => {
    const r = parseIpv4Range(text, bounded);
    if (typeof r === 'string') throw new Error(`${what} "${text.slice(0, 60)}": ${r}`);
    return { ...r, text };
  });
}

/**
 * The addresses a sweep sends to, in order, without duplicates and without any excluded address. A CIDR of
 * /30 or larger loses its network and broadcast addresses, as `fping -g` does.
 */
export function expandTargets(ranges: readonly NamedRange[], exclude: readonly NamedRange[]): string[] {
  const excluded = (n: number) => exclude.some((e) => n >= e.first && n <= e.last);
  const seen = new Set<number>();
  const out: string[] = [];
  for (const r of ranges) {
    const isCidr = r.text.includes('/');
    const size = r.last - r.first + 1;
    const from = isCidr && size >= 4 ? r.first + 1 : r.first;
    const to = isCidr && size >= 4 ? r.last - 1 : r.last;
    for (let n = from; n <= to; n++) {
      if (seen.has(n) || excluded(n)) continue;
      seen.add(n);
      out.push(numberToIpv4(n));
      if (out.length > MAX_RUN_ADDRESSES) throw new Error(`more than ${MAX_RUN_ADDRESSES.toLocaleString('en-US')} addresses in one run: sweep fewer ranges at a time`);
    }
  }
  return out;
}

/** True when `address` lies in one of `ranges` (for seeds: a neighbour's address must not escape the excludes). */
export function inRanges(address: string, ranges: readonly NamedRange[]): boolean {
  const r = parseIpv4Range(address, false);
  return typeof r !== 'string' && ranges.some((x) => r.first >= x.first && r.first <= x.last);
}
