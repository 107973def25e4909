import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Listen } from '../../config/sections/events.js';
import { SyslogFramer } from './framing.js';

export interface SyslogReceiverOptions {
  udp: Listen | false;
  tcp: Listen | false;
  maxMessageBytes: number;
  maxConnections: number;
  /** One message as received (bytes cut to the limit), with the sender's address. */
  onMessage(bytes: Buffer, truncated: boolean, from: string): void;
  onError(err: Error): void;
}

export interface SyslogReceiver {
  udp?: { host: string; port: number };
  /** The UDP socket's receive buffer as the kernel set it (Linux reports twice what it grants for payload), and what was asked. */
  udpReceiveBuffer?: { bytes: number; asked: number; capped: boolean };
  tcp?: { host: string; port: number };
  stats(): { tcpConnections: number; tcpRefused: number };
  close(): Promise<void>;
}

/**
 * The UDP receive buffer asked for: it holds a burst while the loop is busy (a syslog flood, a GC pause). Linux caps it
 * at net.core.rmem_max (212,992 bytes by default on many systems; 4,194,304 on this project's machines): past the cap
 * the kernel drops datagrams however fast the receiver is, so a capped buffer is reported (see {@link udpBufferState}).
 */
export const UDP_RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * What the kernel made of the buffer asked for. Linux doubles the value it sets (for its own bookkeeping) and caps the
 * request at net.core.rmem_max first, so there a buffer below twice the request was capped; elsewhere, below the request.
 */
export function udpBufferState(sock: UdpSocket, asked = UDP_RECEIVE_BUFFER_BYTES): { bytes: number; asked: number; capped: boolean } {
  const bytes = sock.getRecvBufferSize();
  return { bytes, asked, capped: bytes < (process.platform === 'linux' ? 2 * asked : asked) };
}

/** A TCP connection silent this long is closed: half-open peers must not hold sockets forever. */
const IDLE_MS = 10 * 60_000;

function listenError(proto: string, l: Listen, err: NodeJS.ErrnoException): Error {
  const where = `${l.host}:${l.port}`;
  if (err.code === 'EACCES') return new Error(`syslog ${proto}: no permission to listen on ${where} (ports below 1024 need root or CAP_NET_BIND_SERVICE; or use 10514)`, { cause: err });
  if (err.code === 'EADDRINUSE') return new Error(`syslog ${proto}: ${where} is in use by another process (rsyslogd?)`, { cause: err });
  return new Error(`syslog ${proto}: cannot listen on ${where}: ${err.message}`, { cause: err });
}

function startUdp(l: Listen, opts: SyslogReceiverOptions): Promise<UdpSocket> {
  return new Promise((resolve, reject) => {
    const sock = createSocket({ type: l.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: UDP_RECEIVE_BUFFER_BYTES });
    sock.once('error', (err) => reject(listenError('udp', l, err)));
    sock.on('message', (msg, rinfo) => {
      const truncated = msg.length > opts.maxMessageBytes;
      opts.onMessage(truncated ? msg.subarray(0, opts.maxMessageBytes) : msg, truncated, rinfo.address);
    });
    sock.bind(l.port, l.host, () => {
      sock.removeAllListeners('error');
      sock.on('error', (err) => opts.onError(err));
      resolve(sock);
    });
  });
}

function startTcp(l: Listen, opts: SyslogReceiverOptions, counters: { open: Set<Socket>; refused: number }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((conn) => {
      if (counters.open.size >= opts.maxConnections) { counters.refused++; conn.destroy(); return; }
      counters.open.add(conn);
      const from = conn.remoteAddress ?? 'unknown';
      const framer = new SyslogFramer(opts.maxMessageBytes);
      conn.setTimeout(IDLE_MS, () => conn.destroy());
      conn.on('data', (chunk) => { for (const f of framer.push(chunk)) opts.onMessage(f.bytes, f.truncated, from); });
      conn.on('end', () => { for (const f of framer.end()) opts.onMessage(f.bytes, f.truncated, from); });
      conn.on('error', () => { /* a peer resetting is normal; the close handler cleans up */ });
      conn.on('close', () => counters.open.delete(conn));
    });
    server.once('error', (err) => reject(listenError('tcp', l, err)));
    server.listen(l.port, l.host, () => {
      server.removeAllListeners('error');
      server.on('error', (err) => opts.onError(err));
      resolve(server);
    });
  });
}

/** Starts the UDP and TCP syslog listeners that are configured; closes whatever started if one fails. */
export async function startSyslogReceiver(opts: SyslogReceiverOptions): Promise<SyslogReceiver> {
  const counters = { open: new Set<Socket>(), refused: 0 };
  let udp: UdpSocket | undefined;
  let tcp: Server | undefined;
  const close = async () => {
    for (const c of counters.open) c.destroy();
    await Promise.all([
      udp ? new Promise<void>((r) => udp!.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp!.close(() => r())) : undefined,
    ]);
  };
  try {
    if (opts.udp) udp = await startUdp(opts.udp, opts);
    if (opts.tcp) tcp = await startTcp(opts.tcp, opts, counters);
  } catch (err) {
    await close();
    throw err;
  }
  const addr = (a: AddressInfo) => ({ host: a.address, port: a.port });
  return {
    udp: udp ? addr(udp.address()) : undefined,
    udpReceiveBuffer: udp ? udpBufferState(udp) : undefined,
    tcp: tcp ? addr(tcp.address() as AddressInfo) : undefined,
    stats: () => ({ tcpConnections: counters.open.size, tcpRefused: counters.refused }),
    close,
  };
}
