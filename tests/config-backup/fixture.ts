import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** One emulated device: the sshd user it logs in as, its vendor, and how it behaves. */
export interface EmulatedDevice {
  user: string; vendor: string; hostname: string; password: string;
  enableSecret?: string; pagerOffRefused?: boolean; mute?: boolean;
}

/** Every vendor of the issue, some with the pager left on (their setup command refused) so pagers are answered. */
export const DEVICES: EmulatedDevice[] = [
  { user: 'huawei', vendor: 'huawei-vrp', hostname: 'CORE-S5720', password: 'vrp-pass-1', pagerOffRefused: true },
  { user: 'h3c', vendor: 'h3c-comware', hostname: 'DIST-S6520', password: 'h3c-pass-1' },
  { user: 'ruijie', vendor: 'ruijie-rgos', hostname: 'ACC-RG2910', password: 'rg-pass-1', enableSecret: 'rg-enable' },
  { user: 'cisco', vendor: 'cisco-ios', hostname: 'EDGE-R1', password: 'ios-pass-1', enableSecret: 'ios-enable', pagerOffRefused: true },
  { user: 'nxos', vendor: 'cisco-nxos', hostname: 'N9K-LEAF1', password: 'nx-pass-1' },
  { user: 'junos', vendor: 'juniper-junos', hostname: 'MX1', password: 'junos-pass-1', pagerOffRefused: true },
  { user: 'forti', vendor: 'fortios', hostname: 'FGT60E-HQ', password: 'forti-pass-1' },
  { user: 'mute', vendor: 'cisco-ios', hostname: 'MUTE', password: 'mute-pass-1', mute: true },
];

/** The recorded configuration of a vendor, as shipped in tests/config-backup/recordings. */
export const recording = (vendor: string) => join(here, 'recordings', `${vendor}.cfg`);

/** Writes each device's behaviour and configuration where the emulator reads them. */
export function writeDeviceData(dataDir: string, devices: readonly EmulatedDevice[] = DEVICES): void {
  for (const d of devices) {
    writeFileSync(join(dataDir, `${d.user}.json`), JSON.stringify({ vendor: d.vendor, hostname: d.hostname, enableSecret: d.enableSecret, pagerOffRefused: d.pagerOffRefused, mute: d.mute }));
    copyFileSync(recording(d.vendor), join(dataDir, `${d.user}.cfg`));
  }
}

/** sshd's ForceCommand running the emulator on the data directory. */
export const forceCommand = (dataDir: string) => `${process.execPath} ${join(here, 'emulator.mjs')} ${dataDir}`;
