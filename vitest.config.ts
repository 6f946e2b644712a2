import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Namespace, Postfix and process tests share the machine's network stack: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Lists skipped files with their reasons; with PORT25_FORBID_SKIPPED_TESTS=1 (.ci/run) a skip fails the run.
    reporters: ['default', './test/helpers/skipped-tests-reporter.ts'],
  },
});
