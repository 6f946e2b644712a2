import { describe, expect, it } from 'vitest';
import type { TargetObservation } from '../../functions/orchestrator/observation.js';
import { targetReportFor } from '../../functions/orchestrator/report-building.js';
import type { CanaryTarget } from '../../functions/shared/config.js';

const JUDGING = { vpcPrimaryCidr: '10.0.0.0/16', released: false };

function target(expect: CanaryTarget['expect']): CanaryTarget {
  return { name: 'mail', host: 'mail.example.test', port: 25, expect, controlPort: undefined, starttls: false };
}

function observation(overrides: Partial<TargetObservation>): TargetObservation {
  return {
    outcome: 'timeout',
    attempts: [{ outcome: 'timeout', address: '198.51.100.25' }],
    address: '198.51.100.25',
    connectMs: null,
    greeting: null,
    diagnosis: 'probe says timeout',
    taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/1',
    detail: null,
    source: 'result-line',
    ...overrides,
  };
}

describe('targetReportFor', () => {
  it('judges each auto attempt by the address it dialled and says when the attempts disagree', () => {
    const twoAddresses = observation({
      attempts: [
        { outcome: 'open', address: '10.0.12.25' },
        { outcome: 'timeout', address: '198.51.100.25' },
      ],
    });

    const report = targetReportFor(target('auto'), twoAddresses, JUDGING);

    expect(report).toMatchObject({
      verdict: 'pass',
      expected: 'blocked',
      rule: 'auto: public address',
      detail: expect.stringMatching(
        /attempts disagree on the expectation: attempt 1 to 10\.0\.12\.25 expected open .*; attempt 2 to 198\.51\.100\.25 expected blocked/,
      ),
    });
  });

  it('fails an auto target when an attempt misses its own expectation', () => {
    const twoAddresses = observation({
      attempts: [
        { outcome: 'timeout', address: '10.0.12.25' },
        { outcome: 'timeout', address: '198.51.100.25' },
      ],
    });

    expect(targetReportFor(target('auto'), twoAddresses, JUDGING).verdict).toBe('fail');
  });

  it('adds no detail when every attempt has the same expectation', () => {
    const report = targetReportFor(target('blocked'), observation({}), JUDGING);

    expect(report).toMatchObject({ verdict: 'pass', detail: null });
  });

  it('turns a pass known only from the exit code into inconclusive, saying why', () => {
    const fromExitCode = observation({ source: 'exit-code', detail: 'no result line in log stream g:s' });

    const report = targetReportFor(target('blocked'), fromExitCode, JUDGING);

    expect(report.verdict).toBe('inconclusive');
    expect(report.detail).toBe(
      'no result line in log stream g:s; the result line was missing and the exit code alone cannot prove a pass',
    );
  });

  it('keeps a failure known only from the exit code', () => {
    const fromExitCode = observation({
      outcome: 'open',
      attempts: [{ outcome: 'open', address: '198.51.100.25' }],
      source: 'exit-code',
    });

    expect(targetReportFor(target('blocked'), fromExitCode, JUDGING).verdict).toBe('fail');
  });
});
