import { AddressParseError } from './errors.js';
import { controlSignal } from './judge.js';
import type { ProbeOutcome, TargetOutcome } from './outcomes.js';
import { classify, type RuleContext } from './port25-rule.js';

/**
 * Whether AWS's port-25 restriction is in effect for the account in this region, as one run saw it: `in-effect` when a
 * target outside the exempt ranges showed the throttle's proven signature (port 25 timed out while the control port
 * on the same address answered), `lifted` when such a target connected on port 25, `contradictory` when both happened
 * in one run, `unknown` when no target could tell.
 */
export type RestrictionState = 'in-effect' | 'lifted' | 'contradictory' | 'unknown';

export const RESTRICTION_STATES: readonly RestrictionState[] = ['in-effect', 'lifted', 'contradictory', 'unknown'];

export interface RestrictionReport {
  readonly state: RestrictionState;
  /** Targets that showed the throttle's signature, in run order. */
  readonly inEffectTargets: readonly string[];
  /** Targets that connected on port 25 although the rule (as if not released) would throttle them. */
  readonly liftedTargets: readonly string[];
  /** The conclusion in one sentence. */
  readonly summary: string;
  /** What the operator should do now; null when nothing. */
  readonly nextStep: string | null;
}

/** One probe attempt as the restriction needs it. */
export interface RestrictionAttempt {
  readonly address: string | null;
  readonly outcome: TargetOutcome;
  /** The control connect's outcome on this attempt's address; null when none was measured there. */
  readonly control: ProbeOutcome | null;
}

/** What one target's attempts say about the restriction. */
export interface RestrictionSignal {
  readonly inEffect: boolean;
  readonly lifted: boolean;
}

/** Outcomes that happen only after the TCP handshake on port 25: the SYN got through, so nothing dropped it. */
export const CONNECTED_OUTCOMES: ReadonlySet<TargetOutcome> = new Set([
  'open',
  'banner-timeout',
  'protocol-error',
  'tls-error',
]);

/**
 * Reads the attempts of one target on `port` against the rule as if not released (the restriction is what is in
 * question, so a configured release must not exempt anything). Addresses the rule exempts (the VPC's primary CIDR,
 * RFC 1918/6598/4193) tell nothing: port 25 to them is never throttled; nor does any other port, which the
 * restriction does not cover (a 587 that connects or drops says nothing about port 25).
 */
export function restrictionSignal(
  attempts: readonly RestrictionAttempt[],
  context: RuleContext,
  port: number,
): RestrictionSignal {
  let inEffect = false;
  let lifted = false;
  for (const attempt of attempts) {
    if (attempt.address === null || !throttledByRule(attempt.address, context, port)) continue;
    if (CONNECTED_OUTCOMES.has(attempt.outcome)) lifted = true;
    if (attempt.outcome === 'timeout' && controlSignal(attempt.control) === 'answered') inEffect = true;
  }
  return { inEffect, lifted };
}

function throttledByRule(address: string, context: RuleContext, port: number): boolean {
  try {
    return classify(address, { ...context, released: false }, port).throttled;
  } catch (error) {
    if (error instanceof AddressParseError) return false;
    throw error;
  }
}

const NAMES_SHOWN = 10;

function names(targets: readonly string[]): string {
  const shown = targets.slice(0, NAMES_SHOWN).join(', ');
  return targets.length > NAMES_SHOWN ? `${shown}, ... (${targets.length} in all)` : shown;
}

/**
 * The run's state from each target's signal. `released` is what the run was judged as (the config, or `--released`);
 * `configReleased` is the config's `port25Released`, what the scheduled runs and the alarms expect (the same when
 * not given): a run asked with `--released` that finds the restriction lifted still has a step to take while the
 * config says otherwise.
 */
export function restrictionReport(
  signals: readonly { readonly target: string; readonly signal: RestrictionSignal }[],
  released: boolean,
  configReleased: boolean = released,
): RestrictionReport {
  const inEffectTargets = signals.filter(({ signal }) => signal.inEffect).map(({ target }) => target);
  const liftedTargets = signals.filter(({ signal }) => signal.lifted).map(({ target }) => target);
  const state: RestrictionState =
    inEffectTargets.length > 0 && liftedTargets.length > 0
      ? 'contradictory'
      : inEffectTargets.length > 0
        ? 'in-effect'
        : liftedTargets.length > 0
          ? 'lifted'
          : 'unknown';
  return {
    state,
    inEffectTargets,
    liftedTargets,
    summary: summaryFor(state, inEffectTargets, liftedTargets),
    nextStep: nextStepFor(state, released, configReleased),
  };
}

function summaryFor(state: RestrictionState, inEffect: readonly string[], lifted: readonly string[]): string {
  switch (state) {
    case 'in-effect':
      return `port-25 restriction in effect: port 25 was dropped while the control port answered (${names(inEffect)})`;
    case 'lifted':
      return `port-25 restriction lifted: port 25 connected to an address the rule would throttle (${names(lifted)})`;
    case 'contradictory':
      return `port-25 restriction contradictory: dropped for ${names(inEffect)} but connected for ${names(lifted)} in the same run`;
    case 'unknown':
      return 'port-25 restriction unknown: no target outside the exempt ranges showed a port-25-specific drop or connected on port 25';
  }
}

/** What to do once a run has seen the restriction lifted while the config does not say so: the README's step 4. */
export const LIFTED_NEXT_STEP =
  'AWS has lifted the restriction: set port25Released to true in the config and redeploy, so the alarms expect it';

// The one place the next steps are worded: the report, the CLI's last line, the fleet matrix and the run event carry it.
function nextStepFor(state: RestrictionState, released: boolean, configReleased: boolean): string | null {
  switch (state) {
    case 'in-effect':
      return released || configReleased
        ? 'the removal request has not taken effect in this region: it is granted per account and region, so check the request for this one'
        : 'to send on port 25 from here, request the removal from AWS (per account and region), or relay on 587/465';
    case 'lifted':
      return configReleased ? null : LIFTED_NEXT_STEP;
    case 'contradictory':
      return 'compare the paths of the targets named: one of them leaves through something else (NAT, proxy, another VPC)';
    case 'unknown':
      return 'add a port-25 target outside the exempt ranges whose control port (probe.controlPort) answers, so a run can tell';
  }
}

/** The conclusion as the report's last line: the summary (which names the state) and the next step. */
export function restrictionLine(restriction: RestrictionReport): string {
  const next = restriction.nextStep === null ? '' : `. Next: ${restriction.nextStep}`;
  return `${restriction.summary}${next}`;
}
