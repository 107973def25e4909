import { createSocket, type Socket } from 'node:dgram';
import { connect, type Socket as TcpSocket } from 'node:net';

/**
 * The events section's load: SNMPv2c trap PDUs and syslog lines encoded once, before any clock starts, and a
 * paced sender that spreads them over many loopback source addresses (one per simulated device) at a given rate.
 * Every loop is bounded in count and in time.
 */

/** Simulated devices: each sends from its own 127.0.2.x address and is in the receivers' inventory. */
export const SOURCES = 64;

/** The loopback address of simulated device `i` (0-based). */
export function sourceAddress(i: number): string {
  return `127.0.2.${i + 1}`;
}

// --- a minimal BER encoder: just what a v2c SNMPv2-Trap PDU needs -------------------------------------------------

function tlv(tag: number, body: Buffer): Buffer {
  const n = body.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}

function uint(tag: number, v: number): Buffer {
  const bytes: number[] = [];
  do { bytes.unshift(v & 0xff); v = Math.floor(v / 256); } while (v > 0);
  if (bytes[0]! & 0x80) bytes.unshift(0);
  return tlv(tag, Buffer.from(bytes));
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const sub: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) sub.unshift((v & 0x7f) | 0x80);
    out.push(...sub);
  }
  return tlv(0x06, Buffer.from(out));
}

type Value = { int: number } | { str: string } | { oid: string } | { ticks: number };

function value(v: Value): Buffer {
  if ('int' in v) return uint(0x02, v.int);
  if ('str' in v) return tlv(0x04, Buffer.from(v.str));
  if ('oid' in v) return oid(v.oid);
  return uint(0x43, v.ticks);
}

/** One SNMPv2c SNMPv2-Trap PDU as sent on the wire (sysUpTime.0 and snmpTrapOID.0 first, as RFC 3416 asks). */
export function v2cTrap(community: string, requestId: number, trapOid: string, varbinds: [string, Value][], uptime: number): Buffer {
  const vbs = [['1.3.6.1.2.1.1.3.0', { ticks: uptime }], ['1.3.6.1.6.3.1.1.4.1.0', { oid: trapOid }], ...varbinds] as [string, Value][];
  const list = tlv(0x30, Buffer.concat(vbs.map(([o, v]) => tlv(0x30, Buffer.concat([oid(o), value(v)])))));
  const pdu = tlv(0xa7, Buffer.concat([uint(0x02, requestId), uint(0x02, 0), uint(0x02, 0), list]));
  return tlv(0x30, Buffer.concat([uint(0x02, 1), tlv(0x04, Buffer.from(community)), pdu]));
}

const IF = '1.3.6.1.2.1.2.2.1';
const ENT_NAME = '1.3.6.1.2.1.47.1.1.1.1.7';

/**
 * The traps a NOC sees most, in a realistic mix: IF-MIB linkDown/linkUp with ifDescr (most of them), Huawei
 * hwPortDown/hwPowerFail, H3C hh3cEntityExtTemperatureTooUp, Cisco ciscoEnvMonFanNotification and a config
 * change, APC upsOnBattery, coldStart. `count` distinct PDUs (ports, request ids and uptimes vary).
 */
export function trapPdus(count: number, community = 'public'): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const port = (i % 48) + 1, ifIndex = 10100 + port, up = 100_000 + i * 37, id = 1000 + i;
    const ifName = `GigabitEthernet0/0/${port}`;
    const kind = i % 16;
    let pdu: Buffer;
    if (kind < 10) {
      pdu = v2cTrap(community, id, kind % 2 === 0 ? '1.3.6.1.6.3.1.1.5.3' : '1.3.6.1.6.3.1.1.5.4', [
        [`${IF}.1.${ifIndex}`, { int: ifIndex }], [`${IF}.7.${ifIndex}`, { int: 1 }], [`${IF}.8.${ifIndex}`, { int: kind % 2 === 0 ? 2 : 1 }], [`${IF}.2.${ifIndex}`, { str: ifName }],
      ], up);
    } else if (kind === 10) {
      pdu = v2cTrap(community, id, '1.3.6.1.4.1.2011.5.25.219.2.12.1', [
        ['1.3.6.1.4.1.2011.5.25.219.1.1', { int: 16842753 + port }], [`${ENT_NAME}.${16842753 + port}`, { str: ifName }],
        ['1.3.6.1.4.1.2011.5.25.219.1.2', { int: 10 }], ['1.3.6.1.4.1.2011.5.25.219.1.3', { int: 136_192 }],
      ], up);
    } else if (kind === 11) {
      pdu = v2cTrap(community, id, '1.3.6.1.4.1.2011.5.25.219.2.5.3', [
        ['1.3.6.1.4.1.2011.5.25.219.1.1', { int: 16842860 }], [`${ENT_NAME}.16842860`, { str: 'POWER Card 1' }],
        ['1.3.6.1.4.1.2011.5.25.219.1.2', { int: 6 }], ['1.3.6.1.4.1.2011.5.25.219.1.3', { int: 136_966 }],
      ], up);
    } else if (kind === 12) {
      pdu = v2cTrap(community, id, '1.3.6.1.4.1.25506.2.6.2.0.21', [[`${ENT_NAME}.${port}`, { str: `Board ${port % 4}` }]], up);
    } else if (kind === 13) {
      pdu = v2cTrap(community, id, '1.3.6.1.4.1.9.9.13.3.0.4', [['1.3.6.1.4.1.9.9.13.1.4.1.2.1', { str: 'Switch 1 - FAN 1' }], ['1.3.6.1.4.1.9.9.13.1.4.1.3.1', { int: 3 }]], up);
    } else if (kind === 14) {
      pdu = v2cTrap(community, id, '1.3.6.1.4.1.9.9.43.2.0.1', [['1.3.6.1.4.1.9.9.43.1.1.6.1.3.42', { int: 2 }], ['1.3.6.1.4.1.9.9.43.1.1.6.1.4.42', { int: 3 }]], up);
    } else {
      pdu = port % 2 ? v2cTrap(community, id, '1.3.6.1.4.1.318.0.5', [['1.3.6.1.4.1.318.2.3.3.0', { str: 'UPS: On battery power in response to an input power problem.' }]], up)
        : v2cTrap(community, id, '1.3.6.1.6.3.1.1.5.1', [['1.3.6.1.2.1.1.5.0', { str: `sw-${port}` }]], up);
    }
    out.push(pdu);
  }
  return out;
}

/**
 * Syslog lines with the vendors' real mnemonics, RFC 3164 (as Huawei, H3C, Cisco, Ruijie, Junos and FortiGate send
 * them, times without a zone) and RFC 5424 (with a zone), for `host` = the sending device's name.
 */
export function syslogLines(count: number, host: (i: number) => string): string[] {
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const port = (i % 48) + 1, state = i % 2 ? 'UP' : 'DOWN', h = host(i);
    const day = 1 + (i % 28), sec = String(i % 60).padStart(2, '0');
    const lines = [
      `<187>Dec ${String(day).padStart(2, ' ')} 2026 07:00:${sec} ${h} %%01IFNET/4/LINK_STATE(l)[${i % 8}]:The line protocol IP on the interface GigabitEthernet0/0/${port} has entered the ${state} state.`,
      `<188>Dec  2 07:00:${sec}:123 2026 ${h} %%10IFNET/3/PHY_UPDOWN: Physical state on the interface GigabitEthernet1/0/${port} changed to ${state.toLowerCase()}.`,
      `<189>${i}: *Mar  1 00:01:${sec}.345 UTC: %LINK-3-UPDOWN: Interface GigabitEthernet0/${port}, changed state to ${state.toLowerCase()}`,
      `<189>Dec  2 07:00:${sec} ${h} 45: %SYS-5-CONFIG_I: Configured from console by admin on vty0 (10.0.0.5)`,
      `<189>Dec  2 07:00:${sec} ${h} %LINK-5-CHANGED: Interface GigabitEthernet 0/${port}, changed state to ${state.toLowerCase()}.`,
      `<28>Dec  2 07:00:${sec} ${h} mib2d[1234]: SNMP_TRAP_LINK_DOWN: ifIndex ${500 + port}, ifAdminStatus up(1), ifOperStatus down(2), ifName ge-0/0/${port}`,
      `<189>date=2026-12-02 time=07:00:${sec} devname="${h}" devid="FG100E" logid="0100032001" type="event" subtype="system" level="information" vd="root" user="admin" ui="https(10.0.0.9)" action="login" status="success" msg="Administrator admin logged in successfully from https(10.0.0.9)"`,
      `<187>1 2026-12-02T07:00:${sec}.${String(i % 1000).padStart(3, '0')}+08:00 ${h} IFNET - - - %%01IFNET/4/LINK_STATE(l)[0]:The line protocol IP on the interface GigabitEthernet0/0/${port} has entered the ${state} state.`,
      `<189>1 2026-12-02T07:00:${sec}Z ${h} - - - [meta sequenceId="${i}"] %LINEPROTO-5-UPDOWN: Line protocol on Interface GigabitEthernet0/${port}, changed state to ${state.toLowerCase()}`,
      `<190>Dec  2 07:00:${sec} ${h} sshd[${2000 + i}]: Accepted publickey for noc from 10.0.0.${port} port ${40000 + i} ssh2`,
    ];
    out.push(lines[i % lines.length]!);
  }
  return out;
}

/** What a paced send did. */
export interface SendResult { sent: number; errors: number; seconds: number; ratePerS: number }

/** UDP sockets, one per simulated device address, connected to the receiver (a connected send needs no lookup). */
export async function udpSenders(port: number, sources = SOURCES): Promise<{ sockets: Socket[]; errors: () => number; close(): Promise<void> }> {
  let errors = 0;
  const sockets = await Promise.all(Array.from({ length: sources }, (_, i) => new Promise<Socket>((resolve, reject) => {
    const s = createSocket({ type: 'udp4', sendBufferSize: 1 << 20 });
    s.once('error', reject);
    s.bind(0, sourceAddress(i), () => s.connect(port, '127.0.0.1', () => { s.removeAllListeners('error'); s.on('error', () => { errors++; }); resolve(s); }));
  })));
  return {
    sockets, errors: () => errors,
    close: async () => { await Promise.all(sockets.map((s) => new Promise<void>((r) => s.close(() => r())))); },
  };
}

const tick = () => new Promise<void>((r) => setTimeout(r, 1));

/**
 * Sends `rate` datagrams per second for `seconds` (at most `rate × seconds`), round-robin over the sources and the
 * payloads (payload k goes out from source k mod sources). Paced by the clock in 1 ms steps: each step sends what is
 * due, so the rate holds even when a timer fires late. Stops at `seconds × 2 + 1` whatever was sent.
 */
export async function sendPaced(sockets: readonly Socket[], payloads: readonly Buffer[], rate: number, seconds: number, errors: () => number = () => 0): Promise<SendResult> {
  const total = Math.round(rate * seconds);
  const e0 = errors();
  const t0 = performance.now();
  const limit = t0 + (seconds * 2 + 1) * 1000;
  let sent = 0;
  for (let now = t0; sent < total && now < limit; now = performance.now()) {
    const due = Math.min(total, Math.floor(((now - t0) / 1000) * rate) + 1);
    for (; sent < due; sent++) sockets[sent % sockets.length]!.send(payloads[sent % payloads.length]!);
    await tick();
  }
  const s = (performance.now() - t0) / 1000;
  return { sent, errors: errors() - e0, seconds: s, ratePerS: sent / s };
}

/**
 * Sends `lines` over `connections` TCP connections, newline framed, as fast as the receiver takes them (each
 * connection waits for 'drain' when the kernel buffer is full), and closes them. Bounded by `timeoutMs`.
 */
export async function sendTcp(port: number, lines: readonly string[], count: number, connections: number, timeoutMs: number): Promise<{ sent: number; seconds: number }> {
  const t0 = performance.now();
  const deadline = Date.now() + timeoutMs;
  // 64 KiB chunks of whole lines: one write per chunk, as a relay forwarding a backlog would.
  const perConn = Math.ceil(count / connections);
  const make = (from: number, n: number) => {
    const out: Buffer[] = [];
    let cur: string[] = [], bytes = 0;
    for (let i = from; i < from + n; i++) {
      const l = lines[i % lines.length]! + '\n';
      cur.push(l); bytes += l.length;
      if (bytes >= 65_536) { out.push(Buffer.from(cur.join(''))); cur = []; bytes = 0; }
    }
    if (cur.length) out.push(Buffer.from(cur.join('')));
    return out;
  };
  let sent = 0;
  await Promise.all(Array.from({ length: connections }, async (_, c) => {
    const n = Math.max(0, Math.min(perConn, count - c * perConn));
    const mine = make(c * perConn, n);
    const sock: TcpSocket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => { sock.once('connect', resolve); sock.once('error', reject); });
    for (const chunk of mine) {
      if (Date.now() > deadline) break;
      if (!sock.write(chunk)) await new Promise<void>((r) => { const t = setTimeout(r, Math.max(0, deadline - Date.now())); sock.once('drain', () => { clearTimeout(t); r(); }); });
    }
    await new Promise<void>((r) => sock.end(() => r()));
    sent += n;
  }));
  return { sent, seconds: (performance.now() - t0) / 1000 };
}

/** One UDP socket's row of /proc/net/udp: bytes waiting (rx_queue) and datagrams the kernel dropped since it opened. */
export interface UdpSocketState { rxQueueBytes: number; drops: number }

/** The receiving socket bound to 127.0.0.1:`port` (or 0.0.0.0), from /proc/net/udp; undefined when none is. */
export function udpSocketState(port: number, table: string): UdpSocketState | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of table.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:tm retr uid timeout inode ref pointer drops
    if (f.length < 13 || !(f[1] === `0100007F:${hexPort}` || f[1] === `00000000:${hexPort}`)) continue;
    return { rxQueueBytes: parseInt(f[4]!.split(':')[1]!, 16), drops: Number(f[12]) };
  }
  return undefined;
}
