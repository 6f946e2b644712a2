import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TestModule } from 'vitest/node';
import SkippedTestsReporter, { FORBID_SKIPPED_TESTS_ENV } from '../helpers/skipped-tests-reporter.js';

/** Stand-ins for vitest's reported modules: a file whose one suite skipped two tests, and a file that ran. */
function moduleWith(file: string, skippedSuite: string | undefined): TestModule {
  const module = { type: 'module' };
  const suite = { type: 'suite', name: skippedSuite, parent: module };
  const tests = skippedSuite === undefined ? [] : ['first', 'second'].map((name) => ({ name, parent: suite }));
  return {
    relativeModuleId: file,
    children: { allTests: (state: string) => (state === 'skipped' ? tests : [])[Symbol.iterator]() },
  } as unknown as TestModule;
}

const MODULES = [
  moduleWith('test/lab/lab.test.ts', 'the lab scenario (skipped: needs Linux and root)'),
  moduleWith('test/shared/judge.test.ts', undefined),
];

describe('the skipped-tests reporter', () => {
  const exitCode = process.exitCode;
  afterEach(() => {
    process.exitCode = exitCode;
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('names each skipped file with the reason its suite gives, and lets the run pass', () => {
    vi.stubEnv(FORBID_SKIPPED_TESTS_ENV, '');
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);

    new SkippedTestsReporter().onTestRunEnd(MODULES);

    expect(stderr).toHaveBeenCalledWith(
      '\nSKIPPED: 1 test file(s) did not run completely (run as root, or with CI=true, to run them):\n' +
        '  test/lab/lab.test.ts: the lab scenario (skipped: needs Linux and root)\n\n',
    );
    expect(process.exitCode).toBe(exitCode);
  });

  it('fails the run when PORT25_FORBID_SKIPPED_TESTS=1 and a file was skipped', () => {
    vi.stubEnv(FORBID_SKIPPED_TESTS_ENV, '1');
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);

    new SkippedTestsReporter().onTestRunEnd(MODULES);

    expect(stderr).toHaveBeenCalledWith(expect.stringMatching(/^\nFAILED: 1 test file\(s\) skipped/));
    expect(process.exitCode).toBe(1);
  });

  it('says nothing when nothing was skipped', () => {
    vi.stubEnv(FORBID_SKIPPED_TESTS_ENV, '1');
    const stderr = vi.spyOn(process.stderr, 'write').mockReturnValue(true);

    new SkippedTestsReporter().onTestRunEnd([MODULES[1] as TestModule]);

    expect(stderr).not.toHaveBeenCalled();
    expect(process.exitCode).toBe(exitCode);
  });
});
