import type { Reporter, TestCase, TestModule } from 'vitest/node';

/** Set by `.ci/run`: a skipped test fails the run, so CI cannot pass without the real-network tests. */
export const FORBID_SKIPPED_TESTS_ENV = 'PORT25_FORBID_SKIPPED_TESTS';

/** The outermost suite's name: the real-network suites name what they need (root, Linux) in it. */
function outermostSuiteName(test: TestCase): string {
  let name = test.name;
  let parent = test.parent;
  while (parent.type === 'suite') {
    name = parent.name;
    parent = parent.parent;
  }
  return name;
}

/**
 * Says at the end of `npm test` which test files were skipped, with their suites' reasons (the namespace, nftables and
 * lab tests skip when not root), and fails the run when PORT25_FORBID_SKIPPED_TESTS=1 and anything was skipped.
 */
export default class SkippedTestsReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skipped = new Map<string, Set<string>>();
    for (const module of testModules) {
      for (const test of module.children.allTests('skipped')) {
        const reasons = skipped.get(module.relativeModuleId) ?? new Set<string>();
        reasons.add(outermostSuiteName(test));
        skipped.set(module.relativeModuleId, reasons);
      }
    }
    if (skipped.size === 0) return;
    const forbidden = process.env[FORBID_SKIPPED_TESTS_ENV] === '1';
    const lines = [...skipped].map(([file, reasons]) => `  ${file}: ${[...reasons].join('; ')}`);
    const heading = forbidden
      ? `FAILED: ${skipped.size} test file(s) skipped, and ${FORBID_SKIPPED_TESTS_ENV}=1 forbids skipping:`
      : `SKIPPED: ${skipped.size} test file(s) did not run completely (run as root, or with CI=true, to run them):`;
    process.stderr.write(`\n${heading}\n${lines.join('\n')}\n\n`);
    if (forbidden) process.exitCode = 1;
  }
}
