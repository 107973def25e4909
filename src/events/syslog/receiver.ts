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
  tcp?: { host: string; port: number };
  stats(): { tcpConnections: number; tcpRefused: number };
  close(): Promise<void>;
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
    const sock = createSocket({ type: l.host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: 4 * 1024 * 1024 });
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
    tcp: tcp ? addr(tcp.address() as AddressInfo) : undefined,
    stats: () => ({ tcpConnections: counters.open.size, tcpRefused: counters.refused }),
    close,
  };
}
