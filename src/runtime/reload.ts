import type { AlertEngine } from '../alerting/engine.js';
import type { LoadedConfig } from '../config-check/load.js';
import type { Logger } from '../core/log.js';

/** Settings that only take effect at start; a reload that changes them says so. */
function restartOnly(cfg: LoadedConfig): string {
  const { scheduler, auth, ...rest } = cfg.settings;
  const { concurrency: _c, deadlineFraction: _d, ...sched } = scheduler;
  // auth.users is read afresh at each login (src/auth/users.ts).
  const { users: _u, ...authRest } = auth;
  return JSON.stringify({ ...rest, scheduler: sched, auth: authRest });
}

/**
 * Says which parts of a reloaded configuration wait for the next restart: noctua.yaml beyond the scheduler
 * limits always; alerts.yaml appearing or disappearing and any notify.yaml change where this process runs
 * the alert engine (standalone, or a core).
 */
export function warnRestartOnly(current: LoadedConfig, next: LoadedConfig, log: Logger, alerting: boolean): void {
  if (restartOnly(next) !== restartOnly(current)) log.warn('noctua.yaml changed beyond scheduler.concurrency/deadlineFraction and auth.users: those changes apply at the next restart');
  if (!alerting) return;
  if (Boolean(next.alerts) !== Boolean(current.alerts) || JSON.stringify(next.notify ?? null) !== JSON.stringify(current.notify ?? null)) {
    log.warn('alerts.yaml was added or removed, or notify.yaml changed: that applies at the next restart');
  }
}

/** Hands the reloaded inventory and rules to the alert engine (rules only when alerts.yaml is there). */
export function reloadAlerts(alerts: AlertEngine, next: LoadedConfig): void {
  alerts.setDevices(next.devices);
  if (next.alerts) alerts.setRules(next.alerts);
}
