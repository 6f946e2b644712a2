import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { type AuthorizationState, invokeChecks, jsonRequestChecks, queryChecks } from './authorization.js';
import { LocalCloudFormation, type LocalStack } from './cloudformation.js';
import { cloudWatchService, MetricStore } from './cloudwatch.js';
import { EC2_API_VERSION, ec2ErrorBody, LocalEc2, type LocalVpcSpec } from './ec2.js';
import { type ContainerLauncher, type EcsLatency, LocalEcs, type TaskDefinitionSpec } from './ecs.js';
import { EventStore, eventBridgeService } from './eventbridge.js';
import { AccessDeniedError, type AuthorizationRequest, type LocalIam, type LocalPrincipal } from './iam.js';
import { LocalLambda } from './lambda.js';
import { LogStore, logsService } from './logs.js';
import { AwsServiceError, type JsonObject, type JsonService, unknownOperation } from './protocol.js';

/**
 * A local AWS endpoint on 127.0.0.1 speaking the real wire protocols of the services the canary uses, so the
 * unmodified AWS SDK v3 clients of the orchestrator and the CLI talk to it through AWS_ENDPOINT_URL_* variables.
 */

export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIAP25LABLOCAL00000',
  secretAccessKey: 'port25-canary-lab-secret-not-a-real-key',
} as const;

export interface LocalAwsOptions {
  readonly region?: string;
  readonly accountId?: string;
  readonly clusterName: string;
  readonly taskDefinition: TaskDefinitionSpec;
  readonly logGroup: string;
  readonly logStreamPrefix: string;
  readonly launchContainer: ContainerLauncher;
  readonly taskStartDelayMs?: () => number;
  readonly taskStopDelayMs?: number;
  readonly taskStopTimeoutMs?: number;
  /** Deployed stacks CloudFormation DescribeStacks answers with (the lab's synthesized stack and its outputs). */
  readonly stacks?: readonly LocalStack[];
  /** ECS's answer latency per operation (default: a few hundred ms for RunTask, as AWS). */
  readonly ecsLatencyMs?: EcsLatency;
  /** ECS's documented token buckets, answered with ThrottlingException (default on). */
  readonly ecsRateLimits?: boolean;
  /** GetLogEvents answers this many empty, non-final pages before a page with events (default 0). */
  readonly logEmptyPagesBeforeEvents?: number;
  /** The node binary Lambda functions run on (the lab: Node.js 24, as production); default this process's. */
  readonly lambdaNodePath?: string;
  /** The VPCs (and their subnets) EC2's DescribeVpcs and DescribeSubnets know; none by default. */
  readonly vpcs?: readonly LocalVpcSpec[];
  /**
   * Identities and authorization: each request's access key names its principal, and every request is evaluated
   * against the principal's identity policies and the resource's policy. Without it, the one LOCAL_CREDENTIALS key
   * signs everything and nothing is authorized (the unit tests of the protocols).
   */
  readonly iam?: LocalIam;
  /** Resource policies and role ARNs the authorization needs beyond what the endpoint knows itself. */
  readonly resourcePolicies?: {
    readonly functionPolicy?: AuthorizationState['functionOf'];
    readonly busPolicy?: AuthorizationState['busPolicyOf'];
    readonly taskRoleArn?: string;
    readonly executionRoleArn?: string;
  };
}

/** An error the endpoint returns instead of running an operation (throttling, outages), for retry tests. */
export interface InjectedFault {
  readonly operation: string;
  readonly type: string;
  readonly message: string;
  readonly statusCode: number;
  remaining: number;
}

export interface RequestRecord {
  readonly operation: string;
  readonly contentEncoding: string | undefined;
  readonly bytes: number;
}

export interface LocalAws {
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  readonly ec2: LocalEc2;
  readonly ecs: LocalEcs;
  readonly logs: LogStore;
  readonly metrics: MetricStore;
  readonly lambda: LocalLambda;
  /** Every event PutEvents accepted, in order. */
  readonly events: EventStore;
  /** Requests per operation name (RunTask, DescribeTasks, StopTask, GetLogEvents, PutMetricData, Invoke, ...). */
  callCounts(): Record<string, number>;
  /** Every request received: operation, Content-Encoding and body size on the wire. */
  requests(): readonly RequestRecord[];
  /** The next `count` calls of `operation` fail with this AWS error. */
  injectFault(operation: string, type: string, message: string, count?: number, statusCode?: number): void;
  /** Variables that point the AWS SDK of a child process at this endpoint, with dummy credentials. */
  environment(): Record<string, string>;
  close(): Promise<void>;
}

const LAMBDA_INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

async function readBody(request: IncomingMessage, operation: string, log: RequestRecord[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const body = Buffer.concat(chunks);
  log.push({ operation, contentEncoding: request.headers['content-encoding'], bytes: body.length });
  // The SDK gzips large PutMetricData bodies (request compression).
  return (request.headers['content-encoding'] ?? '').includes('gzip') ? gunzipSync(body) : body;
}

function sendError(response: ServerResponse, error: AwsServiceError, jsonVersion: string, requestId: string): void {
  response.writeHead(error.statusCode, {
    'content-type': `application/x-amz-json-${jsonVersion}`,
    'x-amzn-requestid': requestId,
    'x-amzn-errortype': error.type,
    ...(error.queryCode ? { 'x-amzn-query-error': `${error.queryCode};Sender` } : {}),
  });
  response.end(JSON.stringify({ __type: error.type, message: error.message }));
}

export async function startLocalAws(options: LocalAwsOptions): Promise<LocalAws> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '000000000000';
  const counts: Record<string, number> = {};
  const faults: InjectedFault[] = [];
  const requestLog: RequestRecord[] = [];
  const logs = new LogStore({ emptyPagesBeforeEvents: options.logEmptyPagesBeforeEvents ?? 0 });
  const metrics = new MetricStore();
  logs.createGroup(options.logGroup);
  const ecs = new LocalEcs({
    region,
    accountId,
    clusterName: options.clusterName,
    taskDefinition: options.taskDefinition,
    logGroup: options.logGroup,
    logStreamPrefix: options.logStreamPrefix,
    logs,
    launchContainer: options.launchContainer,
    startDelayMs: options.taskStartDelayMs ?? (() => 1000 + Math.random() * 2000),
    stopDelayMs: options.taskStopDelayMs ?? 200,
    stopTimeoutMs: options.taskStopTimeoutMs ?? 5000,
    ...(options.ecsLatencyMs === undefined ? {} : { latencyMs: options.ecsLatencyMs }),
    ...(options.ecsRateLimits === undefined ? {} : { rateLimits: options.ecsRateLimits }),
  });
  let url = '';
  const environment = (): Record<string, string> => ({
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    // Anything the SDK would otherwise read from the machine stays out: no profile, no instance metadata.
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    // The catch-all keeps any other service away from real AWS too.
    AWS_ENDPOINT_URL: url,
    AWS_ENDPOINT_URL_EC2: url,
    AWS_ENDPOINT_URL_ECS: url,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: url,
    AWS_ENDPOINT_URL_CLOUDWATCH: url,
    AWS_ENDPOINT_URL_LAMBDA: url,
    AWS_ENDPOINT_URL_CLOUDFORMATION: url,
  });
  const cloudFormation = new LocalCloudFormation(region, accountId);
  for (const stack of options.stacks ?? []) cloudFormation.addStack(stack);
  const ec2 = new LocalEc2(options.vpcs ?? [], region, accountId);
  const lambda = new LocalLambda({
    region,
    accountId,
    logs,
    runtimeEnvironment: environment,
    ...(options.lambdaNodePath === undefined ? {} : { nodePath: options.lambdaNodePath }),
  });
  // Run events land here; the lab reads them back from the store.
  const runEvents = new EventStore();
  const services = new Map<string, JsonService>(
    [ecs.service(), logsService(logs), cloudWatchService(metrics), eventBridgeService(runEvents)].map((service) => [
      service.targetPrefix,
      service,
    ]),
  );

  const takeFault = (operation: string): AwsServiceError | undefined => {
    const fault = faults.find((candidate) => candidate.operation === operation && candidate.remaining > 0);
    if (!fault) return undefined;
    fault.remaining -= 1;
    return new AwsServiceError(fault.type, fault.message, { statusCode: fault.statusCode });
  };

  const invalidToken = () =>
    new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', {
      statusCode: 403,
    });
  /**
   * The SDK signs with SigV4: the access key in the Credential scope names the caller. Without IAM only
   * LOCAL_CREDENTIALS is accepted and the caller is undefined (nothing is authorized); with IAM every key must be one
   * the local IAM issued.
   */
  const checkSigned = (request: IncomingMessage): LocalPrincipal | undefined => {
    const authorization = request.headers.authorization ?? '';
    const accessKeyId = /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]+)\//.exec(authorization)?.[1];
    if (accessKeyId === undefined) throw invalidToken();
    if (options.iam === undefined) {
      if (accessKeyId !== LOCAL_CREDENTIALS.accessKeyId) throw invalidToken();
      return undefined;
    }
    const principal = options.iam.principalFor(accessKeyId);
    if (principal === undefined) throw invalidToken();
    return principal;
  };

  const authorizationState = (): AuthorizationState => ({
    region,
    accountId,
    clusterArn: ecs.clusterArn,
    taskDefinitionArn: ecs.taskDefinitionArn,
    taskRoleArn: options.resourcePolicies?.taskRoleArn,
    executionRoleArn: options.resourcePolicies?.executionRoleArn,
    functionOf: (name) => options.resourcePolicies?.functionPolicy?.(name),
    busPolicyOf: (name) => options.resourcePolicies?.busPolicy?.(name),
    stackIdOf: (name) => cloudFormation.stackIdOf(name) ?? '00000000-0000-4000-8000-000000000000',
  });

  /** Every check must pass; the first denial becomes the service's own access-denied error. */
  const authorize = async (
    checks: readonly AuthorizationRequest[],
    denied: (message: string) => AwsServiceError,
  ): Promise<void> => {
    if (options.iam === undefined) return;
    for (const check of checks) {
      try {
        await options.iam.authorize(check);
      } catch (error) {
        if (error instanceof AccessDeniedError) throw denied(error.message);
        throw error;
      }
    }
  };

  const handleJson = async (request: IncomingMessage, response: ServerResponse, target: string, requestId: string) => {
    const [prefix = '', operation = ''] = target.split('.');
    const service = services.get(prefix);
    const jsonVersion = service?.jsonVersion ?? '1.1';
    try {
      counts[operation] = (counts[operation] ?? 0) + 1;
      const caller = checkSigned(request);
      const body = await readBody(request, operation, requestLog);
      const run = service?.operations[operation];
      if (!service || !run) throw unknownOperation(target);
      const fault = takeFault(operation);
      if (fault) throw fault;
      let input: JsonObject;
      try {
        input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as JsonObject);
      } catch {
        throw new AwsServiceError('SerializationException', 'The request body is not valid JSON');
      }
      if (caller !== undefined) {
        // CloudWatch (JSON 1.0, awsQuery-compatible) answers 403 with the Query code AccessDenied; ECS, Logs and
        // EventBridge (JSON 1.1) answer 400 AccessDeniedException.
        const queryCompatible = service.jsonVersion === '1.0';
        await authorize(jsonRequestChecks(target, input, caller, authorizationState()), (message) =>
          queryCompatible
            ? new AwsServiceError('AccessDenied', message, { statusCode: 403, queryCode: 'AccessDenied' })
            : new AwsServiceError('AccessDeniedException', message),
        );
      }
      const output = await run(input);
      response.writeHead(200, {
        'content-type': `application/x-amz-json-${jsonVersion}`,
        'x-amzn-requestid': requestId,
      });
      response.end(JSON.stringify(output));
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      sendError(response, error, jsonVersion, requestId);
    }
  };

  const handleInvoke = async (
    request: IncomingMessage,
    response: ServerResponse,
    functionName: string,
    requestId: string,
  ) => {
    try {
      counts.Invoke = (counts.Invoke ?? 0) + 1;
      const caller = checkSigned(request);
      const body = await readBody(request, 'Invoke', requestLog);
      const fault = takeFault('Invoke');
      if (fault) throw fault;
      if (caller !== undefined) {
        // Lambda (REST-JSON): 403 AccessDeniedException.
        await authorize(
          invokeChecks(decodeURIComponent(functionName), caller, authorizationState()),
          (message) => new AwsServiceError('AccessDeniedException', message, { statusCode: 403 }),
        );
      }
      const qualifier = new URL(request.url ?? '/', 'http://localhost').searchParams.get('Qualifier') ?? undefined;
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : value]),
      );
      const result = await lambda.handleInvoke(decodeURIComponent(functionName), qualifier, headers, body);
      response.writeHead(result.statusCode, result.headers);
      response.end(result.body);
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      // REST-JSON errors: the type in x-amzn-ErrorType, Lambda's body shape.
      response.writeHead(error.statusCode, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': error.type,
      });
      response.end(JSON.stringify({ Type: 'User', Message: error.message }));
    }
  };

  // EC2's query protocol: a form-encoded POST naming its Action, answered in XML (errors too, injected ones included).
  const handleEc2Query = async (
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    form: URLSearchParams,
  ) => {
    const action = form.get('Action') ?? '';
    counts[action] = (counts[action] ?? 0) + 1;
    const reply = (answer: { statusCode: number; body: string }) => {
      response.writeHead(answer.statusCode, {
        'content-type': 'text/xml;charset=UTF-8',
        'x-amzn-requestid': requestId,
      });
      response.end(answer.body);
    };
    try {
      const caller = checkSigned(request);
      const fault = takeFault(action);
      if (fault) throw fault;
      if (caller !== undefined) {
        // EC2: 403 UnauthorizedOperation (EC2 API Reference, "Error codes").
        await authorize(
          queryChecks(action, form, caller, authorizationState()),
          (message) =>
            new AwsServiceError(
              'UnauthorizedOperation',
              `You are not authorized to perform this operation. ${message}`,
              {
                statusCode: 403,
              },
            ),
        );
      }
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      // EC2 says AuthFailure where the JSON services say UnrecognizedClientException.
      const ec2Error =
        error.type === 'UnrecognizedClientException'
          ? new AwsServiceError('AuthFailure', 'AWS was not able to validate the provided access credentials', {
              statusCode: 401,
            })
          : error;
      reply({ statusCode: ec2Error.statusCode, body: ec2ErrorBody(ec2Error, requestId) });
      return;
    }
    reply(ec2.handle(form, requestId));
  };

  // awsQuery (CloudFormation): a form-encoded POST to /, the operation in Action, the answer in XML.
  const handleQuery = async (request: IncomingMessage, response: ServerResponse, requestId: string) => {
    const body = await readBody(request, 'Query', requestLog);
    const form = new URLSearchParams(body.toString('utf8'));
    // EC2 speaks its own query dialect (XML errors in <Response><Errors>); the API version tells the services apart.
    if (form.get('Version') === EC2_API_VERSION) {
      await handleEc2Query(request, response, requestId, form);
      return;
    }
    const operation = form.get('Action') ?? 'Query';
    counts[operation] = (counts[operation] ?? 0) + 1;
    let answer: { statusCode: number; body: string };
    try {
      const caller = checkSigned(request);
      if (caller !== undefined) {
        await authorize(
          queryChecks(operation, form, caller, authorizationState()),
          (message) => new AwsServiceError('AccessDenied', message, { statusCode: 403 }),
        );
      }
      const fault = takeFault(operation);
      answer = fault
        ? {
            statusCode: fault.statusCode,
            body: `<ErrorResponse><Error><Type>Sender</Type><Code>${fault.type}</Code><Message>${fault.message}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
          }
        : cloudFormation.handle(form, requestId);
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      const code = error.type === 'UnrecognizedClientException' ? 'InvalidClientTokenId' : error.type;
      answer = {
        statusCode: error.statusCode,
        body: `<ErrorResponse><Error><Type>Sender</Type><Code>${code}</Code><Message>${xmlText(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
      };
    }
    response.writeHead(answer.statusCode, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId });
    response.end(answer.body);
  };

  let requestCount = 0;
  const server = createServer((request, response) => {
    requestCount += 1;
    const requestId = `p25lab-${process.pid}-${requestCount}`;
    const target = request.headers['x-amz-target'];
    const invokeMatch = LAMBDA_INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://localhost').pathname);
    const isQuery =
      request.method === 'POST' &&
      typeof target !== 'string' &&
      (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
    const handled =
      typeof target === 'string' && request.method === 'POST'
        ? handleJson(request, response, target, requestId)
        : isQuery
          ? handleQuery(request, response, requestId)
          : invokeMatch && request.method === 'POST'
            ? handleInvoke(request, response, invokeMatch[1] as string, requestId)
            : Promise.reject(
                new AwsServiceError('UnknownOperationException', `No operation at ${request.method} ${request.url}`, {
                  statusCode: 404,
                }),
              );
    handled.catch((error: unknown) => {
      const serviceError =
        error instanceof AwsServiceError
          ? error
          : new AwsServiceError(
              'InternalFailure',
              `lab endpoint failure: ${error instanceof Error ? error.stack : String(error)}`,
              {
                statusCode: 500,
              },
            );
      if (!response.headersSent) sendError(response, serviceError, '1.1', requestId);
      else response.destroy();
    });
  });
  // An invocation may run for minutes; the socket must stay open for it.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    region,
    accountId,
    ec2,
    ecs,
    logs,
    metrics,
    lambda,
    events: runEvents,
    callCounts: () => ({ ...counts }),
    requests: () => requestLog,
    injectFault(operation, type, message, count = 1, statusCode = 400) {
      faults.push({ operation, type, message, statusCode, remaining: count });
    },
    environment,
    async close() {
      lambda.shutdown();
      await ecs.shutdown();
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
