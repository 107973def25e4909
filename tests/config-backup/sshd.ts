import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

/** A private OpenSSH server on 127.0.0.1 whose every login runs `forceCommand` (the device emulator). */
export interface SshdInstance { port: number; hostKey: string; stop(): Promise<void>; log(): string }

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for sshd). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** A new ed25519 host key in `file` (private key 0600, as sshd requires). */
export function makeHostKey(file: string): string {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'noctua-test', '-f', file]);
  return file;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Starts `sshd -D` in a private mount namespace (unshare -m) where /etc/passwd and /etc/shadow are the test's own:
 * the device users exist only for this sshd, the machine's accounts are neither read nor changed. The users are
 * uid 0 so the emulator can read the test's private temporary files. Needs root and openssh-server.
 */
export async function startSshd(opts: { dir: string; port?: number; hostKey: string; users: { name: string; password: string }[]; forceCommand: string }): Promise<SshdInstance> {
  if (!existsSync('/usr/sbin/sshd')) throw new Error('sshd not found: apt-get install -y openssh-server');
  if (process.getuid?.() !== 0) throw new Error('the sshd tests need root (unshare -m for private /etc/passwd and /etc/shadow)');
  const port = opts.port ?? await freePort();
  const hash = (pw: string) => execFileSync('openssl', ['passwd', '-6', '-stdin'], { input: pw }).toString().trim();
  writeFileSync(join(opts.dir, 'passwd'), [
    'root:x:0:0:root:/root:/bin/sh', 'sshd:x:100:65534::/run/sshd:/usr/sbin/nologin', 'nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin',
    ...opts.users.map((u) => `${u.name}:x:0:0::${opts.dir}:/bin/sh`), '',
  ].join('\n'));
  writeFileSync(join(opts.dir, 'shadow'), [
    'root:*:19000:0:99999:7:::', 'sshd:*:19000:0:99999:7:::', 'nobody:*:19000:0:99999:7:::',
    ...opts.users.map((u) => `${u.name}:${hash(u.password)}:19000:0:99999:7:::`), '',
  ].join('\n'), { mode: 0o600 });
  const config = join(opts.dir, `sshd_config.${port}`);
  writeFileSync(config, [
    `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${opts.hostKey}`, 'PidFile none', 'UsePAM no',
    'PasswordAuthentication yes', 'KbdInteractiveAuthentication no', 'PubkeyAuthentication no', 'PermitRootLogin yes',
    'StrictModes no', 'UseDNS no', 'LogLevel VERBOSE', 'MaxStartups 100', 'PrintMotd no', 'PrintLastLog no',
    `ForceCommand ${opts.forceCommand}`, '',
  ].join('\n'));
  const logFile = join(opts.dir, `sshd.${port}.log`);
  // /run is a private tmpfs too, so sshd's privilege separation directory exists without touching the machine's.
  const script = [
    `mount --bind ${join(opts.dir, 'passwd')} /etc/passwd`, `mount --bind ${join(opts.dir, 'shadow')} /etc/shadow`,
    'mount -t tmpfs -o mode=0755 tmpfs /run', 'mkdir -m 0755 /run/sshd', `exec /usr/sbin/sshd -D -e -f ${config}`,
  ].join(' && ');
  const child: ChildProcess = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (d: Buffer) => {
    log += d.toString();
    // stderr may still drain after 'exit', when the test has removed its directory: the copy on disk is for reading
    // after a failure only, the log in memory is what the tests assert on.
    try { writeFileSync(logFile, log); } catch { /* directory gone */ }
  });
  let exited = false;
  const exitedP = new Promise<void>((resolve) => child.once('exit', () => { exited = true; resolve(); }));
  const stop = async () => {
    if (exited) return;
    try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
    const t = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 3000);
    await exitedP;
    clearTimeout(t);
  };
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`sshd did not start on 127.0.0.1:${port}: ${log.trim().slice(-800) || '(no output)'}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, hostKey: opts.hostKey, stop, log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : log) };
}
