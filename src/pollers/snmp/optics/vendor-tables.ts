import { snmpNumber } from '../metrics.js';
import type { ColumnValues } from '../session.js';
import { microwattsToDbm, round, type OpticQuantity, type OpticReading, type Thresholds } from './reading.js';

/**
 * HUAWEI-ENTITY-EXTENT-MIB hwOpticalModuleInfoTable (hwEntityOptical*), indexed by entPhysicalIndex: temperature in
 * °C, voltage in mV, bias in µA; Rx/Tx power in µW as the MIB says, but many VRP releases send hundredths of dBm
 * instead. A negative power (other than the -1 "not available") can only be dBm, so when any row of the device has
 * one, all its power values are read as hundredths of dBm. Thresholds are hundredths of dBm.
 */
export const HUAWEI_OPTICAL = {
  temperature: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.5', voltage: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.6',
  bias: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.7', rx: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.8', tx: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.9',
  rxLow: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.13', rxHigh: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.14',
  txLow: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.15', txHigh: '1.3.6.1.4.1.2011.5.25.31.1.1.3.1.16',
};

/** Values agents send for "no module / not measured". */
const ABSENT = new Set([-1, -255, 2147483647, -2147483648]);

function present(cols: ColumnValues, col: string, index: string): number | undefined {
  const n = snmpNumber(cols.get(col)?.get(index));
  return n === undefined || ABSENT.has(n) ? undefined : n;
}

/** The Huawei optical readings, by entity. */
export function huaweiReadings(cols: ColumnValues): OpticReading[] {
  const H = HUAWEI_OPTICAL;
  const rows = [...new Set([...(cols.get(H.rx)?.keys() ?? []), ...(cols.get(H.tx)?.keys() ?? []), ...(cols.get(H.temperature)?.keys() ?? [])])];
  const dbm = rows.some((i) => [present(cols, H.rx, i), present(cols, H.tx, i)].some((p) => p !== undefined && p < 0));
  const power = (raw: number) => (dbm ? round(raw / 100) : microwattsToDbm(raw));
  const hundredths = (col: string, i: string) => { const n = present(cols, col, i); return n === undefined ? undefined : round(n / 100); };
  const out: OpticReading[] = [];
  for (const entity of rows) {
    const add = (quantity: OpticQuantity, raw: number | undefined, conv: (n: number) => number, thresholds: Thresholds = {}) => {
      if (raw !== undefined) out.push({ entity, quantity, value: conv(raw), thresholds });
    };
    add('rx_power', present(cols, H.rx, entity), power, { lowAlarm: hundredths(H.rxLow, entity), highAlarm: hundredths(H.rxHigh, entity) });
    add('tx_power', present(cols, H.tx, entity), power, { lowAlarm: hundredths(H.txLow, entity), highAlarm: hundredths(H.txHigh, entity) });
    add('temperature', present(cols, H.temperature, entity), (n) => n);
    add('voltage', present(cols, H.voltage, entity), (n) => round(n / 1000));
    add('bias', present(cols, H.bias, entity), (n) => round(n / 1e6));
  }
  return out.map((r) => ({ ...r, thresholds: Object.fromEntries(Object.entries(r.thresholds).filter(([, v]) => v !== undefined)) }));
}

/**
 * HH3C-TRANSCEIVER-INFO-MIB hh3cTransceiverInfoTable, indexed by ifIndex (also under the older 2011.10 root):
 * Rx/Tx power in hundredths of dBm, temperature in °C; power thresholds (alarm and warning) in tenths of µW.
 * Voltage and bias are left out: their units could not be confirmed from the MIB text at hand.
 */
const H3C_ROOTS = ['1.3.6.1.4.1.25506.2.70.1.1.1', '1.3.6.1.4.1.2011.10.2.70.1.1.1'];
const H3C_COLUMNS = { tx: 9, rx: 12, temperature: 15, txHiAlarm: 30, txLoAlarm: 31, txHiWarn: 32, txLoWarn: 33, rxHiAlarm: 34, rxLoAlarm: 35, rxHiWarn: 36, rxLoWarn: 37 };

/** Every H3C column to walk. */
export const H3C_TRANSCEIVER_COLUMNS = H3C_ROOTS.flatMap((root) => Object.values(H3C_COLUMNS).map((c) => `${root}.${c}`));

/** The H3C transceiver readings, by ifIndex (the newer root wins when an agent has both). */
export function h3cReadings(cols: ColumnValues): OpticReading[] {
  const out = new Map<string, OpticReading>();
  for (const root of [...H3C_ROOTS].reverse()) {
    const col = (c: keyof typeof H3C_COLUMNS) => `${root}.${H3C_COLUMNS[c]}`;
    const tenthsUw = (c: keyof typeof H3C_COLUMNS, i: string) => { const n = present(cols, col(c), i); return n === undefined ? undefined : microwattsToDbm(n / 10); };
    const rows = new Set([...(cols.get(col('rx'))?.keys() ?? []), ...(cols.get(col('tx'))?.keys() ?? []), ...(cols.get(col('temperature'))?.keys() ?? [])]);
    for (const ifIndex of rows) {
      const th = (lowAlarm?: number, lowWarn?: number, highWarn?: number, highAlarm?: number): Thresholds =>
        Object.fromEntries(Object.entries({ lowAlarm, lowWarn, highWarn, highAlarm }).filter(([, v]) => v !== undefined));
      const rx = present(cols, col('rx'), ifIndex);
      const tx = present(cols, col('tx'), ifIndex);
      const temp = present(cols, col('temperature'), ifIndex);
      if (rx !== undefined) out.set(`${ifIndex} rx`, { ifIndex, quantity: 'rx_power', value: round(rx / 100), thresholds: th(tenthsUw('rxLoAlarm', ifIndex), tenthsUw('rxLoWarn', ifIndex), tenthsUw('rxHiWarn', ifIndex), tenthsUw('rxHiAlarm', ifIndex)) });
      if (tx !== undefined) out.set(`${ifIndex} tx`, { ifIndex, quantity: 'tx_power', value: round(tx / 100), thresholds: th(tenthsUw('txLoAlarm', ifIndex), tenthsUw('txLoWarn', ifIndex), tenthsUw('txHiWarn', ifIndex), tenthsUw('txHiAlarm', ifIndex)) });
      if (temp !== undefined) out.set(`${ifIndex} temp`, { ifIndex, quantity: 'temperature', value: temp, thresholds: {} });
    }
  }
  return [...out.values()];
}
