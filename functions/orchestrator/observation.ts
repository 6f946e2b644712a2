import type { TargetOutcome } from '../shared/outcomes.js';

/** What the run learned about one target, before judging: from the probe's result line, its exit code, or ECS. */
export interface TargetObservation {
  /** Summary outcome over the attempts. */
  readonly outcome: TargetOutcome;
  /** One outcome per probe attempt; a task that never produced a result counts as one 'task-failed' attempt. */
  readonly attemptOutcomes: readonly TargetOutcome[];
  /** The address the probe dialled; null when it never dialled or we cannot tell. */
  readonly address: string | null;
  readonly connectMs: number | null;
  readonly greeting: string | null;
  readonly diagnosis: string;
  readonly taskArn: string | null;
  readonly detail: string | null;
}

/** The probe task never produced a result: it did not launch, did not start, or was stopped at the deadline. */
export function taskFailedObservation(detail: string, taskArn: string | null): TargetObservation {
  return {
    outcome: 'task-failed',
    attemptOutcomes: ['task-failed'],
    address: null,
    connectMs: null,
    greeting: null,
    diagnosis: 'The probe task produced no result, so port 25 was not tested; see the detail for why.',
    taskArn,
    detail,
  };
}
