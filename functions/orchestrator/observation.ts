import type { TargetOutcome } from '../shared/outcomes.js';
import type { ControlReport } from '../shared/probe-result.js';

/** One probe attempt as the judge needs it: under `auto`, each attempt is judged by the address it dialled. */
export interface AttemptObservation {
  readonly outcome: TargetOutcome;
  /** Null when the attempt dialled nothing (DNS failure) or we cannot tell. */
  readonly address: string | null;
}

/**
 * Where the outcome came from: the probe's result line, the container's exit code alone (which can fail a target but
 * never pass it), or ECS (the task produced no result).
 */
export type ObservationSource = 'result-line' | 'exit-code' | 'ecs';

/** What the run learned about one target, before judging: from the probe's result line, its exit code, or ECS. */
export interface TargetObservation {
  /** Summary outcome over the attempts. */
  readonly outcome: TargetOutcome;
  /** One entry per probe attempt; a task that never produced a result counts as one 'task-failed' attempt. */
  readonly attempts: readonly AttemptObservation[];
  /** The address the last attempt dialled; null when it never dialled or we cannot tell. */
  readonly address: string | null;
  /**
   * The control connect the probe made beside its last attempt, on `address`; null without a control port or without
   * a result line.
   */
  readonly control: ControlReport | null;
  readonly connectMs: number | null;
  readonly greeting: string | null;
  readonly diagnosis: string;
  readonly taskArn: string | null;
  readonly detail: string | null;
  readonly source: ObservationSource;
}

/** The probe task never produced a result: it did not launch, did not start, or was stopped at the deadline. */
export function taskFailedObservation(detail: string, taskArn: string | null): TargetObservation {
  return {
    outcome: 'task-failed',
    attempts: [{ outcome: 'task-failed', address: null }],
    address: null,
    control: null,
    connectMs: null,
    greeting: null,
    diagnosis: 'The probe task produced no result, so port 25 was not tested; see the detail for why.',
    taskArn,
    detail,
    source: 'ecs',
  };
}
