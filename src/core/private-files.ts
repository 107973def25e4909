import { chmodSync, closeSync, existsSync, mkdirSync, openSync, renameSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, open, rename, writeFile, type FileHandle } from 'node:fs/promises';

/**
 * Noctua's state (noctua.db with its outbox of signed acknowledge links, the spool, dead letters, reports) is for
 * Noctua's user only: directories 0700, files 0600, whatever the umask. Every state file is created here.
 * Files and directories made by an older version are tightened when opened again.
 */

/** Mode of every state directory: owner only. */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of every state file: owner read and write. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * EPERM from chmod: the file or directory exists and belongs to another user (a shared state directory read
 * by `noctua report`, say). Not ours to change; everything Noctua creates itself is still created private.
 */
const notOurs = (err: unknown) => (err as NodeJS.ErrnoException).code === 'EPERM';

function chmodOwnSync(path: string, mode: number): void {
  try { chmodSync(path, mode); } catch (err) { if (!notOurs(err)) throw err; }
}

async function chmodOwn(path: string, mode: number): Promise<void> {
  try { await chmod(path, mode); } catch (err) { if (!notOurs(err)) throw err; }
}

/** Creates `dir` (and missing parents) as 0700 and tightens `dir` itself if it already existed. */
export function ensurePrivateDirSync(dir: string): void {
  // mkdir's mode is masked by the umask (0700 survives any usual umask); chmod is not, and fixes an old directory.
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  chmodOwnSync(dir, PRIVATE_DIR_MODE);
}

/** {@link ensurePrivateDirSync}, without blocking. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmodOwn(dir, PRIVATE_DIR_MODE);
}

/** Opens a state file with `flags` ('a', 'wx+', 'r+', ...), created 0600; an existing file is tightened to 0600. */
export async function openPrivate(path: string, flags: string): Promise<FileHandle> {
  const fh = await open(path, flags, PRIVATE_FILE_MODE);
  try {
    await fh.chmod(PRIVATE_FILE_MODE);
  } catch (err) {
    if (!notOurs(err)) {
      await fh.close();
      throw err;
    }
  }
  return fh;
}

/** Writes a whole state file as 0600, atomically: a temporary file beside it, then a rename. */
export async function writePrivateFile(path: string, data: string | Uint8Array): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, data, { mode: PRIVATE_FILE_MODE });
  await chmod(tmp, PRIVATE_FILE_MODE);
  await rename(tmp, path);
}

/** {@link writePrivateFile}, blocking (for callers that write synchronously, such as stored reports). */
export function writePrivateFileSync(path: string, data: string | Uint8Array): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, data, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
  renameSync(tmp, path);
}

/**
 * Makes sure a state file that another library will open exists as 0600 (created empty when missing): SQLite
 * creates its -wal and -shm files with the mode of the database file, so this is what keeps those private too.
 */
export function createPrivateFileSync(path: string): void {
  closeSync(openSync(path, 'a', PRIVATE_FILE_MODE));
  chmodOwnSync(path, PRIVATE_FILE_MODE);
}

/** Tightens files that another library creates itself (SQLite's database, -wal and -shm) to 0600, where they exist. */
export function tightenExistingSync(paths: readonly string[]): void {
  for (const p of paths) if (existsSync(p)) chmodOwnSync(p, PRIVATE_FILE_MODE);
}
