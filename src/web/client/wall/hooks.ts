/** Small hooks the wall's components share. */
import { useEffect, useState } from 'preact/hooks';
import type { WallFeed } from './feed.js';

/** Re-renders the component after the feed changed, at most once per animation frame (a burst of events draws once). */
export function useFeed(feed: WallFeed): void {
  const [, setN] = useState(0);
  useEffect(() => {
    let pending = false;
    return feed.subscribe(() => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => { pending = false; setN((n) => n + 1); });
    });
  }, [feed]);
}

/** The time, moving every `everyMs`: for clocks, ages and staleness, which change when nothing arrives. */
export function useNow(everyMs = 1000): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
