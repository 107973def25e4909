/** The Redis key layout of a cluster, in one place so that the status command reads what members write. */
export class ClusterKeys {
  constructor(private readonly prefix: string) {}
  /** SET of every group a poller has served. */
  groups(): string { return `${this.prefix}:groups`; }
  /** HASH member id -> its last heartbeat (ms), live or not; liveness is the heartbeat key. */
  members(group: string): string { return `${this.prefix}:members:${group}`; }
  /** A member's heartbeat: its status as JSON, with a TTL; gone means dead. */
  heartbeat(group: string, member: string): string { return `${this.prefix}:member:${group}:${member}`; }
  /** HASH core id -> its last heartbeat (ms). */
  cores(): string { return `${this.prefix}:cores`; }
  /** A core's heartbeat. */
  coreHeartbeat(core: string): string { return `${this.prefix}:core:${core}`; }
  /** Who may poll a device now. */
  deviceLease(device: string): string { return `${this.prefix}:lease:${device}`; }
  /** A device's SNMP counter state, written after each poll, read by whoever takes the device over. */
  counters(device: string): string { return `${this.prefix}:counters:${device}`; }
  /** The Redis Stream of sample batches of a group. */
  stream(group: string): string { return `${this.prefix}:samples:${group}`; }
  /** The highest batch sequence number the core applied from one run of one poller (`<member>:<run>`); expires after the dedup window. */
  applied(memberRun: string): string { return `${this.prefix}:applied:${memberRun}`; }
  /** The leader lease: the one core running the alert engine, escalation and the writer. */
  leader(): string { return `${this.prefix}:leader`; }
}

/** The stream consumer group every core reads through (with `cluster.consume: split`, the writers' group). */
export const CORE_CONSUMER_GROUP = 'core';
/** With `cluster.consume: split`: the group only the leader reads, so its alert engine sees every entry. */
export const ENGINE_CONSUMER_GROUP = 'engine';
