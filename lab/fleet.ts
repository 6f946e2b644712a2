import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseCanaryConfig } from '../functions/shared/config.js';
import { resolveFleet } from '../functions/shared/fleet.js';
import { RUNTIME_ENVIRONMENT } from '../functions/shared/runtime-environment.js';
import type { RuleInvocationRecord } from './deliveries.js';
import {
  deployAssembly,
  type FleetVantageExpectation,
  routeEvent,
  vantageAssetProblems,
  vantageStack,
} from './fleet-assembly.js';
import type { LocalIam } from './local-aws/iam.js';
import type { LocalAws } from './local-aws/server.js';
import { type DeliveredNotification, LocalSns } from './local-aws/sns.js';
import { type LabDeployment, readAssembly, type SynthesisOptions, type SynthesizedStack } from './local-deployment.js';
import { addRoute, applyNftables, connect, createNamespace, deleteNamespace } from './netns.js';
import { throttleRuleset } from './packet-filter.js';
import { cleanEnvironment, runProcess } from './process.js';
import { notModelledLine, type StackResources } from './stack-resources.js';
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

/** The fleet's monitoring account and Region: the fleet bus, its policy, the fleet topic. */
export const FLEET_MONITORING = { account: '222222222222', region: 'us-east-1' } as const;

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
  /** Per stack of the fleet's assembly: where it was deployed and what the lab does not model of it. */
  readonly deployed: readonly string[];
  /** What the fleet topic delivered (forwarded run events), in order. */
  readonly notifications: readonly DeliveredNotification[];
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
  // Each vantage names its own VPC (the lab's, and the second namespace's): a fleet creates no VPC.
  const { createVpc: _createVpc, ...deploymentSettings } = (base.deployment ?? {}) as Record<string, unknown>;
  const releasedSubnet = deployment.orchestrator.environment[RUNTIME_ENVIRONMENT.subnets]?.split(',')[0] ?? '';
  const { released, throttled } = FLEET_VANTAGES;
  const document = {
    ...base,
    deployment: deploymentSettings,
    monitoring: { account: FLEET_MONITORING.account, region: FLEET_MONITORING.region },
    vantages: [
      {
        name: 'released',
        account: released.account,
        region: released.region,
        port25Released: released.port25Released,
        vpcPrimaryCidr: deployment.orchestrator.environment[RUNTIME_ENVIRONMENT.vpcPrimaryCidr],
        network: { vpcId: deployment.vpc?.vpcId, subnets: [releasedSubnet] },
        targets: [...FLEET_TARGETS],
      },
      {
        name: 'throttled',
        account: throttled.account,
        region: throttled.region,
        port25Released: throttled.port25Released,
        vpcPrimaryCidr: throttled.vpcPrimaryCidr,
        network: { vpcId: `vpc-${throttled.subnetId.slice('subnet-'.length)}`, subnets: [throttled.subnetId] },
        targets: [...FLEET_TARGETS],
      },
    ],
  };
  const file = join(directory, 'fleet.config.json');
  await writeFile(file, `${JSON.stringify(document, null, 2)}\n`);
  return { file, document };
}

/** The fleet's assembly, synthesized from the lab's fleet config (started early: synth takes a while). */
export interface PreparedFleet {
  readonly file: string;
  readonly document: Record<string, unknown>;
  readonly stacks: readonly SynthesizedStack[];
}

export async function prepareFleet(options: {
  readonly configFile: string;
  readonly deployment: LabDeployment;
  readonly workDirectory: string;
  readonly synthesize: (options: SynthesisOptions) => Promise<string>;
  readonly projectDirectory: string;
}): Promise<PreparedFleet> {
  const { file, document } = await writeFleetConfig(options.configFile, options.deployment, options.workDirectory);
  const directory = await options.synthesize({
    projectDirectory: options.projectDirectory,
    configFile: file,
    outputDirectory: join(options.workDirectory, 'cdk.out.fleet'),
  });
  return { file, document, stacks: await readAssembly(directory) };
}

/** The environment variables that name the one local cluster, task definition and log group every vantage uses. */
const LOCAL_PROBE_SETTINGS = [
  RUNTIME_ENVIRONMENT.cluster,
  RUNTIME_ENVIRONMENT.taskDefinition,
  RUNTIME_ENVIRONMENT.containerName,
  RUNTIME_ENVIRONMENT.securityGroups,
  RUNTIME_ENVIRONMENT.logGroup,
  RUNTIME_ENVIRONMENT.logStreamPrefix,
] as const;

/**
 * Registers each vantage's own deployed function: its asset (handler and config), its environment (subnets, CIDR).
 * The local ECS is one cluster in one account, so the vantage functions launch into the lab stack's cluster, task
 * definition and log group, and sign as the lab stack's orchestrator role.
 */
function deployVantages(
  endpoint: LocalAws,
  deployment: LabDeployment,
  resources: readonly StackResources[],
  vantages: readonly FleetVantageExpectation[],
): void {
  const credentials = endpoint.lambda.spec(deployment.orchestrator.functionName)?.credentials;
  const local = deployment.orchestrator.environment;
  for (const vantage of vantages) {
    const fn = vantageStack(resources, vantage)?.functions.find((candidate) => candidate.name === vantage.functionName);
    if (fn === undefined) continue;
    endpoint.lambda.register({
      name: fn.name,
      taskRoot: fn.codeDirectory,
      handler: fn.handler,
      environment: {
        ...fn.environment,
        ...Object.fromEntries(
          LOCAL_PROBE_SETTINGS.flatMap((name) => (local[name] === undefined ? [] : [[name, local[name]]])),
        ),
      },
      timeoutSeconds: fn.timeoutSeconds,
      memorySizeMb: fn.memorySizeMb,
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
  readonly teardown: Teardown;
  /** The fleet's synthesized assembly (prepareFleet). */
  readonly prepared: Promise<PreparedFleet>;
  /** The lab's IAM: every fleet delivery is authorized (and recorded) there. */
  readonly iam: LocalIam;
  readonly ruleInvocations: RuleInvocationRecord[];
  /** The run events the endpoint's bus received so far; undefined while the local endpoint has no event bus. */
  readonly runEvents: (() => readonly { readonly canary: string }[]) | undefined;
}): Promise<FleetPhaseResult> {
  const { endpoint, deployment, teardown } = options;
  const { file, document, stacks } = await options.prepared;
  const resources = deployAssembly(stacks);
  const deployed = resources.map((stack) => `${notModelledLine(stack)} (account ${stack.accountId}, ${stack.region})`);
  const fleet = resolveFleet(document, parseCanaryConfig(document));
  const expectations: FleetVantageExpectation[] = fleet.vantages.map((vantage) => ({
    name: vantage.settings.name,
    canaryName: vantage.config.canaryName,
    functionName: vantage.functionName,
    port25Released: vantage.config.port25Released,
    targets: vantage.config.targets.map((target) => target.name),
  }));
  const problems: string[] = await vantageAssetProblems(resources, expectations);
  deployVantages(endpoint, deployment, resources, expectations);
  const sns = new LocalSns(options.iam);
  for (const stack of resources) for (const topic of stack.topics) sns.addTopic(topic);
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
  let parsed: FleetJson = { vantages: [] };
  try {
    parsed = JSON.parse(stdout) as FleetJson;
  } catch {
    problems.push(
      `invoke --fleet printed no JSON (exit ${exitCode}): ${stdout.slice(0, 500)} ${stderr.slice(0, 1000)}`,
    );
  }
  const events = options.runEvents?.().slice(eventsBefore);
  // Each run event takes the route EventBridge gives it: the vantage's forwarding rule to the fleet bus (rule role and
  // bus policy), the monitoring stack's rule to the fleet topic (topic policy), the topic to its e-mail subscribers.
  const routed = new Map<string, { buses: number; topics: number }>();
  for (const event of events ?? []) {
    const vantage = expectations.find((candidate) => candidate.canaryName === event.canary);
    const source = vantage === undefined ? undefined : vantageStack(resources, vantage);
    if (vantage === undefined || source === undefined) continue;
    const envelope = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Port25 Canary Run',
      source: 'port25-canary',
      account: source.accountId,
      time: new Date().toISOString(),
      region: source.region,
      resources: [],
      detail: event,
    };
    const route = await routeEvent(envelope, source, resources, options.iam, sns, options.ruleInvocations);
    problems.push(...route.failures.map((failure) => `${vantage.name}: run event not delivered: ${failure}`));
    routed.set(vantage.name, { buses: route.buses.length, topics: route.topics.length });
  }
  const fleetTopics = resources
    .flatMap((stack) => stack.topics)
    .filter((topic) => resources.some((stack) => stack.buses.length > 0 && stack.topics.includes(topic)));
  for (const vantage of expectations) {
    const route = routed.get(vantage.name);
    if ((route?.buses ?? 0) === 0) problems.push(`${vantage.name}: no run event reached the fleet bus`);
    for (const topic of fleetTopics) {
      for (const email of topic.subscriptions.filter((subscription) => subscription.protocol === 'email')) {
        const arrived = sns.delivered.some(
          (notification) =>
            notification.topicArn === topic.arn &&
            notification.endpoint === email.endpoint &&
            notification.message.includes(`"canary":"${vantage.canaryName}"`),
        );
        if (!arrived) problems.push(`${vantage.name}: its run event did not arrive at ${email.endpoint} (fleet topic)`);
      }
    }
  }
  const vantages = (Object.keys(FLEET_VANTAGES) as FleetVantageName[]).map((name): FleetVantageCheck => {
    const entry = parsed.vantages.find((candidate) => candidate.vantage === name);
    const report = entry?.report;
    const state = report?.restriction?.state ?? null;
    const expectedState = FLEET_VANTAGES[name].expectedState;
    const verdicts = Object.fromEntries((report?.results ?? []).map((result) => [result.target, result.verdict]));
    const outcomes = Object.fromEntries((report?.results ?? []).map((result) => [result.target, result.outcome]));
    const received = events === undefined ? null : events.filter((event) => event.canary === report?.canary).length;
    if (entry?.error !== undefined) problems.push(`${name}: not reached: ${entry.error}`);
    const own = expectations.find((candidate) => candidate.name === name);
    if (report !== undefined && own !== undefined && report.canary !== own.canaryName) {
      problems.push(`${name}: ran as canary ${report.canary}, expected its own ${own.canaryName}`);
    }
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
    deployed,
    notifications: sns.delivered,
  };
}
