import type { ProbeOutcome } from '../shared/outcomes.js';

/** Ends an attempt with a definite outcome; the message is the reason in words that ends up in the result's `error`. */
export class ProbeFailureError extends Error {
  readonly outcome: ProbeOutcome;
  constructor(outcome: ProbeOutcome, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ProbeFailureError';
    this.outcome = outcome;
  }
}
