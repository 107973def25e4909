import { loadConfig, type BaseConfig, type OptionalFiles } from '../config/loader.js';
import { loadAlertRules } from '../alerting/rules.js';
import { loadNotifyConfig } from '../alerting/escalation/config.js';

/**
 * The files of a config directory that belong to alerting: `alerts.yaml` (the alert rules; absent means alerting
 * is off) and `notify.yaml` (escalation policies, people and channels; absent means nobody is paged).
 * Composed here rather than in src/config, which describes files and imports no feature.
 */
const ALERTING_FILES = {
  alerts: loadAlertRules,
  notify: loadNotifyConfig,
};

/** Everything `noctua start` needs from a config directory, validated and resolved. */
export type LoadedConfig = BaseConfig & OptionalFiles<typeof ALERTING_FILES>;

/** Loads and checks a whole config directory, the four files together; throws ConfigInvalidError listing every error. */
export function loadFullConfig(dir: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  return loadConfig(dir, env, ALERTING_FILES);
}
