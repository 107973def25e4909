import { describe, expect, it } from 'vitest';
import { DEVICE_TEXT_MAX_BYTES, boundDeviceStrings, capUtf8, decodeDeviceBytes, deviceText, deviceTextFromBytes } from '../../src/core/device-text.js';

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

  it('reads a Chinese console\'s GBK text as Chinese, and leaves binary and broken bytes as they were', () => {
    // 北京机房 核心 in GBK, as an H3C or Huawei stores a sysLocation typed on its console.
    const gbk = Buffer.from([0xb1, 0xb1, 0xbe, 0xa9, 0xbb, 0xfa, 0xb7, 0xbf, 0x20, 0xba, 0xcb, 0xd0, 0xc4]);
    expect(deviceTextFromBytes(gbk)).toBe('北京机房 核心');
    expect(decodeDeviceBytes(gbk)).toEqual({ text: '北京机房 核心', invalid: false });
    // UTF-8 stays UTF-8 even where its bytes would also pass as GB2312.
    expect(deviceTextFromBytes(Buffer.from('核心交换机', 'utf8'))).toBe('核心交换机');
    // Bytes outside GB2312's rows, or a lone lead byte, are not guessed: replacement characters.
    expect(decodeDeviceBytes(Buffer.from([0x41, 0xff, 0xfe]))).toMatchObject({ invalid: true });
    expect(decodeDeviceBytes(Buffer.from([0x41, 0xb1]))).toMatchObject({ invalid: true });
    // Pairs from the symbol rows only (no Han character) are not enough to call it Chinese.
    expect(decodeDeviceBytes(Buffer.from([0xa1, 0xa1, 0xa3, 0xa8]))).toMatchObject({ invalid: true });
    // A long GBK string cut at the read limit loses the half character, not the whole string.
    const long = Buffer.concat([Buffer.from('x'), Buffer.alloc(1100, 0)].map((b, i) => (i === 0 ? b : Buffer.from(Array.from({ length: 550 }, () => [0xd6, 0xd0]).flat()))));
    const text = deviceTextFromBytes(long);
    expect(text.startsWith('x中中')).toBe(true);
    expect(text).not.toContain('\uFFFD');
  });
});
