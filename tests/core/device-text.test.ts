import { describe, expect, it } from 'vitest';
import { DEVICE_TEXT_MAX_BYTES, boundDeviceStrings, capUtf8, deviceText, deviceTextFromBytes } from '../../src/core/device-text.js';

describe('device text', () => {
  it('keeps ordinary text as it is', () => {
    expect(deviceText('Gi0/1 uplink to core-2')).toBe('Gi0/1 uplink to core-2');
  });

  it('cuts at 255 UTF-8 bytes, never inside a character', () => {
    expect(Buffer.byteLength(deviceText('a'.repeat(70_000)))).toBe(DEVICE_TEXT_MAX_BYTES);
    // 3-byte characters: 85 fit exactly; 2-byte after one ASCII byte: 127 fit (255 = 1 + 127 x 2).
    expect(deviceText('机'.repeat(1000))).toBe('机'.repeat(85));
    expect(deviceText('x' + 'é'.repeat(500))).toBe('x' + 'é'.repeat(127));
    // A 4-byte emoji (a surrogate pair in JS) is kept whole or not at all.
    const cut = deviceText('ab' + '😀'.repeat(100));
    expect(Buffer.byteLength(cut)).toBe(254);
    expect(cut.endsWith('😀')).toBe(true);
    expect(capUtf8('ab😀', 5)).toBe('ab');
  });

  it('replaces control and bidi runs with one space and trims', () => {
    expect(deviceText('Cisco IOS\r\nTechnical Support\u0000')).toBe('Cisco IOS Technical Support');
    expect(deviceText('\u001b[31mred\u001b[0m')).toBe('[31mred [0m');
    expect(deviceText('port\u202e1gnp.exe')).toBe('port 1gnp.exe');
    expect(deviceText('  a\u2028b  ')).toBe('a b');
  });

  it('decodes an OCTET STRING without its trailing NULs and reads no more than it keeps', () => {
    expect(deviceTextFromBytes(Buffer.from('eth0\u0000\u0000'))).toBe('eth0');
    expect(Buffer.byteLength(deviceTextFromBytes(Buffer.alloc(65_000, 0x41)))).toBe(255);
  });

  it('bounds every tag and string field of a sample, leaving numbers alone', () => {
    const s = boundDeviceStrings({ tags: { ifAlias: 'x'.repeat(300) }, fields: { sysDescr: 'a\nb', n: 1, big: 2n } });
    expect(s.tags.ifAlias!.length).toBe(255);
    expect(s.fields).toEqual({ sysDescr: 'a b', n: 1, big: 2n });
  });
});
