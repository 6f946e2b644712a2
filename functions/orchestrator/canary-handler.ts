import type { CanaryConfig } from '../shared/config.js';
import type { CanaryReport } from '../shared/report.js';
import { MetricPublishError } from './errors.js';
import { parseCanaryEvent } from './event.js';
import { reportLogLines } from './report-logging.js';
import { type CanaryClients, runCanary } from './run-canary.js';
import { loadRuntimeConfig } from './runtime-config.js';

/** The part of the Lambda context the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface CanaryHandlerDependencies {
  readonly clients: CanaryClients;
  readonly env: NodeJS.ProcessEnv;
  /** Where the bundled canary.config.json sits (beside the handler). */
  readonly configDirectory: string;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Writes one log line. */
  readonly log: (line: string) => void;
  readonly newRunId?: () => string;
}

export type CanaryHandler = (event: unknown, context: LambdaContext) => Promise<CanaryReport>;

/** The Lambda handler: parse the event, load the config once, run, log the report (report-logging.ts), return it. */
export function createCanaryHandler(dependencies: CanaryHandlerDependencies): CanaryHandler {
  let config: CanaryConfig | undefined;
  return async (event, context) => {
    const input = parseCanaryEvent(event);
    config ??= await loadRuntimeConfig(dependencies.env, { defaultDirectory: dependencies.configDirectory });
    try {
      const report = await runCanary(config, input, {
        ...dependencies.clients,
        now: dependencies.now,
        sleep: dependencies.sleep,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
        ...(dependencies.newRunId === undefined ? {} : { newRunId: dependencies.newRunId }),
      });
      for (const line of reportLogLines(report)) dependencies.log(line);
      return report;
    } catch (error) {
      // The verdicts stand even when CloudWatch refused the metrics: log them, then fail the invocation.
      if (error instanceof MetricPublishError) for (const line of reportLogLines(error.report)) dependencies.log(line);
      throw error;
    }
  };
}
