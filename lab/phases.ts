import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { CanaryReport } from '../functions/shared/report.js';
import { type AlarmEvaluation, type AlarmState, alarmDefinitions, evaluateAlarm } from './alarms.js';
import {
  type AlarmHistoryItem,
  authorizeRuleToLambda,
  executeAlarmActions,
  type RuleInvocationRecord,
  regionName,
} from './deliveries.js';
import {
  EXPECTED_ALARM_STATES,
  LAB_TARGET_NAMES,
  type LabTargetName,
  type PhaseId,
  RUN_PHASE_EXPECTATIONS,
  type TargetExpectation,
} from './expectations.js';
import {
  addThrottledVpc,
  FLEET_PHASE_TITLE,
  FLEET_VANTAGES,
  type FleetPhaseResult,
  prepareFleet,
  runFleetPhase,
} from './fleet.js';
import type { LocalVpcSpec } from './local-aws/ec2.js';
import type { ContainerLauncher } from './local-aws/ecs.js';
import { LocalIam } from './local-aws/iam.js';
import { type LocalAws, startLocalAws } from './local-aws/server.js';
import type { DeliveredNotification } from './local-aws/sns.js';
import { deployLocalCloud, type LocalCloud } from './local-cloud.js';
import { type LabDeployment, localDeployment, synthesizeAssembly, synthesizeStack } from './local-deployment.js';
import { inNamespace, spawnInNamespace } from './netns.js';
import { type NodeRuntime, PRODUCTION_NODE_MAJOR, PRODUCTION_NODE_PACKAGE, productionNode } from './node-runtime.js';
import { cleanEnvironment, runProcess } from './process.js';
import { type ReceivedRunEvent, receivedRunEvents, runEventProblems } from './run-events.js';
import { notModelledLine } from './stack-resources.js';
import type { Teardown } from './teardown.js';
import { createLabTopology, type LabTopology, labVpcSpec } from './topology.js';

/**
 * The lab's scenario, shared by `npm run lab` and its test: build the network, "deploy" the synthesized stack onto the
 * local AWS endpoint, run the canary twice (scheduled and throttled; through the CLI once released), then evaluate
 * the stack's alarms over the metrics the runs published.
 */

export const LAB_REGION = 'us-east-1';
export const LAB_ACCOUNT_ID = '000000000000';

export interface LabScenarioOptions {
  /** Namespace and scratch-directory prefix. */
  readonly prefix: string;
  /** The repository root: dist/, node_modules/ and cdk.json live here. */
  readonly projectDirectory: string;
  readonly configFile: string;
  /** RunTask to container start (Fargate's provisioning, shortened). */
  readonly taskStartDelayMs: () => number;
  /** One line of progress for a human. */
  readonly progress: (line: string) => void;
  /** Undo steps land here; the caller may run it early (signals), the scenario always runs it at the end. */
  readonly teardown: Teardown;
}

export interface TargetComparison {
  readonly target: LabTargetName;
  readonly expected: TargetExpectation;
  readonly actual: {
    readonly outcome: string;
    readonly verdict: string;
    readonly address: string | null;
    readonly rule: string;
    readonly diagnosis: string;
  } | null;
  readonly matched: boolean;
}

export interface RunPhaseResult {
  readonly id: PhaseId;
  readonly title: string;
  /** How the run was started, in words. */
  readonly how: string;
  readonly matched: boolean;
  readonly comparisons: readonly TargetComparison[];
  readonly report: CanaryReport | null;
  readonly exitCode: number | null;
  readonly expectedExitCode: number | null;
  /** Everything that did not match, in words. */
  readonly problems: readonly string[];
  /** The orchestrator's log lines of this run, kept when something did not match. */
  readonly functionLog: readonly string[];
  /** The probe task's log lines of each target that did not match. */
  readonly taskLogs: Readonly<Record<string, readonly string[]>>;
  /** The run events the local bus received during this phase: exactly one is expected, saying what the report says. */
  readonly events: readonly ReceivedRunEvent[];
}

export interface AlarmCheck {
  readonly evaluation: AlarmEvaluation;
  readonly expected: AlarmState | null;
  readonly matched: boolean;
}

export interface AlarmPhaseResult {
  readonly id: 'alarms';
  readonly title: string;
  readonly matched: boolean;
  readonly evaluatedAt: string;
  readonly alarms: readonly AlarmCheck[];
  /** The alarms' history: each state change and each action, executed or failed, as CloudWatch records them. */
  readonly history: readonly AlarmHistoryItem[];
  /** The notifications the alarms' actions delivered (the e-mail spool), in order. */
  readonly notifications: readonly DeliveredNotification[];
  readonly problems: readonly string[];
}

export interface LabRunResult {
  readonly reproduced: boolean;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly prefix: string;
  readonly stackName: string | null;
  readonly functionName: string | null;
  readonly phases: readonly (RunPhaseResult | AlarmPhaseResult | FleetPhaseResult)[];
  /** Requests the local endpoint received, per operation. */
  readonly callCounts: Readonly<Record<string, number>>;
  /** The VPC the local EC2 reported to the orchestrator (primary, secondary and IPv6 blocks, subnets). */
  readonly vpc: LocalVpcSpec | null;
  /** Set when the scenario could not run to the end (a setup step failed). */
  readonly error: string | null;
  /** The Node.js versions that ran the orchestrator handler (as each invocation reported it) and the probe tasks. */
  readonly runtimes: LabRuntimes;
  /** Per stack, the resource types the local deploy does not model. */
  readonly notModelled: readonly string[];
  /** Every request the local IAM denied, once each, in AWS's words. */
  readonly denials: readonly string[];
  /** How many authorization decisions the local IAM took. */
  readonly authorizations: number;
  /** Each rule's deliveries to its targets (FailedInvocations when refused). */
  readonly ruleInvocations: readonly RuleInvocationRecord[];
}

export interface LabRuntimes {
  readonly orchestrator: readonly string[];
  readonly probe: string | null;
}

function compareTargets(id: PhaseId, report: CanaryReport | null): TargetComparison[] {
  const expectations = RUN_PHASE_EXPECTATIONS[id].targets;
  return LAB_TARGET_NAMES.map((target) => {
    const result = report?.results.find((candidate) => candidate.target === target);
    const expected = expectations[target];
    return {
      target,
      expected,
      actual: result
        ? {
            outcome: result.outcome,
            verdict: result.verdict,
            address: result.address,
            rule: result.rule,
            diagnosis: result.diagnosis,
          }
        : null,
      matched:
        result !== undefined &&
        result.outcome === expected.outcome &&
        result.verdict === expected.verdict &&
        (expected.rule === undefined || result.rule === expected.rule),
    };
  });
}

function runPhaseResult(
  id: PhaseId,
  how: string,
  report: CanaryReport | null,
  exitCode: number | null,
  failure: string | null,
  observed: RunObservations,
): RunPhaseResult {
  const expectation = RUN_PHASE_EXPECTATIONS[id];
  const comparisons = compareTargets(id, report);
  const expectedExitCode = expectation.cliExitCode ?? null;
  const problems = [
    ...(failure ? [failure] : []),
    ...comparisons
      .filter((comparison) => !comparison.matched)
      .map(
        (comparison) =>
          `${comparison.target}: expected ${comparison.expected.outcome}/${comparison.expected.verdict}${
            comparison.expected.rule === undefined ? '' : ` (${comparison.expected.rule})`
          }, got ${
            comparison.actual
              ? `${comparison.actual.outcome}/${comparison.actual.verdict} (${comparison.actual.rule})`
              : 'no result'
          }`,
      ),
    ...(report !== null && report.restriction?.state !== expectation.restriction
      ? [`restriction ${report.restriction?.state ?? 'not reported'}, expected ${expectation.restriction}`]
      : []),
    ...(expectedExitCode !== null && exitCode !== expectedExitCode
      ? [`exit code ${exitCode}, expected ${expectedExitCode}`]
      : []),
    ...(failure ? [] : runEventProblems(observed.events, report, expectation.restriction)),
  ];
  const matched = problems.length === 0;
  return {
    id,
    title: expectation.title,
    how,
    matched,
    comparisons,
    report,
    exitCode,
    expectedExitCode,
    problems,
    functionLog: matched ? [] : observed.functionLog,
    taskLogs: Object.fromEntries(
      comparisons
        .filter((comparison) => !comparison.matched)
        .flatMap((comparison) => {
          const taskArn = report?.results.find((result) => result.target === comparison.target)?.taskArn;
          return taskArn ? [[comparison.target, observed.taskLog(taskArn)]] : [];
        }),
    ),
    events: observed.events,
  };
}

/** A phase that could not start: no report, no logs, no events. */
function phaseNotRun(id: PhaseId, failure: string): RunPhaseResult {
  return runPhaseResult(id, 'not run', null, null, failure, { functionLog: [], taskLog: () => [], events: [] });
}

function isCanaryReport(value: unknown): value is CanaryReport {
  const candidate = value as Partial<CanaryReport> | null;
  return typeof candidate === 'object' && candidate !== null && Array.isArray(candidate.results);
}

/** What EventBridge delivers for a schedule rule without a constant input. */
function scheduledEvent(deployment: LabDeployment, ruleArn: string): unknown {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'Scheduled Event',
    source: 'aws.events',
    account: deployment.accountId,
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    region: deployment.region,
    resources: [ruleArn],
    detail: {},
  };
}

/** What the endpoint saw of one run: the orchestrator's log, any probe task's log, the run events on the bus. */
interface RunObservations {
  readonly functionLog: readonly string[];
  readonly taskLog: (taskArn: string) => string[];
  readonly events: readonly ReceivedRunEvent[];
}

/** Marks where a run starts; the function it returns reads what the endpoint saw of the run since. */
function watchRun(endpoint: LocalAws, deployment: LabDeployment): () => RunObservations {
  const invocationsBefore = endpoint.lambda.invocations.length;
  const eventsBefore = endpoint.events.events.length;
  const { logGroup, logStreamPrefix, containerName } = deployment.probeTask;
  return () => ({
    functionLog: endpoint.lambda.invocations.slice(invocationsBefore).flatMap((invocation) => {
      const group = `/aws/lambda/${invocation.functionName}`;
      return endpoint.logs
        .streams(group)
        .filter((stream) => stream.endsWith(invocation.requestId.replaceAll('-', '')))
        .flatMap((stream) => endpoint.logs.events(group, stream).map((event) => event.message));
    }),
    taskLog: (taskArn: string) =>
      endpoint.logs
        .events(logGroup, `${logStreamPrefix}/${containerName}/${taskArn.split('/').at(-1)}`)
        .map((event) => event.message),
    events: receivedRunEvents(endpoint.events, eventsBefore),
  });
}

/**
 * Phase 1: what the schedule does. The stack's schedule rule delivers its event to the orchestrator as
 * events.amazonaws.com, allowed only by the function's resource policy for this rule; then Lambda runs the function.
 * (EventBridge invokes asynchronously; the lab waits for the result to read the report.)
 */
async function runScheduledPhase(
  endpoint: LocalAws,
  deployment: LabDeployment,
  topology: LabTopology,
  cloud: LocalCloud,
): Promise<RunPhaseResult> {
  const { functionName } = deployment.orchestrator;
  if (!(await topology.throttle.isActive())) {
    return phaseNotRun('scheduled', 'the port-25 throttle is not in place');
  }
  const fn = cloud.resources.functions.find((candidate) => candidate.name === functionName);
  const rule = cloud.resources.rules.find(
    (candidate) =>
      candidate.scheduleExpression !== undefined && candidate.targets.some((target) => target.arn === fn?.arn),
  );
  if (fn === undefined || rule === undefined) {
    return phaseNotRun('scheduled', `the stack has no schedule rule targeting ${functionName}`);
  }
  if (!(await authorizeRuleToLambda(cloud.iam, rule, fn, deployment.accountId, cloud.ruleInvocations))) {
    const refused = cloud.ruleInvocations.at(-1)?.error ?? 'refused';
    return phaseNotRun(
      'scheduled',
      `the schedule rule ${rule.name} could not invoke ${functionName} (its FailedInvocations metric counts 1): ${refused}`,
    );
  }
  const input = deployment.scheduledInput;
  const event = input === undefined ? scheduledEvent(deployment, rule.arn) : input;
  const how =
    input === undefined
      ? `the schedule rule ${rule.name} delivers an EventBridge scheduled event to the function (Lambda Invoke)`
      : `the schedule rule ${rule.name} delivers its input ${JSON.stringify(input)} to the function (Lambda Invoke)`;
  const observed = watchRun(endpoint, deployment);
  let report: CanaryReport | null = null;
  let failure: string | null = null;
  const response = await endpoint.lambda.handleInvoke(functionName, undefined, {}, Buffer.from(JSON.stringify(event)));
  const parsed: unknown = JSON.parse(response.body);
  const functionError = response.headers['x-amz-function-error'];
  if (functionError) failure = `the function failed (${functionError}): ${response.body.slice(0, 2000)}`;
  else if (isCanaryReport(parsed)) report = parsed;
  else failure = `the function returned something that is not a canary report: ${response.body.slice(0, 500)}`;
  return runPhaseResult('scheduled', how, report, null, failure, observed());
}

/** Phase 2: the restriction is lifted and an operator runs `port25-canary invoke --released` against the endpoint. */
async function runReleasedPhase(
  endpoint: LocalAws,
  deployment: LabDeployment,
  topology: LabTopology,
  projectDirectory: string,
  teardown: Teardown,
): Promise<RunPhaseResult> {
  await topology.throttle.lift();
  if (await topology.throttle.isActive()) {
    return phaseNotRun('released', 'the port-25 throttle is still in place');
  }
  const { functionName } = deployment.orchestrator;
  const args = [
    join(projectDirectory, 'dist', 'cli.cjs'),
    'invoke',
    '--function',
    functionName,
    '--released',
    '--json',
  ];
  const how = `port25-canary invoke --function ${functionName} --released --json (a separate process)`;
  const observed = watchRun(endpoint, deployment);
  // A clean environment: only PATH and what points the SDK at the local endpoint.
  const { exitCode, stdout, stderr } = await runProcess(process.execPath, args, {
    env: cleanEnvironment(endpoint.environment()),
    onSpawn: (child) =>
      teardown.add('stop port25-canary invoke', async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }),
  });
  let report: CanaryReport | null = null;
  let failure: string | null = null;
  try {
    const parsed: unknown = JSON.parse(stdout);
    if (isCanaryReport(parsed)) report = parsed;
    else failure = `port25-canary invoke printed no canary report: ${stdout.slice(0, 500)}`;
  } catch {
    failure =
      `port25-canary invoke printed no JSON (exit ${exitCode}): ${stdout.slice(0, 500)} ${stderr.slice(0, 1000)}`.trim();
  }
  return runPhaseResult('released', how, report, exitCode, failure, observed());
}

/** Phase 3: every alarm of the template, evaluated now over what the two runs published. */
async function evaluateAlarms(
  endpoint: LocalAws,
  deployment: LabDeployment,
  cloud: LocalCloud,
  now: number,
): Promise<AlarmPhaseResult> {
  const checks = alarmDefinitions(deployment.stack.template).map((alarm): AlarmCheck => {
    const evaluation = evaluateAlarm(alarm, endpoint.metrics.series(alarm.metric), now);
    const target = alarm.metric.dimensions.Target;
    const expected =
      target !== undefined
        ? (EXPECTED_ALARM_STATES.perTarget[alarm.metric.metricName]?.[target as LabTargetName] ?? null)
        : (EXPECTED_ALARM_STATES.perCanary[alarm.metric.metricName] ?? null);
    return { evaluation, expected, matched: evaluation.seriesExists && evaluation.state === expected };
  });
  const problems = [
    ...(checks.length === 0 ? ['the template has no alarms'] : []),
    ...checks
      .filter((check) => !check.matched)
      .map((check) => {
        const name = check.evaluation.alarm.alarmName;
        if (!check.evaluation.seriesExists) return `${name}: ${check.evaluation.reason}`;
        if (check.expected === null)
          return `${name}: the lab states no expected state for this alarm (lab/expectations.ts)`;
        return `${name}: ${check.evaluation.state}, expected ${check.expected} (${check.evaluation.reason})`;
      }),
  ];
  // Each alarm's first evaluation runs its actions: CloudWatch publishes to the alarm topic, if its policy lets it.
  const deliveredBefore = cloud.sns.delivered.length;
  const history = await executeAlarmActions(
    checks.map((check) => check.evaluation),
    cloud.resources.alarms,
    cloud.sns,
    { accountId: deployment.accountId, region: deployment.region },
    new Date(now),
  );
  const notifications = cloud.sns.delivered.slice(deliveredBefore);
  problems.push(...history.filter((item) => item.failed).map((item) => `${item.alarmName}: ${item.historySummary}`));
  // Every alarm the lab expects in ALARM must reach every e-mail subscriber of its topics, in SNS's alarm form.
  for (const check of checks.filter((candidate) => candidate.expected === 'ALARM')) {
    const name = check.evaluation.alarm.alarmName;
    const actions = cloud.resources.alarms.find((alarm) => alarm.alarmName === name);
    const subject = `ALARM: "${name}" in ${regionName(deployment.region)}`;
    for (const topicArn of actions?.alarmActions ?? []) {
      const emails = (cloud.sns.topic(topicArn)?.subscriptions ?? []).filter((sub) => sub.protocol === 'email');
      if (emails.length === 0)
        problems.push(`${name}: the topic ${topicArn} has no e-mail subscription: nobody is told`);
      for (const email of emails) {
        const arrived = notifications.some(
          (notification) =>
            notification.topicArn === topicArn &&
            notification.endpoint === email.endpoint &&
            notification.subject === subject,
        );
        if (!arrived) problems.push(`${name}: no notification "${subject}" arrived at ${email.endpoint}`);
      }
    }
  }
  return {
    id: 'alarms',
    title: "Phase 3: the stack's alarms over the published metrics",
    matched: problems.length === 0,
    evaluatedAt: new Date(now).toISOString(),
    alarms: checks,
    history,
    notifications,
    problems,
  };
}

/** The probe container: the probe bundle, copied like the image's COPY, run in the VPC namespace as the task's user. */
async function probeContainerLauncher(
  topology: LabTopology,
  deployment: LabDeployment,
  projectDirectory: string,
  imageDirectory: string,
  node: NodeRuntime,
  progress: (line: string) => void,
  /** Namespaces of further VPCs by subnet ID (the fleet's); a task in any other subnet runs in the lab's VPC. */
  otherVpcs: ReadonlyMap<string, string> = new Map(),
): Promise<ContainerLauncher> {
  await mkdir(imageDirectory, { recursive: true, mode: 0o755 });
  await chmod(imageDirectory, 0o755);
  const entry = join(imageDirectory, 'index.cjs');
  await copyFile(join(projectDirectory, 'dist', 'probe', 'index.cjs'), entry);
  await chmod(entry, 0o644);
  // The image's node (node:24-alpine): npx keeps it under root's home, which the task's user cannot enter.
  const nodeBinary = join(imageDirectory, 'node');
  await copyFile(node.path, nodeBinary);
  await chmod(nodeBinary, 0o755);
  const user = deployment.probeTask.user;
  let asUser: string[] = [];
  if (user !== undefined) {
    const [uid, gid = uid] = user.split(':');
    asUser = ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];
    try {
      await inNamespace(topology.namespaces.vpc, [...asUser, nodeBinary, '-e', '']);
    } catch (error) {
      progress(`note: cannot run ${nodeBinary} as ${user} (${String(error)}); the probe runs as root`);
      asUser = [];
    }
  }
  const namespaceOf = (subnets: readonly string[]) =>
    subnets.map((subnet) => otherVpcs.get(subnet)).find((namespace) => namespace !== undefined) ??
    topology.namespaces.vpc;
  return ({ command, environment, subnets }) =>
    spawnInNamespace(namespaceOf(subnets), [...asUser, nodeBinary, entry, ...command], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', ...environment },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
}

export class LabInterruptedError extends Error {
  constructor() {
    super('interrupted: the teardown started before the scenario finished');
    this.name = 'LabInterruptedError';
  }
}

// The lab's own errors say what went wrong; anything else is a bug and keeps its stack.
const EXPLAINED_ERRORS = new Set([
  'LabInterruptedError',
  'LabBusyError',
  'DeploymentError',
  'PostfixError',
  'NamespaceError',
  'AlarmDefinitionError',
  'TeardownError',
]);

function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return EXPLAINED_ERRORS.has(error.name) ? error.message : (error.stack ?? error.message);
}

/** Runs the whole scenario; teardown always runs before it returns. */
export async function runLabScenario(options: LabScenarioOptions): Promise<LabRunResult> {
  const { prefix, progress, teardown } = options;
  const startedAt = new Date().toISOString();
  const phases: (RunPhaseResult | AlarmPhaseResult | FleetPhaseResult)[] = [];
  let endpoint: LocalAws | undefined;
  let deployment: LabDeployment | undefined;
  let vpcSpec: LocalVpcSpec | undefined;
  let callCounts: Record<string, number> = {};
  let error: string | null = null;
  let probeNodeVersion: string | null = null;
  let orchestratorNodeVersions: string[] = [];
  const iam = new LocalIam();
  const notModelled: string[] = [];
  let cloud: LocalCloud | undefined;
  try {
    progress(`building the network: namespaces ${prefix}vpc and ${prefix}mail, Postfix, port-25 throttle`);
    const topology = await createLabTopology(prefix);
    teardown.add('destroy the lab network', () => topology.destroy());
    if (topology.leftoversRemoved.length > 0) {
      progress(`removed leftovers of an earlier run: ${topology.leftoversRemoved.join(', ')}`);
    }
    const { workDirectory } = topology;

    progress(`synthesizing the stack for ${options.configFile} (cdk synth)`);
    const stack = await synthesizeStack({
      projectDirectory: options.projectDirectory,
      configFile: options.configFile,
      outputDirectory: join(workDirectory, 'cdk.out'),
    });
    deployment = localDeployment(stack, { region: LAB_REGION, accountId: LAB_ACCOUNT_ID });
    cloud = await deployLocalCloud(deployment, options.projectDirectory, iam);
    // The fleet's assembly synthesizes while the first phases run; the fleet phase deploys it.
    const fleetPrepared = prepareFleet({
      configFile: options.configFile,
      deployment,
      workDirectory,
      synthesize: synthesizeAssembly,
      projectDirectory: options.projectDirectory,
    });
    fleetPrepared.catch(() => undefined);
    const { functionCredentials } = cloud;
    notModelled.push(notModelledLine(cloud.resources));
    progress(`local deploy of ${stack.stackName}; ${notModelledLine(cloud.resources)}`);

    progress(`resolving Node.js ${PRODUCTION_NODE_MAJOR}, what production runs (npx -y ${PRODUCTION_NODE_PACKAGE})`);
    const node = await productionNode();
    probeNodeVersion = node.version;
    progress(`the orchestrator handler and the probe tasks run on Node ${node.version} (${node.path})`);
    const otherVpcs = new Map<string, string>();
    const launchContainer = await probeContainerLauncher(
      topology,
      deployment,
      options.projectDirectory,
      join(workDirectory, 'probe-image'),
      node,
      progress,
      otherVpcs,
    );
    const { probeTask, orchestrator } = deployment;
    vpcSpec =
      deployment.vpc === undefined
        ? undefined
        : labVpcSpec(deployment.vpc.vpcId, deployment.vpc.subnets, deployment.vpc.primaryCidr);
    endpoint = await startLocalAws({
      region: deployment.region,
      accountId: deployment.accountId,
      ...cloud.endpointOptions,
      clusterName: probeTask.clusterName,
      taskDefinition: {
        family: probeTask.family,
        revision: probeTask.revision,
        containerName: probeTask.containerName,
        defaultCommand: [],
      },
      logGroup: probeTask.logGroup,
      logStreamPrefix: probeTask.logStreamPrefix,
      launchContainer,
      taskStartDelayMs: options.taskStartDelayMs,
      stacks: [{ stackName: deployment.stack.stackName, outputs: deployment.stackOutputs }],
      lambdaNodePath: node.path,
      // As the real service may: an empty page before the events, which the orchestrator must read past.
      logEmptyPagesBeforeEvents: 1,
      vpcs: [
        ...(deployment.vpc === undefined
          ? []
          : [vpcSpec ?? labVpcSpec(deployment.vpc.vpcId, deployment.vpc.subnets, deployment.vpc.primaryCidr)]),
        // The fleet's throttled vantage runs in a VPC of its own, which its run reads from EC2 too.
        {
          vpcId: `vpc-${FLEET_VANTAGES.throttled.subnetId.slice('subnet-'.length)}`,
          primaryCidr: FLEET_VANTAGES.throttled.vpcPrimaryCidr,
          secondaryCidrs: [],
          ipv6Cidrs: [],
          subnets: [
            {
              subnetId: FLEET_VANTAGES.throttled.subnetId,
              cidrBlock: FLEET_VANTAGES.throttled.vpcPrimaryCidr,
              availabilityZone: `${FLEET_VANTAGES.throttled.region}a`,
            },
          ],
        },
      ],
    });
    const started = endpoint;
    teardown.add('stop the local AWS endpoint', () => started.close());
    endpoint.lambda.register({
      name: orchestrator.functionName,
      taskRoot: orchestrator.codeDirectory,
      handler: orchestrator.handler,
      environment: orchestrator.environment,
      timeoutSeconds: orchestrator.timeoutSeconds,
      memorySizeMb: orchestrator.memorySizeMb,
      ...(functionCredentials.has(orchestrator.functionName)
        ? { credentials: functionCredentials.get(orchestrator.functionName) }
        : {}),
    });
    progress(`local AWS endpoint on ${endpoint.url}; function ${orchestrator.functionName}`);

    // A signal starts the teardown while a phase runs: stop at the next phase instead of starting it.
    const stopIfInterrupted = () => {
      if (teardown.started) throw new LabInterruptedError();
    };
    progress(RUN_PHASE_EXPECTATIONS.scheduled.title);
    phases.push(await runScheduledPhase(endpoint, deployment, topology, cloud));
    stopIfInterrupted();
    progress(RUN_PHASE_EXPECTATIONS.released.title);
    phases.push(await runReleasedPhase(endpoint, deployment, topology, options.projectDirectory, teardown));
    stopIfInterrupted();
    // Evaluated before the fleet runs: its vantages publish under their own canary names, not the stack's.
    phases.push(await evaluateAlarms(endpoint, deployment, cloud, Date.now()));
    stopIfInterrupted();
    progress(FLEET_PHASE_TITLE);
    otherVpcs.set(FLEET_VANTAGES.throttled.subnetId, await addThrottledVpc(topology, teardown));
    const fleetEndpoint = endpoint;
    phases.push(
      await runFleetPhase({
        endpoint: fleetEndpoint,
        deployment,
        configFile: options.configFile,
        projectDirectory: options.projectDirectory,
        teardown,
        prepared: fleetPrepared,
        iam,
        ruleInvocations: cloud.ruleInvocations,
        runEvents: () => receivedRunEvents(fleetEndpoint.events, 0).map((event) => event.detail),
      }),
    );
  } catch (caught) {
    error = describeFailure(caught);
  } finally {
    callCounts = endpoint?.callCounts() ?? {};
    orchestratorNodeVersions = [
      ...new Set((endpoint?.lambda.invocations ?? []).map((invocation) => invocation.nodeVersion ?? 'unknown')),
    ];
    try {
      await teardown.run();
    } catch (teardownError) {
      const message = teardownError instanceof Error ? teardownError.message : String(teardownError);
      error = error === null ? message : `${error}\n${message}`;
    }
  }
  return {
    reproduced: error === null && phases.length === 4 && phases.every((phase) => phase.matched),
    startedAt,
    finishedAt: new Date().toISOString(),
    prefix,
    stackName: deployment?.stack.stackName ?? null,
    functionName: deployment?.orchestrator.functionName ?? null,
    phases,
    callCounts,
    vpc: vpcSpec ?? null,
    error,
    runtimes: { orchestrator: orchestratorNodeVersions, probe: probeNodeVersion },
    notModelled,
    denials: iam.denials(),
    ruleInvocations: cloud?.ruleInvocations ?? [],
    authorizations: iam.decisions.length,
  };
}
