import { createSocket, type Socket } from 'node:dgram';

/**
 * A UDP relay on 127.0.0.1 in front of a real agent that passes requests through unchanged and lets a test
 * alter each answer: the way to get a real agent to answer with another community, or to tamper with a v3 answer.
 */
export interface UdpRelay {
  port: number;
  close(): Promise<void>;
}

/** Starts a relay to `127.0.0.1:upstreamPort`; `alter` rewrites each answer on its way back to the client. */
export async function startUdpRelay(upstreamPort: number, alter: (answer: Buffer) => Buffer): Promise<UdpRelay> {
  const front = createSocket('udp4');
  // One upstream socket per client address, so each answer goes back to whoever asked.
  const upstream = new Map<string, Socket>();
  front.on('message', (msg, client) => {
    const key = `${client.address}:${client.port}`;
    let up = upstream.get(key);
    if (!up) {
      const sock = createSocket('udp4');
      sock.on('message', (answer) => front.send(alter(answer), client.port, client.address));
      upstream.set(key, (up = sock));
    }
    up.send(msg, upstreamPort, '127.0.0.1');
  });
  await new Promise<void>((resolve) => front.bind(0, '127.0.0.1', () => resolve()));
  return {
    port: front.address().port,
    async close() {
      for (const s of upstream.values()) s.close();
      await new Promise<void>((resolve) => front.close(() => resolve()));
    },
  };
}

function readLength(b: Buffer, at: number): { length: number; next: number } {
  const first = b[at]!;
  if (first < 0x80) return { length: first, next: at + 1 };
  let length = 0;
  const n = first & 0x7f;
  for (let i = 1; i <= n; i++) length = length * 256 + b[at + i]!;
  return { length, next: at + 1 + n };
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** An SNMPv1/v2c message (SEQUENCE { version, community, PDU }) with its community replaced. */
export function withCommunity(message: Buffer, community: string): Buffer {
  const outer = readLength(message, 1);
  const versionStart = outer.next;
  const version = readLength(message, versionStart + 1);
  const communityStart = version.next + version.length;
  if (message[communityStart] !== 0x04) return message;
  const old = readLength(message, communityStart + 1);
  const c = Buffer.from(community);
  const body = Buffer.concat([message.subarray(versionStart, communityStart), Buffer.from([0x04]), encodeLength(c.length), c, message.subarray(old.next + old.length)]);
  return Buffer.concat([Buffer.from([0x30]), encodeLength(body.length), body]);
}
