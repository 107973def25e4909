/** A value the whole page shares (language, session), and the hook that re-renders a component when it changes. */
import { useEffect, useState } from 'preact/hooks';

/** A shared value with subscribers. */
export class Store<T> {
  private readonly listeners = new Set<(v: T) => void>();
  constructor(private value: T) {}

  /** The current value. */
  get(): T {
    return this.value;
  }

  /** Replaces the value and tells every subscriber. */
  set(v: T): void {
    this.value = v;
    for (const l of [...this.listeners]) l(v);
  }

  /** Calls `l` on every change until the returned function is called. */
  subscribe(l: (v: T) => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}

/** The store's value, kept current in a component. */
export function useStore<T>(store: Store<T>): T {
  const [v, setV] = useState(store.get());
  useEffect(() => {
    setV(store.get());
    return store.subscribe(setV);
  }, [store]);
  return v;
}
