import type { Verdict } from '../functions/shared/judge.js';
import { RUN_METRICS, TARGET_METRICS } from '../functions/shared/metrics.js';
import type { TargetOutcome } from '../functions/shared/outcomes.js';
import type { RestrictionState } from '../functions/shared/restriction.js';
import type { AlarmState } from './alarms.js';
import { LAB_NETWORK } from './topology.js';

/**
 * What the lab must observe, in one place: per phase, each target's outcome and verdict; after both runs, each alarm's
 * state. The target names are those of lab/lab.config.json; the addresses behind them are in topology.ts.
 */

export const LAB_TARGET_NAMES = [
  'server-a',
  'server-b',
  'server-b6',
  'server-ula6',
  'server-secondary',
  'control-reset',
  'control-sg-drop',
  'dark-public',
] as const;
export type LabTargetName = (typeof LAB_TARGET_NAMES)[number];

export interface TargetExpectation {
  readonly outcome: TargetOutcome;
  readonly verdict: Verdict;
  /** When set, the report's rule must say exactly this (the rule is the point of the target). */
  readonly rule?: string;
  /** Why, in words, for the table. */
  readonly because: string;
}

export type PhaseId = 'scheduled' | 'released';

export interface RunPhaseExpectation {
  readonly title: string;
  readonly targets: Readonly<Record<LabTargetName, TargetExpectation>>;
  /** Exit code of `port25-canary invoke` when the phase runs through the CLI. */
  readonly cliExitCode?: number;
  /** The run's answer to "is the port-25 restriction in effect here?" */
  readonly restriction: RestrictionState;
}

// The negative controls fail in every phase: a canary that cannot fail proves nothing.
const CONTROLS = {
  'control-reset': {
    outcome: 'refused',
    verdict: 'fail',
    because: 'RFC 1918, expected open; the host answers RST',
  },
  'control-sg-drop': {
    outcome: 'timeout',
    verdict: 'fail',
    because: 'configured open; a security group drops every port',
  },
} as const satisfies Partial<Record<LabTargetName, TargetExpectation>>;

export const RUN_PHASE_EXPECTATIONS: Readonly<Record<PhaseId, RunPhaseExpectation>> = {
  scheduled: {
    title: 'Phase 1: scheduled run, port 25 not released',
    // server-b (public) times out on 25 while its control port 587 answers: the throttle's proven signature.
    restriction: 'in-effect',
    targets: {
      'server-a': { outcome: 'open', verdict: 'pass', because: 'RFC 1918 is exempt from the throttle' },
      'server-b': { outcome: 'timeout', verdict: 'pass', because: 'public IPv4: the throttle drops port 25' },
      'server-b6': { outcome: 'timeout', verdict: 'pass', because: 'public IPv6: the throttle drops port 25' },
      'server-ula6': { outcome: 'open', verdict: 'pass', because: 'RFC 4193 is exempt from the throttle' },
      'server-secondary': {
        outcome: 'timeout',
        verdict: 'pass',
        rule: `auto: VPC secondary CIDR ${LAB_NETWORK.vpcSecondaryCidr}: not exempt`,
        because: "the VPC's secondary CIDR, read from EC2: not exempt, the throttle drops port 25",
      },
      // Expected blocked and timed out, but the control port 587 is dark too: a dead path, never a proven block.
      'dark-public': {
        outcome: 'timeout',
        verdict: 'inconclusive',
        because: 'public, expected blocked; dropped on every port: the throttle cannot be told from a dead path',
      },
      ...CONTROLS,
    },
  },
  released: {
    title: 'Phase 2: restriction lifted, `port25-canary invoke --released`',
    // server-b (public) answers SMTP on port 25.
    restriction: 'lifted',
    targets: {
      'server-a': { outcome: 'open', verdict: 'pass', because: 'released: everything expected open' },
      'server-b': { outcome: 'open', verdict: 'pass', because: 'released: the throttle is gone' },
      'server-b6': { outcome: 'open', verdict: 'pass', because: 'released: the throttle is gone' },
      'server-ula6': { outcome: 'open', verdict: 'pass', because: 'released: everything expected open' },
      'server-secondary': { outcome: 'open', verdict: 'pass', because: 'released: the throttle is gone' },
      'dark-public': {
        outcome: 'timeout',
        verdict: 'fail',
        because: 'released: expected open; still dropped on every port (the release cannot fix a dead path)',
      },
      ...CONTROLS,
    },
    // The controls fail, so invoke reports "some failed".
    cliExitCode: 1,
  },
};

/**
 * Alarm states after both runs, evaluated at the end of the lab (both runs fall in the alarms' period):
 * per-target alarms by metric and target, canary-level alarms by metric. An alarm of the template that is not listed
 * here fails the lab, so a new alarm needs a stated expectation.
 */
export const EXPECTED_ALARM_STATES: {
  readonly perTarget: Readonly<Record<string, Readonly<Record<LabTargetName, AlarmState>>>>;
  readonly perCanary: Readonly<Record<string, AlarmState>>;
} = {
  perTarget: {
    [TARGET_METRICS.expectationMet.name]: {
      'server-a': 'OK',
      'server-b': 'OK',
      'server-b6': 'OK',
      'server-ula6': 'OK',
      'server-secondary': 'OK',
      'control-reset': 'ALARM',
      'control-sg-drop': 'ALARM',
      // Inconclusive, then failed: no run met the expectation.
      'dark-public': 'ALARM',
    },
  },
  perCanary: {
    // dark-public cannot be judged in the scheduled run (a dead path, not a proven block).
    [RUN_METRICS.targetsInconclusive.name]: 'ALARM',
    // SampleCount of RunDuration: did runs happen at all.
    [RUN_METRICS.runDuration.name]: 'OK',
    // The lab config is not released, and the released run sees port 25 get through to the public server:
    // "port-25 restriction appears lifted" must fire.
    [RUN_METRICS.restrictionInEffect.name]: 'ALARM',
  },
};
