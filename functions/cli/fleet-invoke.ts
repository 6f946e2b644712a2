import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { AwsCallError } from '../orchestrator/errors.js';
import type { CanaryRunInput } from '../orchestrator/event.js';
import { closestName } from '../shared/command-line/closest-name.js';
import { UsageError } from '../shared/command-line/usage-error.js';
import { INPUT_ERROR_NAMES } from '../shared/errors.js';
import type { ResolvedFleet, ResolvedVantage } from '../shared/fleet.js';
import type { CanaryReport } from '../shared/report.js';
import { parseCanaryReport, parseFunctionError } from './invoke-payload.js';

/** What one vantage's invocation came to: its report, or why there is none. */
export type VantageResult =
  | { readonly vantage: ResolvedVantage; readonly kind: 'report'; readonly report: CanaryReport }
  /** Not reached or not run: no credentials, no function, throttled, the function failed. */
  | {
      readonly vantage: ResolvedVantage;
      readonly kind: 'unreachable';
      readonly reason: string;
      /** The function rejected the payload or its config (exit 2), rather than failing to run. */
      readonly rejectedInput: boolean;
    }
  /** `--targets` named none of this vantage's targets: nothing to ask it. */
  | { readonly vantage: ResolvedVantage; readonly kind: 'skipped' };

export interface FleetInvokeDependencies {
  /** A client in the vantage's region with the vantage's credentials; built lazily so a bad profile fails one row. */
  readonly createLambdaClient: (vantage: ResolvedVantage) => LambdaClient;
}

/**
 * `--targets` names that no vantage of the fleet probes: a usage error naming each (with the likeliest name meant),
 * before anything is invoked; otherwise every vantage would be "not asked", or the name silently dropped.
 */
export function checkTargetsProbed(fleet: ResolvedFleet, targets: readonly string[] | undefined): void {
  if (targets === undefined) return;
  const probed = [...new Set(fleet.vantages.flatMap((vantage) => vantage.config.targets.map(({ name }) => name)))];
  const unknown = targets.filter((name) => !probed.includes(name));
  if (unknown.length === 0) return;
  const named = unknown.map((name) => {
    const meant = closestName(name, probed);
    return meant === undefined
      ? JSON.stringify(name)
      : `${JSON.stringify(name)} (did you mean ${JSON.stringify(meant)}?)`;
  });
  throw new UsageError(`--targets: no vantage of the fleet probes ${named.join(', ')}`);
}

/** The run input for one vantage: `--targets` narrowed to the targets it has. */
function vantageInput(vantage: ResolvedVantage, input: CanaryRunInput): CanaryRunInput | undefined {
  if (input.targets === undefined) return input;
  const own = new Set(vantage.config.targets.map((target) => target.name));
  const targets = input.targets.filter((name) => own.has(name));
  return targets.length === 0 ? undefined : { ...input, targets };
}

async function invokeVantage(
  vantage: ResolvedVantage,
  input: CanaryRunInput,
  dependencies: FleetInvokeDependencies,
): Promise<VantageResult> {
  const payload = vantageInput(vantage, input);
  if (payload === undefined) return { vantage, kind: 'skipped' };
  const unreachable = (reason: string, rejectedInput = false): VantageResult => ({
    vantage,
    kind: 'unreachable',
    reason,
    rejectedInput,
  });
  const { functionName } = vantage;
  try {
    const response = await dependencies.createLambdaClient(vantage).send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    );
    const payloadText = response.Payload === undefined ? '' : new TextDecoder().decode(response.Payload);
    if (response.FunctionError !== undefined) {
      const failure = parseFunctionError(payloadText, response.FunctionError);
      return unreachable(
        `function ${functionName} failed: ${failure.errorType}: ${failure.errorMessage}`,
        INPUT_ERROR_NAMES.includes(failure.errorType),
      );
    }
    const report = parseCanaryReport(payloadText);
    if (report === undefined)
      return unreachable(`function ${functionName} returned something that is not a canary report`);
    return { vantage, kind: 'report', report };
  } catch (error) {
    // Credentials that cannot be loaded or assumed fail here too, as the first call that needs them.
    return unreachable(new AwsCallError(`Lambda Invoke (function ${functionName})`, error).message);
  }
}

/** Invokes every vantage's function at once; one vantage failing never stops the others. */
export function invokeFleet(
  fleet: ResolvedFleet,
  input: CanaryRunInput,
  dependencies: FleetInvokeDependencies,
): Promise<VantageResult[]> {
  return Promise.all(fleet.vantages.map((vantage) => invokeVantage(vantage, input, dependencies)));
}
