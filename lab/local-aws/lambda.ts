import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { LogStore } from './logs.js';
import { AwsServiceError } from './protocol.js';

/**
 * Lambda (REST-JSON, `POST /2015-03-31/functions/{name}/invocations`): each invocation runs the function's built
 * handler in a fresh Node process with the function's environment, the way the Lambda Node.js runtime would, and
 * answers with its result or, on an error or timeout, with X-Amz-Function-Error.
 */

export interface LambdaFunctionSpec {
  readonly name: string;
  /** Directory holding the bundle (Lambda's task root), e.g. dist/orchestrator. */
  readonly taskRoot: string;
  /** `module.export`, as in Lambda's Handler setting, e.g. `index.handler` (index.mjs or index.js). */
  readonly handler: string;
  /** The function's environment variables, as the stack would configure them. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb?: number;
  /** The execution role's session credentials, as Lambda puts them in the function's environment. */
  readonly credentials?: {
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
  };
}

export interface InvocationRecord {
  readonly requestId: string;
  readonly functionName: string;
  readonly event: unknown;
  readonly startedAt: number;
  readonly durationMs: number;
  /** The handler's result, or the error payload. */
  readonly payload: unknown;
  readonly functionError: 'Unhandled' | undefined;
  /** The Node.js version that ran the handler (`process.version`); null when the runtime died before saying. */
  readonly nodeVersion: string | null;
}

export interface InvocationResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

// The runtime's side of an invocation: import the handler, call it with a context, send the outcome over IPC.
const RUNTIME_SCRIPT = `
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [moduleName, exportName] = process.env._HANDLER.split('.');
const candidates = ['.mjs', '.js'].map((extension) => join(process.env.LAMBDA_TASK_ROOT, moduleName + extension));
const send = (message) => process.send({ ...message, nodeVersion: process.version }, () => process.exit(0));
// As Lambda's INIT_START line names the runtime version: here, the Node.js that really runs the handler.
console.log('INIT_START Runtime Version: node ' + process.version);
process.once('message', async ({ event, context, deadline }) => {
  try {
    const file = candidates.find((candidate) => existsSync(candidate));
    if (!file) throw Object.assign(new Error('Cannot find module ' + candidates[0]), { name: 'Runtime.ImportModuleError' });
    const handler = (await import(pathToFileURL(file).href))[exportName];
    if (typeof handler !== 'function') {
      throw Object.assign(new Error(process.env._HANDLER + ' is undefined or not exported'), { name: 'Runtime.HandlerNotFound' });
    }
    const result = await handler(event, {
      ...context,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    });
    send({ ok: true, result: result === undefined ? null : result });
  } catch (error) {
    send({
      ok: false,
      error: {
        errorType: error?.name ?? 'Error',
        errorMessage: error?.message ?? String(error),
        trace: String(error?.stack ?? '').split('\\n'),
      },
    });
  }
});
`;

type RuntimeMessage = (
  | { ok: true; result: unknown }
  | { ok: false; error: { errorType: string; errorMessage: string; trace: string[] } }
) & { nodeVersion?: string };

export class LocalLambda {
  private readonly functions = new Map<string, LambdaFunctionSpec>();
  private readonly running = new Set<ChildProcess>();
  readonly invocations: InvocationRecord[] = [];

  constructor(
    private readonly options: {
      readonly region: string;
      readonly accountId: string;
      readonly logs: LogStore;
      /** Credentials, region and endpoint variables every function process gets, like Lambda's execution role. */
      readonly runtimeEnvironment: () => Record<string, string>;
      /** The node binary that runs every function (production: Node.js 24); default this process's. */
      readonly nodePath?: string;
    },
  ) {}

  /** The registered function of that name, if any. */
  spec(name: string): LambdaFunctionSpec | undefined {
    return this.functions.get(name);
  }

  register(spec: LambdaFunctionSpec): string {
    this.functions.set(spec.name, spec);
    return this.arnOf(spec.name);
  }

  arnOf(name: string): string {
    return `arn:aws:lambda:${this.options.region}:${this.options.accountId}:function:${name}`;
  }

  /** Kills invocations still running. */
  shutdown(): void {
    for (const child of this.running) child.kill('SIGKILL');
  }

  /** The HTTP side: path parameters and headers in, status, headers and payload out. */
  async handleInvoke(
    functionReference: string,
    qualifier: string | undefined,
    headers: Readonly<Record<string, string | undefined>>,
    body: Buffer,
  ): Promise<InvocationResponse> {
    const reference = this.parseReference(functionReference);
    const name = reference.name;
    const version = qualifier ?? reference.qualifier;
    const spec = this.functions.get(name);
    if (!spec || (version !== undefined && version !== '$LATEST')) {
      throw new AwsServiceError(
        'ResourceNotFoundException',
        `Function not found: ${this.arnOf(name)}${version ? `:${version}` : ''}`,
        { statusCode: 404 },
      );
    }
    let event: unknown = null;
    if (body.length > 0) {
      try {
        event = JSON.parse(body.toString('utf8'));
      } catch {
        throw new AwsServiceError('InvalidRequestContentException', 'Could not parse request body into json', {
          statusCode: 400,
        });
      }
    }
    const invocationType = headers['x-amz-invocation-type'] ?? 'RequestResponse';
    if (invocationType === 'DryRun') return { statusCode: 204, headers: {}, body: '' };
    if (invocationType === 'Event') {
      void this.invoke(spec, event);
      return { statusCode: 202, headers: {}, body: '' };
    }
    if (invocationType !== 'RequestResponse') {
      throw new AwsServiceError('InvalidParameterValueException', `Unsupported InvocationType ${invocationType}`);
    }
    const { record, logTail } = await this.invoke(spec, event);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'application/json',
        'x-amz-executed-version': '$LATEST',
        'x-amzn-requestid': record.requestId,
        ...(record.functionError ? { 'x-amz-function-error': record.functionError } : {}),
        ...(headers['x-amz-log-type'] === 'Tail'
          ? { 'x-amz-log-result': Buffer.from(logTail.slice(-4096)).toString('base64') }
          : {}),
      },
      body: JSON.stringify(record.payload),
    };
  }

  /** Name, name:qualifier, full ARN or partial ARN (123456789012:function:name[:qualifier]). */
  private parseReference(reference: string): { name: string; qualifier: string | undefined } {
    const match = /(?:^|:function:)([A-Za-z0-9_-]+)(?::([^:]+))?$/.exec(reference);
    return { name: match?.[1] ?? reference, qualifier: match?.[2] };
  }

  private async invoke(
    spec: LambdaFunctionSpec,
    event: unknown,
  ): Promise<{ record: InvocationRecord; logTail: string }> {
    const requestId = randomUUID();
    const startedAt = Date.now();
    const deadline = startedAt + spec.timeoutSeconds * 1000;
    const logGroup = `/aws/lambda/${spec.name}`;
    const day = new Date(startedAt).toISOString().slice(0, 10).replaceAll('-', '/');
    const logStream = `${day}/[$LATEST]${requestId.replaceAll('-', '')}`;
    const log = (line: string) => this.options.logs.append(logGroup, logStream, line);
    let logTail = '';
    log(`START RequestId: ${requestId} Version: $LATEST`);

    const child = spawn(this.options.nodePath ?? process.execPath, ['--input-type=module', '-e', RUNTIME_SCRIPT], {
      cwd: spec.taskRoot,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TZ: ':UTC',
        LANG: 'en_US.UTF-8',
        ...this.options.runtimeEnvironment(),
        ...(spec.credentials === undefined
          ? {}
          : {
              AWS_ACCESS_KEY_ID: spec.credentials.accessKeyId,
              AWS_SECRET_ACCESS_KEY: spec.credentials.secretAccessKey,
              ...(spec.credentials.sessionToken === undefined
                ? {}
                : { AWS_SESSION_TOKEN: spec.credentials.sessionToken }),
            }),
        ...spec.environment,
        _HANDLER: spec.handler,
        LAMBDA_TASK_ROOT: spec.taskRoot,
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs',
        AWS_LAMBDA_FUNCTION_NAME: spec.name,
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memorySizeMb ?? 512),
        AWS_LAMBDA_LOG_GROUP_NAME: logGroup,
        AWS_LAMBDA_LOG_STREAM_NAME: logStream,
        // The deployed runtime is a current Node.js; the SDK's warning about the lab's older one is noise here.
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
    });
    this.running.add(child);
    for (const output of [child.stdout, child.stderr]) {
      if (!output) continue;
      createInterface({ input: output, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        log(line);
        logTail += `${line}\n`;
      });
    }
    const context = {
      functionName: spec.name,
      functionVersion: '$LATEST',
      invokedFunctionArn: this.arnOf(spec.name),
      memoryLimitInMB: String(spec.memorySizeMb ?? 512),
      awsRequestId: requestId,
      logGroupName: logGroup,
      logStreamName: logStream,
    };

    // 'close' comes after the last output line and the IPC channel: a result sent just before exiting is never lost.
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const outcome = await new Promise<RuntimeMessage>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        resolve({
          ok: false,
          error: {
            errorType: 'Sandbox.Timedout',
            errorMessage: `${new Date().toISOString()} ${requestId} Task timed out after ${spec.timeoutSeconds.toFixed(2)} seconds`,
            trace: [],
          },
        });
      }, deadline - Date.now());
      child.once('message', (message: RuntimeMessage) => resolve(message));
      child.once('spawn', () => child.send({ event, context, deadline }));
      void closed.then(() => {
        clearTimeout(timer);
        resolve({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited ${child.signalCode ? `with signal: ${child.signalCode}` : `with error: exit status ${child.exitCode}`}`,
            trace: [],
          },
        });
      });
    });
    await closed;
    this.running.delete(child);

    const durationMs = Date.now() - startedAt;
    if (!outcome.ok) log(JSON.stringify(outcome.error));
    log(`END RequestId: ${requestId}`);
    log(`REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms`);
    const record: InvocationRecord = {
      requestId,
      functionName: spec.name,
      event,
      startedAt,
      durationMs,
      payload: outcome.ok ? outcome.result : outcome.error,
      functionError: outcome.ok ? undefined : 'Unhandled',
      nodeVersion: outcome.nodeVersion ?? null,
    };
    this.invocations.push(record);
    return { record, logTail };
  }
}
