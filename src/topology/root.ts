import { readFileSync } from 'node:fs';

/**
 * The topology root when `topology.root` is not set: the inventory device whose address is the poller's
 * IPv4 default gateway (Linux /proc/net/route). Undefined when there is no default route or no such device.
 */

/** The IPv4 default gateway in /proc/net/route text (little-endian hex), or undefined. */
export function defaultGateway(procNetRoute: string): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [, dest, gw, flags, , , , mask] = line.trim().split(/\s+/);
    // RTF_UP (1) and RTF_GATEWAY (2), destination and mask 0: the default route.
    if (dest !== '00000000' || mask !== '00000000' || !gw || !flags || (Number.parseInt(flags, 16) & 3) !== 3) continue;
    const n = Number.parseInt(gw, 16);
    if (!Number.isFinite(n) || n === 0) continue;
    return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
  }
  return undefined;
}

/** The configured root, else the device at the default gateway's address (read from `routeFile`). */
export function topologyRoot(configured: string | undefined, devices: readonly { name: string; address: string }[], routeFile = '/proc/net/route'): string | undefined {
  if (configured !== undefined) return configured;
  let text: string;
  try { text = readFileSync(routeFile, 'utf8'); } catch { return undefined; }
  const gw = defaultGateway(text);
  return gw === undefined ? undefined : devices.find((d) => d.address === gw)?.name;
}
