import type { CompiledWindow } from '../maintenance.js';
import type { Muter } from './muter.js';

/** Mutes alerts of devices inside an open maintenance window (change management). */
export function maintenanceMuter(windows: () => readonly CompiledWindow[]): Muter {
  return {
    kind: 'maintenance',
    mutes(alert, now) {
      for (const w of windows()) {
        if (!w.covers(alert.device)) continue;
        const st = w.status(now);
        if (!st.active) continue;
        const s = w.window.spec;
        return { kind: 'maintenance', detail: `maintenance "${s.name}" until ${st.end!.toISOString()} (${s.reason}; owner ${s.owner})` };
      }
      return undefined;
    },
  };
}
