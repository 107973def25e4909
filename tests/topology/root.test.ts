import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultGateway, topologyRoot } from '../../src/topology/root.js';
import { tempDir } from '../helpers/tmp.js';

/** The topology root: configured, else the inventory device at the poller's default gateway. */

const ROUTES = `Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
eth0\t0002000A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
eth0\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0
`;
const tmp = tempDir('noctua-topo-root-');
afterAll(() => tmp.cleanup());

describe('topology root', () => {
  it('reads the default gateway from /proc/net/route (little-endian hex)', () => {
    expect(defaultGateway(ROUTES)).toBe('10.0.2.1');
    expect(defaultGateway(ROUTES.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
    expect(defaultGateway('garbage\nnot a route table')).toBeUndefined();
  });

  it('takes the configured root first, else the device at the gateway, else none', () => {
    const file = join(tmp.dir, 'route');
    writeFileSync(file, ROUTES);
    const devices = [{ name: 'gw-rtr', address: '10.0.2.1' }, { name: 'sw', address: '10.0.2.9' }];
    expect(topologyRoot('sw', devices, file)).toBe('sw');
    expect(topologyRoot(undefined, devices, file)).toBe('gw-rtr');
    expect(topologyRoot(undefined, devices.slice(1), file)).toBeUndefined();
    expect(topologyRoot(undefined, devices, join(tmp.dir, 'missing'))).toBeUndefined();
  });
});
