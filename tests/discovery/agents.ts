export { startSnmpsimAgents as startAgents, transportId, type AgentSpec } from '../../src/lab/snmpsim-agents.js';

/** A /28 of loopback nobody else uses in this run: 127.7x.y.0/28 from the process id. */
export function loopbackBlock(): string {
  return `127.${71 + (process.pid % 8)}.${process.pid % 250}`;
}
