import type { AddressInfo } from 'node:net';
import { createSocket, type Socket, type SocketType } from 'node:dgram';
import snmp from 'net-snmp';
import type { Listen, TrapUser } from '../../config/sections/events.js';
import { AUTH, PRIV } from '../../pollers/snmp/session.js';
import { deviceText } from '../../core/device-text.js';
import { decodeNotification, type DecodedTrap } from './decode.js';

/** Why a notification was refused: the operator's words, used as the `reason` in stats and logs. */
export type RefusalReason = 'community' | 'usm' | 'malformed' | 'other';

export interface TrapReceiverOptions {
  listen: Listen;
  communities: readonly string[];
  users: readonly TrapUser[];
  engineID?: string;
  onTrap(trap: DecodedTrap, from: string): void;
  onRefused(reason: RefusalReason, from: string, detail: string): void;
}

export interface TrapReceiver {
  /** The bound address (the port is the real one when the config asked for port 0). */
  address: { host: string; port: number };
  close(): Promise<void>;
}

/** net-snmp's user object for one configured v3 user. */
function toNetSnmpUser(u: TrapUser): snmp.User {
  const user: snmp.User = {
    name: u.name,
    level: u.level === 'authPriv' ? snmp.SecurityLevel.authPriv : snmp.SecurityLevel.authNoPriv,
    authProtocol: AUTH[u.authProtocol],
    authKey: u.authKey,
  };
  if (u.level === 'authPriv' && u.privProtocol && u.privKey) {
    user.privProtocol = PRIV[u.privProtocol];
    user.privKey = u.privKey;
  }
  return user;
}

/** Sorts net-snmp's receive errors into refusal reasons. */
export function refusalReason(err: { name?: string; message?: string; code?: number }): RefusalReason {
  const msg = err.message ?? '';
  if (/community/i.test(msg)) return 'community';
  if (err.name === 'ResponseInvalidError' && (err.code === snmp.ResponseInvalidCode.EAuthFailure || err.code === snmp.ResponseInvalidCode.ECouldNotDecrypt)) return 'usm';
  if (/user|authentication|privacy|decrypt/i.test(msg)) return 'usm';
  if (err.name === 'ProcessingError') return 'malformed';
  return 'other';
}

/**
 * net-snmp reads a port of 0 as "not given" (`options.port || 162`, then 161 for the socket), so a receiver asked
 * for port 0 would bind 162 (or fail next to another one). Its sockets are made through this stand-in for `dgram`,
 * which binds the port the config asked for, 0 included (the kernel then picks a free one).
 */
function dgramBindingTo(port: number): { createSocket(type: SocketType): Socket } {
  return {
    createSocket(type) {
      const socket = createSocket(type);
      const bind = socket.bind.bind(socket) as (port: number, address?: string) => Socket;
      (socket as unknown as { bind: (p: number, address?: string) => Socket }).bind = (_ignored, address) => bind(port, address);
      return socket;
    },
  };
}

/**
 * Listens for SNMP notifications with net-snmp's receiver: v1/v2c with the configured communities only,
 * v3 with the configured USM users; informs are answered by net-snmp before `onTrap` runs.
 * Resolves once the socket is bound, rejects when it cannot bind (port in use, port 162 without privilege).
 */
export function startTrapReceiver(opts: TrapReceiverOptions): Promise<TrapReceiver> {
  return new Promise((resolve, reject) => {
    let bound = false;
    const transport = opts.listen.host.includes(':') ? 'udp6' : 'udp4';
    const receiver = snmp.createReceiver({
      port: opts.listen.port, address: opts.listen.host, transport, includeAuthentication: true, dgramModule: dgramBindingTo(opts.listen.port),
      disableAuthorization: false, ...(opts.engineID ? { engineID: opts.engineID } : {}),
    }, (error: (Error & { rinfo?: { address?: string }; code?: number }) | null, data: { pdu: Parameters<typeof decodeNotification>[0]; rinfo: { address: string } } | null) => {
      if (error) {
        if (!bound && (error as NodeJS.ErrnoException).syscall === 'bind') {
          try { receiver.close(); } catch { /* the socket never ran */ }
          reject(bindError(error, opts.listen));
          return;
        }
        const reason = refusalReason(error);
        opts.onRefused(reason, error.rinfo?.address ?? 'unknown', refusalDetail(reason, error));
        return;
      }
      if (!data) return;
      try {
        opts.onTrap(decodeNotification(data.pdu), data.rinfo.address);
      } catch (err) {
        opts.onRefused('malformed', data.rinfo.address, (err as Error).message.slice(0, 300));
      }
    });
    const authorizer = receiver.getAuthorizer();
    for (const c of opts.communities) authorizer.addCommunity(c);
    for (const u of opts.users) authorizer.addUser(toNetSnmpUser(u));
    const socket = Object.values((receiver as unknown as { listener: { sockets: Record<string, Socket> } }).listener.sockets)[0];
    if (!socket) { reject(new Error('trap receiver: net-snmp created no socket')); return; }
    socket.once('listening', () => {
      bound = true;
      // Bursts (a chassis rebooting, a flapping port) arrive faster than one event-loop turn: a larger kernel
      // buffer turns drops into latency. The kernel caps it at net.core.rmem_max.
      try { socket.setRecvBufferSize(4 * 1024 * 1024); } catch { /* keep the default */ }
      const a = socket.address() as AddressInfo;
      resolve({
        address: { host: a.address, port: a.port },
        close: () => new Promise<void>((done) => { try { receiver.close(() => done()); } catch { done(); } }),
      });
    });
  });
}

/**
 * What the log says about a refusal. net-snmp's own text is withheld for community and USM refusals: it names
 * the community the sender used (often a near-miss of ours) or quotes a digest computed with our key, which is
 * enough for an offline guess of the key. Other texts are bounded.
 */
export function refusalDetail(reason: RefusalReason, err: { message?: string; code?: number }): string {
  if (reason === 'community') return 'community not accepted (not in events.traps.communities)';
  if (reason === 'usm') {
    if (err.code === snmp.ResponseInvalidCode.EAuthFailure) return 'v3 authentication failed (user known, key or protocol wrong)';
    if (err.code === snmp.ResponseInvalidCode.ECouldNotDecrypt) return 'v3 decryption failed (privacy key or protocol wrong)';
    return 'v3 user not accepted (not in events.traps.users, or without the configured security level)';
  }
  return deviceText(err.message ?? 'unknown error');
}

function bindError(err: Error, listen: Listen): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const where = `${listen.host}:${listen.port}`;
  if (code === 'EACCES') return new Error(`trap receiver: no permission to listen on ${where} (ports below 1024 need root or CAP_NET_BIND_SERVICE; or use 10162)`, { cause: err });
  if (code === 'EADDRINUSE') return new Error(`trap receiver: ${where} is in use by another process (snmptrapd?)`, { cause: err });
  return new Error(`trap receiver: cannot listen on ${where}: ${err.message}`, { cause: err });
}
