import type { Muter } from './muter.js';

/** Holds the notices of a flapping alert until it has been stable for `stableFor`. */
export function flappingMuter(describe: () => string): Muter {
  return {
    kind: 'flapping',
    mutes: (alert) => (alert.flapping ? { kind: 'flapping', detail: `flapping (${describe()}); notices held until stable` } : undefined),
  };
}
