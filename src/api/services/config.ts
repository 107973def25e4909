import type { ConfigError } from '../../config/yaml-source.js';

/** The outcome of checking the configuration on disk, with check-config's errors. */
export type ConfigCheck =
  | { ok: true; devices: number; sites: number; disabled: number }
  | { ok: false; errors: ConfigError[] };

/** Validates the configuration directory and swaps it into the running process. */
export interface ConfigService {
  validate(): Promise<ConfigCheck>;
  /** Validates, then applies only when valid; the running configuration is untouched otherwise. */
  reload(by: string): Promise<ConfigCheck>;
}
