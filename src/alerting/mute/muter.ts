import type { AlertView } from '../../core/incident.js';
import type { CompiledRule, DeviceInfo } from '../rules.js';

/** Why an alert is recorded but not escalated. */
export interface MuteReason {
  kind: NonNullable<AlertView['mutedBy']>['kind'];
  detail: string;
  /** Parent suppression: the down ancestor whose incident takes this alert in. */
  root?: string;
  /** Parent suppression while the ancestor's down alert is only pending: hold the alert out of any incident. */
  pendingOnly?: boolean;
}

/** The facts a muter decides on. */
export interface MuteCandidate {
  rule: CompiledRule;
  device: DeviceInfo;
  instance: string;
  flapping: boolean;
}

/** One mute kind (maintenance, parent down, flapping): a single predicate, applied in order by one stage. */
export interface Muter {
  kind: MuteReason['kind'];
  mutes(alert: MuteCandidate, now: number): MuteReason | undefined;
}

/** The mute stage: the first muter that mutes wins. */
export function firstMute(muters: readonly Muter[], alert: MuteCandidate, now: number): MuteReason | undefined {
  for (const m of muters) {
    const r = m.mutes(alert, now);
    if (r) return r;
  }
  return undefined;
}
