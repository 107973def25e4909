import { dirname } from 'node:path';
import { ensurePrivateDir, openPrivate } from '../../core/private-files.js';

/**
 * The file where points InfluxDB refused are kept, fsync'd, so that an operator can fix and re-import them
 * (`influx -import` skips the `#` comment lines, which carry when and why each point was refused).
 */
export class DeadLetterFile {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(readonly file: string) {}

  /** Appends the refused lines with the time and InfluxDB's reason. */
  add(lines: readonly string[], reason: string, at: Date): Promise<void> {
    const oneLineReason = reason.replace(/\s*\n\s*/g, ' | ');
    const text = lines.map((l) => `# ${at.toISOString()} ${oneLineReason}\n${l}\n`).join('');
    const run = this.chain.then(async () => {
      await ensurePrivateDir(dirname(this.file));
      // Refused points are the devices' data: 0600 like the rest of the state.
      const fh = await openPrivate(this.file, 'a');
      try {
        await fh.appendFile(text);
        await fh.sync();
      } finally { await fh.close(); }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }
}
