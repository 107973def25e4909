import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('fping backend out of file descriptors', () => {
  it('fails the cycle with a clear error naming the open-file limit, does not crash, and works again once fds are free', () => {
    // A 10,000-device bench run hit this: two UDP sockets per SNMP device used up the limit of 20,000 and the next fping spawn
    // (EMFILE) ended the whole process.
    const r = spawnSync('sh', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${join(here, 'fping-emfile.ts')}"`], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).not.toMatch(/Unhandled 'error' event/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { held: number; outcome: { ok: boolean; error?: string }; againSent: number };
    expect(out.held).toBeGreaterThan(100);
    expect(out.outcome.ok).toBe(false);
    expect(out.outcome.error).toMatch(/no file descriptor left \(EMFILE\); raise its open-file limit/);
    expect(out.againSent).toBe(1);
  });
});
