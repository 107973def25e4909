/**
 * Secrets in a stored configuration (passwords, enable secrets, SNMP communities and v3 keys, RADIUS/TACACS and
 * routing-protocol keys, IKE pre-shared keys, private keys) replaced by a fixed mark in what non-admins see.
 * Token based, no backtracking regex: a keyword is followed by optional mode words (`cipher`, `7`, `sha`,
 * `ENC`...) and then the value, which is masked. When in doubt it masks too much rather than too little.
 */

/** What a masked value reads as. */
export const SECRET_MARK = '******';

/** Words after which (and their mode words) the next token is a secret. */
const KEYWORDS = new Set([
  'password', 'passwd', 'secret', 'community', 'key', 'key-string', 'authentication-key', 'message-digest-key', 'md5',
  'pre-shared-key', 'psksecret', 'passphrase', 'encrypted-password', 'auth-password', 'priv-password', 'shared-key',
  'cipher', 'irreversible-cipher', 'auth', 'priv', 'authentication-mode', 'privacy-mode', '2c', 'wpa-psk',
  'private-key', 'plain-text-password', 'auth-key', 'priv-key', 'psk', 'secret-key',
]);

/** Words that stand between a keyword and its value: encryption types, hash names, SNMP access modes. */
const MODE_WORDS = new Set([
  '0', '5', '6', '7', '8', '9', 'cipher', 'irreversible-cipher', 'simple', 'plain', 'hash', 'encrypted', 'ascii-text',
  'ascii', 'hex', 'unencrypted', 'enc', 'read', 'write', 'md5', 'sha', 'sha1', 'sha-1', 'sha224', 'sha256', 'sha-256',
  'sha384', 'sha512', 'aes', 'aes128', 'aes192', 'aes256', 'des', '3des', '128', '192', '256', 'level',
]);

/** A keyword followed by one of these names a block, not a value (`key chain NAME`). */
const NOT_VALUE = new Set(['chain', 'config-key', 'generate', 'exchange']);

/** Hash and cipher tokens recognised on their own, wherever they stand (crypt hashes, Junos $9$, Huawei %^%#). */
function looksLikeCipherText(token: string): boolean {
  const t = token.replace(/^"/, '');
  return /^\$(1|2[aby]?|5|6|8|9|y|h\$\d)\$/.test(t) || t.startsWith('%^%#') || t.startsWith('%@%@') || t.startsWith('%$%$');
}

function maskLine(line: string, keywords: ReadonlySet<string>): string {
  const parts = line.split(/(\s+)/);
  let pending = false;
  for (let i = 0; i < parts.length; i++) {
    const tok = parts[i]!;
    if (tok === '' || /^\s+$/.test(tok)) continue;
    const low = tok.toLowerCase();
    if (pending && MODE_WORDS.has(low)) continue;
    if (pending) {
      pending = false;
      if (NOT_VALUE.has(low)) continue;
      parts[i] = SECRET_MARK;
      continue;
    }
    if (KEYWORDS.has(low) || keywords.has(low)) { pending = true; continue; }
    if (looksLikeCipherText(tok)) parts[i] = SECRET_MARK;
  }
  return parts.join('');
}

/** A stateful line masker: lines inside a PEM private key block are masked whole. */
function lineMasker(extra: readonly string[] = []): (line: string) => string {
  const keywords = new Set(extra.map((k) => k.toLowerCase()));
  let inKey = false;
  return (line) => {
    if (inKey) {
      if (line.includes('-----END')) inKey = false;
      return line.replace(/\S+/g, SECRET_MARK);
    }
    if (line.includes('-----BEGIN') && line.includes('PRIVATE KEY')) inKey = !line.includes('-----END');
    return maskLine(line, keywords);
  };
}

/**
 * The configuration with every recognised secret replaced by {@link SECRET_MARK}; `keywords` adds a vendor's own
 * secret keywords (its command set's `secretKeywords`) to the common ones.
 */
export function maskSecrets(config: string, keywords: readonly string[] = []): string {
  const mask = lineMasker(keywords);
  return config.split('\n').map(mask).join('\n');
}

/** A unified diff with secrets masked in its context, removed and added lines (headers and hunk marks kept). */
export function maskSecretsInDiff(diff: string, keywords: readonly string[] = []): string {
  const mask = lineMasker(keywords);
  return diff.split('\n').map((line) => {
    if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('@@') || line.startsWith('diff ') || line.startsWith('index ')) return line;
    const first = line[0];
    if (first === '+' || first === '-' || first === ' ') return first + mask(line.slice(1));
    return line;
  }).join('\n');
}
