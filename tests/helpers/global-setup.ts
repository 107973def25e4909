/**
 * vitest globalSetup for the whole run. Setup checks that every real part the suite starts is installed,
 * so a missing one stops the run with one clear message (a part that fails in a beforeAll shows as that
 * file's tests "skipped"). Teardown checks that no process started during the run outlived it.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fixturesDir, repoRoot } from '../../src/lab/paths.js';
import { netnsUnavailableReason } from '../../src/lab/netns.js';
import { onPath, PartFailedError } from '../../src/lab/parts.js';
import { descendantsOf, listProcesses, processKey, type ProcessInfo } from './processes.js';

/** Marks every process of this run (children inherit it), so the teardown finds orphans re-parented to init. */
export const RUN_MARK = 'NOCTUA_TEST_RUN';

/** Programs the suite starts; any of them alive after the run, and started during it, is a leak. */
const WATCHED = ['influxd', 'snmpsimd', 'snmpd', 'redis-server', 'chromium', 'chrome', 'headless_shell', 'prometheus-snmp-exporter', 'lldpd', 'sshd', 'postgres', 'fping', 'slapd'];

/** Commands the suite needs, with the Debian package that brings each (scripts/setup.sh installs them all). */
const REQUIRED: [command: string, pkg: string][] = [
  ['influxd', 'influxdb'], ['snmpsimd', 'snmpsim'], ['snmpd', 'snmpd'], ['redis-server', 'redis-server'], ['fping', 'fping'],
  ['ping', 'iputils-ping'], ['ip', 'iproute2'], ['pdftoppm', 'poppler-utils'], ['pdfinfo', 'poppler-utils'],
  ['/usr/sbin/slapd', 'slapd'], ['/usr/sbin/slaptest', 'slapd'], ['/usr/sbin/slappasswd', 'slapd'], ['ldapadd', 'ldap-utils'], ['openssl', 'openssl'],
];

/** What is missing for the suite to run, one line each. */
export function missingParts(): string[] {
  const missing = REQUIRED.filter(([cmd]) => !onPath(cmd)).map(([cmd, pkg]) => `${cmd} is not on PATH (Debian package ${pkg})`);
  if (!existsSync('/usr/bin/chromium')) missing.push('/usr/bin/chromium is missing (Debian package chromium)');
  try { fixturesDir(); } catch (err) { missing.push(err instanceof PartFailedError ? `${err.part}: ${err.reason} (${err.hint})` : String(err)); }
  // Namespaces are how the ICMP and alerting tests take a real host down; without them those cases skip,
  // so that must be asked for, not happen quietly.
  if (process.env.NOCTUA_SKIP_NETNS !== '1') {
    const why = netnsUnavailableReason();
    if (why) missing.push(`network namespaces: ${why} (run as root, or set NOCTUA_SKIP_NETNS=1 to skip those cases knowingly)`);
  }
  return missing;
}

function watched(p: ProcessInfo): boolean {
  if (p.state === 'Z') return false;
  // comm is cut at 15 characters (prometheus-snmp-exporter shows as prometheus-snmp).
  if (WATCHED.some((w) => p.name.startsWith(w) || p.comm === w.slice(0, 15))) return true;
  // Noctua itself run as a child (bin/noctua.js start|lab|poll ...).
  return p.argv.some((a) => a.endsWith('bin/noctua.js') || a.includes('/src/cli/'));
}

/** Watched processes of this run alive now, not there at setup, and ours by marker, ancestry or path. */
function ours(before: Set<string>, mark: string): ProcessInfo[] {
  const procs = listProcesses([RUN_MARK]);
  const mine = descendantsOf(process.pid, procs);
  return procs.filter((p) => p.pid !== process.pid && !before.has(processKey(p)) && watched(p)
    && (p.env[RUN_MARK] === mark || mine.has(p.pid)
      // By path only when no other run claims it (two runs in one checkout must not kill each other's parts).
      || (p.env[RUN_MARK] === undefined && p.argv.some((a) => a.includes(`${repoRoot}/`)))));
}

export default function setup(): () => Promise<void> {
  const missing = missingParts();
  if (missing.length > 0) {
    throw new Error(`the test suite needs parts that are missing here (\`npm run setup\` installs the programs):\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  }
  const mark = randomUUID();
  process.env[RUN_MARK] = mark;
  const before = new Set(listProcesses().map(processKey));
  // A detached child whose parent died is re-parented to init, and some programs (redis-server) overwrite
  // their environment when they retitle themselves: so note every process of ours while it is still a
  // descendant, once a second, and check those at the end too.
  const seen = new Map<string, ProcessInfo>();
  const note = () => { for (const p of ours(before, mark)) seen.set(processKey(p), p); };
  const sampler = setInterval(note, 1000);
  sampler.unref();
  const alive = () => {
    note();
    const now = new Set(listProcesses().filter((p) => p.state !== 'Z').map(processKey));
    return [...seen.entries()].filter(([k]) => now.has(k)).map(([, p]) => p);
  };
  return async () => {
    clearInterval(sampler);
    // Stragglers: a part stopped at the very end may take a moment to exit.
    let left = alive();
    for (let waited = 0; left.length > 0 && waited < 5000; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      left = alive();
    }
    if (left.length === 0) return;
    for (const p of left) { try { process.kill(p.pid, 'SIGKILL'); } catch { /* gone meanwhile */ } }
    throw new Error(`the test run left ${left.length} process(es) running (now killed): a helper or test did not stop what it started\n${
      left.map((p) => `  pid ${p.pid} ${p.name}: ${p.argv.join(' ').slice(0, 200)}`).join('\n')}`);
  };
}
