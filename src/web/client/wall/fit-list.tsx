/**
 * A list that shows as many items as its box holds and says how many more there are: a wall screen does
 * not scroll, so what does not fit is counted, not cut in half.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Props of {@link FitList}. */
export interface FitListProps<T> {
  id: string;
  class: string;
  items: readonly T[];
  /** Changes whenever the items do (or their heights may): the list is measured again then. */
  version: string;
  render: (item: T) => ComponentChildren;
  more: (n: number) => string;
  empty?: ComponentChildren;
}

/** Renders every item once, measures which fit, and from then on only those plus a "+N more" line. */
export function FitList<T>(p: FitListProps<T>) {
  const ref = useRef<HTMLOListElement>(null);
  const [fit, setFit] = useState<{ version: string; count: number } | null>(null);
  // The screen's size and the web fonts (which change line heights) both arrive after the first measurement.
  const [round, setRound] = useState(0);
  useEffect(() => {
    const again = () => setRound((n) => n + 1);
    window.addEventListener('resize', again);
    void document.fonts.ready.then(again);
    return () => window.removeEventListener('resize', again);
  }, []);
  const version = `${round}|${p.version}`;
  const measuring = fit?.version !== version;
  useLayoutEffect(() => {
    const box = ref.current;
    if (!box || !measuring) return;
    const bottom = box.getBoundingClientRect().bottom;
    const reserve = 28; // room for the "+N more" line when it shows
    const items = [...box.querySelectorAll(':scope > li[data-fit]')];
    let count = items.findIndex((li) => li.getBoundingClientRect().bottom > bottom);
    if (count === -1) count = items.length;
    else while (count > 0 && items[count - 1]!.getBoundingClientRect().bottom > bottom - reserve) count--;
    setFit({ version, count });
  });
  const shown = measuring ? p.items : p.items.slice(0, fit.count);
  const hidden = p.items.length - shown.length;
  return (
    <ol id={p.id} class={p.class} ref={ref}>
      {p.items.length === 0 && p.empty}
      {shown.map((item) => p.render(item))}
      {hidden > 0 && <li class="more" data-more={hidden}>{p.more(hidden)}</li>}
    </ol>
  );
}
