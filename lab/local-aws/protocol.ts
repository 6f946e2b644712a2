/**
 * Wire-level pieces shared by the local services: the AWS JSON error shape and field validation that names the
 * culprit the way the real services do.
 */

/** An error the local endpoint returns to the SDK as an AWS error response (`__type` + message). */
export class AwsServiceError extends Error {
  readonly type: string;
  readonly statusCode: number;
  /** For CloudWatch's awsQuery-compatible JSON protocol: the legacy Query error code. */
  readonly queryCode: string | undefined;
  constructor(type: string, message: string, options: { statusCode?: number; queryCode?: string } = {}) {
    super(message);
    this.name = 'AwsServiceError';
    this.type = type;
    this.statusCode = options.statusCode ?? 400;
    this.queryCode = options.queryCode;
  }
}

export type JsonObject = Record<string, unknown>;

/** One decoded request: the operation and its JSON input. */
export interface ServiceRequest {
  readonly operation: string;
  readonly input: JsonObject;
}

/** A service speaking one of the AWS JSON protocols (X-Amz-Target dispatch). */
export interface JsonService {
  /** The X-Amz-Target prefix, e.g. `AmazonEC2ContainerServiceV20141113`. */
  readonly targetPrefix: string;
  /** `1.0` or `1.1`: the Content-Type version of the protocol. */
  readonly jsonVersion: '1.0' | '1.1';
  readonly operations: Readonly<Record<string, (input: JsonObject) => Promise<JsonObject> | JsonObject>>;
}

export function unknownOperation(target: string): AwsServiceError {
  return new AwsServiceError('UnknownOperationException', `Operation ${target} is not supported by the lab endpoint`);
}

/** Field readers that throw the service's validation error type. */
export class InputReader {
  constructor(
    private readonly input: JsonObject,
    private readonly errorType: string,
  ) {}

  private fail(message: string): never {
    throw new AwsServiceError(this.errorType, message);
  }

  optionalString(name: string): string | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string') this.fail(`${name} must be a string`);
    return value;
  }

  string(name: string): string {
    const value = this.optionalString(name);
    if (value === undefined || value === '') this.fail(`${name} is required`);
    return value;
  }

  optionalNumber(name: string): number | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(`${name} must be a number`);
    return value;
  }

  optionalBoolean(name: string): boolean | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'boolean') this.fail(`${name} must be a boolean`);
    return value;
  }

  optionalArray(name: string): unknown[] | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (!Array.isArray(value)) this.fail(`${name} must be a list`);
    return value;
  }

  optionalObject(name: string): JsonObject | undefined {
    const value = this.input[name];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) this.fail(`${name} must be a structure`);
    return value as JsonObject;
  }
}

/** Seconds since the epoch, as the AWS JSON protocols encode timestamps. */
export function epochSeconds(milliseconds: number): number {
  return milliseconds / 1000;
}
