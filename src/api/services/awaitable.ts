/** A value or a promise of it: real stores are synchronous (SQLite) or not (InfluxDB). */
export type Awaitable<T> = T | Promise<T>;
