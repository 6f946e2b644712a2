import { defineConfig } from 'vitest/config';

/**
 * The tests `npm run mutate` runs against each mutant: the ones that import the core's TypeScript. Tests of the built
 * bundles (processes, namespaces, the lab) run dist/, which Stryker does not mutate, and the CDK synth tests take
 * seconds each, so they stay out. None of these tests may build a config while its file loads or in a hook: coverage
 * there is "static", and Stryker reloads the whole test environment for every mutant such code reaches.
 */
export default defineConfig({
  test: {
    include: [
      'test/shared/**/*.test.ts',
      'test/orchestrator/**/*.test.ts',
      'test/probe/**/*.test.ts',
      'test/contracts/**/*.test.ts',
      // The AWS-name rules live in functions/shared (the stack that uses them is tested apart, in aws-names-in-stack).
      'test/infra/aws-names.test.ts',
    ],
    exclude: [
      'test/orchestrator/cli-process.test.ts',
      'test/probe/probe-cli.test.ts',
      'test/probe/probe-namespaces.test.ts',
      'test/contracts/*-process.test.ts',
      'test/contracts/iam-scope.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Modules stay loaded between mutants (Stryker switches mutants at run time; static ones are ignored): a fresh
    // import of the AWS SDK for every mutant would cost more than the tests.
    isolate: false,
  },
});
