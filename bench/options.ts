/** The sections `npm run bench` knows, in the order they run. */
export const SECTIONS = ['icmp', 'snmp', 'fleet', 'influx', 'alerts', 'cluster', 'consume', 'events', 'discovery'] as const;

/** One benchmark section. */
export type Section = (typeof SECTIONS)[number];

/** What the command line asked for. */
export interface BenchOptions {
  quick: boolean;
  sections: Section[];
  /** Repetitions of every measurement (at least 3: a median needs them). */
  repeats: number;
  /** Where the JSON result goes (default bench/results). */
  outDir?: string;
  /** Fleet runs as devices and seconds each (`--fleet 2000:300,5000:180`); the mode's default when absent. */
  fleet?: { devices: number; seconds: number }[];
  /** Run the fleet's `noctua start` under `--cpu-prof` into this directory (for bench/profile-summary.ts). */
  profileDir?: string;
}

/** Parses `npm run bench` arguments: `--quick`, `--only a,b` (or repeated), `--repeats N`, `--out DIR`, `--profile DIR`, `--fleet N:S,…`; throws on anything else. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let quick = false;
  let repeats = 3;
  let outDir: string | undefined;
  let profileDir: string | undefined;
  let fleet: BenchOptions['fleet'];
  const only: Section[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--quick': quick = true; break;
      case '--only':
        for (const s of value().split(',').map((x) => x.trim()).filter(Boolean)) {
          if (!(SECTIONS as readonly string[]).includes(s)) throw new Error(`--only: unknown section "${s}" (expected ${SECTIONS.join(', ')})`);
          if (!only.includes(s as Section)) only.push(s as Section);
        }
        break;
      case '--repeats': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 3) throw new Error('--repeats: expected an integer of at least 3 (a median and a spread need three runs)');
        repeats = n;
        break;
      }
      case '--out': outDir = value(); break;
      case '--profile': profileDir = value(); break;
      case '--fleet':
        fleet = value().split(',').map((part) => {
          const m = /^(\d+):(\d+)$/.exec(part.trim());
          if (!m || Number(m[1]) < 10 || Number(m[2]) < 10) throw new Error(`--fleet: expected DEVICES:SECONDS[,…] with at least 10 of each, got "${part}"`);
          return { devices: Number(m[1]), seconds: Number(m[2]) };
        });
        break;
      default: throw new Error(`unknown argument "${arg}" (expected --quick, --only ${SECTIONS.join('|')}, --repeats N, --out DIR, --profile DIR, --fleet N:S[,N:S])`);
    }
  }
  return { quick, sections: only.length ? SECTIONS.filter((s) => only.includes(s)) : [...SECTIONS], repeats, ...(outDir ? { outDir } : {}), ...(profileDir ? { profileDir } : {}), ...(fleet ? { fleet } : {}) };
}
