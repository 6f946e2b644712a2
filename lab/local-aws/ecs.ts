import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:os';
import { createInterface } from 'node:readline';
import { EcsThrottling } from './ecs-throttling.js';
import type { LogStore } from './logs.js';
import { AwsServiceError, epochSeconds, InputReader, type JsonObject, type JsonService } from './protocol.js';

/**
 * ECS (awsJson1_1, `AmazonEC2ContainerServiceV20141113`): RunTask starts a "task" whose one essential container is a
 * local process; DescribeTasks and StopTask follow it through ECS's lifecycle; its stdout and stderr become log events
 * of the awslogs stream `${prefix}/${container}/${taskId}`, as the awslogs log driver names them.
 */

/** How long ECS takes to answer each call. */
export type EcsLatency = Readonly<Record<'RunTask' | 'DescribeTasks' | 'StopTask', number>>;

/** As AWS answers from inside a Region: RunTask in a few hundred ms (it places the task), the others faster. */
export const DEFAULT_ECS_LATENCY_MS: EcsLatency = { RunTask: 300, DescribeTasks: 50, StopTask: 100 };

export type TaskStatus = 'PROVISIONING' | 'PENDING' | 'RUNNING' | 'DEPROVISIONING' | 'STOPPED';

/** Starts the container's process: the task's command override, or the task definition's default command. */
export type ContainerLauncher = (launch: {
  readonly command: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly taskId: string;
  /** The task's awsvpc subnets: which network (namespace) it runs in. */
  readonly subnets: readonly string[];
}) => ChildProcess;

export interface TaskDefinitionSpec {
  readonly family: string;
  readonly revision: number;
  readonly containerName: string;
  /** Used when RunTask overrides no command. */
  readonly defaultCommand: readonly string[];
}

export interface EcsOptions {
  readonly region: string;
  readonly accountId: string;
  readonly clusterName: string;
  readonly taskDefinition: TaskDefinitionSpec;
  readonly logGroup: string;
  readonly logStreamPrefix: string;
  readonly logs: LogStore;
  readonly launchContainer: ContainerLauncher;
  /** Time from RunTask to the container starting (Fargate takes tens of seconds; the lab a second or two). */
  readonly startDelayMs: () => number;
  /** Time from the container's exit to STOPPED. */
  readonly stopDelayMs: number;
  /** SIGTERM to SIGKILL on StopTask (ECS's stopTimeout). */
  readonly stopTimeoutMs: number;
  /** Answer latency per operation (default DEFAULT_ECS_LATENCY_MS); zeros answer at once. */
  readonly latencyMs?: EcsLatency;
  /** Enforce ECS's documented request and Fargate launch rates with ThrottlingException (default true). */
  readonly rateLimits?: boolean;
  readonly now?: () => number;
}

interface ContainerState {
  lastStatus: TaskStatus;
  exitCode: number | undefined;
  reason: string | undefined;
}

/** RunTask's awsvpcConfiguration.subnets, already checked to be a non-empty list when the task was accepted. */
function taskSubnets(request: JsonObject): string[] {
  const network = request.networkConfiguration as { awsvpcConfiguration?: { subnets?: unknown } } | undefined;
  const subnets = network?.awsvpcConfiguration?.subnets;
  return Array.isArray(subnets) ? subnets.filter((subnet): subnet is string => typeof subnet === 'string') : [];
}

interface TaskRecord {
  readonly id: string;
  readonly arn: string;
  readonly request: JsonObject;
  readonly command: readonly string[];
  readonly createdAt: number;
  lastStatus: TaskStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  pullStartedAt?: number;
  startedAt?: number;
  stoppingAt?: number;
  stoppedAt?: number;
  stopCode?: 'EssentialContainerExited' | 'UserInitiated' | 'TaskFailedToStart';
  stoppedReason?: string;
  container: ContainerState;
  process?: ChildProcess;
  timers: Set<NodeJS.Timeout>;
  /** Resolves when the task reaches STOPPED. */
  stopped: Promise<void>;
  markStopped: () => void;
}

/** RunTask's awsvpcConfiguration limits (ECS API reference, AwsVpcConfiguration). */
const MAX_AWSVPC_SUBNETS = 16;
const MAX_AWSVPC_SECURITY_GROUPS = 5;

const ISSUE_TYPE = {
  client: 'ClientException',
  invalid: 'InvalidParameterException',
  clusterNotFound: 'ClusterNotFoundException',
} as const;

export class LocalEcs {
  private readonly tasks = new Map<string, TaskRecord>();
  private readonly clientTokens = new Map<string, { readonly request: string; readonly response: JsonObject }>();
  private readonly scriptedFailures: string[] = [];
  private readonly now: () => number;
  private readonly latencyMs: EcsLatency;
  private readonly throttling: EcsThrottling | undefined;
  private tasksNotStopped = 0;
  private maxNotStopped = 0;

  constructor(private readonly options: EcsOptions) {
    this.now = options.now ?? Date.now;
    this.latencyMs = options.latencyMs ?? DEFAULT_ECS_LATENCY_MS;
    this.throttling = options.rateLimits === false ? undefined : new EcsThrottling();
  }

  /** ThrottlingException answers per operation (empty with rate limits off). */
  throttledAnswers(): Readonly<Record<string, number>> {
    return this.throttling?.throttledAnswers() ?? {};
  }

  /** How long until ECS's buckets are full again (0 with rate limits off). */
  msUntilBucketsFull(): number {
    return this.throttling?.msUntilFull() ?? 0;
  }

  /** Most tasks at once between RunTask and STOPPED since the endpoint started or the last reset. */
  get maxTasksInFlight(): number {
    return this.maxNotStopped;
  }

  resetMaxTasksInFlight(): void {
    this.maxNotStopped = this.tasksNotStopped;
  }

  get clusterArn(): string {
    return `arn:aws:ecs:${this.options.region}:${this.options.accountId}:cluster/${this.options.clusterName}`;
  }

  get taskDefinitionArn(): string {
    const { family, revision } = this.options.taskDefinition;
    return `arn:aws:ecs:${this.options.region}:${this.options.accountId}:task-definition/${family}:${revision}`;
  }

  /** The next `count` RunTask calls return `failures[]` with this reason instead of starting a task. */
  injectRunTaskFailures(count: number, reason = 'RESOURCE:ENI'): void {
    for (let index = 0; index < count; index += 1) this.scriptedFailures.push(reason);
  }

  /** Every task started so far, with its command and state: what the benchmarks and tests inspect. */
  taskSummaries(): { taskArn: string; command: readonly string[]; lastStatus: TaskStatus; exitCode?: number }[] {
    return [...this.tasks.values()].map((task) => ({
      taskArn: task.arn,
      command: task.command,
      lastStatus: task.lastStatus,
      ...(task.container.exitCode === undefined ? {} : { exitCode: task.container.exitCode }),
    }));
  }

  /** Stops every task that still runs (SIGKILL) and waits for them: nothing outlives the endpoint. */
  async shutdown(): Promise<void> {
    const running = [...this.tasks.values()].filter((task) => task.lastStatus !== 'STOPPED');
    for (const task of running) this.stop(task, 'UserInitiated', 'Lab endpoint shut down', 'SIGKILL');
    await Promise.all(running.map((task) => task.stopped));
  }

  service(): JsonService {
    return {
      targetPrefix: 'AmazonEC2ContainerServiceV20141113',
      jsonVersion: '1.1',
      operations: {
        RunTask: (input) => this.answer('RunTask', tasksRequested(input), () => this.runTask(input)),
        DescribeTasks: (input) => this.answer('DescribeTasks', 0, () => this.describeTasks(input)),
        StopTask: (input) => this.answer('StopTask', 0, () => this.stopTask(input)),
      },
    };
  }

  /** The rate check happens on arrival; the work and the answer after the operation's latency. */
  private async answer(operation: keyof EcsLatency, tasks: number, work: () => JsonObject): Promise<JsonObject> {
    this.throttling?.admit(operation, tasks);
    const latencyMs = this.latencyMs[operation];
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return work();
  }

  private checkCluster(cluster: string | undefined): void {
    const name = cluster === undefined ? 'default' : cluster.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:cluster\//, '');
    if (name !== this.options.clusterName) {
      throw new AwsServiceError(ISSUE_TYPE.clusterNotFound, 'Cluster not found.');
    }
  }

  private checkTaskDefinition(reference: string): void {
    const { family, revision } = this.options.taskDefinition;
    const name = reference.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:task-definition\//, '');
    if (name !== family && name !== `${family}:${revision}`) {
      throw new AwsServiceError(ISSUE_TYPE.client, 'TaskDefinition not found.');
    }
  }

  private runTask(input: JsonObject): JsonObject {
    const reader = new InputReader(input, ISSUE_TYPE.invalid);
    this.checkCluster(reader.optionalString('cluster'));
    this.checkTaskDefinition(reader.string('taskDefinition'));
    const clientToken = reader.optionalString('clientToken');
    if (clientToken !== undefined) {
      const previous = this.clientTokens.get(clientToken);
      if (previous) {
        if (previous.request !== JSON.stringify(input)) {
          throw new AwsServiceError(
            ISSUE_TYPE.invalid,
            'The specified clientToken was used with different parameters.',
          );
        }
        return previous.response;
      }
    }
    const count = reader.optionalNumber('count') ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > 10) {
      throw new AwsServiceError(ISSUE_TYPE.invalid, 'count must be between 1 and 10.');
    }
    const launchType = reader.optionalString('launchType');
    const strategy = reader.optionalArray('capacityProviderStrategy');
    if (launchType !== undefined && strategy !== undefined) {
      throw new AwsServiceError(
        ISSUE_TYPE.invalid,
        'Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.',
      );
    }
    if (launchType !== undefined && launchType !== 'FARGATE') {
      throw new AwsServiceError(ISSUE_TYPE.invalid, `The lab runs Fargate tasks only, not ${launchType}.`);
    }
    const awsvpc = new InputReader(
      reader.optionalObject('networkConfiguration') ?? {},
      ISSUE_TYPE.invalid,
    ).optionalObject('awsvpcConfiguration');
    const subnets = awsvpc?.subnets;
    if (!Array.isArray(subnets) || subnets.length === 0) {
      throw new AwsServiceError(
        ISSUE_TYPE.invalid,
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.",
      );
    }
    // The limits of awsvpcConfiguration, worded as ECS words them ("subnets can have at most 16 items.").
    for (const [field, max] of [
      ['subnets', MAX_AWSVPC_SUBNETS],
      ['securityGroups', MAX_AWSVPC_SECURITY_GROUPS],
    ] as const) {
      const items = awsvpc?.[field];
      if (Array.isArray(items) && items.length > max) {
        throw new AwsServiceError(ISSUE_TYPE.invalid, `${field} can have at most ${max} items.`);
      }
    }
    const { command, environment } = this.containerOverride(reader.optionalObject('overrides'));

    const response =
      this.scriptedFailures.length > 0
        ? {
            tasks: [],
            failures: [{ arn: this.taskDefinitionArn, reason: this.scriptedFailures.shift() as string }],
          }
        : {
            tasks: Array.from({ length: count }, () => this.describe(this.start(input, command, environment))),
            failures: [],
          };
    if (clientToken !== undefined) this.clientTokens.set(clientToken, { request: JSON.stringify(input), response });
    return response;
  }

  private containerOverride(overrides: JsonObject | undefined): {
    command: readonly string[];
    environment: Record<string, string>;
  } {
    const containerOverrides =
      new InputReader(overrides ?? {}, ISSUE_TYPE.invalid).optionalArray('containerOverrides') ?? [];
    const { containerName, defaultCommand } = this.options.taskDefinition;
    let command: readonly string[] = defaultCommand;
    const environment: Record<string, string> = {};
    for (const raw of containerOverrides) {
      const override = new InputReader((raw ?? {}) as JsonObject, ISSUE_TYPE.invalid);
      const name = override.optionalString('name');
      if (name !== containerName) {
        throw new AwsServiceError(
          ISSUE_TYPE.invalid,
          `Override for container named ${name} is not a container in the TaskDefinition.`,
        );
      }
      const overrideCommand = override.optionalArray('command');
      if (overrideCommand !== undefined) {
        if (!overrideCommand.every((item) => typeof item === 'string')) {
          throw new AwsServiceError(ISSUE_TYPE.invalid, 'command must be a list of strings');
        }
        command = overrideCommand as string[];
      }
      for (const pair of override.optionalArray('environment') ?? []) {
        const { name: key, value } = (pair ?? {}) as { name?: unknown; value?: unknown };
        if (typeof key === 'string' && typeof value === 'string') environment[key] = value;
      }
    }
    return { command, environment };
  }

  private start(request: JsonObject, command: readonly string[], environment: Record<string, string>): TaskRecord {
    const id = randomBytes(16).toString('hex');
    let markStopped: () => void = () => {};
    const stopped = new Promise<void>((resolve) => {
      markStopped = resolve;
    });
    const task: TaskRecord = {
      id,
      arn: `arn:aws:ecs:${this.options.region}:${this.options.accountId}:task/${this.options.clusterName}/${id}`,
      request,
      command,
      createdAt: this.now(),
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      container: { lastStatus: 'PENDING', exitCode: undefined, reason: undefined },
      timers: new Set(),
      stopped,
      markStopped,
    };
    this.tasks.set(id, task);
    this.tasksNotStopped += 1;
    this.maxNotStopped = Math.max(this.maxNotStopped, this.tasksNotStopped);
    const startDelay = Math.max(0, this.options.startDelayMs());
    this.after(task, startDelay / 2, () => {
      task.lastStatus = 'PENDING';
      task.pullStartedAt = this.now();
    });
    this.after(task, startDelay, () => this.launch(task, environment));
    return task;
  }

  private after(task: TaskRecord, delayMs: number, action: () => void): void {
    const timer = setTimeout(() => {
      task.timers.delete(timer);
      action();
    }, delayMs);
    task.timers.add(timer);
  }

  private launch(task: TaskRecord, environment: Record<string, string>): void {
    const stream = `${this.options.logStreamPrefix}/${this.options.taskDefinition.containerName}/${task.id}`;
    let child: ChildProcess;
    try {
      child = this.options.launchContainer({
        command: task.command,
        environment,
        taskId: task.id,
        subnets: taskSubnets(task.request),
      });
    } catch (error) {
      this.failToStart(task, error);
      return;
    }
    task.process = child;
    task.lastStatus = 'RUNNING';
    task.startedAt = this.now();
    task.container.lastStatus = 'RUNNING';
    this.options.logs.createStream(this.options.logGroup, stream);
    const linesDone: Promise<void>[] = [];
    for (const output of [child.stdout, child.stderr]) {
      if (!output) continue;
      const lines = createInterface({ input: output, crlfDelay: Number.POSITIVE_INFINITY });
      lines.on('line', (line) => this.options.logs.append(this.options.logGroup, stream, line));
      linesDone.push(new Promise((resolve) => lines.once('close', () => resolve())));
    }
    child.once('error', (error) => this.failToStart(task, error));
    child.once('exit', (code, signal) => {
      // The log driver ships every line before ECS reports the container stopped.
      void Promise.all(linesDone).then(() => this.containerExited(task, code, signal));
    });
  }

  private failToStart(task: TaskRecord, error: unknown): void {
    if (task.lastStatus === 'STOPPED') return;
    task.container.reason = `CannotStartContainerError: ${error instanceof Error ? error.message : String(error)}`;
    task.stopCode = 'TaskFailedToStart';
    task.stoppedReason = task.container.reason;
    this.finish(task);
  }

  private containerExited(task: TaskRecord, code: number | null, signal: NodeJS.Signals | null): void {
    task.container.exitCode = code ?? 128 + signalNumber(signal);
    task.container.lastStatus = 'STOPPED';
    task.lastStatus = 'DEPROVISIONING';
    task.desiredStatus = 'STOPPED';
    task.stoppingAt ??= this.now();
    task.stopCode ??= 'EssentialContainerExited';
    task.stoppedReason ??= 'Essential container in task exited';
    this.after(task, this.options.stopDelayMs, () => this.finish(task));
  }

  private finish(task: TaskRecord): void {
    if (task.lastStatus !== 'STOPPED') this.tasksNotStopped -= 1;
    for (const timer of task.timers) clearTimeout(timer);
    task.timers.clear();
    task.lastStatus = 'STOPPED';
    task.desiredStatus = 'STOPPED';
    task.container.lastStatus = 'STOPPED';
    task.stoppingAt ??= this.now();
    task.stoppedAt = this.now();
    task.markStopped();
  }

  private stop(task: TaskRecord, stopCode: 'UserInitiated', reason: string, signal: NodeJS.Signals = 'SIGTERM'): void {
    if (task.lastStatus === 'STOPPED') return;
    task.desiredStatus = 'STOPPED';
    task.stopCode ??= stopCode;
    task.stoppedReason ??= reason;
    task.stoppingAt ??= this.now();
    const child = task.process;
    if (!child) {
      this.finish(task);
      return;
    }
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    if (signal !== 'SIGKILL') {
      const timer = setTimeout(() => child.kill('SIGKILL'), this.options.stopTimeoutMs);
      child.once('exit', () => clearTimeout(timer));
    }
  }

  private findTask(reference: string): TaskRecord | undefined {
    return this.tasks.get(reference.replace(/^arn:[^:]+:ecs:[^:]*:[^:]*:task\/(?:[^/]+\/)?/, ''));
  }

  private describeTasks(input: JsonObject): JsonObject {
    const reader = new InputReader(input, ISSUE_TYPE.invalid);
    this.checkCluster(reader.optionalString('cluster'));
    const references = reader.optionalArray('tasks');
    if (!references || references.length === 0) throw new AwsServiceError(ISSUE_TYPE.invalid, 'Tasks cannot be empty.');
    if (references.length > 100)
      throw new AwsServiceError(ISSUE_TYPE.invalid, 'Tasks cannot have more than 100 elements.');
    const tasks: JsonObject[] = [];
    const failures: JsonObject[] = [];
    for (const reference of references) {
      if (typeof reference !== 'string') throw new AwsServiceError(ISSUE_TYPE.invalid, 'tasks must be strings');
      const task = this.findTask(reference);
      if (task) tasks.push(this.describe(task));
      else failures.push({ arn: reference, reason: 'MISSING' });
    }
    return { tasks, failures };
  }

  private stopTask(input: JsonObject): JsonObject {
    const reader = new InputReader(input, ISSUE_TYPE.invalid);
    this.checkCluster(reader.optionalString('cluster'));
    const task = this.findTask(reader.string('task'));
    if (!task) throw new AwsServiceError(ISSUE_TYPE.invalid, 'The referenced task was not found.');
    this.stop(task, 'UserInitiated', reader.optionalString('reason') ?? 'Task stopped by user');
    return { task: this.describe(task) };
  }

  private describe(task: TaskRecord): JsonObject {
    const optional = (key: string, value: unknown) => (value === undefined ? {} : { [key]: value });
    const time = (key: string, value: number | undefined) =>
      optional(key, value === undefined ? undefined : epochSeconds(value));
    const request = task.request as { overrides?: unknown; startedBy?: unknown; group?: unknown; launchType?: unknown };
    return {
      taskArn: task.arn,
      clusterArn: this.clusterArn,
      taskDefinitionArn: this.taskDefinitionArn,
      lastStatus: task.lastStatus,
      desiredStatus: task.desiredStatus,
      launchType: request.launchType ?? 'FARGATE',
      platformVersion: '1.4.0',
      cpu: '256',
      memory: '512',
      group: request.group ?? `family:${this.options.taskDefinition.family}`,
      ...optional('startedBy', request.startedBy),
      overrides: request.overrides ?? { containerOverrides: [] },
      containers: [
        {
          containerArn: `arn:aws:ecs:${this.options.region}:${this.options.accountId}:container/${this.options.clusterName}/${task.id}/${task.id.slice(0, 8)}`,
          taskArn: task.arn,
          name: this.options.taskDefinition.containerName,
          lastStatus: task.container.lastStatus,
          ...optional('exitCode', task.container.exitCode),
          ...optional('reason', task.container.reason),
        },
      ],
      ...time('createdAt', task.createdAt),
      ...time('pullStartedAt', task.pullStartedAt),
      ...time('startedAt', task.startedAt),
      ...time('stoppingAt', task.stoppingAt),
      ...time('stoppedAt', task.stoppedAt),
      ...optional('stopCode', task.stopCode),
      ...optional('stoppedReason', task.stoppedReason),
    };
  }
}

/** RunTask's count, for Fargate's per-task launch tokens; validation of its range happens in runTask. */
function tasksRequested(input: JsonObject): number {
  const count = input.count;
  return typeof count === 'number' && Number.isInteger(count) && count >= 1 && count <= 10 ? count : 1;
}

// A container killed by a signal exits with 128 + the signal's number, as Docker reports it.
function signalNumber(signal: NodeJS.Signals | null): number {
  return signal === null ? 0 : constants.signals[signal];
}
