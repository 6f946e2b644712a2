import { describe, expect, it } from 'vitest';
import type { TargetObservation } from '../../functions/orchestrator/observation.js';
import { buildCanaryReport, judgeTarget, targetReportFor } from '../../functions/orchestrator/report-building.js';
import type { CanaryTarget } from '../../functions/shared/config.js';
import { LIFTED_NEXT_STEP } from '../../functions/shared/restriction.js';

const JUDGING = { vpcPrimaryCidr: '10.0.0.0/16', released: false };

function target(expect: CanaryTarget['expect']): CanaryTarget {
  return { name: 'mail', host: 'mail.example.test', port: 25, expect, controlPort: undefined, starttls: false };
}

function observation(overrides: Partial<TargetObservation>): TargetObservation {
  return {
    outcome: 'timeout',
    attempts: [{ outcome: 'timeout', address: '198.51.100.25' }],
    address: '198.51.100.25',
    control: null,
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
  it.each(['auto', 'open', 'blocked'] as const)(
    'judges a %s host name that resolved to loopback inconclusive, naming the address and why',
    (expect_) => {
      const toLoopback = observation({
        outcome: 'refused',
        attempts: [{ outcome: 'refused', address: '127.0.0.1' }],
        address: '127.0.0.1',
      });

      const report = targetReportFor(target(expect_), toLoopback, JUDGING);

      expect(report).toMatchObject({
        verdict: 'inconclusive',
        expected: null,
        outcome: 'refused',
        rule: `${expect_}: 127.0.0.1 is loopback 127.0.0.0/8: not a mail destination (never leaves the host)`,
        detail:
          "mail.example.test resolved to 127.0.0.1, loopback 127.0.0.0/8: not a mail destination (never leaves the host): inconclusive, as for a DNS error; check the name's A/AAAA records",
      });
    },
  );

  it('judges an open connection to a link-local address inconclusive, never a pass', () => {
    const toMetadata = observation({
      outcome: 'open',
      attempts: [{ outcome: 'open', address: 'fe80::1' }],
      address: 'fe80::1',
    });

    expect(targetReportFor(target('open'), toMetadata, JUDGING)).toMatchObject({
      verdict: 'inconclusive',
      rule: expect.stringContaining('link-local fe80::/10'),
    });
  });

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

  it('names an attempt that dialled nothing in the disagreement', () => {
    const noAddressFirst = observation({
      attempts: [
        { outcome: 'dns-error', address: null },
        { outcome: 'timeout', address: '198.51.100.25' },
      ],
    });

    const report = targetReportFor(target('auto'), noAddressFirst, JUDGING);

    expect(report.detail).toBe(
      'attempts disagree on the expectation: attempt 1 to no address expected nothing (auto: no address was dialled, nothing to classify); attempt 2 to 198.51.100.25 expected blocked (auto: public address); each attempt was judged against its own',
    );
  });

  it("reports the last attempt's expectation and rule", () => {
    const threeAddresses = observation({
      attempts: [
        { outcome: 'timeout', address: '198.51.100.25' },
        { outcome: 'timeout', address: '198.51.100.26' },
        { outcome: 'open', address: '10.0.12.25' },
      ],
      address: '10.0.12.25',
    });

    const report = targetReportFor(target('auto'), threeAddresses, JUDGING);

    expect(report).toMatchObject({ expected: 'open', rule: 'auto: VPC primary CIDR 10.0.0.0/16' });
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

describe('targetReportFor: evidence', () => {
  it('passes an expected-blocked timeout whose control port answered as a port-25-specific drop', () => {
    const report = targetReportFor(
      target('auto'),
      observation({ control: { port: 587, outcome: 'open', connectMs: 3 } }),
      JUDGING,
    );

    expect(report).toMatchObject({ verdict: 'pass', evidence: 'port-25-specific drop' });
  });

  it('makes an expected-blocked timeout with a dark control port inconclusive', () => {
    const report = targetReportFor(
      target('auto'),
      observation({ control: { port: 587, outcome: 'timeout', connectMs: null } }),
      JUDGING,
    );

    expect(report).toMatchObject({
      verdict: 'inconclusive',
      evidence: 'no path on any port: the throttle cannot be told from a dead path',
    });
  });

  it('applies the control port only to attempts that dialled its address', () => {
    const twoAddresses = observation({
      attempts: [
        { outcome: 'timeout', address: '198.51.100.26' },
        { outcome: 'timeout', address: '198.51.100.25' },
      ],
      control: { port: 587, outcome: 'timeout', connectMs: null },
    });

    const report = targetReportFor(target('auto'), twoAddresses, JUDGING);

    expect(report).toMatchObject({
      verdict: 'inconclusive',
      evidence: 'attempt 2: no path on any port: the throttle cannot be told from a dead path',
    });
  });

  it('lends the control port to no attempt whose address is unknown', () => {
    const unknownAddress = observation({
      attempts: [{ outcome: 'timeout', address: null }],
      address: null,
      control: { port: 587, outcome: 'open', connectMs: 3 },
    });

    const report = targetReportFor(target('blocked'), unknownAddress, JUDGING);

    expect(report).toMatchObject({
      verdict: 'pass',
      evidence: 'consistent with the throttle, unproven (no control port)',
    });
  });

  it('says that an exit code alone cannot prove a pass', () => {
    const report = targetReportFor(target('blocked'), observation({ source: 'exit-code' }), JUDGING);

    expect(report.evidence).toBe('only the exit code is known: it cannot prove a pass');
  });
});

describe('judgeTarget: restriction signal', () => {
  const answered = { port: 587, outcome: 'refused', connectMs: null } as const;

  it('sees the restriction in effect on a public address dropped while its control port answered', () => {
    expect(judgeTarget(target('auto'), observation({ control: answered }), JUDGING).signal).toEqual({
      inEffect: true,
      lifted: false,
    });
  });

  it('judges the restriction as if not released, even in a released run', () => {
    const released = { ...JUDGING, released: true };
    const connected = observation({ outcome: 'open', attempts: [{ outcome: 'open', address: '198.51.100.25' }] });

    expect(judgeTarget(target('auto'), connected, released).signal).toEqual({ inEffect: false, lifted: true });
  });

  it('learns nothing from an exempt address, whatever it showed', () => {
    const exempt = observation({
      address: '10.0.1.25',
      attempts: [{ outcome: 'timeout', address: '10.0.1.25' }],
      control: answered,
    });

    expect(judgeTarget(target('auto'), exempt, JUDGING).signal).toEqual({ inEffect: false, lifted: false });
  });

  it('learns nothing from an exit code alone', () => {
    const fromExitCode = observation({ source: 'exit-code', control: answered });

    expect(judgeTarget(target('auto'), fromExitCode, JUDGING).signal).toEqual({ inEffect: false, lifted: false });
  });
});

describe('buildCanaryReport', () => {
  const header = { runId: 'r', canary: 'c', startedAt: 0, finishedAt: 1000, released: false, configReleased: false };

  it('states the restriction from the targets that showed it', () => {
    const dropped = judgeTarget(
      { ...target('auto'), name: 'public' },
      observation({ control: { port: 587, outcome: 'open', connectMs: 2 } }),
      JUDGING,
    );
    const dead = judgeTarget(
      { ...target('auto'), name: 'dead' },
      observation({ control: { port: 587, outcome: 'timeout', connectMs: null } }),
      JUDGING,
    );

    const report = buildCanaryReport(header, [dropped, dead]);

    expect(report.restriction).toMatchObject({ state: 'in-effect', inEffectTargets: ['public'], liftedTargets: [] });
    expect(report.summary).toEqual({ pass: 1, fail: 0, inconclusive: 1 });
  });

  it('passes a port-587 target that connected to a public address, and leaves the restriction to port 25', () => {
    const relay = { ...target('auto'), name: 'relay', port: 587 };
    const connected = observation({ outcome: 'open', attempts: [{ outcome: 'open', address: '198.51.100.25' }] });

    const judged = judgeTarget(relay, connected, JUDGING);
    const report = buildCanaryReport(header, [judged]);

    expect(judged.report).toMatchObject({
      port: 587,
      expected: 'open',
      rule: "auto: port 587: AWS's restriction covers port 25 only",
      verdict: 'pass',
      evidence: 'port 587 connected and the server greeted',
    });
    expect(judged.signal).toEqual({ inEffect: false, lifted: false });
    expect(report.restriction).toMatchObject({ state: 'unknown', liftedTargets: [] });
  });

  it('fails a port-587 drop beside an answering control port without calling the restriction in effect', () => {
    const relay = { ...target('auto'), name: 'relay', port: 587 };
    const dropped = observation({ control: { port: 443, outcome: 'open', connectMs: 2 } });

    const judged = judgeTarget(relay, dropped, JUDGING);

    expect(judged.report).toMatchObject({
      verdict: 'fail',
      evidence: "port-587-specific drop: not AWS's throttle, which covers port 25 only",
    });
    expect(judged.signal).toEqual({ inEffect: false, lifted: false });
  });

  it('words the next step by the config, not by what the run was judged as', () => {
    const connected = observation({ outcome: 'open', attempts: [{ outcome: 'open', address: '198.51.100.25' }] });
    const released = { ...JUDGING, released: true };
    const judged = judgeTarget(target('auto'), connected, released);

    const asked = buildCanaryReport({ ...header, released: true }, [judged]);
    const configured = buildCanaryReport({ ...header, released: true, configReleased: true }, [judged]);

    expect(asked.restriction).toMatchObject({ state: 'lifted', nextStep: LIFTED_NEXT_STEP });
    expect(asked.released).toBe(true);
    expect(configured.restriction.nextStep).toBeNull();
  });
});
