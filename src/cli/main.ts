import { UsageError, type CliCommand } from './command.js';
import { ConfigInvalidError } from '../config/yaml-source.js';

/** Every subcommand, loaded only when used so that `noctua check-config` does not load the poller. */
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  alerts: () => import('./alerts.js'),
  assets: () => import('./assets.js'),
  cluster: () => import('./cluster.js'),
  'check-config': () => import('./check-config.js'),
  'config-backup': () => import('./config-backup.js'),
  'config-diff': () => import('./config-diff.js'),
  db: () => import('./db.js'),
  dashboards: () => import('./dashboards.js'),
  discover: () => import('./discover.js'),
  events: () => import('./events.js'),
  lab: () => import('./lab.js'),
  locate: () => import('./locate.js'),
  report: () => import('./report.js'),
  start: () => import('./start.js'),
  poll: () => import('./poll.js'),
  topology: () => import('./topology.js'),
  user: () => import('./user.js'),
};

function help(commands: CliCommand[]): string {
  return [
    'Usage: noctua <command> [options]', '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(14)} ${c.summary}`),
    '', 'Run `noctua <command> --help` for the options of a command.',
  ].join('\n');
}

/** Entry point of the `noctua` binary; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    const all = await Promise.all(Object.values(COMMANDS).map(async (load) => (await load()).command));
    console.log(help(all));
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    console.error(`noctua: unknown command "${name}" (expected one of: ${Object.keys(COMMANDS).join(', ')})`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`${command.usage}\n\n${command.summary}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`noctua ${name}: ${err.message}\n\n${command.usage}`);
      return 2;
    }
    if (err instanceof ConfigInvalidError) {
      console.error(err.message);
      console.error(`noctua ${name}: ${err.errors.length} configuration error${err.errors.length === 1 ? '' : 's'}`);
      return 1;
    }
    throw err;
  }
}
