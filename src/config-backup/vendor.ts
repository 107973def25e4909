import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { backtrackRisk } from '../pollers/snmp/patterns.js';
import { readYamlDirs } from '../config/data-files.js';

/** A regex written in a command set or a compliance rule; refused when its shape can backtrack (it runs on what a device sends). */
export const pattern = z.string().min(1).max(255).superRefine((p, ctx) => {
  try { new RegExp(p); } catch (err) { ctx.addIssue({ code: 'custom', message: `expected a regular expression: ${(err as Error).message}` }); return; }
  const risk = backtrackRisk(p);
  if (risk) ctx.addIssue({ code: 'custom', message: `refused: ${risk}` });
});

/** A line rule: a line matching `pattern` is dropped, or rewritten with `replace` ($1 for groups) when given. */
const lineRuleSchema = z.strictObject({ pattern, replace: z.string().max(255).optional(), why: z.string().optional() });
export type LineRule = z.output<typeof lineRuleSchema>;

/**
 * One vendor's command set: how to recognise its prompt, get privileged, turn the pager off, read the running
 * configuration, and which lines change on every read (masked so an unchanged configuration is not a new version).
 */
export const vendorSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/),
  description: z.string(),
  /** The CLI prompt, tested against the last (unfinished) line the device sent. */
  prompt: pattern,
  /** Getting privileged: when the prompt matches `when`, send `command`, answer `passwordPrompt` with the enable secret. */
  enable: z.strictObject({
    when: pattern,
    command: z.string().min(1),
    passwordPrompt: pattern,
  }).optional(),
  /** Sent first (pager off, wide terminal); a refusal is logged but does not fail the backup, the pager is answered anyway. */
  setup: z.array(z.string().min(1)).default([]),
  /** Their output, one after the other, is the configuration. */
  commands: z.array(z.string().min(1)).min(1),
  /** Pager texts that wait for a key; answered with a space. */
  pagers: z.array(z.string().min(1)).default([]),
  /** A line of a command's output matching one of these means the device refused the command. */
  errors: z.array(pattern).default([]),
  /** Lines that change on every read (time stamps, counters): dropped or rewritten before storing. */
  volatile: z.array(lineRuleSchema).default([]),
  /** Leading output lines that are not configuration (e.g. "Building configuration..."). */
  dropLeading: z.array(pattern).default([]),
  /** Keywords of this vendor after which (and their mode words) the next token is a secret, added to the common ones (secrets.ts). */
  secretKeywords: z.array(z.string().regex(/^[A-Za-z0-9][\w-]{0,63}$/, 'expected one configuration keyword such as ppk-secret')).default([]),
  /** Sent at the end to log out politely. */
  exit: z.string().default('exit'),
});
export type Vendor = z.output<typeof vendorSchema> & { file: string };

/** The command sets shipped with Noctua. */
export const BUILTIN_VENDOR_DIR = join(dirname(fileURLToPath(import.meta.url)), 'vendors');

/** Reads every *.yaml command set in the directories; a later directory adds to or replaces earlier ones by name. */
export function loadVendors(dirs: readonly string[] = [BUILTIN_VENDOR_DIR]): Map<string, Vendor> {
  const byName = new Map<string, Vendor>();
  readYamlDirs(dirs, vendorSchema, (value, file) => { byName.set(value.name, { ...value, file }); });
  return byName;
}
