/**
 * Browser code, bundled once per process at server start: the TypeScript/Preact sources under
 * src/web/client/<app>/main.tsx go through esbuild in memory, so there is no build step to forget in
 * `npm run setup`, nothing generated to commit, and `npm ci --omit=dev` installs run the console as they are.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

/** The client apps there are: each is src/web/client/<name>/main.tsx. */
export type WebApp = 'console' | 'wall';

/** One bundled app: its script and style sheet, each named by a hash of its content. */
export interface WebBundle {
  js: WebAsset;
  css: WebAsset;
}

/** A bundled file: its bytes and a content hash that is both its file name part and its ETag. */
export interface WebAsset {
  body: Buffer;
  hash: string;
}

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const built = new Map<WebApp, Promise<WebBundle>>();

function asset(files: esbuild.OutputFile[], ext: '.js' | '.css'): WebAsset {
  const file = files.find((f) => f.path.endsWith(ext));
  // An app without any CSS import still gets an (empty) style sheet, so the shell can always link one.
  const body = Buffer.from(file?.contents ?? new Uint8Array());
  return { body, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) };
}

async function build(app: WebApp): Promise<WebBundle> {
  // esbuild's helper process is not stopped afterwards: tsx (which runs Noctua's sources) shares it, and it
  // ends with this process (it reads its stdin), so nothing is left behind.
  try {
    const result = await esbuild.build({
      entryPoints: { app: join(CLIENT_DIR, app, 'main.tsx') },
      absWorkingDir: CLIENT_DIR,
      bundle: true,
      write: false,
      outdir: 'out',
      format: 'esm',
      // What the NOC's browsers run: Chromium/Firefox/Safari of the last few years, phones included.
      target: 'es2020',
      minify: true,
      jsx: 'automatic',
      jsxImportSource: 'preact',
      legalComments: 'none',
      logLevel: 'silent',
    });
    return { js: asset(result.outputFiles, '.js'), css: asset(result.outputFiles, '.css') };
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    const where = (failure.errors ?? []).map((e) => `${e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ` : ''}${e.text}`);
    throw new Error(`cannot bundle the ${app} page: ${where.join('; ') || String(err)}`, { cause: err });
  }
}

/** The bundle of one app, built on first call and reused for the life of the process. */
export function webBundle(app: WebApp): Promise<WebBundle> {
  let b = built.get(app);
  if (!b) {
    b = build(app);
    built.set(app, b);
    // A failed build is not cached: the error surfaces at start, and a later call tries again.
    b.catch(() => built.delete(app));
  }
  return b;
}
