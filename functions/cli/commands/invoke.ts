import { InvokeCommand, type InvokeCommandOutput, LambdaClient } from '@aws-sdk/client-lambda';
import { type AwsClientOptions, awsClientSettings } from '../../orchestrator/aws-clients.js';
import { AwsCallError } from '../../orchestrator/errors.js';
import type { CommandIo } from '../../shared/command-line/command-io.js';
import { parseCommandLine } from '../../shared/command-line/parse-command-line.js';
import { UsageError } from '../../shared/command-line/usage-error.js';
import { INPUT_ERROR_NAMES } from '../../shared/errors.js';
import { VERDICT_EXIT_CODES } from '../../shared/outcomes.js';
import type { Command } from '../arguments.js';
import { AWS_OPTIONS, AWS_OPTIONS_HELP, awsClientOptions } from '../aws-options.js';
import { type AwsSetupContext, checkAwsSetup, type ServiceClient } from '../aws-setup.js';
import {
  CANARY_RUN_OPTIONS,
  CANARY_RUN_OPTIONS_HELP,
  rejectPositionals,
  runInputFromOptions,
} from '../canary-options.js';
import { parseCanaryReport, parseFunctionError } from '../invoke-payload.js';
import { VERDICT_EXIT_CODES_HELP, writeReport } from '../report-output.js';

/** The deployed function's name or ARN when --function is not given. */
export const FUNCTION_NAME_ENV = 'PORT25_CANARY_FUNCTION';

/** Lambda's longest run (15 minutes) plus a minute for the round trip: the response of a full run still arrives. */
export const INVOKE_REQUEST_TIMEOUT_MS = 16 * 60_000;

/**
 * One attempt only: a synchronous Invoke is not idempotent, and the SDK retrying a lost response would start a
 * second canary run. The long request timeout waits for a full run instead of hanging forever on a lost connection.
 */
export function createInvokeLambdaClient(options: AwsClientOptions = {}): LambdaClient {
  return new LambdaClient({
    maxAttempts: 1,
    requestHandler: { requestTimeout: INVOKE_REQUEST_TIMEOUT_MS, throwOnRequestTimeout: true },
    ...awsClientSettings(options),
  });
}

const USAGE = `Usage: port25-canary invoke [--function NAME] [--targets a,b] [--released] [--attempts N]
                            [--profile NAME] [--region REGION] [--json]
       port25-canary invoke --fleet --config FILE [--targets a,b] [--released] [--attempts N] [--json]

Invokes the deployed canary function synchronously (RequestResponse) and prints its report.
With --fleet, invokes every vantage of the fleet config at once, each in its region with its credentials, and
prints one matrix: vantage rows, target columns, verdict cells and each vantage's restriction state
(--json: every report). A vantage that cannot be reached counts as a run not carried out.

Options:
  --function NAME    the function's name or ARN (default: $${FUNCTION_NAME_ENV}; one of the two is required)
  --fleet            invoke every vantage of the fleet config (see docs/fleet.md)
  --config FILE      the fleet config (with --fleet)
${CANARY_RUN_OPTIONS_HELP}
${AWS_OPTIONS_HELP}

Environment:
  AWS credentials and region come from the SDK's default chain (AWS_PROFILE, AWS_REGION, ...) unless --profile or
  --region say otherwise; AWS_ENDPOINT_URL_LAMBDA (or AWS_ENDPOINT_URL) redirects the call.

${VERDICT_EXIT_CODES_HELP}
  When the function itself fails, stdout stays empty (also with --json) and its error is printed to stderr: exit 2
  when it rejected the payload or its config (ConfigError), ${VERDICT_EXIT_CODES.runNotCarriedOut} otherwise.
`;

function reportFunctionError(
  functionName: string,
  response: InvokeCommandOutput,
  payloadText: string,
  io: CommandIo,
): number {
  // stdout carries reports only: a script reading it with --json never mistakes an error payload for a report.
  const failure = parseFunctionError(payloadText, response.FunctionError ?? 'Unhandled');
  io.stderr(`port25-canary invoke: function ${functionName} failed: ${failure.errorType}: ${failure.errorMessage}\n`);
  return INPUT_ERROR_NAMES.includes(failure.errorType) ? VERDICT_EXIT_CODES.usage : VERDICT_EXIT_CODES.runNotCarriedOut;
}

export interface InvokeCommandDependencies {
  /** Built only once the arguments are valid. */
  readonly createLambdaClient: (options: AwsClientOptions) => LambdaClient;
  /** Checks profile, Region, credentials and the endpoint before the call (AwsSetupError, exit 2); none when absent. */
  readonly checkSetup?: (services: readonly ServiceClient[], context: AwsSetupContext) => Promise<void>;
  /** Calls `tick` every `ms` until the returned function is called: the elapsed-time line on a terminal. */
  readonly every?: (ms: number, tick: () => void) => () => void;
  readonly now?: () => number;
}

/** Carriage return and erase-line: the next status line replaces the previous one. */
const CLEAR_LINE = '\r\x1b[K';

const everyInterval = (ms: number, tick: () => void) => {
  const timer = setInterval(tick, ms);
  return () => clearInterval(timer);
};

/**
 * On a terminal, a status line on stderr while the function runs (up to 15 minutes), erased when it answers; nothing
 * when stderr is not a terminal. Returns the function that stops and erases it.
 */
function elapsedTimeLine(functionName: string, io: CommandIo, dependencies: InvokeCommandDependencies): () => void {
  if (io.stderrIsTerminal !== true) return () => undefined;
  const now = dependencies.now ?? Date.now;
  const startedAt = now();
  const show = () =>
    io.stderr(`${CLEAR_LINE}invoke: waiting for ${functionName}: ${Math.round((now() - startedAt) / 1000)} s`);
  show();
  const stop = (dependencies.every ?? everyInterval)(1000, show);
  let stopped = false;
  return () => {
    if (stopped) return;
    stopped = true;
    stop();
    io.stderr(CLEAR_LINE);
  };
}

export function createInvokeCommand(dependencies: InvokeCommandDependencies): Command {
  return {
    summary: 'invoke the deployed canary function and print its report',
    usage: USAGE,
    async run(argv, io) {
      const { values, positionals } = parseCommandLine(argv, {
        function: { type: 'string' },
        ...AWS_OPTIONS,
        fleet: { type: 'boolean' },
        config: { type: 'string' },
        ...CANARY_RUN_OPTIONS,
      });
      rejectPositionals(positionals, '--function');
      const input = runInputFromOptions(values);
      if (values.fleet === true) {
        if (values.function !== undefined) throw new UsageError('--fleet invokes every vantage: drop --function');
        if (values.profile !== undefined || values.region !== undefined) {
          throw new UsageError(
            "--fleet takes each vantage's region and credentials from the config: drop --profile and --region",
          );
        }
        if (values.config === undefined) throw new UsageError('--fleet needs --config FILE (the fleet config)');
        // Loaded only here: the credential providers are not needed for one function.
        const { runFleetInvoke } = await import('./invoke-fleet.js');
        return runFleetInvoke({ configFile: values.config, input, asJson: values.json === true }, io);
      }
      if (values.config !== undefined) throw new UsageError('--config applies to --fleet only');
      const aws = awsClientOptions(values);
      const functionName = values.function ?? io.env[FUNCTION_NAME_ENV]?.trim();
      if (functionName === undefined || functionName === '') {
        throw new UsageError(`--function is required when ${FUNCTION_NAME_ENV} is not set`);
      }
      const asJson = values.json === true;
      const client = dependencies.createLambdaClient(aws);
      await dependencies.checkSetup?.([{ service: 'Lambda', endpointVariable: 'AWS_ENDPOINT_URL_LAMBDA', client }], {
        profile: aws.profile,
        env: io.env,
      });
      let response: InvokeCommandOutput;
      const stopElapsedTime = elapsedTimeLine(functionName, io, dependencies);
      try {
        response = await client.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: 'RequestResponse',
            Payload: new TextEncoder().encode(JSON.stringify(input)),
          }),
        );
      } catch (error) {
        stopElapsedTime();
        io.stderr(
          `port25-canary invoke: ${new AwsCallError(`Lambda Invoke (function ${functionName})`, error).message}\n`,
        );
        return VERDICT_EXIT_CODES.runNotCarriedOut;
      } finally {
        stopElapsedTime();
      }
      const payloadText = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);
      if (response.FunctionError !== undefined) return reportFunctionError(functionName, response, payloadText, io);
      const report = parseCanaryReport(payloadText);
      if (report === undefined) {
        io.stderr(
          `port25-canary invoke: function ${functionName} returned something that is not a canary report: ${payloadText.slice(0, 500)}\n`,
        );
        return VERDICT_EXIT_CODES.runNotCarriedOut;
      }
      return writeReport(report, io, asJson, false, values.wide === true);
    },
  };
}

// The client comes from the standard environment only, so AWS_ENDPOINT_URL_LAMBDA can point it at a local endpoint.
export const invokeCommand = createInvokeCommand({
  createLambdaClient: createInvokeLambdaClient,
  checkSetup: checkAwsSetup,
});
