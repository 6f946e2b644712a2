import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { gunzipSync } from 'node:zlib';

/**
 * A recording pass-through on 127.0.0.1 between the orchestrator and the lab's local AWS endpoint: it forwards every
 * request byte for byte and keeps what went over the wire (operation, decoded JSON request and response, timing),
 * so the bench counts calls per polling round and data points per PutMetricData itself instead of trusting either side.
 */

export interface RecordedCall {
  /** Arrival order. */
  readonly sequence: number;
  /** ms since the recorder started. */
  readonly at: number;
  readonly durationMs: number;
  /** From X-Amz-Target (`RunTask`, `DescribeTasks`, ...) or `Invoke` for Lambda's REST path. */
  readonly operation: string;
  readonly status: number;
  readonly request: unknown;
  readonly response: unknown;
}

export interface CallRecorder {
  readonly url: string;
  /** Calls recorded since the last reset, in arrival order. */
  calls(): readonly RecordedCall[];
  reset(): void;
  close(): Promise<void>;
}

function operationOf(request: IncomingMessage): string {
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return target.split('.').at(-1) ?? target;
  return /\/functions\/[^/]+\/invocations$/.test(request.url ?? '') ? 'Invoke' : `${request.method} ${request.url}`;
}

function decodeJson(body: Buffer, encoding: string | undefined): unknown {
  if (body.length === 0) return null;
  const text = (encoding ?? '').includes('gzip') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    // Not every body is JSON (an HTML error page, a truncated stream): keep it as text, it is only recorded.
    return text;
  }
}

async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startCallRecorder(upstreamUrl: string): Promise<CallRecorder> {
  const upstream = new URL(upstreamUrl);
  if (upstream.hostname !== '127.0.0.1') throw new Error(`the recorder only forwards to loopback, not ${upstreamUrl}`);
  const started = performance.now();
  let recorded: RecordedCall[] = [];
  let sequence = 0;

  const server = createServer((incoming, outgoing) => {
    const callSequence = sequence++;
    const at = performance.now() - started;
    const operation = operationOf(incoming);
    void (async () => {
      const body = await readAll(incoming);
      const upstreamResponse = await new Promise<IncomingMessage>((resolve, reject) => {
        const forwarded = httpRequest(
          {
            host: upstream.hostname,
            port: upstream.port,
            method: incoming.method,
            path: incoming.url,
            headers: incoming.headers,
          },
          resolve,
        );
        forwarded.once('error', reject);
        forwarded.end(body);
      });
      const responseBody = await readAll(upstreamResponse);
      outgoing.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      outgoing.end(responseBody);
      recorded.push({
        sequence: callSequence,
        at,
        durationMs: performance.now() - started - at,
        operation,
        status: upstreamResponse.statusCode ?? 0,
        request: decodeJson(body, incoming.headers['content-encoding']),
        response: decodeJson(responseBody, upstreamResponse.headers['content-encoding']),
      });
    })().catch((error: unknown) => {
      // The orchestrator sees a 502 and its retry logic takes over; the bench sees the failed call in the record.
      recorded.push({
        sequence: callSequence,
        at,
        durationMs: 0,
        operation,
        status: 502,
        request: null,
        response: String(error),
      });
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`recorder could not reach the endpoint: ${error instanceof Error ? error.message : String(error)}`);
    });
  });
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: '127.0.0.1', port: 0 }, () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls: () => [...recorded].sort((a, b) => a.sequence - b.sequence),
    reset() {
      recorded = [];
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
