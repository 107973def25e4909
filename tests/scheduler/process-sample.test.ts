import { describe, expect, it } from 'vitest';
import { consumerSelfSamples } from '../../src/runtime/consumers.js';
import { processSample, SelfMetrics } from '../../src/scheduler/self-metrics.js';

const FIELDS = ['rss_bytes', 'heap_used_bytes', 'heap_total_bytes', 'external_bytes', 'array_buffers_bytes'];

describe('process memory self-monitoring', () => {
  it('reports the process memory as a noctua_self sample with component=process and five byte counts', () => {
    const now = new Date('2026-12-02T23:00:00Z');
    const s = processSample('poller-a', now);
    expect(s.measurement).toBe('noctua_self');
    expect(s.tags).toEqual({ component: 'process', instance: 'poller-a' });
    expect(s.time).toBe(now);
    expect(Object.keys(s.fields).sort()).toEqual([...FIELDS, 'gc_pause_ms', 'gc_major'].sort());
    for (const f of FIELDS) {
      expect(typeof s.fields[f], f).toBe('number');
      expect(Number.isInteger(s.fields[f]), f).toBe(true);
    }
    // A live process: resident memory holds at least the heap in use, the heap in use fits in the heap reserved.
    expect(s.fields.rss_bytes as number).toBeGreaterThan(s.fields.heap_used_bytes as number);
    expect(s.fields.heap_used_bytes as number).toBeGreaterThan(1024 * 1024);
    expect(s.fields.heap_used_bytes as number).toBeLessThanOrEqual(s.fields.heap_total_bytes as number);
    expect(s.fields.array_buffers_bytes as number).toBeLessThanOrEqual(s.fields.external_bytes as number);
  });

  it('maps each memoryUsage figure to its own field', () => {
    const usage = { rss: 5, heapUsed: 2, heapTotal: 3, external: 4, arrayBuffers: 1 };
    expect(processSample('x', new Date(0), usage).fields).toMatchObject({
      rss_bytes: 5, heap_used_bytes: 2, heap_total_bytes: 3, external_bytes: 4, array_buffers_bytes: 1,
    });
  });

  it('counts the collector\'s pauses and major collections between two samples, then starts again from zero', async () => {
    processSample('x', new Date(0));
    // Garbage enough for scavenges, and a full collection where the runtime allows forcing one.
    let keep: object[] = [];
    for (let i = 0; i < 400_000; i++) { keep.push({ i, s: `v${i}` }); if (keep.length > 50_000) keep = []; }
    (globalThis as { gc?: () => void }).gc?.();
    // Observers are told after the collection, on a later turn of the loop.
    const deadline = Date.now() + 5000;
    let s = processSample('x', new Date(1));
    let pause = s.fields.gc_pause_ms as number;
    while (pause === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      s = processSample('x', new Date(2));
      pause += s.fields.gc_pause_ms as number;
    }
    expect(pause).toBeGreaterThan(0);
    expect(Number.isInteger(s.fields.gc_major)).toBe(true);
    expect(s.fields.gc_major as number).toBeGreaterThanOrEqual(0);
    expect(keep.length).toBeGreaterThan(0);
  });

  it('is published with the consumers\' self samples every self interval, even without writer or outbox', () => {
    const out = consumerSelfSamples({ storage: undefined, escalation: undefined }, 'host-1', new Date(1000));
    expect(out.map((s) => s.tags.component)).toEqual(['process']);
    expect(out[0]!.tags.instance).toBe('host-1');
  });

  it('exposes the same figures as gauges on /metrics, read at scrape time', async () => {
    const m = new SelfMetrics({ instance: 't' });
    const text = await m.registry.metrics();
    for (const f of FIELDS) {
      const line = new RegExp(`^noctua_process_${f} (\\d+)$`, 'm').exec(text);
      expect(line, f).not.toBeNull();
      expect(Number(line![1])).toBeGreaterThan(0);
    }
  });
});
