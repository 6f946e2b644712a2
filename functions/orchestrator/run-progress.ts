import type { TargetOutcome } from '../shared/outcomes.js';

/**
 * What a run reports while it waits for Fargate, through a callback the caller passes (the CLI prints it on stderr,
 * the Lambda handler passes none): the core never writes to a console itself.
 */
export type RunProgressEvent =
  | { readonly kind: 'launched'; readonly target: string; readonly taskArn: string }
  | { readonly kind: 'not-launched'; readonly target: string; readonly reason: string }
  | { readonly kind: 'running'; readonly target: string; readonly taskArn: string }
  | { readonly kind: 'stopped'; readonly target: string; readonly taskArn: string }
  | { readonly kind: 'result'; readonly target: string; readonly outcome: TargetOutcome };

export type RunProgress = (event: RunProgressEvent) => void;
