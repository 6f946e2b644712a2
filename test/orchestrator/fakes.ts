import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import {
  CloudWatchLogsClient,
  GetLogEventsCommand,
  type GetLogEventsCommandInput,
} from '@aws-sdk/client-cloudwatch-logs';
import { DescribeSubnetsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  type Container,
  DescribeTasksCommand,
  type DescribeTasksCommandInput,
  ECSClient,
  RunTaskCommand,
  type RunTaskCommandInput,
  StopTaskCommand,
  type StopTaskCommandInput,
  type Task,
} from '@aws-sdk/client-ecs';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { type AwsClientStub, mockClient } from 'aws-sdk-client-mock';
import type { RequestPacing } from '../../functions/orchestrator/request-pacing.js';
import { type CanaryConfig, parseCanaryConfig } from '../../functions/shared/config.js';
import { EXIT_CODE_BY_OUTCOME, type ProbeOutcome } from '../../functions/shared/outcomes.js';
import { formatTarget } from '../../functions/shared/probe-command.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';

/**
 * A clock whose sleep only moves time forward, so retries, polling and deadlines cost nothing. Sleepers wake in order
 * of their wake-up time once every other piece of work is blocked, so concurrent sleeps overlap as they would for real.
 */
export function fakeClock(startMs = Date.parse('2030-01-01T00:00:00.000Z')) {
  let nowMs = startMs;
  const sleeps: number[] = [];
  const sleepers: { wakeAt: number; wake: () => void }[] = [];
  let advanceScheduled = false;
  const scheduleAdvance = () => {
    if (advanceScheduled || sleepers.length === 0) return;
    advanceScheduled = true;
    // setImmediate runs after every pending promise job: by then all concurrent work is blocked on a sleep.
    setImmediate(() => {
      advanceScheduled = false;
      sleepers.sort((a, b) => a.wakeAt - b.wakeAt);
      const next = sleepers.shift();
      if (next === undefined) return;
      nowMs = Math.max(nowMs, next.wakeAt);
      next.wake();
      scheduleAdvance();
    });
  };
  return {
    now: () => nowMs,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleeps.push(ms);
        sleepers.push({ wakeAt: nowMs + ms, wake: resolve });
        scheduleAdvance();
      }),
    sleeps,
  };
}

/** Command IO that records what a command prints. */
export function capture(env: NodeJS.ProcessEnv = {}) {
  const output = { stdout: '', stderr: '' };
  return {
    output,
    io: {
      stdout: (text: string) => {
        output.stdout += text;
      },
      stderr: (text: string) => {
        output.stderr += text;
      },
      env,
    },
  };
}

export const TEST_NETWORK = {
  cluster: 'port25-canary',
  taskDefinition: 'port25-canary-probe:3',
  subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
  securityGroups: ['sg-0123456789abcdef0'],
  logGroup: '/port25-canary/probe',
} as const;

export const TEST_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  primaryCidr: '10.0.0.0/16',
  secondaryCidrs: ['198.18.0.0/24'],
} as const;

/** DescribeSubnets and DescribeVpcs answers for TEST_NETWORK's subnets in TEST_VPC, shaped as EC2 returns them. */
export function mockTestVpc(ec2Mock: AwsClientStub<EC2Client>): void {
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: TEST_NETWORK.subnets.map((subnetId, index) => ({
      SubnetId: subnetId,
      VpcId: TEST_VPC.vpcId,
      CidrBlock: `10.0.${index}.0/24`,
      State: 'available',
    })),
  });
  ec2Mock.on(DescribeVpcsCommand).resolves({
    Vpcs: [
      {
        VpcId: TEST_VPC.vpcId,
        CidrBlock: TEST_VPC.primaryCidr,
        State: 'available',
        CidrBlockAssociationSet: [
          {
            AssociationId: 'vpc-cidr-assoc-1',
            CidrBlock: TEST_VPC.primaryCidr,
            CidrBlockState: { State: 'associated' },
          },
          { AssociationId: 'vpc-cidr-assoc-2', CidrBlock: '198.18.0.0/24', CidrBlockState: { State: 'associated' } },
        ],
      },
    ],
  });
}

/** A valid config file's content with the network settings a run needs; targets are data only, nothing is dialled. */
export const TEST_CONFIG_JSON = {
  canaryName: 'mail-egress',
  vpcPrimaryCidr: '10.0.0.0/16',
  network: { ...TEST_NETWORK },
  targets: [
    { name: 'relay-in-vpc', host: '10.0.12.25', expect: 'auto' },
    { name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' },
  ],
};

export function testConfig(overrides: Record<string, unknown> = {}): CanaryConfig {
  return parseCanaryConfig({ ...TEST_CONFIG_JSON, ...overrides });
}

export function targetsNamed(count: number, host = '198.51.100.25'): { name: string; host: string; expect: string }[] {
  return Array.from({ length: count }, (_, index) => ({ name: `target-${index}`, host, expect: 'blocked' }));
}

/** A probe result line as the probe prints it with --json. */
export function probeResult(
  host: string,
  outcome: ProbeOutcome,
  overrides: Partial<ProbeResult> = {},
  port = 25,
): ProbeResult {
  const connected = outcome === 'open' || outcome === 'banner-timeout' || outcome === 'protocol-error';
  const attempt = {
    attempt: 1,
    address: host,
    outcome,
    connectMs: connected ? 12.5 : null,
    greeting: outcome === 'open' ? '220 mx.example.test ESMTP' : null,
    ehlo: null,
    tls: null,
    durationMs: 40,
    error: outcome === 'open' ? null : outcome,
  };
  return {
    target: formatTarget(host, port),
    host,
    port,
    address: host,
    addresses: [host],
    outcome,
    connectMs: attempt.connectMs,
    greeting: attempt.greeting,
    ehlo: null,
    tls: null,
    control: null,
    diagnosis: `probe says ${outcome}`,
    attempts: [attempt],
    durationMs: 40,
    timeoutMs: 10_000,
    error: attempt.error,
    ...overrides,
  };
}

/** How the fake cluster plays one target's probe task. */
export interface TaskScript {
  /** DescribeTasks calls that see the task before it shows STOPPED; Infinity: it never stops by itself. */
  readonly pollsUntilStopped?: number;
  /** Instead of counting polls: the task shows STOPPED this long after RunTask, on the clock given to FakeAws. */
  readonly lifeMs?: number;
  /** The probe container's exit code; null: the container never ran. Default: the result's outcome's code. */
  readonly exitCode?: number | null;
  readonly stopCode?: string;
  readonly stoppedReason?: string;
  readonly containerReason?: string;
  /** The log stream's lines; undefined: the stream does not exist. Default: a stderr line and the result line. */
  readonly logLines?: readonly string[];
  readonly result?: ProbeResult;
  /** List a sidecar container before the probe container. */
  readonly sidecarFirst?: boolean;
  /** DescribeTasks answers MISSING for the task this long after RunTask (ECS's eventual consistency). */
  readonly missingForMs?: number;
}

interface FakeTask {
  readonly arn: string;
  readonly target: string;
  readonly clientToken: string | undefined;
  readonly script: TaskScript;
  readonly launchedAt: number;
  polls: number;
  stopRequested: boolean;
  countedStopped: boolean;
}

export const CONTAINER_NAME = 'probe';

/** A RunTask answer instead of a task: ThrottlingException, or a `failures[]` capacity shortage. */
export type RunTaskFault = 'throttle' | 'capacity';

/**
 * A scripted ECS cluster plus CloudWatch Logs behind aws-sdk-client-mock: RunTask starts a fake task for the target
 * named in its tags, DescribeTasks advances it, GetLogEvents serves its stream. It counts tasks in flight (started
 * and not yet seen STOPPED by the orchestrator) to check the concurrency cap.
 */
export class FakeAws {
  readonly ec2Mock = mockClient(EC2Client);
  readonly ecsMock = mockClient(ECSClient);
  readonly logsMock = mockClient(CloudWatchLogsClient);
  readonly cloudwatchMock = mockClient(CloudWatchClient);
  readonly ec2 = new EC2Client({});
  readonly ecs = new ECSClient({});
  readonly logs = new CloudWatchLogsClient({});
  readonly cloudwatch = new CloudWatchClient({});
  readonly eventsMock = mockClient(EventBridgeClient);
  readonly events = new EventBridgeClient({});
  readonly tasks = new Map<string, FakeTask>();
  inFlight = 0;
  maxInFlight = 0;
  /** Every DescribeTasks call: when (on the clock) and how many tasks it asked about. */
  readonly describeCalls: { readonly at: number; readonly taskCount: number }[] = [];
  /** Every RunTask call: when it was sent (on the clock), for which target, with which clientToken. */
  readonly runTaskCalls: { readonly at: number; readonly target: string; readonly clientToken: string | undefined }[] =
    [];
  /** Most RunTask calls waiting for their answer at once. */
  maxRunTasksPending = 0;
  private runTasksPending = 0;
  private readonly runTaskFaults = new Map<string, RunTaskFault[]>();
  private nextTaskId = 1;

  constructor(
    private readonly scriptFor: (target: string) => TaskScript,
    private readonly clock: { readonly now: () => number; readonly sleep?: (ms: number) => Promise<void> } = {
      now: () => 0,
    },
    /**
     * RunTask answers this long after it is sent, on the clock (needs its sleep): AWS takes hundreds of ms. A function
     * gives each target its own latency.
     */
    private readonly runTaskLatencyMs: number | ((target: string) => number) = 0,
  ) {
    mockTestVpc(this.ec2Mock);
    this.ecsMock.on(RunTaskCommand).callsFake(async (input: RunTaskCommandInput) => {
      this.runTasksPending += 1;
      this.maxRunTasksPending = Math.max(this.maxRunTasksPending, this.runTasksPending);
      const sentAt = this.clock.now();
      const latencyMs =
        typeof this.runTaskLatencyMs === 'number' ? this.runTaskLatencyMs : this.runTaskLatencyMs(targetOf(input));
      try {
        if (latencyMs > 0) await this.clock.sleep?.(latencyMs);
        return this.runTask(input, sentAt);
      } finally {
        this.runTasksPending -= 1;
      }
    });
    this.ecsMock.on(DescribeTasksCommand).callsFake((input: DescribeTasksCommandInput) => this.describeTasks(input));
    this.ecsMock.on(StopTaskCommand).callsFake((input: StopTaskCommandInput) => this.stopTask(input));
    this.logsMock.on(GetLogEventsCommand).callsFake((input: GetLogEventsCommandInput) => this.getLogEvents(input));
    this.cloudwatchMock.on(PutMetricDataCommand).resolves({});
    this.eventsMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'event-1' }] });
  }

  restore(): void {
    this.ec2Mock.restore();
    this.ecsMock.restore();
    this.logsMock.restore();
    this.cloudwatchMock.restore();
    this.eventsMock.restore();
  }

  get clients() {
    return { ec2: this.ec2, ecs: this.ecs, logs: this.logs, cloudwatch: this.cloudwatch, events: this.events };
  }

  /** The next RunTask calls for this target answer these faults, in order, before one starts a task. */
  scriptRunTaskFaults(target: string, faults: readonly RunTaskFault[]): void {
    this.runTaskFaults.set(target, [...faults]);
  }

  private runTask(input: RunTaskCommandInput, sentAt: number) {
    const target = targetOf(input);
    this.runTaskCalls.push({ at: sentAt, target, clientToken: input.clientToken });
    const fault = this.runTaskFaults.get(target)?.shift();
    if (fault === 'throttle') throw throttlingError();
    if (fault === 'capacity') {
      return {
        tasks: [],
        failures: [
          {
            arn: 'arn:aws:ecs:eu-west-1:111122223333:task-definition/x:1',
            reason: 'Capacity is unavailable at this time. Please try again later or in a different availability zone',
          },
        ],
      };
    }
    const id = `${String(this.nextTaskId++).padStart(8, '0')}aa`;
    const arn = `arn:aws:ecs:eu-west-1:111122223333:task/${input.cluster}/${id}`;
    this.tasks.set(arn, {
      arn,
      target,
      clientToken: input.clientToken,
      script: this.scriptFor(target),
      launchedAt: this.clock.now(),
      polls: 0,
      stopRequested: false,
      countedStopped: false,
    });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return { tasks: [{ taskArn: arn, lastStatus: 'PROVISIONING' }], failures: [] };
  }

  private isStopped(task: FakeTask): boolean {
    if (task.stopRequested) return true;
    const { lifeMs, pollsUntilStopped } = task.script;
    if (lifeMs !== undefined) return this.clock.now() >= task.launchedAt + lifeMs;
    return task.polls > (pollsUntilStopped ?? 1);
  }

  private exitCode(task: FakeTask): number | null {
    const { script } = task;
    if (script.exitCode !== undefined) return script.exitCode;
    return script.result === undefined ? 0 : EXIT_CODE_BY_OUTCOME[script.result.outcome];
  }

  private describeTask(task: FakeTask): Task {
    task.polls += 1;
    const stopped = this.isStopped(task);
    if (stopped && !task.countedStopped) {
      task.countedStopped = true;
      this.inFlight -= 1;
    }
    const exitCode = this.exitCode(task);
    const probe: Container = {
      name: CONTAINER_NAME,
      lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      ...(stopped && exitCode !== null ? { exitCode } : {}),
      ...(task.script.containerReason === undefined ? {} : { reason: task.script.containerReason }),
    };
    const sidecar: Container = { name: 'log-router', lastStatus: stopped ? 'STOPPED' : 'RUNNING', exitCode: 0 };
    return {
      taskArn: task.arn,
      lastStatus: stopped ? 'STOPPED' : 'RUNNING',
      containers: task.script.sidecarFirst ? [sidecar, probe] : [probe],
      ...(stopped && task.script.stopCode !== undefined ? { stopCode: task.script.stopCode as Task['stopCode'] } : {}),
      ...(stopped && task.script.stoppedReason !== undefined ? { stoppedReason: task.script.stoppedReason } : {}),
    };
  }

  private describeTasks(input: DescribeTasksCommandInput) {
    if ((input.tasks ?? []).length > 100) throw new Error('InvalidParameterException: at most 100 tasks');
    this.describeCalls.push({ at: this.clock.now(), taskCount: (input.tasks ?? []).length });
    const tasks: Task[] = [];
    const failures: { arn: string; reason: string }[] = [];
    for (const arn of input.tasks ?? []) {
      const task = this.tasks.get(arn);
      const unknownYet = task !== undefined && this.clock.now() < task.launchedAt + (task.script.missingForMs ?? 0);
      if (task === undefined || unknownYet) failures.push({ arn, reason: 'MISSING' });
      else tasks.push(this.describeTask(task));
    }
    return { tasks, failures };
  }

  private stopTask(input: StopTaskCommandInput) {
    const task = this.tasks.get(input.task ?? '');
    if (task !== undefined) task.stopRequested = true;
    return { task: { taskArn: input.task, desiredStatus: 'STOPPED' } };
  }

  private getLogEvents(input: GetLogEventsCommandInput) {
    const taskId = input.logStreamName?.split('/').pop() ?? '';
    const task = [...this.tasks.values()].find((candidate) => candidate.arn.endsWith(`/${taskId}`));
    const lines = task === undefined ? undefined : this.logLines(task);
    if (lines === undefined) {
      const error = new Error('The specified log stream does not exist.');
      error.name = 'ResourceNotFoundException';
      throw error;
    }
    // One page: a repeated token marks the end, as with the real API.
    const token = 'f/end';
    if (input.nextToken === token) return { events: [], nextForwardToken: token };
    return {
      events: lines.map((message, index) => ({ timestamp: index, message, ingestionTime: index })),
      nextForwardToken: token,
    };
  }

  private logLines(task: FakeTask): readonly string[] | undefined {
    const { script } = task;
    if (script.logLines !== undefined || script.result === undefined) return script.logLines;
    return ['port25-canary probe: starting', JSON.stringify(script.result)];
  }
}

/** The target a RunTask call is for, from the tag runTaskInputFor sets. */
function targetOf(input: RunTaskCommandInput): string {
  return input.tags?.find((tag) => tag.key === 'target')?.value ?? 'untagged';
}

/** A RequestPacing that grants every turn at once and records, in order, what callWithRetry told it. */
export function recordingPacing() {
  const events: string[] = [];
  const pacing: RequestPacing = {
    take: async () => {
      events.push('take');
      return true;
    },
    throttled: () => {
      events.push('throttled');
    },
    answered: () => {
      events.push('answered');
    },
  };
  return { pacing, events };
}

export function throttlingError(name = 'ThrottlingException', message = 'Rate exceeded'): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}
