import { isIPv4, isIPv6 } from 'node:net';

/** What `locate` was asked for: a MAC, an IP address, or part of a host name. */
export type LocateQuery = { kind: 'mac'; mac: string } | { kind: 'ip'; ip: string } | { kind: 'name'; text: string };

/** Longest query accepted (a DNS name's length). */
export const LOCATE_QUERY_MAX = 253;

const MAC_FORMS = [
  /^[0-9a-f]{2}([:-])[0-9a-f]{2}(?:\1[0-9a-f]{2}){4}$/i, // aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff
  /^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i, // aabb.ccdd.eeff (Cisco)
  /^[0-9a-f]{12}$/i, // aabbccddeeff
];
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** What a query may be, for error messages. */
export const LOCATE_EXPECTED = 'a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-cc-dd-ee-ff or aabb.ccdd.eeff), an IPv4/IPv6 address, or part of a host name (letters, digits, . _ -)';

/** Normalises a MAC to aa:bb:cc:dd:ee:ff. */
export function normalMac(text: string): string {
  return text.replace(/[^0-9a-f]/gi, '').toLowerCase().match(/../g)!.join(':');
}

/** Parses a locate query; when it is none of the three, a string saying what was expected (to follow "expected"). */
export function parseLocateQuery(raw: string): LocateQuery | string {
  const q = raw.trim();
  if (q.length === 0) return `${LOCATE_EXPECTED} (not empty)`;
  if (q.length > LOCATE_QUERY_MAX) return `at most ${LOCATE_QUERY_MAX} characters`;
  if (MAC_FORMS.some((re) => re.test(q))) return { kind: 'mac', mac: normalMac(q) };
  if (isIPv4(q)) return { kind: 'ip', ip: q };
  if (isIPv6(q)) return { kind: 'ip', ip: expandIPv6(q) };
  // A colon or a dash-separated hex run that is neither a MAC nor an address is a mistyped one, not a host name.
  if (q.includes(':') || /^[0-9a-f]{2}(-[0-9a-f]{1,2}){2,}$/i.test(q)) return `${LOCATE_EXPECTED}; this is not a valid MAC or IP address`;
  if (!NAME.test(q) || q.length < 2) return `${LOCATE_EXPECTED}; at least 2 characters for a name`;
  return { kind: 'name', text: q.toLowerCase() };
}

/** An IPv6 address as the poller writes it: eight groups, lower-case hex, no leading zeros, no `::`. */
export function expandIPv6(ip: string): string {
  // An IPv4-mapped address keeps its dotted tail as typed (the tables hold it however the agent wrote it).
  if (ip.includes('.')) return ip.toLowerCase();
  const [head, tail] = ip.toLowerCase().split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => Number.parseInt(g, 16).toString(16)).join(':');
}
