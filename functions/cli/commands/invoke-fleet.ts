import type { CanaryRunInput } from '../../orchestrator/event.js';
import type { CommandIo } from '../../shared/command-line/command-io.js';
import { loadFleetConfig } from '../../shared/fleet.js';
import { checkTargetsProbed, type FleetInvokeDependencies, invokeFleet } from '../fleet-invoke.js';
import { fleetExitCode, fleetJson, formatFleetMatrix } from '../fleet-matrix.js';
import { createVantageLambdaClient } from '../vantage-client.js';

export interface FleetInvokeOptions {
  readonly configFile: string;
  readonly input: CanaryRunInput;
  readonly asJson: boolean;
}

/**
 * `invoke --fleet`: every vantage's function in its own region with its own credentials, at once; one matrix (or
 * every report with --json) on stdout, each vantage not reached on stderr. A `--targets` name no vantage probes is a
 * usage error, and nothing is invoked.
 */
export async function runFleetInvoke(
  options: FleetInvokeOptions,
  io: CommandIo,
  dependencies: FleetInvokeDependencies = { createLambdaClient: createVantageLambdaClient },
): Promise<number> {
  const fleet = await loadFleetConfig(options.configFile);
  checkTargetsProbed(fleet, options.input.targets);
  const results = await invokeFleet(fleet, options.input, dependencies);
  for (const result of results) {
    if (result.kind === 'unreachable')
      io.stderr(`port25-canary invoke --fleet: vantage ${result.vantage.settings.name}: ${result.reason}\n`);
  }
  io.stdout(options.asJson ? fleetJson(results) : formatFleetMatrix(fleet, results));
  return fleetExitCode(results);
}
