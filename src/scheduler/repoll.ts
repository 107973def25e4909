import { systemClock, type Clock } from '../core/clock.js';

/** What a re-poll request got from the scheduler (see PollScheduler.pollNow). */
export type PollNowResult = 'started' | 'running' | 'unknown';

/** Counters since start, for self metrics. */
export interface RepollStats {
  /** Requests received (one per triggering event). */
  requested: number;
  /** Polls started because of them. */
  started: number;
  /** Requests folded into a poll already started or planned (a flap storm is a few polls, not one per trap). */
  coalesced: number;
}

interface DeviceState {
  /** When the last re-poll of the device was started (or tried). */
  lastAt: number;
  trailing?: { cancel(): void };
}

/** Devices tracked at most; beyond this the idle ones are forgotten (memory stays bounded). */
const MAX_DEVICES = 100_000;

/**
 * Debounces immediate re-polls per device: the first request polls at once; requests within `minGapMs` of that
 * poll are folded into one more poll at the end of the gap, so the state after the last of a burst of events is
 * seen too. A port flapping 1,000 times in a minute costs about one poll per `minGapMs`.
 */
export class RepollDebounce {
  private devices = new Map<string, DeviceState>();
  private counts: RepollStats = { requested: 0, started: 0, coalesced: 0 };
  private closed = false;

  constructor(
    private readonly pollNow: (device: string) => PollNowResult,
    private readonly minGapMs: number,
    private readonly clock: Clock = systemClock,
  ) {}

  /** Asks for a re-poll of the device's SNMP data. */
  request(device: string): void {
    if (this.closed) return;
    this.counts.requested++;
    const now = this.clock.ms();
    const st = this.devices.get(device);
    if (!st || now - st.lastAt >= this.minGapMs) {
      if (!st && this.devices.size >= MAX_DEVICES) this.forgetIdle(now);
      this.fire(device, now, st);
      return;
    }
    this.counts.coalesced++;
    if (st.trailing) return;
    st.trailing = this.clock.setTimeout(() => {
      st.trailing = undefined;
      if (!this.closed) this.fire(device, this.clock.ms(), st);
    }, st.lastAt + this.minGapMs - now);
  }

  private fire(device: string, now: number, st: DeviceState | undefined): void {
    const state = st ?? { lastAt: now };
    state.lastAt = now;
    this.devices.set(device, state);
    const r = this.pollNow(device);
    if (r === 'started') this.counts.started++;
    else if (r === 'unknown') this.devices.delete(device);
    // 'running': the poll under way may predate the event; the gap's trailing poll (if asked for) follows it.
  }

  private forgetIdle(now: number): void {
    for (const [name, st] of this.devices) if (!st.trailing && now - st.lastAt >= this.minGapMs) this.devices.delete(name);
  }

  stats(): RepollStats { return { ...this.counts }; }

  /** Cancels planned re-polls (shutdown). */
  close(): void {
    this.closed = true;
    for (const st of this.devices.values()) st.trailing?.cancel();
    this.devices.clear();
  }
}
