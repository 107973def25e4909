/**
 * Noctua's entry point for embedders, tests and the CLI: the runtime's public names. The wiring itself lives
 * in src/runtime/ (standalone composition, cluster member, shared services, the ordered closers).
 */
export {
  startNoctua, buildConsumers, buildPollers, StandbyStoppedError,
  type NoctuaRuntime, type StartOptions, type SampleConsumers, type StopReport,
} from './runtime/index.js';
