import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigInvalidError, formatConfigError } from '../../src/config/yaml-source.js';
import { resolveBackupTargets } from '../../src/config-backup/targets.js';
import { loadVendors } from '../../src/config-backup/vendor.js';
import { tempDir } from '../helpers/tmp.js';

const tmp = tempDir('noctua-cfgbak-targets-');
afterAll(() => tmp.cleanup());
const vendors = loadVendors();

function resolve(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(tmp.dir, 'devices.yaml');
  writeFileSync(file, yaml);
  return resolveBackupTargets(file, vendors, env);
}
function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try { resolve(yaml, env); } catch (err) { if (err instanceof ConfigInvalidError) return err.errors.map(formatConfigError); throw err; }
  return [];
}

const FILE = `defaults:
  snmp: false
  ssh: { user: netops, password: "\${NET_PW}", platform: generic }
sites:
  - name: hq
    defaults:
      ssh: { platform: huawei-vrp, port: 2222 }
  - name: lab
    defaults:
      ssh: false
devices:
  - { name: core1, address: 192.0.2.1, class: switch, site: hq }
  - { name: edge1, address: 192.0.2.2, class: router, site: hq, ssh: { platform: cisco-ios, port: 22, enableSecret: "\${EN}" } }
  - { name: lab1, address: 192.0.2.3, class: switch, site: lab }
  - { name: lab2, address: 192.0.2.4, class: switch, site: lab, ssh: { platform: juniper-junos, user: lab, password: lab-pw } }
  - { name: off1, address: 192.0.2.5, class: switch, enabled: false }
  - { name: srv1, address: 192.0.2.6, class: server, ssh: false }
`;

describe('SSH credentials resolve from defaults, then site, then device', () => {
  it('merges key by key, reads ${ENV} secrets, and leaves out ssh: false, disabled devices', () => {
    const t = resolve(FILE, { NET_PW: 'from-env', EN: 'enable-env' });
    expect(t.map((x) => x.device)).toEqual(['core1', 'edge1', 'lab2']);
    expect(t[0]!.ssh).toEqual({ platform: 'huawei-vrp', port: 2222, user: 'netops', password: 'from-env' });
    expect(t[1]!.ssh).toEqual({ platform: 'cisco-ios', port: 22, user: 'netops', password: 'from-env', enableSecret: 'enable-env' });
    // The site switched ssh off; a device setting it again starts from the built-in default port, not the file-wide user.
    expect(t[2]!.ssh).toEqual({ platform: 'juniper-junos', port: 22, user: 'lab', password: 'lab-pw' });
    expect(t[1]!.vendor.name).toBe('cisco-ios');
  });

  it('names the file, line and variable of an unset ${ENV} secret', () => {
    const errs = errorsOf(FILE, { EN: 'x' });
    expect(errs.join('\n')).toMatch(/devices\.yaml:3:\d+ .*environment variable NET_PW is not set/);
  });

  it('reports an unknown platform and a missing password at the device, without printing secrets', () => {
    const errs = errorsOf(`devices:
  - { name: r1, address: 192.0.2.1, class: router, snmp: false, ssh: { platform: cisco-ioss, user: a, password: hunter2secret } }
  - { name: r2, address: 192.0.2.2, class: router, snmp: false, ssh: { platform: cisco-ios, user: a } }
`);
    expect(errs[0]).toMatch(/devices\.yaml:2:\d+ .*unknown ssh\.platform "cisco-ioss" for device "r1" \(expected one of: .*cisco-ios/);
    expect(errs[1]).toMatch(/devices\.yaml:3:\d+ .*ssh\.password: required for configuration backup \(write it as \$\{ENV_NAME\}\).*device "r2"/);
    expect(errs.join('\n')).not.toContain('hunter2secret');
  });
});
