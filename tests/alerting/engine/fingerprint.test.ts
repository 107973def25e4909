import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { alertFingerprint } from '../../../src/alerting/engine/trackers.js';

describe('alertFingerprint', () => {
  it('stays the first 16 hex characters of sha256(rule NUL device NUL instance), as stored trackers and incidents carry it', () => {
    for (const [rule, device, instance] of [['if-down', 'core-1', 'ifIndex=3'], ['disk', 'srv-0001', '/var'], ['r', 'd', ''], ['ünï', 'dév', 'ä/ö']]) {
      const old = createHash('sha256').update(`${rule}\u0000${device}\u0000${instance}`).digest('hex').slice(0, 16);
      expect(alertFingerprint(rule!, device!, instance!)).toBe(old);
    }
    expect(alertFingerprint('a', 'b', 'c')).toMatch(/^[0-9a-f]{16}$/);
    expect(alertFingerprint('a', 'b', 'c')).not.toBe(alertFingerprint('a', 'b', 'd'));
  });
});
