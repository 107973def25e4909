import { chmodSync, existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { Document, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { inventoryFileSchema } from '../config/inventory-schema.js';
import { resolveInventory } from '../config/loader.js';
import { ConfigInvalidError, YamlSource, displayPath, formatConfigError, parseYamlWith } from '../config/yaml-source.js';
import type { DiscoveryCredential } from '../config/sections/discovery.js';
import type { ProposedDevice } from './dedupe.js';
import { deviceEntry, provenance, type CredentialRefs } from './devices-yaml.js';

/** What merging proposals into an operator's devices file did (or would do, on a dry run). */
export interface MergePlan {
  file: string;
  before: string;
  after: string;
  /** Entries appended, with the name they got (a name already in the file gets `-2`, `-3`, …). */
  added: { name: string; address: string; renamedFrom?: string }[];
  /** Proposals left out because the file already has an entry with that address. */
  skipped: { name: string; address: string; existing: string }[];
  /** A unified diff of the change, secrets written literally shown as ******. */
  diff: string;
}

/** Where the new entries go in the text: after `offset`, each line indented by `indent`; `prefix` first when the list is created. */
interface InsertPoint { offset: number; indent: string; prefix: string; replace?: [number, number] }

/** The end of the line holding `offset`, past its newline (or the end of the text). */
function lineEnd(text: string, offset: number): number {
  const nl = text.indexOf('\n', Math.max(0, offset - 1));
  return nl < 0 ? text.length : nl + 1;
}

/**
 * Finds where entries can be appended to the `devices:` list without touching a byte of the rest: after the last
 * item of a block list, in place of an empty `[]`, or a new `devices:` key at the end. A flow list with items
 * (`devices: [ {…} ]`) cannot take block entries: refused with what to do.
 */
function insertPoint(text: string, file: string): InsertPoint {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) throw new Error(`${file}: YAML syntax error: ${doc.errors[0]!.message.split('\n')[0]} (fix it first: check-config shows where)`);
  if (doc.contents !== null && !isMap(doc.contents)) throw new Error(`${file}: expected a mapping with a devices: list at the top, got ${isSeq(doc.contents) ? 'a list' : 'a scalar'}`);
  const pair = isMap(doc.contents) ? doc.contents.items.find((p) => isScalar(p.key) && p.key.value === 'devices') : undefined;
  const tail = text.length === 0 || text.endsWith('\n') ? '' : '\n';
  if (!pair || pair.value === null || (isScalar(pair.value) && pair.value.value === null)) {
    if (pair) throw new Error(`${file}: devices: holds nothing; write it as "devices: []" or a list, then merge`);
    return { offset: text.length, indent: '  ', prefix: `${tail}devices:\n` };
  }
  const seq = pair.value;
  if (!isSeq(seq)) throw new Error(`${file}: expected devices: to be a list`);
  if (seq.flow) {
    if (seq.items.length > 0) throw new Error(`${file}: devices: is a flow list ([ … ]); write it as a block list (one "- " per device) to merge into it`);
    const [from, to] = [seq.range![0], seq.range![1]];
    return { offset: lineEnd(text, to), indent: '  ', prefix: '', replace: [from, to] };
  }
  const first = seq.items[0]!, last = seq.items[seq.items.length - 1]!;
  const start = (first as { range?: [number, number, number] }).range![0];
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const dash = text.slice(lineStart, start).indexOf('-');
  const end = (last as { range?: [number, number, number] }).range![1];
  return { offset: lineEnd(text, end), indent: ' '.repeat(dash >= 0 ? dash : 2), prefix: tail };
}

/** The text of one entry: its provenance comment and the entry as a one-item block list, indented like the file's. */
function entryText(entry: Record<string, unknown>, comment: string, indent: string): string {
  const doc = new Document([entry]);
  const seq = doc.contents;
  if (isSeq(seq) && isMap(seq.items[0])) seq.items[0].commentBefore = comment;
  return doc.toString({ lineWidth: 0 }).split('\n').filter((l) => l !== '').map((l) => `${indent}${l}`).join('\n') + '\n';
}

/** The rest of a line (` # none yet`), ending in a newline. */
const withNewline = (s: string) => (s.endsWith('\n') ? s : `${s}\n`);

/** A unified diff of a change to one region of the lines (what a merge makes), with three lines of context. */
export function unifiedDiff(label: string, before: string, after: string): string {
  const a = before.split('\n'), b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  if (head === a.length && head === b.length) return '';
  const from = Math.max(0, head - 3);
  const aEnd = Math.min(a.length, a.length - tail + 3), bEnd = Math.min(b.length, b.length - tail + 3);
  const lines = [
    `--- a/${label.replace(/^\//, '')}`, `+++ b/${label.replace(/^\//, '')}`,
    `@@ -${from + 1},${aEnd - from} +${from + 1},${bEnd - from} @@`,
    ...a.slice(from, head).map((l) => ` ${l}`),
    ...a.slice(head, a.length - tail).map((l) => `-${l}`),
    ...b.slice(head, b.length - tail).map((l) => `+${l}`),
    ...a.slice(a.length - tail, aEnd).map((l) => ` ${l}`),
  ];
  return lines.join('\n') + '\n';
}

/** A secret written literally (not a `${NAME}` reference) shown as ****** in the diff printed to a terminal. */
function maskLiteralSecrets(diff: string): string {
  return diff.replace(/^(\+[ \t]*(?:community|authKey|privKey):[ \t]*)(?!\$\{)(\S.*)$/gm, '$1******');
}

/** The devices of a devices file as the inventory loader reads them, or every error with file:line:col. */
function validate(file: string, text: string): { name: string; address: string }[] {
  const src = new YamlSource(file, text);
  const parsed = parseYamlWith(src, inventoryFileSchema);
  if (!parsed.value) throw new ConfigInvalidError(parsed.errors);
  const r = resolveInventory(src, parsed.value);
  if (r.errors.length > 0) throw new ConfigInvalidError(r.errors);
  return r.devices;
}

/**
 * Plans appending `proposed` to the operator's devices file `file`: an entry whose address the file already has is
 * left out (that device is known), a name the file already uses gets a suffix; nothing else in the file changes — not
 * an entry, not a comment, not a blank line. The result is checked the way check-config checks devices.yaml.
 */
export function planMerge(file: string, proposed: readonly ProposedDevice[], credentials: readonly DiscoveryCredential[], refs: CredentialRefs, at: string): MergePlan {
  const label = displayPath(file);
  const before = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const existing = before.trim() === '' ? [] : validate(file, before);
  const byAddress = new Map(existing.map((d) => [d.address.toLowerCase(), d.name]));
  const names = new Set(existing.map((d) => d.name.toLowerCase()));
  const plan: MergePlan = { file, before, after: before, added: [], skipped: [], diff: '' };
  const entries: string[] = [];
  const point = insertPoint(before, label);
  for (const d of proposed) {
    const known = byAddress.get(d.address.toLowerCase());
    if (known !== undefined) { plan.skipped.push({ name: d.name, address: d.address, existing: known }); continue; }
    let name = d.name;
    for (let k = 2; names.has(name.toLowerCase()); k++) name = `${d.name}-${k}`;
    names.add(name.toLowerCase());
    byAddress.set(d.address.toLowerCase(), name);
    plan.added.push({ name, address: d.address, ...(name !== d.name ? { renamedFrom: d.name } : {}) });
    entries.push(entryText(deviceEntry({ ...d, name }, credentials, refs), provenance(d, at), point.indent));
  }
  if (entries.length === 0) return plan;
  const block = point.prefix + entries.join('');
  plan.after = point.replace
    ? before.slice(0, point.replace[0]).trimEnd() + withNewline(before.slice(point.replace[1], lineEnd(before, point.replace[1]))) + block + before.slice(lineEnd(before, point.replace[1]))
    : before.slice(0, point.offset) + block + before.slice(point.offset);
  const merged = validate(file, plan.after);
  // The entries that were there are exactly as they were (the check of "never touched", on the parsed values).
  const old = existing.length === 0 ? [] : (parseDocument(before).toJS() as { devices: unknown[] }).devices;
  const now = (parseDocument(plan.after).toJS() as { devices: unknown[] }).devices;
  if (merged.length !== existing.length + entries.length || !isDeepStrictEqual(now.slice(0, old.length), old)) {
    throw new Error(`${label}: merging would change existing entries; nothing was written (please report this file's layout)`);
  }
  plan.diff = maskLiteralSecrets(unifiedDiff(label, before, plan.after));
  return plan;
}

/** Writes a planned merge atomically (a temporary file renamed over the old one), keeping the file's mode. */
export function writeMerge(plan: MergePlan): void {
  if (plan.after === plan.before) return;
  const mode = existsSync(plan.file) ? statSync(plan.file).mode & 0o7777 : 0o640;
  if (existsSync(plan.file) && readFileSync(plan.file, 'utf8') !== plan.before) {
    throw new Error(`${displayPath(plan.file)} changed while discovery ran; nothing was written: run it again`);
  }
  const tmp = `${plan.file}.tmp-${process.pid}`;
  writeFileSync(tmp, plan.after, { mode });
  chmodSync(tmp, mode);
  renameSync(tmp, plan.file);
}

/** The merge's errors as lines (file:line:col path: message), for the terminal. */
export function mergeErrorText(err: unknown): string {
  return err instanceof ConfigInvalidError ? err.errors.map(formatConfigError).join('\n') : (err as Error).message;
}
