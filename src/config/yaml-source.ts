import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import type { z } from 'zod';

/** One configuration mistake, located in its file. */
export interface ConfigError {
  file: string;
  line: number;
  col: number;
  /** Field path in the notation users read: `devices[3].snmp.version`. */
  path: string;
  message: string;
}

/** Formats an error the way every Noctua command prints it: `file:line:col path: message`. */
export function formatConfigError(e: ConfigError): string {
  return `${e.file}:${e.line}:${e.col} ${e.path ? e.path + ': ' : ''}${e.message}`;
}

/** Thrown when a configuration cannot be used; carries every error found, not only the first. */
export class ConfigInvalidError extends Error {
  constructor(public readonly errors: ConfigError[]) {
    super(errors.map(formatConfigError).join('\n'));
    this.name = 'ConfigInvalidError';
  }
}

/**
 * How a file is named in messages: relative to the working directory when it is inside it (config/devices.yaml),
 * else the path as given, so names are short where unambiguous and never a chain of ../ that depends on the cwd.
 */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

/** Renders a path array as `a.b[3].c`. */
export function pathToString(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += (out ? '.' : '') + String(p);
  }
  return out;
}

/** A parsed YAML file that can say where any field path sits in the text. */
export class YamlSource {
  readonly doc: Document;
  private readonly lines = new LineCounter();
  readonly displayName: string;
  readonly syntaxErrors: ConfigError[] = [];
  /** Field paths (`a.b[3].c`) whose text came from `${NAME}`, with the names: such values are never printed. */
  private readonly fromEnv = new Map<string, string[]>();

  constructor(readonly file: string, text: string) {
    this.displayName = displayPath(file);
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
    for (const err of [...this.doc.errors, ...this.doc.warnings]) {
      const pos = err.linePos?.[0] ?? this.lines.linePos(err.pos[0]);
      this.syntaxErrors.push({
        file: this.displayName, line: pos.line, col: pos.col, path: '',
        message: `YAML syntax error: ${err.message.split('\n')[0]}`,
      });
    }
  }

  static read(file: string): YamlSource {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ConfigInvalidError([{ file, line: 1, col: 1, path: '', message: code === 'ENOENT' ? 'file not found' : `cannot read file (${code ?? String(err)})` }]);
    }
    return new YamlSource(file, text);
  }

  /**
   * Replaces `${NAME}` in string values with environment variables, so secrets stay out of the files.
   * A variable that is not set is an error at its position, never an empty string.
   */
  substituteEnv(env: NodeJS.ProcessEnv): ConfigError[] {
    const errors: ConfigError[] = [];
    const walk = (node: unknown, path: PropertyKey[]) => {
      if (isMap(node)) {
        for (const p of node.items) if (isPair(p) && isScalar(p.key)) walk(p.value, [...path, String(p.key.value)]);
      } else if (isSeq(node)) {
        node.items.forEach((item, i) => walk(item, [...path, i]));
      } else if (isScalar(node) && typeof node.value === 'string' && node.value.includes('${')) {
        const names: string[] = [];
        node.value = node.value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
          names.push(name);
          const v = env[name];
          if (v === undefined) {
            errors.push(this.error(path, `environment variable ${name} is not set (referenced as \${${name}})`));
            return '';
          }
          return v;
        });
        if (names.length > 0) this.fromEnv.set(pathToString(path), names);
      }
    };
    walk(this.doc.contents, []);
    return errors;
  }

  /** The plain JS value of the document (undefined for an empty file). */
  value(): unknown {
    return this.doc.toJS({ maxAliasCount: 100 });
  }

  /** Line and column of the node at `path`, or of its nearest existing ancestor; `key` points at the key instead of the value. */
  position(path: readonly PropertyKey[], key = false): { line: number; col: number } {
    let node: unknown = this.doc.contents;
    let best: { line: number; col: number } = { line: 1, col: 1 };
    const at = (n: unknown) => {
      const r = (n as Node | undefined)?.range;
      return r ? this.lines.linePos(r[0]) : undefined;
    };
    best = at(node) ?? best;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const last = i === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
        if (!pair) return best;
        if (last && key) return at(pair.key) ?? best;
        node = pair.value;
        best = at(pair.value) ?? at(pair.key) ?? best;
      } else if (isSeq(node) && typeof seg === 'number') {
        const item = node.items[seg];
        if (item === undefined) return best;
        node = item;
        best = at(item) ?? best;
      } else {
        return best;
      }
    }
    return best;
  }

  /** Builds a located error for a field path. */
  error(path: readonly PropertyKey[], message: string, key = false): ConfigError {
    const { line, col } = this.position(path, key);
    return { file: this.displayName, line, col, path: pathToString(path), message };
  }

  /** Turns zod issues into located errors with messages that say what was expected and what was found. */
  zodErrors(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): ConfigError[] {
    const out: ConfigError[] = [];
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) out.push(this.error([...path, k], `unknown key "${k}" (misspelt, or not an option here)`, true));
        continue;
      }
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        // Report the branch that got furthest: the most specific explanation for the user.
        const deepest = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!;
        if (deepest.length > 0 && depth(deepest) > 0) { out.push(...this.zodErrors(deepest, path)); continue; }
      }
      out.push(this.error(path, this.describe(issue, path)));
    }
    return out;
  }

  /** The sentence for one issue; a value that came from the environment is described, never shown (it is usually a secret). */
  private describe(issue: z.core.$ZodIssue, path: readonly PropertyKey[]): string {
    const names = this.fromEnv.get(pathToString(path));
    if (!names) return describeIssue(issue);
    if (isSecretIssue(issue)) return `${issue.message} ${fromEnvText(names)}`;
    return describeHiddenIssue(issue, new HiddenValue((issue as { input?: unknown }).input, names));
  }
}

/** Whether the issue was raised by a {@link secret} field (its message already hides the value). */
export function isSecretIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && (issue.params as { secret?: unknown } | undefined)?.secret === true;
}

function depth(issues: readonly z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((i) => i.path.length));
}

/**
 * Stands in for a value that must not be printed (a secret field, or text that came from `${ENV}`): error messages
 * then say what kind of value it was and how long, never the value.
 */
export class HiddenValue {
  readonly text: string;
  constructor(value: unknown, from?: readonly string[]) {
    const what = typeof value === 'string' ? `a value of ${value.length} character${value.length === 1 ? '' : 's'}`
      : value === undefined ? 'nothing' : value === null ? 'null' : Array.isArray(value) ? 'a list'
        : typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
    this.text = from && from.length > 0 ? `${what} ${fromEnvText(from)}` : what;
  }
}

/** `(from ${A}, ${B})`: which variables a value came from, so the user knows where to look. */
function fromEnvText(names: readonly string[]): string {
  return `(from ${names.map((n) => `\${${n}}`).join(', ')})`;
}

/** Describes an issue about a value that must not be printed: zod's or the schema's sentence, then `got a value of N characters`. */
export function describeHiddenIssue(issue: z.core.$ZodIssue, hidden: HiddenValue): string {
  const input = (issue as { input?: unknown }).input;
  const message = describeIssue({ ...issue, input: input === undefined ? undefined : hidden } as z.core.$ZodIssue);
  // A schema's own message may quote the value after ", got " (durationSchema does): keep only what was expected.
  const at = message.indexOf(', got ');
  return at < 0 ? message : `${message.slice(0, at)}, got ${hidden.text}`;
}

function show(v: unknown): string {
  if (v instanceof HiddenValue) return v.text;
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return String(v);
}

function orList(values: readonly unknown[]): string {
  const s = values.map((v) => String(v));
  return s.length <= 1 ? (s[0] ?? '') : `${s.slice(0, -1).join(', ')} or ${s[s.length - 1]}`;
}

/** One readable sentence per zod issue: expected X, got Y. */
export function describeIssue(issue: z.core.$ZodIssue): string {
  const input = (issue as { input?: unknown }).input;
  // A message written in our schemas already says what is expected; zod's own start with "Invalid"/"Too".
  if (!/^(Invalid|Too )/.test(issue.message) && issue.code !== 'custom') {
    return input === undefined || issue.message.includes(', got ') ? issue.message : `${issue.message}, got ${show(input)}`;
  }
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return `required (expected ${issue.expected})`;
      return `expected ${issue.expected}, got ${show(input)}`;
    case 'invalid_value':
      return `expected ${orList(issue.values)}, got ${show(input)}`;
    case 'too_small':
      if (input === undefined) return `required`;
      return `expected ${issue.origin === 'string' ? `at least ${String(issue.minimum)} characters` : issue.origin === 'array' ? `at least ${String(issue.minimum)} items` : `a value >= ${String(issue.minimum)}`}, got ${show(input)}`;
    case 'too_big':
      return `expected ${issue.origin === 'string' ? `at most ${String(issue.maximum)} characters` : issue.origin === 'array' ? `at most ${String(issue.maximum)} items` : `a value <= ${String(issue.maximum)}`}, got ${show(input)}`;
    case 'invalid_format':
      return `expected ${issue.format}, got ${show(input)}`;
    case 'custom':
      return input === undefined || typeof input === 'object' || issue.message.includes(', got ') ? issue.message : `${issue.message}, got ${show(input)}`;
    default:
      return issue.message;
  }
}

/** Parses a YAML file against a schema: all errors at once, each with file:line:col and path. */
export function parseYamlWith<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): { value?: z.output<S>; errors: ConfigError[] } {
  if (source.syntaxErrors.length > 0) return { errors: source.syntaxErrors };
  const envErrors = source.substituteEnv(env);
  if (envErrors.length > 0) return { errors: envErrors };
  const raw = source.value() ?? {};
  const result = schema.safeParse(raw, { reportInput: true });
  if (!result.success) return { errors: source.zodErrors(result.error.issues) };
  return { value: result.data, errors: [] };
}
