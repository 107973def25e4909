import { credentialListSchema, type DiscoveryCredential } from '../config/sections/discovery.js';
import { ConfigInvalidError, YamlSource, parseYamlWith } from '../config/yaml-source.js';
import { credentialRefsOf, type CredentialRefs } from './devices-yaml.js';

/** A `--credentials FILE`: the credentials it lists, and how each secret was written (for entries by reference). */
export interface CredentialsFile {
  credentials: DiscoveryCredential[];
  refs: CredentialRefs;
}

/**
 * Reads a YAML list of credentials in the schema of `discovery.credentials`, with `${ENV}` secrets resolved from
 * `env` as noctua.yaml's are. Every mistake is thrown at once as {@link ConfigInvalidError}, each as
 * `FILE:line:col [1].authProtocol: expected …`; a secret is described (`got a value of 13 characters`), never shown.
 */
export function loadCredentialsFile(file: string, env: NodeJS.ProcessEnv = process.env): CredentialsFile {
  const source = YamlSource.read(file);
  // The raw text before substitution: `${SNMP_RO}` stays a reference in the entries discovery writes.
  const raw = source.syntaxErrors.length === 0 ? source.value() : undefined;
  if (source.syntaxErrors.length === 0 && !Array.isArray(raw)) {
    throw new ConfigInvalidError([source.error([], `expected a list of credentials (- { name, version, community } or a v3 user), got ${raw === undefined || raw === null ? 'an empty file' : typeof raw === 'object' ? 'a mapping' : typeof raw}`)]);
  }
  const refs = credentialRefsOf(raw);
  const parsed = parseYamlWith(source, credentialListSchema.min(1, 'expected at least one credential'), env);
  if (!parsed.value) throw new ConfigInvalidError(parsed.errors);
  return { credentials: parsed.value, refs };
}
