/** The one deadline of an attempt ran out; the attempt turns it into the outcome of the phase it was in. */
export class DeadlineExpiredError extends Error {
  readonly deadlineMs: number;
  constructor(deadlineMs: number) {
    super(`deadline of ${deadlineMs} ms expired`);
    this.name = 'DeadlineExpiredError';
    this.deadlineMs = deadlineMs;
  }
}

/**
 * One timer for a whole attempt. `race` makes any step lose to it; `clear` must run in a `finally` so no timer
 * outlives the attempt and keeps the process alive.
 */
export class Deadline {
  readonly #deadlineMs: number;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #expired: Promise<never>;
  #expire: (error: DeadlineExpiredError) => void = () => {};
  #timer: NodeJS.Timeout | undefined;

  constructor(deadlineMs: number, now: () => number) {
    this.#deadlineMs = deadlineMs;
    this.#now = now;
    this.#startedAt = now();
    this.#expired = new Promise<never>((_, reject) => {
      this.#expire = reject;
    });
    // Nobody may be racing at the moment it fires; the rejection is observed through race().
    this.#expired.catch(() => undefined);
    this.#arm(deadlineMs);
  }

  remainingMs(): number {
    return Math.max(0, this.#deadlineMs - (this.#now() - this.#startedAt));
  }

  /** Settles like `step`, unless the deadline passes first. */
  race<T>(step: Promise<T>): Promise<T> {
    return Promise.race([step, this.#expired]);
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #arm(delayMs: number): void {
    this.#timer = setTimeout(() => {
      // Timers measure from the event loop's cached clock and can fire a little early: never report a short deadline.
      const remaining = this.remainingMs();
      if (remaining > 0) {
        this.#arm(Math.ceil(remaining));
        return;
      }
      this.#timer = undefined;
      this.#expire(new DeadlineExpiredError(this.#deadlineMs));
    }, delayMs);
  }
}
