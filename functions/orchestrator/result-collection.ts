import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { Container, Task } from '@aws-sdk/client-ecs';
import type { CanaryTarget } from '../shared/config.js';
import { EXIT_CODE_BY_OUTCOME, isProbeOutcome, outcomeForExitCode } from '../shared/outcomes.js';
import { isIpLiteral, parseAddress } from '../shared/port25-rule.js';
import { formatTarget } from '../shared/probe-command.js';
import type { ProbeResult } from '../shared/probe-result.js';
import { type Clock, callWithRetry } from './aws-retry.js';
import { AwsCallError } from './errors.js';
import { type TargetObservation, taskFailedObservation } from './observation.js';
import type { ProbeTaskSettings } from './runtime-config.js';

/**
 * The awslogs driver ships a stopped container's last lines within seconds: look a few times before giving up. A
 * read follows at most `maxPages` pages: GetLogEvents may answer empty pages before the events, so pages, not events,
 * bound it (a probe's stream holds a few lines).
 */
export const LOG_READ_POLICY = { attempts: 3, delayMs: 2_000, maxPages: 20 } as const;

export function taskIdOf(taskArn: string): string {
  return taskArn.slice(taskArn.lastIndexOf('/') + 1);
}

/** The awslogs driver's stream name: prefix/container-name/task-id. */
export function probeLogStreamName(settings: ProbeTaskSettings, taskArn: string): string {
  return `${settings.logStreamPrefix}/${settings.containerName}/${taskIdOf(taskArn)}`;
}

/** By name, never by position: ECS lists containers in no promised order and sidecars may come first. */
export function findProbeContainer(task: Task, containerName: string): Container | undefined {
  return task.containers?.find((container) => container.name === containerName);
}

function isNullableString(value: unknown): value is string | null {
  return value === null || typeof value === 'string';
}

function isNullableNumber(value: unknown): value is number | null {
  return value === null || typeof value === 'number';
}

/** Absent (an older probe), null, or a control report whose outcome is in the vocabulary. */
function isControlReport(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== 'object') return false;
  const control = value as Record<string, unknown>;
  return typeof control.port === 'number' && isProbeOutcome(control.outcome);
}

/** Parses one log line as the probe's result object; undefined for anything else (stderr lines, partial JSON). */
export function parseProbeResultLine(line: string): ProbeResult | undefined {
  const text = line.trim();
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Not JSON: one of the probe's human-readable stderr lines that happens to start with a brace.
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Record<string, unknown>;
  const wellFormed =
    typeof candidate.target === 'string' &&
    typeof candidate.host === 'string' &&
    typeof candidate.port === 'number' &&
    isNullableString(candidate.address) &&
    isProbeOutcome(candidate.outcome) &&
    isNullableNumber(candidate.connectMs) &&
    isControlReport(candidate.control) &&
    isNullableString(candidate.greeting) &&
    typeof candidate.diagnosis === 'string' &&
    Array.isArray(candidate.attempts) &&
    candidate.attempts.every(
      (attempt) =>
        typeof attempt === 'object' && attempt !== null && isProbeOutcome((attempt as { outcome?: unknown }).outcome),
    );
  return wellFormed ? (candidate as unknown as ProbeResult) : undefined;
}

function isResultFor(result: ProbeResult, target: CanaryTarget): boolean {
  if (result.target === formatTarget(target.host, target.port)) return true;
  return result.host.toLowerCase() === target.host.toLowerCase() && result.port === target.port;
}

/** The probe's result for this target among the stream's lines (stderr logging shares the stream). */
export function probeResultFor(messages: readonly string[], target: CanaryTarget): ProbeResult | undefined {
  for (const message of messages) {
    for (const line of message.split('\n')) {
      const result = parseProbeResultLine(line);
      if (result !== undefined && isResultFor(result, target)) return result;
    }
  }
  return undefined;
}

async function readLogMessages(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  logStreamName: string,
  clock: Clock,
  notAfter: number,
  isEnough: (messages: readonly string[]) => boolean,
): Promise<string[]> {
  const messages: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < LOG_READ_POLICY.maxPages; page += 1) {
    // Later pages only while the run has time: what was read so far is judged as it is.
    if (page > 0 && clock.now() >= notAfter) break;
    const response = await callWithRetry(
      `CloudWatch Logs GetLogEvents (${logGroupName}:${logStreamName})`,
      () =>
        logs.send(
          new GetLogEventsCommand({
            logGroupName,
            logStreamName,
            startFromHead: true,
            ...(nextToken === undefined ? {} : { nextToken }),
          }),
        ),
      clock,
      { notAfter },
    );
    for (const event of response.events ?? []) if (event.message !== undefined) messages.push(event.message);
    // Only the token handed back unchanged marks the end: an empty page with a new token may come before more events.
    const end = response.nextForwardToken === undefined || response.nextForwardToken === nextToken;
    if (isEnough(messages) || end) break;
    nextToken = response.nextForwardToken;
  }
  return messages;
}

interface LogReading {
  readonly result: ProbeResult | undefined;
  /** Why no result was found, in words. */
  readonly problem: string;
}

/** Reads the stream up to LOG_READ_POLICY.attempts times, never sleeping past `notAfter`. */
async function readProbeResult(
  logs: CloudWatchLogsClient,
  settings: ProbeTaskSettings,
  target: CanaryTarget,
  taskArn: string,
  clock: Clock,
  notAfter: number,
): Promise<LogReading> {
  const stream = probeLogStreamName(settings, taskArn);
  const where = `log stream ${settings.logGroup}:${stream}`;
  if (clock.now() >= notAfter)
    return { result: undefined, problem: `${where} not read: no time left before the run deadline` };
  let problem = `no result line in ${where}`;
  for (let attempt = 1; attempt <= LOG_READ_POLICY.attempts; attempt += 1) {
    if (attempt > 1) {
      if (clock.now() + LOG_READ_POLICY.delayMs > notAfter)
        return { result: undefined, problem: `${problem}; gave up looking at the run deadline` };
      await clock.sleep(LOG_READ_POLICY.delayMs);
    }
    try {
      const messages = await readLogMessages(
        logs,
        settings.logGroup,
        stream,
        clock,
        notAfter,
        (lines) => probeResultFor(lines, target) !== undefined,
      );
      const result = probeResultFor(messages, target);
      if (result !== undefined) return { result, problem: '' };
      problem = `no result line for ${formatTarget(target.host, target.port)} in ${where} (${messages.length} lines)`;
    } catch (error) {
      if (!(error instanceof AwsCallError)) throw error;
      // The operation in the message names the log group and stream.
      if (error.code !== 'ResourceNotFoundException') return { result: undefined, problem: error.message };
      problem = `${where} does not exist`;
    }
  }
  return { result: undefined, problem };
}

function stoppedWithoutExitCode(task: Task, container: Container): string {
  const parts = [
    task.stopCode === undefined ? undefined : `stopCode ${task.stopCode}`,
    task.stoppedReason,
    container.reason === undefined ? undefined : `container ${container.name}: ${container.reason}`,
  ].filter((part): part is string => part !== undefined && part !== '');
  return `the probe container never exited (no exit code): ${parts.join('; ') || 'ECS gave no reason'}`;
}

function fromProbeResult(result: ProbeResult, exitCode: number, taskArn: string): TargetObservation {
  const expectedExitCode = EXIT_CODE_BY_OUTCOME[result.outcome];
  return {
    outcome: result.outcome,
    attempts:
      result.attempts.length === 0
        ? [{ outcome: result.outcome, address: result.address }]
        : result.attempts.map((attempt) => ({ outcome: attempt.outcome, address: attempt.address })),
    address: result.address,
    control: result.control ?? null,
    connectMs: result.connectMs,
    greeting: result.greeting,
    diagnosis: result.diagnosis,
    taskArn,
    detail:
      exitCode === expectedExitCode
        ? null
        : `the probe reported ${result.outcome} but exited with code ${exitCode} (expected ${expectedExitCode})`,
    source: 'result-line',
  };
}

/** An IP literal is the address the probe dialled even when its result line is lost; a host name tells us nothing. */
function literalAddress(host: string): string | null {
  return isIpLiteral(host) ? parseAddress(host).correctForm() : null;
}

function fromExitCode(
  target: CanaryTarget,
  exitCode: number,
  container: Container,
  problem: string,
  taskArn: string,
): TargetObservation {
  const outcome = outcomeForExitCode(exitCode);
  const containerReason = container.reason === undefined ? '' : `; container reason: ${container.reason}`;
  const address = outcome === undefined ? null : literalAddress(target.host);
  const base = {
    attempts: [{ outcome: outcome ?? 'error', address }],
    address,
    control: null,
    connectMs: null,
    greeting: null,
    taskArn,
    source: 'exit-code',
  } as const;
  if (outcome === undefined) {
    return {
      ...base,
      outcome: 'error',
      diagnosis: `The probe exited with code ${exitCode}, which it never uses: it crashed or was killed.`,
      detail: `${problem}; exit code ${exitCode} is not a probe exit code${containerReason}`,
    };
  }
  return {
    ...base,
    outcome,
    diagnosis: `The probe exited with code ${exitCode} (${outcome}); its result line is missing, so only the outcome is known.`,
    detail: `${problem}; outcome taken from the container's exit code ${exitCode}${containerReason}`,
  };
}

/**
 * Turns a STOPPED probe task into an observation: the probe's JSON result line when the log stream has it, else the
 * container's exit code; a container that never exited makes the target task-failed, never a pass. No log read starts
 * and no retry sleeps past `notAfter`.
 */
export async function collectTargetObservation(
  logs: CloudWatchLogsClient,
  settings: ProbeTaskSettings,
  target: CanaryTarget,
  task: Task,
  clock: Clock,
  notAfter: number,
): Promise<TargetObservation> {
  const taskArn = task.taskArn ?? 'unknown';
  const container = findProbeContainer(task, settings.containerName);
  if (container === undefined) {
    const names = (task.containers ?? []).map((candidate) => candidate.name ?? '?').join(', ') || 'none';
    const reason = task.stoppedReason === undefined ? '' : `; stoppedReason: ${task.stoppedReason}`;
    return taskFailedObservation(
      `the task has no container named ${JSON.stringify(settings.containerName)} (containers: ${names})${reason}`,
      taskArn,
    );
  }
  const exitCode = container.exitCode;
  if (exitCode === undefined || exitCode === null) {
    return taskFailedObservation(stoppedWithoutExitCode(task, container), taskArn);
  }
  const reading = await readProbeResult(logs, settings, target, taskArn, clock, notAfter);
  if (reading.result !== undefined) return fromProbeResult(reading.result, exitCode, taskArn);
  return fromExitCode(target, exitCode, container, reading.problem, taskArn);
}
