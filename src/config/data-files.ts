import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigInvalidError, YamlSource, parseYamlWith, type ConfigError } from './yaml-source.js';

/**
 * Reads every `*.yaml`/`*.yml` of the directories in order (each directory's files sorted by name), validates
 * each against `schema` and hands it to `take` with its path. A missing directory is skipped. Every mistake of
 * every file is collected and thrown at once as {@link ConfigInvalidError} with file:line:col, as for
 * noctua.yaml: the one loader of device knowledge kept as data (SNMP profiles, event catalogs, SSH command sets).
 */
export function readYamlDirs<S extends z.ZodType>(dirs: readonly string[], schema: S, take: (value: z.output<S>, file: string, name: string) => void): void {
  const errors: ConfigError[] = [];
  for (const dir of dirs) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).filter((x) => /\.ya?ml$/.test(x)).sort()) {
      const file = join(dir, name);
      const parsed = parseYamlWith(YamlSource.read(file), schema);
      if (parsed.value === undefined) { errors.push(...parsed.errors); continue; }
      take(parsed.value, file, name);
    }
  }
  if (errors.length > 0) throw new ConfigInvalidError(errors);
}
