import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'workflows/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts', 'deploy/**/*.test.ts'],
    pool: 'forks',
    // One PostgreSQL cluster for the run (shared state tests); each file makes its own database.
    globalSetup: ['src/testing/postgres-setup.ts'],
    // Two files at a time: the e2e files mostly wait on I/O (Temporal, HTTP), so two workers on two cores
    // cut the wall time; every Temporal suite starts its own server on its own port.
    maxWorkers: 2,
    testTimeout: 30_000,
    // CI reads a plain "N passed, N failed" line; .ci/run derives it from this JSON report.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.tmp/vitest-report.json' }]] : ['default'],
    hookTimeout: 60_000,
  },
});
