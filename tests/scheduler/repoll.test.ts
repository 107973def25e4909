import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { RepollDebounce, type PollNowResult } from '../../src/scheduler/repoll.js';

/** A debouncer on fake time over a recorded pollNow that answers what `answer` says. */
function setup(answer: (device: string) => PollNowResult = () => 'started') {
  const clock = new FakeClock(0);
  const polls: string[] = [];
  const d = new RepollDebounce((device) => { polls.push(`${clock.ms()} ${device}`); return answer(device); }, 5000, clock);
  return { clock, polls, d };
}

describe('immediate re-polls, debounced per device', () => {
  it('polls at once, folds a burst into one trailing poll at the end of the gap, then polls at once again', async () => {
    const { clock, polls, d } = setup();
    d.request('sw1');
    for (let i = 0; i < 999; i++) { await clock.advance(3); d.request('sw1'); }
    expect(polls).toEqual(['0 sw1']);
    await clock.advance(5000);
    expect(polls).toEqual(['0 sw1', '5000 sw1']);
    await clock.advance(20_000);
    d.request('sw1');
    expect(polls).toEqual(['0 sw1', '5000 sw1', '27997 sw1']);
    expect(d.stats()).toEqual({ requested: 1001, started: 3, coalesced: 999 });
  });

  it('keeps devices apart', async () => {
    const { clock, polls, d } = setup();
    d.request('sw1');
    d.request('sw2');
    d.request('sw1');
    await clock.advance(5000);
    expect(polls).toEqual(['0 sw1', '0 sw2', '5000 sw1']);
  });

  it('a poll already running is not counted as started; a device the scheduler does not know is forgotten', async () => {
    const { clock, polls, d } = setup((device) => (device === 'gone' ? 'unknown' : 'running'));
    d.request('busy');
    d.request('gone');
    d.request('gone');
    expect(polls).toEqual(['0 busy', '0 gone', '0 gone']);
    expect(d.stats().started).toBe(0);
    await clock.advance(10_000);
    expect(polls).toEqual(['0 busy', '0 gone', '0 gone']);
  });

  it('close cancels the planned trailing polls and ignores later requests', async () => {
    const { clock, polls, d } = setup();
    d.request('sw1');
    d.request('sw1');
    d.close();
    d.request('sw1');
    await clock.advance(10_000);
    expect(polls).toEqual(['0 sw1']);
  });
});
