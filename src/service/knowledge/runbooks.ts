import { existsSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Lang } from '../../config/lang.js';

/** A runbook: what to do when a rule fires or an event type arrives, as the team wrote it (Markdown). */
export interface Runbook { name: string; lang: Lang | 'any'; markdown: string }

/** Rule names and event types as runbook file names; nothing else reaches the file system (no paths, no dots first). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** Largest runbook read; a bigger file is refused rather than paged to a phone. */
export const MAX_RUNBOOK_BYTES = 256 * 1024;

/** True when `name` can name a runbook file. */
export function isRunbookName(name: string): boolean {
  return NAME.test(name);
}

/**
 * Runbooks in one directory (`service.knowledge.runbookDir`, default config/runbooks): `<name>.md`, with
 * `<name>.zh-CN.md` / `<name>.en.md` for one language. Read at each request, so an edited file is served
 * at once, without a reload.
 */
export class RunbookLibrary {
  constructor(private readonly dir: string) {}

  /** The runbook for a rule or event type in `lang`, else the language-neutral file; undefined when none. */
  async get(name: string, lang: Lang): Promise<Runbook | undefined> {
    if (!isRunbookName(name)) return undefined;
    for (const [file, l] of [[`${name}.${lang}.md`, lang], [`${name}.md`, 'any']] as const) {
      const text = await this.read(join(this.dir, file));
      if (text !== undefined) return { name, lang: l, markdown: text };
    }
    return undefined;
  }

  /**
   * Whether a rule or event type has a runbook in `lang` or the language-neutral file: asked once per notice
   * while escalation writes it, so a file added to the directory is linked from the next notice on.
   */
  has(name: string, lang: Lang): boolean {
    return isRunbookName(name) && (existsSync(join(this.dir, `${name}.${lang}.md`)) || existsSync(join(this.dir, `${name}.md`)));
  }

  /** Names that have a runbook in any language, sorted. */
  async names(): Promise<string[]> {
    let files: string[];
    try { files = await readdir(this.dir); } catch { return []; }
    const names = new Set<string>();
    for (const f of files) {
      const m = /^([A-Za-z0-9][A-Za-z0-9_-]{0,127})(\.(zh-CN|en))?\.md$/.exec(f);
      if (m) names.add(m[1]!);
    }
    return [...names].sort();
  }

  private async read(path: string): Promise<string | undefined> {
    try {
      const buf = await readFile(path);
      if (buf.length > MAX_RUNBOOK_BYTES) throw new Error(`${path}: runbook larger than ${MAX_RUNBOOK_BYTES} bytes; split it`);
      return buf.toString('utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }
}

/** The path of a runbook's readable page under the API (`/api/v1/runbooks/<name>/page?lang=`), as notices link it. */
export function runbookPagePath(name: string, lang: Lang): string {
  return `/api/v1/runbooks/${encodeURIComponent(name)}/page?lang=${encodeURIComponent(lang)}`;
}
