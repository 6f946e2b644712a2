import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../functions/cli/commands/run.js';
import { exitCodeForSummary } from '../../functions/cli/report-output.js';
import {
  EXIT_CODE_BY_OUTCOME,
  exitCodeForOutcomes,
  outcomeForExitCode,
  USAGE_EXIT_CODE,
  VERDICT_EXIT_CODES,
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

describe('the verdict exit codes of run and invoke', () => {
  it('are the documented numbers', () => {
    expect(VERDICT_EXIT_CODES).toEqual({ allPassed: 0, someFailed: 1, usage: 2, someInconclusive: 3 });
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
});

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

  it('exits 1: failed wins over inconclusive', async () => {
    const scripts: Record<string, TaskScript> = {
      'failed-mx': { result: probeResult('198.51.100.25', 'open') },
      'inconclusive-mx': { result: probeResult('198.51.100.26', 'unreachable') },
      'passed-mx': { result: probeResult('198.51.100.27', 'timeout') },
    };
    const fake = new FakeAws((target) => scripts[target] ?? {});
    aws = fake;
    const clock = fakeClock();
    const run = createRunCommand({
      createClients: () => fake.clients,
      now: clock.now,
      sleep: clock.sleep,
      cwd: () => directory,
    });
    const { io, output } = capture();

    const exitCode = await run.run(['--json'], io);

    expect(JSON.parse(output.stdout).summary).toEqual({ pass: 1, fail: 1, inconclusive: 1 });
    expect(exitCode).toBe(1);
  });
});
