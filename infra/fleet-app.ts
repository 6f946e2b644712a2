import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { App, Stack } from 'aws-cdk-lib';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import type { ResolvedFleet } from '../functions/shared/fleet.js';
import { CanaryStack } from './canary-stack.js';
import { FleetForwarding } from './fleet-forwarding.js';
import { existingSinkArn, FleetMonitoringStack, vantageAccountsOutside } from './fleet-monitoring-stack.js';
import { fleetSinkStackName, fleetStackName } from './fleet-names.js';
import { FleetSinkStack } from './fleet-sink-stack.js';
import type { ReservedConcurrency } from './orchestrator-function.js';

export interface FleetStacksProps {
  readonly fleet: ResolvedFleet;
  readonly buildDirectory: string;
  /** Where each vantage's own config file is written before it is bundled with its function. */
  readonly configDirectory: string;
  readonly orchestratorReservedConcurrency?: ReservedConcurrency | undefined;
}

export interface FleetStacks {
  readonly vantages: ReadonlyMap<string, CanaryStack>;
  readonly monitoring: FleetMonitoringStack | undefined;
  /** By region. */
  readonly sinks: ReadonlyMap<string, FleetSinkStack>;
}

/**
 * One canary stack per vantage in its own account and region, and with `monitoring` the monitoring stack and one
 * sink stack per region that holds a vantage of another account and has no sink named in monitoring.existingSinks. `cdk deploy --all` deploys sinks and monitoring
 * first: vantage stacks depend on them (ordering only; no references cross an account or region).
 */
export function addFleetStacks(app: App, props: FleetStacksProps): FleetStacks {
  const { fleet } = props;
  const monitoringEnv = fleet.fleet.monitoring;
  mkdirSync(props.configDirectory, { recursive: true });

  let monitoring: FleetMonitoringStack | undefined;
  const sinks = new Map<string, FleetSinkStack>();
  if (monitoringEnv !== undefined) {
    const env = { account: monitoringEnv.account, region: monitoringEnv.region };
    monitoring = new FleetMonitoringStack(app, fleetStackName(fleet.canaryName), { env, fleet, monitoring: env });
    for (const region of new Set(fleet.vantages.map((vantage) => vantage.settings.region))) {
      // OAM allows one sink per account and region: where one exists already, the region's vantages link to it.
      if (monitoringEnv.existingSinks[region] !== undefined) continue;
      const inRegion = { ...fleet, vantages: fleet.vantages.filter((vantage) => vantage.settings.region === region) };
      const sourceAccounts = vantageAccountsOutside(inRegion, monitoringEnv.account);
      if (sourceAccounts.length === 0) continue;
      sinks.set(
        region,
        new FleetSinkStack(app, fleetSinkStackName(fleet.canaryName, region), {
          env: { account: monitoringEnv.account, region },
          canaryName: fleet.canaryName,
          sourceAccounts,
        }),
      );
    }
  }

  const vantages = new Map<string, CanaryStack>();
  for (const vantage of fleet.vantages) {
    const configFile = join(props.configDirectory, `${vantage.config.canaryName}.config.json`);
    writeFileSync(configFile, `${JSON.stringify(vantage.document, null, 2)}\n`);
    const stack = new CanaryStack(app, canaryAwsNames(vantage.config.canaryName).stackName, {
      env: { account: vantage.settings.account, region: vantage.settings.region },
      config: vantage.config,
      configFile,
      buildDirectory: props.buildDirectory,
      orchestratorReservedConcurrency: props.orchestratorReservedConcurrency,
      orchestratorFunctionName: vantage.functionName,
    });
    if (monitoringEnv !== undefined && monitoring !== undefined) {
      new FleetForwarding(stack, 'Fleet', {
        canaryName: fleet.canaryName,
        vantage,
        monitoring: { account: monitoringEnv.account, region: monitoringEnv.region },
        existingSinkArn: existingSinkArn(fleet, vantage),
      });
      dependOn(stack, monitoring);
      const sink = sinks.get(vantage.settings.region);
      if (sink !== undefined && vantage.settings.account !== monitoringEnv.account) dependOn(stack, sink);
    }
    vantages.set(vantage.settings.name, stack);
  }
  return { vantages, monitoring, sinks };
}

function dependOn(stack: Stack, dependency: Stack): void {
  stack.addStackDependency(dependency, 'the fleet bus, sink and sink reader exist before a vantage links to them');
}
