/** A query InfluxDB refused or could not run; `statement` is the index of the failing statement, when it says. */
export class InfluxQueryError extends Error {
  constructor(message: string, readonly query: string, readonly statement?: number, readonly status?: number) {
    super(message);
    this.name = 'InfluxQueryError';
  }
}
