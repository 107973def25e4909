import { BUILTIN_DEFAULTS, type Device } from '../../src/config/inventory-schema.js';

/** The smallest useful rule set: a device is down after two ICMP polls without an answer (P1). */
export const DEVICE_DOWN_RULES = `
evaluationInterval: 5s
rules:
  - name: device-down
    severity: P1
    consecutive: 2
    select: { measurement: icmp }
    condition: { threshold: { field: up, op: "==", value: false } }
    summary: "{{device}} down"
`;

/** An ICMP-only router of the inventory, as the loader would resolve it. */
export function icmpRouter(name: string, site: string, tags: string[]): Device {
  return { name, address: '127.0.1.1', class: 'router', site, tags, snmp: false, icmp: { ...BUILTIN_DEFAULTS.icmp }, intervals: { ...BUILTIN_DEFAULTS.intervals }, enabled: true };
}
