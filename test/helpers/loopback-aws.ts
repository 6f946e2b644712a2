import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';

export interface RecordedRequest {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface LoopbackReply {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

const EC2_XML = (action: string, content: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-ec2</requestId>${content}</${action}Response>`;

/** The VPC the endpoint's EC2 answers report: the subnets of test/orchestrator/fakes.ts TEST_NETWORK in one VPC. */
export const LOOPBACK_VPC = {
  vpcId: 'vpc-0123456789abcdef0',
  primaryCidr: '10.0.0.0/16',
  subnets: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
} as const;

const EC2_REPLIES: Readonly<Record<string, string>> = {
  DescribeSubnets: EC2_XML(
    'DescribeSubnets',
    `<subnetSet>${LOOPBACK_VPC.subnets.map((id) => `<item><subnetId>${id}</subnetId><vpcId>${LOOPBACK_VPC.vpcId}</vpcId></item>`).join('')}</subnetSet>`,
  ),
  DescribeVpcs: EC2_XML(
    'DescribeVpcs',
    `<vpcSet><item><vpcId>${LOOPBACK_VPC.vpcId}</vpcId><cidrBlock>${LOOPBACK_VPC.primaryCidr}</cidrBlock></item></vpcSet>`,
  ),
};

/**
 * A loopback-only HTTP endpoint standing in for an AWS API; it records requests and answers with `reply`. EC2's
 * form-encoded calls (query protocol) get the LOOPBACK_VPC answers, so a run gets past reading its VPC.
 */
class LoopbackEndpoint {
  readonly requests: RecordedRequest[] = [];
  reply: LoopbackReply = { status: 500, body: '{}' };
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      this.requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      const ec2Reply = EC2_REPLIES[new URLSearchParams(body).get('Action') ?? ''];
      if ((request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') && ec2Reply) {
        response.writeHead(200, { 'content-type': 'text/xml;charset=UTF-8' });
        response.end(ec2Reply);
        return;
      }
      response.writeHead(this.reply.status, { 'content-type': 'application/json', ...this.reply.headers });
      response.end(this.reply.body);
    });
  });

  /** The requests of the JSON protocols (X-Amz-Target), without EC2's. */
  get jsonRequests(): RecordedRequest[] {
    return this.requests.filter((request) => request.headers['x-amz-target'] !== undefined);
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Fake credentials, no shared config or credential files, no instance metadata, every AWS endpoint on loopback. */
function isolatedAwsEnvironment(endpointUrl: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_ENDPOINT_URL_EC2: endpointUrl,
    AWS_ENDPOINT_URL_ECS: endpointUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpointUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpointUrl,
    AWS_ENDPOINT_URL_LAMBDA: endpointUrl,
  };
}

/** What a test file of the built CLI's `run` and `invoke` works against: a loopback endpoint and a config file. */
export interface LoopbackCanary {
  readonly endpoint: LoopbackEndpoint;
  /** The written config's path; known once the file's tests run. */
  configFile(): string;
  /** isolatedAwsEnvironment for the endpoint. */
  environment(): Record<string, string>;
}

/**
 * Registers the test file's hooks: the endpoint starts and the config is written before its tests, each test starts
 * with no recorded requests, and both are gone after the last test.
 */
export function useLoopbackCanary(config: unknown): LoopbackCanary {
  const endpoint = new LoopbackEndpoint();
  let directory: string | undefined;
  beforeAll(async () => {
    await endpoint.start();
    directory = await mkdtemp(join(tmpdir(), 'port25-loopback-canary-'));
    await writeFile(join(directory, 'canary.config.json'), JSON.stringify(config));
  });
  afterEach(() => {
    endpoint.requests.length = 0;
  });
  afterAll(async () => {
    await endpoint.stop();
    if (directory !== undefined) await rm(directory, { recursive: true, force: true });
  });
  return {
    endpoint,
    configFile: () => {
      if (directory === undefined) throw new Error('useLoopbackCanary: the config is written in beforeAll');
      return join(directory, 'canary.config.json');
    },
    environment: () => isolatedAwsEnvironment(endpoint.url),
  };
}
