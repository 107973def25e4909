import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BUILTIN_PROFILE_DIR, loadProfiles, type Profile } from '../pollers/snmp/profile.js';

export { runDiscovery, type DiscoveryProgress, type DiscoveryRequest, type DiscoveryResult, type DiscoverySeed } from './run.js';
export { assertDiscoveredFile, devicesYaml, credentialRefs, readDiscoveredEntries, writeDiscoveredFile, DISCOVERED_HEADER } from './devices-yaml.js';
export type { KnownDevice, ProposedDevice, IcmpOnlyCandidate, MovedDevice } from './dedupe.js';

/** The vendor profiles identification matches against: the built-in ones and the config directory's `profiles/`. */
export function discoveryProfiles(configDir: string): Profile[] {
  const own = join(configDir, 'profiles');
  return loadProfiles([BUILTIN_PROFILE_DIR, ...(existsSync(own) ? [own] : [])]);
}
