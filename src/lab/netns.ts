import { execFileSync } from 'node:child_process';

/**
 * A test host that exists only on this machine: a network namespace joined to the host by a veth
 * pair, with addresses chosen by the caller (e.g. 10.200.x.x and fd00:200::/64) that live only on
 * that pair. Taking its link down makes a real target stop answering without touching any other
 * network, which is what ICMP down/up tests need.
 */
export interface NetnsHost {
  name: string;
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

/**
 * Creates namespace `noctua-<tag>` with a /30 at 10.200.<subnet>.0 and a /64 at fd00:200:<subnet>::,
 * host side .1 / ::1, namespace side .2 / ::2. `subnet` (0-255) keeps concurrent test files apart.
 */
export function createNetnsHost(tag: string, subnet: number): NetnsHost {
  const name = `noctua-${tag}`;
  // Interface names are limited to 15 bytes.
  const hostIf = `nh${tag}`.slice(0, 15);
  const nsIf = `nn${tag}`.slice(0, 15);
  const h4 = `10.200.${subnet}.1`, n4 = `10.200.${subnet}.2`;
  const n6 = `fd00:200:${subnet.toString(16)}::2`, h6 = `fd00:200:${subnet.toString(16)}::1`;
  // A namespace left by a crashed run would make `ip netns add` fail.
  try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* none left */ }
  try { execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' }); } catch { /* none left */ }
  ip('netns', 'add', name);
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
    throw err;
  }
  let removed = false;
  return {
    name, hostAddress4: h4, address4: n4, address6: n6,
    linkDown: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'down'),
    linkUp: () => ip('netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up'),
    remove() {
      if (removed) return;
      removed = true;
      try { execFileSync('ip', ['netns', 'del', name], { stdio: 'ignore' }); } catch { /* already gone */ }
      try { execFileSync('ip', ['link', 'del', hostIf], { stdio: 'ignore' }); } catch { /* went with the namespace */ }
    },
  };
}
