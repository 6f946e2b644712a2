import { AwsServiceError, InputReader, type JsonObject, type JsonService } from './protocol.js';

/** CloudWatch Logs (awsJson1_1, `Logs_20140328`): log groups and streams written by the local ECS and Lambda. */

export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly ingestionTime: number;
}

const MAX_LIMIT = 10_000;
const TOKEN_PATTERN = /^([fb])\/(\d{1,56})$/;

// Real tokens are opaque; these encode the event index (and how many empty pages led to it), padded like the real
// ones' length.
const token = (direction: 'f' | 'b', index: number, emptyPages = 0) =>
  `${direction}/${String(emptyPages).padStart(2, '0')}${String(index).padStart(54, '0')}`;

function parseToken(text: string): { direction: 'f' | 'b'; index: number; emptyPages: number } {
  const match = TOKEN_PATTERN.exec(text);
  if (!match) throw new AwsServiceError('InvalidParameterException', 'The specified nextToken is invalid.');
  const digits = match[2] as string;
  const [emptyPages, index] = digits.length === 56 ? [digits.slice(0, 2), digits.slice(2)] : ['0', digits];
  return { direction: match[1] as 'f' | 'b', index: Number(index), emptyPages: Number(emptyPages) };
}

export interface LogStoreOptions {
  readonly now?: () => number;
  /**
   * Forward reads that have events to give first answer this many empty pages, each with a new token, as the real
   * service may (GetLogEvents can return empty pages while more events follow; only a token handed back unchanged marks
   * the end). Default 0.
   */
  readonly emptyPagesBeforeEvents?: number;
}

export class LogStore {
  private readonly groups = new Map<string, Map<string, LogEvent[]>>();
  private readonly now: () => number;
  private readonly emptyPagesBeforeEvents: number;

  constructor(options: LogStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.emptyPagesBeforeEvents = Math.min(99, Math.max(0, options.emptyPagesBeforeEvents ?? 0));
  }

  createGroup(group: string): void {
    if (!this.groups.has(group)) this.groups.set(group, new Map());
  }

  /** What the awslogs driver does when a container starts: the stream exists from then on, possibly empty. */
  createStream(group: string, stream: string): void {
    this.createGroup(group);
    const streams = this.groups.get(group) as Map<string, LogEvent[]>;
    if (!streams.has(stream)) streams.set(stream, []);
  }

  append(group: string, stream: string, message: string, timestamp = this.now()): void {
    this.createStream(group, stream);
    this.groups.get(group)?.get(stream)?.push({ timestamp, message, ingestionTime: this.now() });
  }

  events(group: string, stream: string): readonly LogEvent[] {
    return this.groups.get(group)?.get(stream) ?? [];
  }

  streams(group: string): string[] {
    return [...(this.groups.get(group)?.keys() ?? [])];
  }

  /** GetLogEvents, with the real service's paging: forward tokens stay put when there is nothing new. */
  getLogEvents(input: JsonObject): JsonObject {
    const reader = new InputReader(input, 'InvalidParameterException');
    const groupName = reader.optionalString('logGroupName') ?? groupNameOf(reader.optionalString('logGroupIdentifier'));
    const streamName = reader.string('logStreamName');
    const limit = reader.optionalNumber('limit') ?? MAX_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
      throw new AwsServiceError('InvalidParameterException', `limit must be between 1 and ${MAX_LIMIT}`);
    }
    const startTime = reader.optionalNumber('startTime');
    const endTime = reader.optionalNumber('endTime');
    const nextToken = reader.optionalString('nextToken');
    const startFromHead = reader.optionalBoolean('startFromHead') ?? false;

    const streams = this.groups.get(groupName);
    if (!streams) throw new AwsServiceError('ResourceNotFoundException', 'The specified log group does not exist.');
    const stored = streams.get(streamName);
    if (!stored) throw new AwsServiceError('ResourceNotFoundException', 'The specified log stream does not exist.');
    const all = stored.filter(
      (event) =>
        (startTime === undefined || event.timestamp >= startTime) &&
        (endTime === undefined || event.timestamp < endTime),
    );

    let from: number;
    let to: number;
    let forward = startFromHead;
    let emptyPagesSoFar = 0;
    if (nextToken !== undefined) {
      const parsed = parseToken(nextToken);
      const position = Math.min(parsed.index, all.length);
      forward = parsed.direction === 'f';
      emptyPagesSoFar = parsed.emptyPages;
      [from, to] = forward
        ? [position, Math.min(all.length, position + limit)]
        : [Math.max(0, position - limit), position];
    } else if (startFromHead) {
      [from, to] = [0, Math.min(all.length, limit)];
    } else {
      [from, to] = [Math.max(0, all.length - limit), all.length];
    }
    if (forward && from < to && emptyPagesSoFar < this.emptyPagesBeforeEvents) {
      return {
        events: [],
        nextForwardToken: token('f', from, emptyPagesSoFar + 1),
        nextBackwardToken: token('b', from),
      };
    }
    // The end of the stream: the same token comes back.
    if (forward && from === to && nextToken !== undefined) {
      return { events: [], nextForwardToken: nextToken, nextBackwardToken: token('b', from) };
    }
    return {
      events: all.slice(from, to).map((event) => ({ ...event })),
      nextForwardToken: token('f', to),
      nextBackwardToken: token('b', from),
    };
  }
}

function groupNameOf(identifier: string | undefined): string {
  if (identifier === undefined) {
    throw new AwsServiceError('InvalidParameterException', 'Either logGroupName or logGroupIdentifier is required');
  }
  // An ARN identifier: arn:aws:logs:region:account:log-group:NAME
  const match = /^arn:[^:]+:logs:[^:]*:[^:]*:log-group:([^:]+)/.exec(identifier);
  return match?.[1] ?? identifier;
}

export function logsService(store: LogStore): JsonService {
  return {
    targetPrefix: 'Logs_20140328',
    jsonVersion: '1.1',
    operations: {
      GetLogEvents: (input) => store.getLogEvents(input),
    },
  };
}
