/**
 * The peer of Noctua's discovery: what an admin would script without it. `fping -g CIDR -a -q` (with the same
 * pacing, retries and timeout as Noctua's sweep) piped into `snmpget` of sysDescr, sysObjectID and sysName for every
 * address that answered, one after another (`while read`) or 32 at a time (`xargs -P 32`). OIDs are numeric:
 * Debian ships no SNMPv2-MIB (it is in the non-free snmp-mibs-downloader), and the packets are the same.
 */

/** sysDescr.0, sysObjectID.0, sysName.0. */
const SYSTEM_OIDS = ['1.3.6.1.2.1.1.1.0', '1.3.6.1.2.1.1.2.0', '1.3.6.1.2.1.1.5.0'];

/** How the peer script runs. */
export interface PeerScriptOptions {
  /** fping's arguments before `-g` (Noctua's `sweepArgs`: `-a -q -s` and the pacing). */
  fpingArgs: readonly string[];
  cidr: string;
  community: string;
  /** snmpget processes at once: 1 is the sequential loop. */
  parallel: number;
}

/** Quotes one word for sh. */
function sh(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell script: prints `found ADDRESS` for every address whose snmpget succeeded; fping's `-s` summary goes to
 * stderr (its echo count is read from there). snmpget's own output is dropped, as a script that only keeps the
 * answering addresses would.
 */
export function peerScript(o: PeerScriptOptions): string {
  const get = `snmpget -v2c -c ${sh(o.community)} -t 1 -r 1 -On "$1" ${SYSTEM_OIDS.join(' ')} >/dev/null 2>&1 && echo "found $1"`;
  const fping = `fping ${o.fpingArgs.map(sh).join(' ')} -g ${sh(o.cidr)}`;
  if (o.parallel <= 1) return `${fping} | while read -r a; do set -- "$a"; ${get}; done`;
  return `${fping} | xargs -r -P ${o.parallel} -n 1 sh -c ${sh(get)} _`;
}

/** Addresses the peer found (its `found` lines) and the echoes fping says it sent. */
export function peerOutcome(stdout: string, stderr: string): { found: number; echoes: number } {
  const found = new Set(stdout.split('\n').filter((l) => l.startsWith('found ')).map((l) => l.slice(6).trim())).size;
  const sent = /(\d+)\s+ICMP Echos sent/.exec(stderr);
  return { found, echoes: sent ? Number(sent[1]) : NaN };
}
