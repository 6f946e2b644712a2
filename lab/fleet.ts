import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCanaryConfig } from '../functions/shared/config.js';
import { resolveFleet } from '../functions/shared/fleet.js';
import { RUNTIME_ENVIRONMENT } from '../functions/shared/runtime-environment.js';
import type { LocalAws } from './local-aws/server.js';
import type { LabDeployment } from './local-deployment.js';
import { addRoute, applyNftables, connect, createNamespace, deleteNamespace } from './netns.js';
import { throttleRuleset } from './packet-filter.js';
import { cleanEnvironment, runProcess } from './process.js';
import type { Teardown } from './teardown.js';
import { LAB_SERVERS, type LabServerName, type LabTopology } from './topology.js';

/**
 * The fleet phase: two vantages on the machine. `released` runs in the lab's VPC namespace, whose throttle the
 * released phase lifted; `throttled` runs in a second VPC namespace with another primary CIDR, behind its own throttle.
 * Each has its own function on the local endpoint; `port25-canary invoke --fleet` must find the restriction lifted in
 * one and in effect in the other, and the endpoint's event bus must receive both runs' events.
 */

export const FLEET_VANTAGES = {
  released: {
    account: '000000000000',
    region: 'us-east-1',
    port25Released: true,
    expectedState: 'lifted',
    expectedOutcomes: { 'server-a': 'open', 'server-b': 'open' },
  },
  throttled: {
    account: '111111111111',
    region: 'eu-west-1',
    port25Released: false,
    expectedState: 'in-effect',
    expectedOutcomes: { 'server-a': 'open', 'server-b': 'timeout' },
    vpcPrimaryCidr: '10.43.0.0/16',
    probeAddress: '10.43.0.10',
    gateway: '10.43.0.1',
    subnetId: 'subnet-0f1ee700000000002',
  },
} as const;
export type FleetVantageName = keyof typeof FLEET_VANTAGES;

/** A public server (judged as if not released: the throttle's proven signature or a connection) and a private one. */
export const FLEET_TARGETS = ['server-a', 'server-b'] as const;

export interface FleetVantageCheck {
  readonly vantage: FleetVantageName;
  readonly expectedState: string;
  readonly state: string | null;
  readonly verdicts: Readonly<Record<string, string>>;
  readonly outcomes: Readonly<Record<string, string>>;
  /** Run events of this vantage's canary the endpoint's bus received; null when the endpoint has no bus. */
  readonly events: number | null;
  readonly matched: boolean;
}

export interface FleetPhaseResult {
  readonly id: 'fleet';
  readonly title: string;
  readonly how: string;
  readonly matched: boolean;
  readonly vantages: readonly FleetVantageCheck[];
  readonly exitCode: number | null;
  readonly expectedExitCode: number;
  readonly problems: readonly string[];
}

export const FLEET_PHASE_TITLE = 'Phase 4: a fleet of two vantages, one released, one behind the throttle';

/** The second VPC: a namespace with its own primary CIDR, whose only way out is the mail namespace. */
export async function addThrottledVpc(topology: LabTopology, teardown: Teardown): Promise<string> {
  const spec = FLEET_VANTAGES.throttled;
  const namespace = `${topology.prefix}vpc2`;
  teardown.add(`delete namespace ${namespace}`, () => deleteNamespace(namespace));
  const serverNames = Object.keys(LAB_SERVERS) as LabServerName[];
  await createNamespace(
    namespace,
    Object.fromEntries(serverNames.map((name) => [LAB_SERVERS[name].hostname, LAB_SERVERS[name].address])),
  );
  await connect(
    { namespace, name: 'eth0', addresses: [`${spec.probeAddress}/16`] },
    { namespace: topology.namespaces.mail, name: 'vpc2', addresses: [`${spec.gateway}/16`] },
  );
  await addRoute(namespace, 'default', spec.gateway);
  await applyNftables(namespace, throttleRuleset(spec.vpcPrimaryCidr));
  return namespace;
}

/** The fleet config: the lab config's targets and settings, two vantages. */
async function writeFleetConfig(
  configFile: string,
  deployment: LabDeployment,
  directory: string,
): Promise<{ file: string; document: Record<string, unknown> }> {
  const base = JSON.parse(await readFile(configFile, 'utf8')) as Record<string, unknown>;
  const releasedSubnet = deployment.orchestrator.environment[RUNTIME_ENVIRONMENT.subnets]?.split(',')[0] ?? '';
  const { released, throttled } = FLEET_VANTAGES;
  const document = {
    ...base,
    vantages: [
      {
        name: 'released',
        account: released.account,
        region: released.region,
        port25Released: released.port25Released,
        vpcPrimaryCidr: deployment.orchestrator.environment[RUNTIME_ENVIRONMENT.vpcPrimaryCidr],
        network: { subnets: [releasedSubnet] },
        targets: [...FLEET_TARGETS],
      },
      {
        name: 'throttled',
        account: throttled.account,
        region: throttled.region,
        port25Released: throttled.port25Released,
        vpcPrimaryCidr: throttled.vpcPrimaryCidr,
        network: { subnets: [throttled.subnetId] },
        targets: [...FLEET_TARGETS],
      },
    ],
  };
  const file = join(directory, 'fleet.config.json');
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return { file, document };
}

/** Registers one function per vantage, each with its own config file, subnets and CIDR, as its stack would. */
async function deployVantages(
  endpoint: LocalAws,
  deployment: LabDeployment,
  document: Record<string, unknown>,
  directory: string,
): Promise<void> {
  const fleet = resolveFleet(document, parseCanaryConfig(document));
  const credentials = endpoint.lambda.spec(deployment.orchestrator.functionName)?.credentials;
  for (const vantage of fleet.vantages) {
    const configFile = join(directory, `${vantage.config.canaryName}.config.json`);
    await writeFile(configFile, `${JSON.stringify(vantage.document, null, 2)}\n`);
    const { orchestrator } = deployment;
    endpoint.lambda.register({
      name: vantage.functionName,
      taskRoot: orchestrator.codeDirectory,
      handler: orchestrator.handler,
      environment: {
        ...orchestrator.environment,
        [RUNTIME_ENVIRONMENT.configFile]: configFile,
        [RUNTIME_ENVIRONMENT.subnets]: vantage.config.network.subnets.join(','),
        [RUNTIME_ENVIRONMENT.vpcPrimaryCidr]: vantage.config.vpcPrimaryCidr ?? '',
      },
      timeoutSeconds: orchestrator.timeoutSeconds,
      memorySizeMb: orchestrator.memorySizeMb,
      // The stack's orchestrator role: the fleet's own stacks are not deployed here (yet), their functions run as it.
      ...(credentials === undefined ? {} : { credentials }),
    });
  }
}

interface FleetJson {
  readonly vantages: readonly {
    readonly vantage: string;
    readonly report?: {
      readonly canary: string;
      readonly restriction?: { readonly state: string };
      readonly results: readonly { readonly target: string; readonly verdict: string; readonly outcome: string }[];
    };
    readonly error?: string;
  }[];
}

/** Runs `invoke --fleet --json` as a separate process and checks each vantage's restriction state and events. */
export async function runFleetPhase(options: {
  readonly endpoint: LocalAws;
  readonly deployment: LabDeployment;
  readonly configFile: string;
  readonly projectDirectory: string;
  readonly workDirectory: string;
  readonly teardown: Teardown;
  /** The run events the endpoint's bus received so far; undefined while the local endpoint has no event bus. */
  readonly runEvents: (() => readonly { readonly canary: string }[]) | undefined;
}): Promise<FleetPhaseResult> {
  const { endpoint, deployment, teardown } = options;
  const { file, document } = await writeFleetConfig(options.configFile, deployment, options.workDirectory);
  await deployVantages(endpoint, deployment, document, options.workDirectory);
  const eventsBefore = options.runEvents?.().length ?? 0;
  const args = [join(options.projectDirectory, 'dist', 'cli.cjs'), 'invoke', '--fleet', '--config', file, '--json'];
  const how = `port25-canary invoke --fleet --config ${file} --json (a separate process)`;
  const { exitCode, stdout, stderr } = await runProcess(process.execPath, args, {
    env: cleanEnvironment(endpoint.environment()),
    onSpawn: (child) =>
      teardown.add('stop port25-canary invoke --fleet', async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }),
  });
  const problems: string[] = [];
  let parsed: FleetJson = { vantages: [] };
  try {
    parsed = JSON.parse(stdout) as FleetJson;
  } catch {
    problems.push(
      `invoke --fleet printed no JSON (exit ${exitCode}): ${stdout.slice(0, 500)} ${stderr.slice(0, 1000)}`,
    );
  }
  const events = options.runEvents?.().slice(eventsBefore);
  const vantages = (Object.keys(FLEET_VANTAGES) as FleetVantageName[]).map((name): FleetVantageCheck => {
    const entry = parsed.vantages.find((candidate) => candidate.vantage === name);
    const report = entry?.report;
    const state = report?.restriction?.state ?? null;
    const expectedState = FLEET_VANTAGES[name].expectedState;
    const verdicts = Object.fromEntries((report?.results ?? []).map((result) => [result.target, result.verdict]));
    const outcomes = Object.fromEntries((report?.results ?? []).map((result) => [result.target, result.outcome]));
    const received = events === undefined ? null : events.filter((event) => event.canary === report?.canary).length;
    if (entry?.error !== undefined) problems.push(`${name}: not reached: ${entry.error}`);
    if (state !== expectedState)
      problems.push(`${name}: restriction ${state ?? 'not reported'}, expected ${expectedState}`);
    const expectedOutcomes: Readonly<Record<string, string>> = FLEET_VANTAGES[name].expectedOutcomes;
    const mismatched = FLEET_TARGETS.filter(
      (target) => verdicts[target] !== 'pass' || outcomes[target] !== expectedOutcomes[target],
    );
    for (const target of mismatched) {
      const actual = `${outcomes[target] ?? 'no result'}/${verdicts[target] ?? '-'}`;
      problems.push(`${name}: ${target} ${actual}, expected ${expectedOutcomes[target]}/pass`);
    }
    if (received !== null && received !== 1)
      problems.push(`${name}: the event bus received ${received} run events, expected 1`);
    return {
      vantage: name,
      expectedState,
      state,
      verdicts,
      outcomes,
      events: received,
      matched:
        state === expectedState &&
        mismatched.length === 0 &&
        (received === null || received === 1) &&
        entry?.error === undefined,
    };
  });
  const expectedExitCode = 0;
  if (exitCode !== expectedExitCode) problems.push(`exit code ${exitCode}, expected ${expectedExitCode}`);
  return {
    id: 'fleet',
    title: FLEET_PHASE_TITLE,
    how,
    matched: problems.length === 0,
    vantages,
    exitCode,
    expectedExitCode,
    problems,
  };
}
