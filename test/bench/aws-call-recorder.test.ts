import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CallRecorder, startCallRecorder } from '../../bench/aws-call-recorder.js';

describe('startCallRecorder', () => {
  let upstream: Server;
  let recorder: CallRecorder;
  const received: { target: string | undefined; body: Buffer }[] = [];

  beforeAll(async () => {
    upstream = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        received.push({ target: request.headers['x-amz-target'] as string | undefined, body: Buffer.concat(chunks) });
        response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ tasks: [{ taskArn: 'arn:task/1' }] }));
      });
    });
    await new Promise<void>((resolve) => upstream.listen({ host: '127.0.0.1', port: 0 }, resolve));
    recorder = await startCallRecorder(`http://127.0.0.1:${(upstream.address() as AddressInfo).port}`);
  });

  afterAll(async () => {
    await recorder.close();
    await new Promise<void>((resolve) => upstream.close(() => resolve()));
  });

  it('forwards the request body untouched and records the decoded call', async () => {
    const body = gzipSync(JSON.stringify({ MetricData: [{}, {}] }));
    const response = await fetch(recorder.url, {
      method: 'POST',
      headers: { 'x-amz-target': 'GraniteServiceVersion20100801.PutMetricData', 'content-encoding': 'gzip' },
      body,
    });

    expect(await response.json()).toEqual({ tasks: [{ taskArn: 'arn:task/1' }] });
    expect(received.at(-1)?.body.equals(body)).toBe(true);
    expect(recorder.calls().at(-1)).toMatchObject({
      operation: 'PutMetricData',
      status: 200,
      request: { MetricData: [{}, {}] },
      response: { tasks: [{ taskArn: 'arn:task/1' }] },
    });
  });

  it('refuses an upstream that is not on loopback', async () => {
    await expect(startCallRecorder('http://198.51.100.1:80')).rejects.toThrow(/only forwards to loopback/);
  });
});
