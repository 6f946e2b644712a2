import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { type AwsClientOptions, createCanaryClients } from '../../orchestrator/aws-clients.js';
import { AwsCallError, MetricPublishError, RunAbortedError } from '../../orchestrator/errors.js';
import { type CanaryClients, DEADLINE_SAFETY_MARGIN_MS, runCanary } from '../../orchestrator/run-canary.js';
import { configFilePath, loadRuntimeConfig } from '../../orchestrator/runtime-config.js';
import { TASK_START_ALLOWANCE_MS } from '../../orchestrator/task-pool.js';
import { VpcCidrError } from '../../orchestrator/vpc-cidrs.js';
import type { CommandIo } from '../../shared/command-line/command-io.js';
import { durationHint, durationOption } from '../../shared/command-line/duration.js';
import { parseCommandLine } from '../../shared/command-line/parse-command-line.js';
import { VERDICT_EXIT_CODES } from '../../shared/outcomes.js';
import { BUNDLED_CONFIG_FILE_NAME, RUNTIME_ENVIRONMENT } from '../../shared/runtime-environment.js';
import type { Command } from '../arguments.js';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsClientOptions } from '../aws-options.js';
import { type AwsSetupContext, checkAwsSetup, type ServiceClient } from '../aws-setup.js';
import {
  CANARY_RUN_OPTIONS,
  CANARY_RUN_OPTIONS_HELP,
  rejectPositionals,
  runInputFromOptions,
} from '../canary-options.js';
import { VERDICT_EXIT_CODES_HELP, writeReport } from '../report-output.js';
import { watchRetriedCalls } from '../retry-watch.js';
import { progressPrinter, retryPrinter } from '../run-progress-output.js';
import { checkRunnableConfig } from '../run-readiness.js';
import { createCloudFormationClient, readStackRunSettings, stackNameOption } from '../stack-outputs.js';

/** The run's whole time budget when --deadline is not given: a Lambda's maximum timeout, like the deployed canary. */
export const DEFAULT_DEADLINE_SECONDS = 900;
// The shortest budget still leaves time to start a probe task and probe before the deadline.
const DEADLINE_LIMITS = {
  min: Math.ceil((DEADLINE_SAFETY_MARGIN_MS + TASK_START_ALLOWANCE_MS) / 1000) + 30,
  max: 6 * 3600,
} as const;
// Seconds stay the unit of a bare number, as before units were accepted.
const DEADLINE_DURATION = {
  bareUnit: 's',
  minMs: DEADLINE_LIMITS.min * 1000,
  maxMs: DEADLINE_LIMITS.max * 1000,
} as const;

const USAGE = `Usage: port25-canary run [--stack NAME] [--config FILE] [--targets a,b] [--released] [--attempts N]
                         [--deadline TIME] [--no-metrics] [--quiet] [--profile NAME] [--region REGION] [--json]

Runs the canary from this workstation, exactly as the deployed function does: one Fargate probe task per target,
verdicts against AWS's port-25 rule, metrics published to CloudWatch, the report printed. While it waits for
Fargate, progress (tasks launched, running, stopped, results read) goes to stderr.

Options:
  --stack NAME       take the cluster, task definition, container, subnets, security groups, log group and VPC
                     CIDR from the deployed stack's outputs (CloudFormation DescribeStacks), over the config's
  --config FILE      the canary config: targets, probe settings (default: $${RUNTIME_ENVIRONMENT.configFile}, else ./${BUNDLED_CONFIG_FILE_NAME})
${CANARY_RUN_OPTIONS_HELP}
  --deadline TIME    the run's time budget, ${DEADLINE_LIMITS.min}s-${DEADLINE_LIMITS.max / 3600}h (default ${DEFAULT_DEADLINE_SECONDS / 60}m; ${durationHint('s')});
                     probe tasks still running ${DEADLINE_SAFETY_MARGIN_MS / 1000} s before it ends are stopped and reported task-failed
  --no-metrics       judge and report only: publish no metrics, so the run writes nothing into the alarmed series
  --quiet            no progress on stderr (errors still go there)
${AWS_OPTIONS_HELP}

Environment:
  AWS credentials and region come from the SDK's default chain (AWS_PROFILE, AWS_REGION, ...) unless --profile or
  --region say otherwise; AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL_ECS, AWS_ENDPOINT_URL_CLOUDWATCH_LOGS, AWS_ENDPOINT_URL_CLOUDWATCH,
  AWS_ENDPOINT_URL_CLOUDFORMATION (or AWS_ENDPOINT_URL) redirect the calls.
  The PORT25_* variables override config fields as they do for the deployed function (e.g. ${RUNTIME_ENVIRONMENT.cluster}).

${VERDICT_EXIT_CODES_HELP}
`;

export interface RunCommandDependencies {
  /** Built only once the arguments and config are valid. */
  readonly createClients: (options: AwsClientOptions) => CanaryClients;
  /**
   * Checks profile, Region, credentials and endpoints before the first call (AwsSetupError, exit 2); none when absent
   * (the tests' mocked clients).
   */
  readonly checkSetup?: (services: readonly ServiceClient[], context: AwsSetupContext) => Promise<void>;
  /** Told of each AWS call that failed and will be retried; the real CLI prints it as progress. */
  readonly watchRetries?: (clients: CanaryClients, report: (line: string) => void) => void;
  /** Built only for --stack, once the arguments are valid; the SDK's, from the standard environment, when not given. */
  readonly createCloudFormationClient?: (options: AwsClientOptions) => CloudFormationClient;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly cwd: () => string;
}

export function createRunCommand(dependencies: RunCommandDependencies): Command {
  return {
    summary: 'run the canary from this workstation (AWS credentials)',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseCommandLine(argv, {
        config: { type: 'string' },
        deadline: { type: 'string' },
        stack: { type: 'string' },
        'no-metrics': { type: 'boolean' },
        quiet: { type: 'boolean' },
        ...AWS_OPTIONS,
        ...CANARY_RUN_OPTIONS,
      });
      rejectPositionals(positionals, '--config');
      const input = runInputFromOptions(values);
      const deadlineMs =
        durationOption('deadline', values.deadline, DEADLINE_DURATION) ?? DEFAULT_DEADLINE_SECONDS * 1000;
      const stackName = stackNameOption(values.stack);
      const aws = awsClientOptions(values);
      const asJson = values.json === true;
      const publish = values['no-metrics'] !== true;
      const checkSetup = dependencies.checkSetup ?? (async () => undefined);
      try {
        // The stack's outputs override the config's network fields the way the deployed function's environment does.
        let stackSettings: Record<string, string> = {};
        if (stackName !== undefined) {
          const cloudFormation = (dependencies.createCloudFormationClient ?? createCloudFormationClient)(aws);
          await checkSetup(
            [
              {
                service: 'CloudFormation',
                endpointVariable: 'AWS_ENDPOINT_URL_CLOUDFORMATION',
                client: cloudFormation,
              },
            ],
            { profile: aws.profile, env: io.env },
          );
          stackSettings = await readStackRunSettings(cloudFormation, stackName);
        }
        const env = { ...io.env, ...stackSettings };
        const location = { configFile: values.config, defaultDirectory: dependencies.cwd() };
        const config = await loadRuntimeConfig(env, location);
        checkRunnableConfig(config, configFilePath(env, location));
        const clients = dependencies.createClients(aws);
        await checkSetup(runServices(clients, publish), { profile: aws.profile, env: io.env });
        if (values.quiet !== true) dependencies.watchRetries?.(clients, retryPrinter(io, dependencies.now));
        const startedAt = dependencies.now();
        const report = await runCanary(config, input, {
          ...clients,
          now: dependencies.now,
          sleep: dependencies.sleep,
          remainingTimeMs: () => deadlineMs - (dependencies.now() - startedAt),
          publish,
          ...(values.quiet === true ? {} : { onProgress: progressPrinter(io, dependencies.now) }),
        });
        if (!publish && values.quiet !== true) io.stderr('run: --no-metrics: no metrics were published\n');
        return writeReport(report, io, asJson, false, values.wide === true);
      } catch (error) {
        return reportRunError(error, io, asJson, values.wide === true);
      }
    },
  };
}

/** The clients a run calls, as the set-up check names them; metrics and the run event only when they are published. */
function runServices(clients: CanaryClients, publish: boolean): ServiceClient[] {
  return [
    { service: 'EC2', endpointVariable: 'AWS_ENDPOINT_URL_EC2', client: clients.ec2 },
    { service: 'ECS', endpointVariable: 'AWS_ENDPOINT_URL_ECS', client: clients.ecs },
    { service: 'CloudWatch Logs', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDWATCH_LOGS', client: clients.logs },
    ...(publish
      ? [
          { service: 'CloudWatch', endpointVariable: 'AWS_ENDPOINT_URL_CLOUDWATCH', client: clients.cloudwatch },
          { service: 'EventBridge', endpointVariable: 'AWS_ENDPOINT_URL_EVENTBRIDGE', client: clients.events },
        ]
      : []),
  ];
}

/** A run that could not be carried out exits 4 (or 1 when a target failed in a report that was still made). */
function reportRunError(error: unknown, io: CommandIo, asJson: boolean, wide: boolean): number {
  if (error instanceof MetricPublishError) {
    io.stderr(`port25-canary run: ${error.message}\n`);
    return writeReport(error.report, io, asJson, true, wide);
  }
  if (error instanceof RunAbortedError || error instanceof AwsCallError || error instanceof VpcCidrError) {
    io.stderr(`port25-canary run: ${error.message}\n`);
    return VERDICT_EXIT_CODES.runNotCarriedOut;
  }
  throw error;
}

// Clients come from the standard environment only, so AWS_ENDPOINT_URL_* can point them at a local endpoint.
export const runCommand = createRunCommand({
  createClients: createCanaryClients,
  checkSetup: checkAwsSetup,
  watchRetries: watchRetriedCalls,
  now: Date.now,
  sleep: async (ms) => {
    await sleep(ms);
  },
  cwd: () => process.cwd(),
});
