import { DEFAULT_COST, hashPassword, MAX_PASSWORD_LENGTH } from '../auth/passwords.js';
import { intFlag, parseFlags, UsageError, type CliCommand } from './command.js';

/** Shortest password `noctua user hash` accepts (the users API asks the same). */
const MIN_LENGTH = 8;

/** Reads one line from a terminal without echoing it. */
function readHidden(prompt: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let text = '';
    const done = (err?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (err) reject(err); else resolve(text);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new UsageError('cancelled'));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    input.on('data', onData);
  });
}

/** Reads everything piped in; the password is its first line. */
async function readPiped(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.length > MAX_PASSWORD_LENGTH * 2) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

/** `noctua user hash`: prints the hash of a password for `auth.users[].passwordHash` in noctua.yaml. */
export const command: CliCommand = {
  name: 'user',
  summary: 'Make a password hash for a local user in noctua.yaml (auth.users); the password is read from the terminal or stdin.',
  usage: [
    'noctua user hash [--ln N]',
    '',
    '  reads the password without echo (twice) from a terminal, or its first line from a pipe, and prints',
    '  the hash to put in auth.users[].passwordHash:  $scrypt$ln=15,r=8,p=1$<salt>$<hash>',
    `  --ln N   scrypt cost as log2(N), 14 to 20 (default ${DEFAULT_COST.ln}; each step doubles time and memory)`,
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseFlags(argv, { ln: { type: 'string' } }, true);
    if (positionals[0] !== 'hash' || positionals.length !== 1) throw new UsageError(`expected the subcommand "hash", got ${JSON.stringify(positionals.join(' '))}`);
    const ln = intFlag('ln', values.ln, 14, 20) ?? DEFAULT_COST.ln;
    let password: string;
    if (process.stdin.isTTY) {
      password = await readHidden('Password: ');
      if ((await readHidden('Again: ')) !== password) throw new UsageError('the two passwords differ');
    } else {
      password = await readPiped();
    }
    if (password.length < MIN_LENGTH) throw new UsageError(`the password must have at least ${MIN_LENGTH} characters, got ${password.length}`);
    if (password.length > MAX_PASSWORD_LENGTH) throw new UsageError(`the password must have at most ${MAX_PASSWORD_LENGTH} characters, got ${password.length}`);
    console.log(await hashPassword(password, { ...DEFAULT_COST, ln }));
    return 0;
  },
};
