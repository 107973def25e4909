import { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import type { SshSettings } from '../config/sections/config-backup.js';
import { endpointKey, type HostKeyStore } from './host-keys.js';
import { cleanTerminalText, lastLine } from './terminal.js';
import type { Vendor } from './vendor.js';

/** Why a backup failed, so the report and the logs can say what to do about it. */
export type BackupFailure = 'host-key-changed' | 'auth' | 'connect' | 'timeout' | 'enable' | 'command' | 'closed';

/** A backup that did not happen: one device's problem, never thrown past the runner. */
export class BackupError extends Error {
  constructor(readonly kind: BackupFailure, message: string, options?: ErrorOptions) { super(message, options); this.name = 'BackupError'; }
}

/** What a session needs to know about one device. */
export interface SessionTarget { device: string; address: string; ssh: SshSettings; vendor: Vendor }

/** Time limits of one session, in milliseconds. */
export interface SessionLimits { connectTimeout: number; idleTimeout: number; sessionTimeout: number }

// Older devices (VRP 5, IOS 12, RGOS 10) offer only these; they are tried after every modern algorithm.
const LEGACY: ConnectConfig['algorithms'] = {
  kex: { append: ['diffie-hellman-group14-sha1', 'diffie-hellman-group-exchange-sha1', 'diffie-hellman-group1-sha1'], prepend: [], remove: [] },
  cipher: { append: ['aes128-cbc', 'aes256-cbc', '3des-cbc'], prepend: [], remove: [] },
  serverHostKey: { append: ['ssh-rsa', 'ssh-dss'], prepend: [], remove: [] },
};

/** More output than any running configuration has: a device that keeps talking is cut off here. */
const MAX_OUTPUT = 32 * 1024 * 1024;

/** Matches a vendor pattern against the line where a prompt waits. */
const matches = (pattern: string, line: string) => new RegExp(pattern).test(line.trim());

/** The CLI of one device over an interactive shell: send a line, read until a prompt, answer pagers. */
class Cli {
  private raw = '';
  private wake: (() => void) | undefined;
  private closed = false;
  private pagerAnsweredAt = 0;
  private tooMuch = false;

  constructor(private readonly stream: ClientChannel, private readonly vendor: Vendor, private readonly idleTimeout: number, private readonly device: string) {
    stream.on('data', (d: Buffer) => { this.raw += d.toString('utf8'); this.onData(); });
    stream.stderr.on('data', (d: Buffer) => { this.raw += d.toString('utf8'); this.onData(); });
    stream.on('close', () => { this.closed = true; this.wake?.(); });
  }

  private onData(): void {
    if (this.raw.length > MAX_OUTPUT) { this.closed = true; this.tooMuch = true; this.stream.close(); this.wake?.(); return; }
    const tail = lastLine(this.raw);
    // A pager is answered once: its erase sequence may come in a later chunk and leave the same text in view.
    const pager = this.vendor.pagers.find((p) => tail.includes(p.trim()));
    if (pager && this.raw.lastIndexOf(pager.trim()) >= this.pagerAnsweredAt) {
      this.pagerAnsweredAt = this.raw.length;
      this.stream.write(' ');
    }
    this.wake?.();
  }

  send(line: string): void {
    this.raw = '';
    this.pagerAnsweredAt = 0;
    this.stream.write(`${line}\n`);
  }

  /** Waits until the last line matches one of the patterns; returns which and the text before that line. */
  async until(patterns: readonly string[], what: string): Promise<{ index: number; text: string; prompt: string }> {
    for (;;) {
      const tail = lastLine(this.raw);
      const index = patterns.findIndex((p) => matches(p, tail));
      if (index >= 0) {
        const text = cleanTerminalText(this.raw, this.vendor.pagers);
        return { index, text: text.slice(0, text.lastIndexOf('\n') + 1), prompt: tail.trim() };
      }
      if (this.tooMuch) throw new BackupError('command', `${this.device}: more than ${MAX_OUTPUT / 1024 / 1024} MiB of output while waiting for ${what}; session cut`);
      if (this.closed) throw new BackupError('closed', `${this.device}: the device closed the session while Noctua waited for ${what}${tail.trim() ? ` (last line: ${JSON.stringify(tail.trim().slice(0, 80))})` : ''}`);
      const before = this.raw.length;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.idleTimeout);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
      this.wake = undefined;
      if (this.raw.length === before && !this.closed) {
        throw new BackupError('timeout', `${this.device}: no ${what} within ${this.idleTimeout / 1000}s${tail.trim() ? ` (last line: ${JSON.stringify(tail.trim().slice(0, 80))})` : ' (the device sent nothing)'}`);
      }
    }
  }
}

/** Connects, checking the host key against its pin; resolves with the ready client. */
function connect(client: Client, target: SessionTarget, hostKeys: HostKeyStore, limits: SessionLimits): Promise<Client> {
  const { device, address, ssh } = target;
  const endpoint = endpointKey(address, ssh.port);
  return new Promise((resolve, reject) => {
    let refused: BackupError | undefined;
    client.on('ready', () => resolve(client));
    client.on('error', (err: Error & { level?: string }) => {
      client.end();
      if (refused) return reject(refused);
      if (err.level === 'client-authentication') return reject(new BackupError('auth', `${device}: authentication failed for user "${ssh.user}" at ${endpoint} (wrong user name or password?)`, { cause: err }));
      if (err.level === 'client-timeout' || /timed out/i.test(err.message)) return reject(new BackupError('timeout', `${device}: no SSH handshake with ${endpoint} within ${limits.connectTimeout / 1000}s`, { cause: err }));
      reject(new BackupError('connect', `${device}: cannot connect to ${endpoint}: ${err.message}`, { cause: err }));
    });
    client.on('keyboard-interactive', (_name, _instr, _lang, prompts, finish) => finish(prompts.map(() => ssh.password)));
    client.connect({
      host: address, port: ssh.port, username: ssh.user, password: ssh.password, tryKeyboard: true,
      readyTimeout: limits.connectTimeout, keepaliveInterval: 10_000, algorithms: LEGACY,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        hostKeys.check(endpoint, device, key).then((r) => {
          if (!r.ok) {
            refused = new BackupError('host-key-changed',
              `${device}: HOST KEY CHANGED at ${endpoint}: pinned ${r.pinned.fingerprint} (${r.pinned.algorithm}, first seen ${r.pinned.firstSeen}) but the device offered ${r.offered}. `
              + 'Backup refused: this may be someone in the middle. If the device was really replaced or re-keyed, check the new key on its console, '
              + `then run \`noctua config-backup --forget-host-key ${device}\`.`);
          }
          verify(r.ok);
        }, (err: unknown) => { refused = new BackupError('connect', `${device}: ${(err as Error).message}`, { cause: err }); verify(false); });
      },
    });
  });
}

function openShell(client: Client): Promise<ClientChannel> {
  return new Promise((resolve, reject) => {
    client.shell({ term: 'vt100', cols: 511, rows: 24 }, (err, stream) => (err ? reject(err) : resolve(stream)));
  });
}

/** Logs in, gets privileged, turns the pager off and runs the vendor's commands: returns their output. */
async function drive(cli: Cli, target: SessionTarget, warn: (msg: string) => void): Promise<string> {
  const { vendor, device, ssh } = target;
  let { prompt } = await cli.until([vendor.prompt], 'CLI prompt after login');
  if (vendor.enable && matches(vendor.enable.when, prompt)) {
    if (!ssh.enableSecret) throw new BackupError('enable', `${device}: the CLI is unprivileged (prompt ${JSON.stringify(prompt)}) and no ssh.enableSecret is set`);
    cli.send(vendor.enable.command);
    const first = await cli.until([vendor.enable.passwordPrompt, vendor.prompt], 'enable password prompt');
    if (first.index === 0) {
      cli.send(ssh.enableSecret);
      const r = await cli.until([vendor.enable.passwordPrompt, vendor.prompt], 'privileged prompt');
      if (r.index === 0) throw new BackupError('enable', `${device}: enable refused the secret (wrong ssh.enableSecret?)`);
      prompt = r.prompt;
    } else prompt = first.prompt;
    if (matches(vendor.enable.when, prompt)) throw new BackupError('enable', `${device}: still unprivileged after "${vendor.enable.command}" (wrong ssh.enableSecret?)`);
  }
  const run = async (command: string) => {
    cli.send(command);
    const { text } = await cli.until([vendor.prompt], `prompt after "${command}"`);
    const lines = text.split('\n');
    lines.shift(); // the echo of the command
    const refused = lines.find((l) => l.length < 1024 && vendor.errors.some((p) => new RegExp(p).test(l)));
    return { output: lines.join('\n'), refused };
  };
  for (const command of vendor.setup) {
    const r = await run(command);
    if (r.refused) warn(`${device}: "${command}" refused (${r.refused.trim().slice(0, 120)}); pagers are answered instead`);
  }
  const parts: string[] = [];
  for (const command of vendor.commands) {
    const r = await run(command);
    if (r.refused) throw new BackupError('command', `${device}: the device refused "${command}": ${r.refused.trim().slice(0, 200)}`);
    parts.push(r.output);
  }
  return parts.join('\n');
}

/**
 * Reads one device's running configuration over SSH. Every wait is bounded: the connection by connectTimeout,
 * each prompt by idleTimeout, the whole session by sessionTimeout, after which the connection is cut.
 */
export async function readRunningConfig(target: SessionTarget, hostKeys: HostKeyStore, limits: SessionLimits, warn: (msg: string) => void = () => {}): Promise<string> {
  const client = new Client();
  let timer: NodeJS.Timeout | undefined;
  const overall = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new BackupError('timeout', `${target.device}: session cut after ${limits.sessionTimeout / 1000}s (sessionTimeout)`)), limits.sessionTimeout);
  });
  try {
    return await Promise.race([overall, (async () => {
      await connect(client, target, hostKeys, limits);
      const stream = await openShell(client);
      const cli = new Cli(stream, target.vendor, limits.idleTimeout, target.device);
      const output = await drive(cli, target, warn);
      stream.end(`${target.vendor.exit}\n`);
      return output;
    })()]);
  } finally {
    clearTimeout(timer);
    client.end();
    client.destroy();
  }
}
