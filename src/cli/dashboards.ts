import { isAbsolute, resolve } from 'node:path';
import { DASHBOARDS, writeDashboards } from '../../dashboards/build.js';
import { parseFlags, UsageError, type CliCommand } from './command.js';

/** Where `noctua dashboards` writes when no `--out` is given, relative to the working directory. */
export const DEFAULT_OUT = 'dashboards/out';

/** Grafana's interval syntax: a whole number and a unit (ms, s, m, h, d, w). */
const INTERVAL = /^[1-9]\d*(ms|s|m|h|d|w)$/;

function urlFlag(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(`--influx-url: expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--influx-url: expected an http:// or https:// URL, got ${JSON.stringify(value)}`);
  }
  return value.replace(/\/+$/, '');
}

function nameFlag(flag: string, value: string): string {
  // Line breaks or quotes would break the YAML scalar and InfluxDB names alike.
  if (value === '' || /[\s"'\\]/.test(value)) throw new UsageError(`--${flag}: expected a name without spaces, quotes or backslashes, got ${JSON.stringify(value)}`);
  return value;
}

/** `noctua dashboards`: writes the Grafana dashboards and their provisioning files. */
export const command: CliCommand = {
  name: 'dashboards',
  summary: 'Write the Grafana dashboards (JSON) and the provisioning files for their InfluxDB datasource and folder.',
  usage: [
    'noctua dashboards [--out DIR] [--database NAME] [--influx-url URL] [--dashboards-path PATH] [--min-interval 10s] [--username USER]',
    '',
    `  --out DIR              where to write (default ${DEFAULT_OUT}): DIR/dashboards/*.json and DIR/provisioning/**`,
    '  --database NAME        InfluxDB database the datasource queries (default noctua, as influx.database)',
    '  --influx-url URL       InfluxDB URL as the Grafana server reaches it (default http://127.0.0.1:8086)',
    '  --dashboards-path PATH absolute directory on the Grafana host holding the JSON (default /var/lib/grafana/dashboards/noctua)',
    '  --min-interval DUR     smallest $__interval, the shortest poll interval (default 10s)',
    '  --username USER        InfluxDB user; Grafana then reads the password from $NOCTUA_INFLUX_PASSWORD',
  ].join('\n'),
  async run(argv) {
    const { values } = parseFlags(argv, {
      out: { type: 'string' },
      database: { type: 'string' },
      'influx-url': { type: 'string' },
      'dashboards-path': { type: 'string' },
      'min-interval': { type: 'string' },
      username: { type: 'string' },
    });
    const dashboardsPath = values['dashboards-path'] ?? '/var/lib/grafana/dashboards/noctua';
    if (!isAbsolute(dashboardsPath)) throw new UsageError(`--dashboards-path: expected an absolute path on the Grafana host, got ${JSON.stringify(dashboardsPath)}`);
    const minInterval = values['min-interval'] ?? '10s';
    if (!INTERVAL.test(minInterval)) throw new UsageError(`--min-interval: expected a duration such as 10s or 1m, got ${JSON.stringify(minInterval)}`);
    if (values.out === '') throw new UsageError('--out: expected a directory, got an empty string');
    const out = resolve(values.out ?? DEFAULT_OUT);
    const written = writeDashboards(out, {
      database: nameFlag('database', values.database ?? 'noctua'),
      influxUrl: urlFlag(values['influx-url'] ?? 'http://127.0.0.1:8086'),
      dashboardsPath,
      minInterval,
      ...(values.username !== undefined ? { username: nameFlag('username', values.username) } : {}),
    });
    console.log(`noctua dashboards: wrote ${DASHBOARDS.length} dashboards and ${written.provisioning.length} provisioning files to ${out}`);
    for (const f of [...written.dashboards, ...written.provisioning]) console.log(`  ${f}`);
    console.log(`Copy ${out}/dashboards/*.json to ${dashboardsPath} and ${out}/provisioning/* into Grafana's provisioning directory (docs/DASHBOARDS.md).`);
    return 0;
  },
};
