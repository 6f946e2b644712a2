/**
 * Undo steps registered while building something up, run in reverse order. Every step runs even when an earlier one
 * fails; the failures are thrown together at the end so no leftover goes unnoticed.
 */
export class TeardownError extends AggregateError {
  constructor(errors: readonly unknown[]) {
    super(
      errors,
      `teardown failed: ${errors.map((error) => (error instanceof Error ? error.message : String(error))).join('; ')}`,
    );
    this.name = 'TeardownError';
  }
}

export class Teardown {
  private readonly steps: { readonly name: string; readonly undo: () => Promise<void> }[] = [];
  private running: Promise<void> | undefined;

  add(name: string, undo: () => Promise<void>): void {
    this.steps.push({ name, undo });
  }

  /** True once run() was called: whatever is still being built up is about to be torn down. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs the steps once; later calls wait for the first run. */
  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  private async runSteps(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step.undo();
      } catch (error) {
        errors.push(
          new Error(`${step.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }),
        );
      }
    }
    if (errors.length > 0) throw new TeardownError(errors);
  }
}
