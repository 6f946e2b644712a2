import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Namespace, Postfix and process tests share the machine's network stack: run files one at a time.
    fileParallelism: false,
    testTimeout: 30_000,
    // The AWS SDK's NodeVersionSupportWarning (Node 20) once per worker would be most of the output; the CLI and the
    // lab set the same switch for themselves (functions/cli/main.ts, lab/main.ts).
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    hookTimeout: 120_000,
    // Lists skipped files with their reasons; with PORT25_FORBID_SKIPPED_TESTS=1 (.ci/run) a skip fails the run.
    reporters: ['default', './test/helpers/skipped-tests-reporter.ts'],
  },
});
