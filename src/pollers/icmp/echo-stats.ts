import type { FieldValue } from '../../core/sample.js';
import type { EchoOutcome } from './pinger.js';
import { quantile } from '../../core/quantile.js';

export { quantile };

/**
 * The `icmp` fields of docs/SCHEMA.md from raw replies: sent/received as integers, loss and RTT
 * statistics as floats. RTT fields are absent when nothing came back (a 0 ms RTT would be a lie
 * that drags averages down on dashboards). Median and p90 use one quantile rule (interpolated
 * between the nearest ranks), so min ≤ median ≤ p90 ≤ max always holds. Jitter is the mean absolute
 * difference of consecutive RTTs (RFC 3550's idea without its smoothing), 0 with a single reply.
 */
export function echoFields(outcome: EchoOutcome): Record<string, FieldValue> {
  const sent = Math.max(outcome.sent, 0);
  // A duplicate reply (ping's DUP!) must not make loss negative.
  const rtts = outcome.rtts.slice(0, sent === 0 ? outcome.rtts.length : sent);
  const received = rtts.length;
  const fields: Record<string, FieldValue> = {
    sent: BigInt(sent),
    received: BigInt(received),
    loss_pct: sent === 0 ? 100 : round3(((sent - received) / sent) * 100),
    up: received > 0,
  };
  if (received > 0) {
    const sorted = [...rtts].sort((a, b) => a - b);
    fields.rtt_min_ms = round3(sorted[0]!);
    fields.rtt_max_ms = round3(sorted[received - 1]!);
    fields.rtt_median_ms = round3(quantile(sorted, 0.5));
    fields.rtt_p90_ms = round3(quantile(sorted, 0.9));
    fields.rtt_avg_ms = round3(rtts.reduce((a, b) => a + b, 0) / received);
    let jitter = 0;
    for (let i = 1; i < received; i++) jitter += Math.abs(rtts[i]! - rtts[i - 1]!);
    fields.jitter_ms = round3(received > 1 ? jitter / (received - 1) : 0);
  }
  return fields;
}

/** Microsecond resolution is all ping and fping print; more digits would be noise. */
function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
