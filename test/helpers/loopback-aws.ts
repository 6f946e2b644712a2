import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

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

/** A loopback-only HTTP endpoint standing in for an AWS API; it records requests and answers with `reply`. */
export class LoopbackEndpoint {
  readonly requests: RecordedRequest[] = [];
  reply: LoopbackReply = { status: 500, body: '{}' };
  private readonly server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    request.on('end', () => {
      this.requests.push({ method: request.method, url: request.url, headers: request.headers, body });
      response.writeHead(this.reply.status, { 'content-type': 'application/json', ...this.reply.headers });
      response.end(this.reply.body);
    });
  });

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
export function isolatedAwsEnvironment(endpointUrl: string): Record<string, string> {
  return {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
    AWS_SECRET_ACCESS_KEY: 'example-secret',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ENDPOINT_URL: endpointUrl,
    AWS_ENDPOINT_URL_ECS: endpointUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH_LOGS: endpointUrl,
    AWS_ENDPOINT_URL_CLOUDWATCH: endpointUrl,
    AWS_ENDPOINT_URL_LAMBDA: endpointUrl,
  };
}
