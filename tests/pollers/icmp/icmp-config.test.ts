import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/loader.js';
import { ConfigInvalidError, formatConfigError } from '../../../src/config/yaml-source.js';
import { tempDir } from '../../helpers/tmp.js';

const tmp = tempDir('noctua-icmp-config-');
afterAll(() => tmp.cleanup());
let n = 0;

/** Loads a devices.yaml: the devices on success, every error line (file name only) on failure. */
function load(devices: string): { devices?: ReturnType<typeof loadConfig>['devices']; errors: string[] } {
  const dir = join(tmp.dir, `c${n++}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'devices.yaml'), devices);
  try {
    return { devices: loadConfig(dir, {}).devices, errors: [] };
  } catch (err) {
    if (!(err instanceof ConfigInvalidError)) throw err;
    return { errors: err.errors.map((e) => formatConfigError({ ...e, file: e.file.replace(/^.*\//, '') })) };
  }
}

describe('icmp.count in devices.yaml (Smokeping-style probes per cycle)', () => {
  it('defaults to 3 and takes 20 from defaults, a site or the device, the nearest winning', () => {
    const { devices, errors } = load(`defaults:
  icmp: { count: 5 }
sites:
  - name: branch
    defaults:
      icmp: { count: 20, intervalMs: 500 }
devices:
  - { name: core, address: 192.0.2.1, class: router }
  - { name: wan-a, address: 192.0.2.2, class: router, site: branch }
  - { name: wan-b, address: 192.0.2.3, class: router, site: branch, icmp: { count: 10 } }
`);
    expect(errors).toEqual([]);
    const by = new Map(devices!.map((d) => [d.name, d.icmp]));
    expect(by.get('core')).toEqual({ count: 5, intervalMs: 200, timeoutMs: 1000 });
    expect(by.get('wan-a')).toEqual({ count: 20, intervalMs: 500, timeoutMs: 1000 });
    expect(by.get('wan-b')).toEqual({ count: 10, intervalMs: 500, timeoutMs: 1000 });
    expect(load('devices:\n  - { name: a, address: 192.0.2.1, class: router }\n').devices![0]!.icmp).toMatchObject({ count: 3 });
  });

  it.each([
    { count: '0', says: /devices\.yaml:2:\d+ .*icmp\.count.*at least 1 echo request per cycle/ },
    { count: '101', says: /devices\.yaml:2:\d+ .*icmp\.count.*at most 100 echo requests per cycle/ },
    { count: '2.5', says: /devices\.yaml:2:\d+ .*icmp\.count.*whole number of echo requests/ },
    { count: 'twenty', says: /devices\.yaml:2:\d+ .*icmp\.count/ },
  ])('rejects count $count with the file, line and field', ({ count, says }) => {
    const { errors } = load(`devices:\n  - { name: a, address: 192.0.2.1, class: router, icmp: { count: ${count} } }\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(says);
  });

  it('rejects probes that cannot finish within the ICMP interval, saying what to change', () => {
    const { errors } = load(`devices:
  - name: slow
    address: 192.0.2.1
    class: router
    icmp: { count: 20, intervalMs: 2000 }
`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/devices\.yaml:5:\d+ .*20 echo requests 2000 ms apart take 38000 ms to send, not less than the ICMP interval of 30000 ms \(lower icmp\.count/);
  });
});
