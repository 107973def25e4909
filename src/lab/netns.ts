import { execFileSync } from 'node:child_process';
import { mkdirSync, openSync, closeSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A test host that exists only on this machine: a network namespace joined to the host by a veth
 * pair, with addresses chosen by the caller (e.g. 10.200.x.x and fd00:200::/64) that live only on
 * that pair. Taking its link down makes a real target stop answering without touching any other
 * network, which is what ICMP down/up tests need.
 */
export interface NetnsHost {
  name: string;
  /** The third octet actually used (10.200.<subnet>.0/30): the one asked for, or the next free one. */
  subnet: number;
  /** The host side of the pair. */
  hostAddress4: string;
  /** The address inside the namespace: the one to ping. */
  address4: string;
  address6: string;
  /** Takes the namespace side of the link down: the target stops answering. */
  linkDown(): void;
  linkUp(): void;
  /** Deletes the namespace (and with it the veth pair). Safe to call twice. */
  remove(): void;
}

/** Why network namespaces cannot be used here, or undefined when they can (tries a throwaway namespace). */
export function netnsUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  const probe = `noctua-probe-${process.pid}`;
  try {
    execFileSync('ip', ['netns', 'add', probe], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'del', probe], { stdio: 'pipe' });
    return undefined;
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    return `ip netns add failed: ${e.stderr?.toString().trim() || e.message}`;
  }
}

function ip(...args: string[]): void {
  try {
    execFileSync('ip', args, { stdio: 'pipe' });
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(`ip ${args.join(' ')}: ${e.stderr?.toString().trim() || e.message}`, { cause: err });
  }
}

/** Where processes record which 10.200.<subnet> they hold, so concurrent test files never share a subnet. */
const SUBNET_LOCKS = join(tmpdir(), 'noctua-netns-subnets');

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Claims `wanted` or the next free subnet (1-254) with an exclusive lock file holding this process's id; a
 * lock whose process is gone is taken over. Two test files asking for the same number (pid % 50 collides)
 * would otherwise put the same address behind two namespaces, and a "down" host would still answer.
 */
function claimSubnet(wanted: number): { subnet: number; release: () => void } {
  mkdirSync(SUBNET_LOCKS, { recursive: true });
  for (let k = 0; k < 254; k++) {
    const subnet = ((wanted - 1 + k) % 254 + 254) % 254 + 1;
    const file = join(SUBNET_LOCKS, String(subnet));
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(file, 'wx');
        writeSync(fd, String(process.pid));
        closeSync(fd);
        return { subnet, release: () => { try { if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file); } catch { /* gone */ } } };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder = NaN;
        try { holder = Number(readFileSync(file, 'utf8')); } catch { /* removed meanwhile */ }
        if (Number.isInteger(holder) && holder > 0 && alive(holder)) break;
        try { rmSync(file); } catch { /* another process took it over first */ }
      }
    }
  }
  throw new Error(`no free 10.200.x.0/30 subnet for a test namespace (locks in ${SUBNET_LOCKS})`);
}

/**
 * Creates namespace `noctua-<tag>` with a /30 at 10.200.<subnet>.0 and a /64 at fd00:200:<subnet>::,
 * host side .1 / ::1, namespace side .2 / ::2. `subnet` (0-255) keeps concurrent test files apart.
 */
export function createNetnsHost(tag: string, wantedSubnet: number): NetnsHost {
  const { subnet, release } = claimSubnet(wantedSubnet);
  const name = `noctua-${tag}`;
  // Interface names are limited to 15 bytes.
  const hostIf = `nh${tag}`.slice(0, 15);
  const nsIf = `nn${tag}`.slice(0, 15);
  const h4 = `10.200.${subnet}.1`, n4 = `10.200.${subnet}.2`;
  const n6 = `fd00:200:${subnet.toString(16)}::2`, h6 = `fd00:200:${subnet.toString(16)}::1`;
  // A namespace left by a crashed run would make `ip netns add` fail.
  try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* none left */ }
  try { execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' }); } catch { /* none left */ }
  try { ip('netns', 'add', name); } catch (err) { release(); throw err; }
  try {
    ip('link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf);
    ip('link', 'set', nsIf, 'netns', name);
    ip('addr', 'add', `${h4}/30`, 'dev', hostIf);
    ip('-6', 'addr', 'add', `${h6}/64`, 'dev', hostIf, 'nodad');
    ip('link', 'set', hostIf, 'up');
    ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
    ip('netns', 'exec', name, 'ip', 'addr', 'add', `${n4}/30`, 'dev', nsIf);
    ip('netns', 'exec', name, 'ip', '-6', 'addr', 'add', `${n6}/64`, 'dev', nsIf, 'nodad');
    // Without this the kernel drops the namespace's IPv6 address when its link goes down.
    ip('netns', 'exec', name, 'sysctl', '-q', '-w', `net.ipv6.conf.${nsIf}.keep_addr_on_down=1`);
    ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up');
  } catch (err) {
    try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* best effort */ }
    try { execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' }); } catch { /* best effort */ }
    release();
    throw err;
  }
  let removed = false;
  return {
    name, subnet, hostAddress4: h4, address4: n4, address6: n6,
    linkDown: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'down'),
    linkUp: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up'),
    remove() {
      if (removed) return;
      removed = true;
      try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* already gone */ }
      try { execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' }); } catch { /* went with the namespace */ }
      release();
    },
  };
}
