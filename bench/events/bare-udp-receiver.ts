/**
 * The floor under any Node syslog receiver, for bench/syslog-cpu.ts: a bare `node:dgram` socket on a free loopback
 * port with the receive buffer Noctua asks for, whose `message` handler only counts. Whatever a datagram costs here
 * (libuv's recvmsg, the Buffer, the `rinfo` object, one call into JavaScript) a Noctua line costs too. Speaks the
 * IPC of bench/events/noctua-receiver.ts: `{ ready }`, `{ cmd: 'stats' }` → `{ stats }`, `{ cmd: 'stop' }` → `{ stopped }`.
 */
import { createSocket } from 'node:dgram';

let counted = 0;
const sock = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024 });
sock.on('message', () => { counted++; });
await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
const send = (m: unknown) => process.send?.(m);
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'stats') send({ stats: { trap: 0, syslog: counted, published: counted, counted, parseErrors: 0, written: 0 } });
  else if (m.cmd === 'stop') sock.close(() => { send({ stopped: { counted, written: 0 } }); process.disconnect?.(); });
});
const a = sock.address();
send({ ready: { traps: a, syslogUdp: a, syslogTcp: a } });
