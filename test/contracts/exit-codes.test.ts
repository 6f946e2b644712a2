import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../functions/cli/commands/run.js';
import { exitCodeForSummary } from '../../functions/cli/report-output.js';
import {
  EXIT_CODE_BY_OUTCOME,
  exitCodeForExpectationMatches,
  exitCodeForOutcomes,
  outcomeForExitCode,
  USAGE_EXIT_CODE,
  VERDICT_EXIT_CODES,
  verdictExitCode,
} from '../../functions/shared/outcomes.js';
import { capture, FakeAws, fakeClock, probeResult, type TaskScript, TEST_NETWORK } from '../orchestrator/fakes.js';

/** The documented exit codes as literals (docs/cli.md): renumbering one is a breaking change, and fails here. */

describe('the probe exit codes', () => {
  it('are the documented number for each outcome', () => {
    expect(EXIT_CODE_BY_OUTCOME).toEqual({
      open: 0,
      error: 1,
      timeout: 10,
      refused: 11,
      unreachable: 12,
      'dns-error': 13,
      'banner-timeout': 14,
      'protocol-error': 15,
      'tls-error': 16,
    });
    expect(USAGE_EXIT_CODE).toBe(2);
  });

  it('map back to their outcome, and a code the probe never uses to none', () => {
    expect(outcomeForExitCode(10)).toBe('timeout');
    expect(outcomeForExitCode(14)).toBe('banner-timeout');
    expect(outcomeForExitCode(17)).toBeUndefined();
    expect(outcomeForExitCode(2)).toBeUndefined();
  });

  it('of several targets are the code of the first that is not open', () => {
    expect(exitCodeForOutcomes(['open', 'banner-timeout', 'timeout'])).toBe(14);
    expect(exitCodeForOutcomes(['open', 'open'])).toBe(0);
  });
});

describe('the verdict exit codes of run, invoke and a judged probe', () => {
  it('are the documented numbers', () => {
    expect(VERDICT_EXIT_CODES).toEqual({
      allPassed: 0,
      someFailed: 1,
      usage: 2,
      someInconclusive: 3,
      runNotCarriedOut: 4,
    });
  });

  // Precedence, first that applies: failed 1 > not carried out 4 > inconclusive 3 > 0.
  it.each([
    [0, { failed: false, notCarriedOut: false, inconclusive: false }],
    [3, { failed: false, notCarriedOut: false, inconclusive: true }],
    [4, { failed: false, notCarriedOut: true, inconclusive: false }],
    [4, { failed: false, notCarriedOut: true, inconclusive: true }],
    [1, { failed: true, notCarriedOut: false, inconclusive: false }],
    [1, { failed: true, notCarriedOut: false, inconclusive: true }],
    [1, { failed: true, notCarriedOut: true, inconclusive: false }],
    [1, { failed: true, notCarriedOut: true, inconclusive: true }],
  ])('are %i for %j', (exitCode, facts) => {
    expect(verdictExitCode(facts)).toBe(exitCode);
  });

  it.each([
    [0, [true, true]],
    [1, [true, false]],
    [3, [true, null]],
    [1, [null, false, true]],
    [1, [null, false]],
    [0, []],
  ])('of a judged probe are %i for the matches %j', (exitCode, matches) => {
    expect(exitCodeForExpectationMatches(matches)).toBe(exitCode);
  });

  it.each([
    [0, { pass: 3, fail: 0, inconclusive: 0 }],
    [0, { pass: 0, fail: 0, inconclusive: 0 }],
    [1, { pass: 1, fail: 1, inconclusive: 0 }],
    [3, { pass: 1, fail: 0, inconclusive: 1 }],
    // Precedence: a failed target is never hidden behind an inconclusive one.
    [1, { pass: 0, fail: 1, inconclusive: 1 }],
    [1, { pass: 5, fail: 1, inconclusive: 7 }],
  ])('are %i for the summary %j', (exitCode, summary) => {
    expect(exitCodeForSummary(summary)).toBe(exitCode);
  });

  it.each([
    [4, { pass: 2, fail: 0, inconclusive: 0 }],
    [4, { pass: 1, fail: 0, inconclusive: 1 }],
    [1, { pass: 0, fail: 1, inconclusive: 1 }],
  ])('are %i for the summary %j of a run whose metrics were not published', (exitCode, summary) => {
    expect(exitCodeForSummary(summary, true)).toBe(exitCode);
  });
});

function accessDenied(): Error {
  const error = new Error('not authorized to perform cloudwatch:PutMetricData');
  error.name = 'AccessDeniedException';
  return error;
}

describe('port25-canary run with a failed and an inconclusive target together', () => {
  let directory: string;
  let aws: FakeAws | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'port25-contracts-run-'));
    await writeFile(
      join(directory, 'canary.config.json'),
      JSON.stringify({
        canaryName: 'mail-egress',
        network: { ...TEST_NETWORK },
        targets: [
          { name: 'failed-mx', host: '198.51.100.25', expect: 'blocked' },
          { name: 'inconclusive-mx', host: '198.51.100.26', expect: 'blocked' },
          { name: 'passed-mx', host: '198.51.100.27', expect: 'blocked' },
        ],
      }),
    );
  });

  afterEach(async () => {
    aws?.restore();
    aws = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const scripts: Record<string, TaskScript> = {
    'failed-mx': { result: probeResult('198.51.100.25', 'open') },
    'inconclusive-mx': { result: probeResult('198.51.100.26', 'unreachable') },
    'passed-mx': { result: probeResult('198.51.100.27', 'timeout') },
  };

  async function run(argv: string[], { metricsFail = false } = {}) {
    const fake = new FakeAws((target) => scripts[target] ?? {});
    aws = fake;
    if (metricsFail) fake.cloudwatchMock.on(PutMetricDataCommand).rejects(accessDenied());
    const clock = fakeClock();
    const command = createRunCommand({
      createClients: () => fake.clients,
      now: clock.now,
      sleep: clock.sleep,
      cwd: () => directory,
    });
    const { io, output } = capture();
    const exitCode = await command.run(['--json', ...argv], io);
    return { exitCode, summary: JSON.parse(output.stdout).summary };
  }

  it('exits 1: failed wins over inconclusive', async () => {
    const { exitCode, summary } = await run([]);

    expect(summary).toEqual({ pass: 1, fail: 1, inconclusive: 1 });
    expect(exitCode).toBe(1);
  });

  it('exits 1 when the metrics were not published either: failed wins over not carried out', async () => {
    const { exitCode } = await run([], { metricsFail: true });

    expect(exitCode).toBe(1);
  });

  it('exits 4 when the metrics were not published: not carried out wins over inconclusive', async () => {
    const { exitCode, summary } = await run(['--targets', 'inconclusive-mx,passed-mx'], { metricsFail: true });

    expect(summary).toEqual({ pass: 1, fail: 0, inconclusive: 1 });
    expect(exitCode).toBe(4);
  });

  it('exits 3 when nothing failed and the run was carried out', async () => {
    const { exitCode } = await run(['--targets', 'inconclusive-mx,passed-mx']);

    expect(exitCode).toBe(3);
  });
});
