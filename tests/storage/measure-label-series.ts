/**
 * Measures what a device that renames its ports costs InfluxDB, for the decision in docs/SCHEMA.md
 * ("ifAlias and ifDescr are fields"): 48 ports renamed 1,000 times, written once with ifAlias/ifDescr as tags
 * and once as string fields, each into its own database of a private influxd; reports series cardinality,
 * influxd's heap and RSS, and the disk used. Run: `npx tsx tests/storage/measure-label-series.ts`.
 */
import { readFileSync } from 'node:fs';
import { startInfluxd, influxQuery } from '../../src/lab/influxd.js';
import { tempDir } from '../helpers/tmp.js';

const PORTS = 48;
const RENAMES = 1000;

async function heapMiB(url: string): Promise<number> {
  const vars = (await (await fetch(`${url}/debug/vars`)).json()) as { memstats: { HeapInuse: number } };
  return vars.memstats.HeapInuse / 2 ** 20;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function write(url: string, db: string, asTags: boolean): Promise<void> {
  const start = Date.now() - RENAMES * 60_000;
  for (let n = 0; n < RENAMES; n++) {
    const lines: string[] = [];
    for (let p = 1; p <= PORTS; p++) {
      const alias = `uplink\\ to\\ core\\ rename\\ ${n}`;
      const descr = `GigabitEthernet0/${p}\\ rev\\ ${n}`;
      const series = `interface,device=hostile-sw,site=lab,class=switch,vendor=unknown,ifIndex=${p},ifName=Gi0/${p}`;
      const values = `in_octets=${n * 1000}i,out_octets=${n * 900}i,oper_up=true`;
      lines.push(asTags
        ? `${series},ifAlias=${alias},ifDescr=${descr} ${values} ${start + n * 60_000}`
        : `${series} ${values},ifAlias="uplink to core rename ${n}",ifDescr="GigabitEthernet0/${p} rev ${n}" ${start + n * 60_000}`);
    }
    const res = await fetch(`${url}/write?db=${db}&precision=ms`, { method: 'POST', body: lines.join('\n') });
    if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
  }
}

async function cardinality(url: string, db: string): Promise<number> {
  const r = await influxQuery(url, 'SHOW SERIES CARDINALITY', db);
  return Number(r[0]?.series?.[0]?.values?.[0]?.[0] ?? 0);
}

const tmp = tempDir('noctua-measure-series-');
const influx = await startInfluxd({ dir: tmp.dir });
try {
  for (const [db, asTags] of [['as_fields', false], ['as_tags', true]] as const) {
    await influxQuery(influx.url, `CREATE DATABASE ${db}`);
    const before = { heapMiB: await heapMiB(influx.url), rssMiB: rssMiB(influx.process.pid) };
    const t0 = Date.now();
    await write(influx.url, db, asTags);
    const ms = Date.now() - t0;
    const after = { heapMiB: await heapMiB(influx.url), rssMiB: rssMiB(influx.process.pid) };
    console.log(`${db}: ${PORTS} ports x ${RENAMES} renames = ${PORTS * RENAMES} points in ${ms} ms; ` +
      `series ${await cardinality(influx.url, db)}; influxd heap ${before.heapMiB.toFixed(1)} -> ${after.heapMiB.toFixed(1)} MiB, ` +
      `RSS ${before.rssMiB.toFixed(1)} -> ${after.rssMiB.toFixed(1)} MiB`);
  }
} finally {
  await influx.stop();
  tmp.cleanup();
}
