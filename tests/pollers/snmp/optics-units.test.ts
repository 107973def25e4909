import { describe, expect, it } from 'vitest';
import { DBM_FLOOR, microwattsToDbm, opticSample } from '../../../src/pollers/snmp/optics/reading.js';
import { huaweiReadings, HUAWEI_OPTICAL } from '../../../src/pollers/snmp/optics/vendor-tables.js';
import type { ColumnValues } from '../../../src/pollers/snmp/session.js';

describe('optic readings to sensor samples', () => {
  it.each([
    [1000, 0], [100, -10], [1, -30], [0.5, -33.0103], [0.05, DBM_FLOOR], [0, DBM_FLOOR], [-3, DBM_FLOOR], [1e-9, DBM_FLOOR],
  ])('%d µW is %d dBm (no light reads as the floor)', (uw, dbm) => expect(microwattsToDbm(uw)).toBe(dbm));

  const limits = { lowAlarm: -20, lowWarn: -18, highWarn: 0, highAlarm: 2 };
  it.each([
    [-10, 'ok', false, false], [-19, 'warning', true, false], [-21, 'critical', true, false],
    [1, 'warning', false, true], [3, 'critical', false, true],
  ] as const)('Rx %d dBm against warning and alarm limits: %s', (value, status, low, high) => {
    const s = opticSample({ quantity: 'rx_power', value, thresholds: limits }, 'xe-0/0/1');
    expect(s.tags).toEqual({ kind: 'optical', name: 'xe-0/0/1 rx power', ifName: 'xe-0/0/1', quantity: 'rx_power' });
    expect(s.fields).toMatchObject({ value, status, low, high, ok: status === 'ok' });
  });

  it('with only an alarm limit, low is judged against it; without limits there is no status at all', () => {
    expect(opticSample({ quantity: 'rx_power', value: -19, thresholds: { lowAlarm: -20 } }, 'p').fields).toEqual({ value: -19, low_alarm: -20, low: false, status: 'ok', ok: true });
    expect(opticSample({ quantity: 'temperature', value: 40, thresholds: {} }, 'p').fields).toEqual({ value: 40 });
  });
});

describe('Huawei power units', () => {
  const cols = (rx: Record<string, number>): ColumnValues => new Map([[HUAWEI_OPTICAL.rx, new Map(Object.entries(rx))]]);
  it('reads hundredths of dBm when any module of the device reports a negative power, else microwatts', () => {
    expect(huaweiReadings(cols({ 1: 150, 2: -700 })).map((r) => r.value)).toEqual([1.5, -7]);
    expect(huaweiReadings(cols({ 1: 150, 2: 700 })).map((r) => r.value)).toEqual([-8.2391, -1.549]);
  });
  it('leaves out the "not available" values', () => {
    expect(huaweiReadings(cols({ 1: -1, 2: 2147483647, 3: -255 }))).toEqual([]);
  });
});
