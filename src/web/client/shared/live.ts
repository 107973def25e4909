/**
 * One EventSource onto `/api/v1/stream` for the whole page, opened while any component listens: device and
 * incident changes arrive as they happen. The browser reconnects by itself (the server sends `retry:`).
 */

type Listener = (event: string, data: unknown) => void;

const listeners = new Set<Listener>();
let source: EventSource | undefined;

function open(): void {
  source = new EventSource('/api/v1/stream', { withCredentials: true });
  for (const name of ['device', 'incident', 'status']) {
    source.addEventListener(name, (e) => {
      let data: unknown;
      try { data = JSON.parse((e as MessageEvent<string>).data); } catch { return; }
      for (const l of [...listeners]) l(name, data);
    });
  }
}

/** Calls `l` with every live event until the returned function is called; the stream closes with its last listener. */
export function listen(l: Listener): () => void {
  listeners.add(l);
  if (!source) open();
  return () => {
    listeners.delete(l);
    if (listeners.size === 0 && source) {
      source.close();
      source = undefined;
    }
  };
}
