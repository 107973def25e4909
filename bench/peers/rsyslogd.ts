import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freeTcpPort, freeUdpPort, waitFor } from '../../src/lab/ports.js';
import { superviseProcess, type SupervisedProcess } from '../../src/lab/supervisor.js';
import { outputCounter } from './output-counter.js';

/** A running rsyslogd: its UDP and TCP ports, and how many lines it has written to its file so far. */
export interface Rsyslogd { udpPort: number; tcpPort: number; process: SupervisedProcess; written(): number; stop(): Promise<void> }

/**
 * Starts `rsyslogd -n -f` (Debian `rsyslog`) with a config of its own in `dir`: imudp and imtcp on free loopback
 * ports, no DNS look-ups of senders, the same 4 MiB UDP receive buffer Noctua asks for, every message written to
 * one file in the traditional format (one line each).
 */
export async function startRsyslogd(dir: string): Promise<Rsyslogd> {
  const [udpPort, tcpPort] = [await freeUdpPort(), await freeTcpPort()];
  const conf = join(dir, 'rsyslog.conf');
  const file = join(dir, 'messages.log');
  writeFileSync(conf, [
    `global(workDirectory="${dir}" net.enableDNS="off")`,
    'module(load="imudp")',
    `input(type="imudp" address="127.0.0.1" port="${udpPort}" rcvbufSize="4m")`,
    'module(load="imtcp")',
    `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
    `*.* action(type="omfile" file="${file}")`,
    '',
  ].join('\n'));
  const proc = superviseProcess('rsyslogd', 'rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')], { logFile: join(dir, 'rsyslogd.log') });
  const count = outputCounter(file, '\n');
  // Ready when both ports are bound (read from /proc: a probe message would be counted as load).
  await waitFor(`rsyslogd on 127.0.0.1:${udpPort}/${tcpPort} (log ${join(dir, 'rsyslogd.log')})`, async () => {
    if (!proc.alive()) throw new Error(`rsyslogd exited: ${proc.tail()}`);
    const hex = (p: number) => `0100007F:${p.toString(16).toUpperCase().padStart(4, '0')}`;
    return readFileSync('/proc/net/udp', 'utf8').includes(hex(udpPort)) && readFileSync('/proc/net/tcp', 'utf8').includes(hex(tcpPort));
  }, 15_000, 50);
  return { udpPort, tcpPort, process: proc, written: count, stop: () => proc.stop() };
}
