import { loadFullConfig, type LoadedConfig } from '../config-check/load.js';
import { ConfigInvalidError } from '../config/yaml-source.js';
import type { ConfigCheck, ConfigService } from './services/index.js';

/**
 * The {@link ConfigService} over a config directory: the same loader and errors as `noctua check-config`,
 * and `apply` (the runtime's reload) called only with a configuration that passed.
 */
export function configServiceFor(dir: string, apply: (cfg: LoadedConfig, by: string) => Promise<void>, env: NodeJS.ProcessEnv = process.env): ConfigService {
  const check = (): { check: ConfigCheck; cfg?: LoadedConfig } => {
    try {
      const cfg = loadFullConfig(dir, env);
      const disabled = cfg.devices.filter((d) => !d.enabled).length;
      return { cfg, check: { ok: true, devices: cfg.devices.length, sites: new Set(cfg.devices.map((d) => d.site)).size, disabled } };
    } catch (err) {
      if (err instanceof ConfigInvalidError) return { check: { ok: false, errors: err.errors } };
      throw err;
    }
  };
  return {
    async validate() { return check().check; },
    async reload(by) {
      const r = check();
      if (r.cfg) await apply(r.cfg, by);
      return r.check;
    },
  };
}
