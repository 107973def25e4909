import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration tests start real influxd/snmpsim/snmpd; two cores do not take more than two files at once.
    maxWorkers: 2,
    minWorkers: 1,
    pool: 'forks',
    reporters: ['default'],
    // Checks the real parts are installed before the run, and that no process outlives it (tests/helpers/global-setup.ts).
    globalSetup: ['tests/helpers/global-setup.ts'],
  },
});
