import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/exec.js';
import { useLoopbackCanary } from '../helpers/loopback-aws.js';
import { runProbeCli } from '../helpers/probe-process.js';
import { answerCommands, closedLoopbackPort, type RawServer, startRawServer } from '../helpers/probe-raw-server.js';

/**
 * The documented exit codes of every command, as literals, from the built CLI run as a process (docs/cli.md). The
 * numbers are written out here on purpose: a test that compared with the table the code uses would follow a renumbering.
 */

let greeting: RawServer;
let silent: RawServer;
let rejecting: RawServer;
let closedPort: number;
const { endpoint, configFile, environment } = useLoopbackCanary({
  canaryName: 'mail-egress',
  network: {
    cluster: 'port25-canary',
    taskDefinition: 'port25-canary-probe:3',
    subnets: ['subnet-0123456789abcdef0'],
    logGroup: '/port25-canary/probe',
  },
  targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }],
});

beforeAll(async () => {
  greeting = await startRawServer((socket) => {
    socket.write('220 contracts.test ESMTP\r\n');
    answerCommands(socket);
  });
  silent = await startRawServer(() => undefined);
  rejecting = await startRawServer((socket) => {
    socket.write('554 no SMTP service here\r\n');
    answerCommands(socket);
  });
  closedPort = await closedLoopbackPort();
});

afterAll(async () => {
  await Promise.all([greeting.close(), silent.close(), rejecting.close()]);
});

describe('port25-canary probe exit codes (built CLI)', () => {
  it('exits 0 for an open port 25', async () => {
    const result = await runProbeCli(['--json', `127.0.0.1:${greeting.port}`]);

    expect(result.exitCode).toBe(0);
  });

  it('exits 11 for a refused port', async () => {
    const result = await runProbeCli(['--json', `127.0.0.1:${closedPort}`]);

    expect(result.exitCode).toBe(11);
  });

  it('exits 14 for a server that accepts but never greets', async () => {
    const result = await runProbeCli(['--json', '--timeout', '300ms', `127.0.0.1:${silent.port}`]);

    expect(JSON.parse(result.stdout).outcome).toBe('banner-timeout');
    expect(result.exitCode).toBe(14);
  });

  it('exits 15 for a greeting that is not 220', async () => {
    const result = await runProbeCli(['--json', `127.0.0.1:${rejecting.port}`]);

    expect(result.exitCode).toBe(15);
  });

  it('exits with the code of the first target that is not open', async () => {
    const result = await runProbeCli([
      '--json',
      '--timeout',
      '300ms',
      `127.0.0.1:${greeting.port}`,
      `127.0.0.1:${silent.port}`,
      `127.0.0.1:${closedPort}`,
    ]);

    expect(result.exitCode).toBe(14);
  });

  it('exits 0 with --vpc-cidr when the observation matches the rule, whatever the outcome code', async () => {
    const result = await runProbeCli(['--json', '--vpc-cidr', '10.0.0.0/16', `127.0.0.1:${greeting.port}`]);

    expect(result.exitCode).toBe(0);
  });

  it('exits 1 with --vpc-cidr when the judge fails the observation (a refused loopback port, expected open)', async () => {
    const result = await runProbeCli(['--json', '--vpc-cidr', '10.0.0.0/16', `127.0.0.1:${closedPort}`]);

    expect(result.exitCode).toBe(1);
  });

  it('exits 2 for an unknown option', async () => {
    const result = await runProbeCli(['--bogus', '127.0.0.1']);

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
  });
});

describe('port25-canary explain exit codes (built CLI)', () => {
  it('exits 0 when every input is judged', async () => {
    const result = await runCli(['explain', '198.51.100.25', '10.0.0.25']);

    expect(result.exitCode).toBe(0);
  });

  it('exits 2 for an input that is not an address, printing nothing on stdout', async () => {
    const result = await runCli(['explain', '198.51.100.300']);

    expect(result.exitCode).toBe(2);
    expect(result.stdout).toBe('');
  });
});

function reportWith(summary: { pass: number; fail: number; inconclusive: number }): string {
  return JSON.stringify({
    runId: 'r-1',
    canary: 'mail-egress',
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:01:00.000Z',
    released: false,
    results: [],
    summary,
  });
}

describe('port25-canary invoke exit codes (built CLI, loopback Lambda endpoint)', () => {
  it.each([
    [0, 'every target passed', { pass: 2, fail: 0, inconclusive: 0 }],
    [1, 'a target failed', { pass: 1, fail: 1, inconclusive: 0 }],
    [3, 'a target was inconclusive and none failed', { pass: 1, fail: 0, inconclusive: 1 }],
    [1, 'one target failed and another was inconclusive', { pass: 0, fail: 1, inconclusive: 1 }],
  ])('exits %i when %s', async (exitCode, _, summary) => {
    endpoint.reply = { status: 200, body: reportWith(summary) };

    const result = await runCli(['invoke', '--function', 'port25-canary'], environment());

    expect(result.exitCode).toBe(exitCode);
  });

  it('exits 2 when the function rejects the payload as a config error', async () => {
    endpoint.reply = {
      status: 200,
      headers: { 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorType: 'ConfigError', errorMessage: 'targets[0]: unknown target "x"' }),
    };

    const result = await runCli(['invoke', '--function', 'port25-canary'], environment());

    expect(result.exitCode).toBe(2);
  });

  it('exits 4 when the invocation itself fails at AWS', async () => {
    endpoint.reply = {
      status: 404,
      headers: { 'x-amzn-errortype': 'ResourceNotFoundException' },
      body: JSON.stringify({ Type: 'User', message: 'Function not found' }),
    };

    const result = await runCli(['invoke', '--function', 'port25-canary'], environment());

    expect(result.exitCode).toBe(4);
  });

  it('exits 4 when the function answers something that is not a canary report', async () => {
    endpoint.reply = { status: 200, body: JSON.stringify({ hello: 'world' }) };

    const result = await runCli(['invoke', '--function', 'port25-canary'], environment());

    expect(result.exitCode).toBe(4);
  });

  it('exits 2 without --function or PORT25_CANARY_FUNCTION, calling nothing', async () => {
    const result = await runCli(['invoke'], environment());

    expect(result.exitCode).toBe(2);
    expect(endpoint.requests).toEqual([]);
  });
});

describe('port25-canary run exit codes (built CLI, loopback AWS endpoint)', () => {
  it('exits 2 for a --deadline below its minimum, calling nothing', async () => {
    const result = await runCli(['run', '--config', configFile(), '--deadline', '10'], environment());

    expect(result.exitCode).toBe(2);
    expect(endpoint.requests).toEqual([]);
  });

  it('exits 4 when the run is aborted by an AWS error', async () => {
    endpoint.reply = {
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform ecs:RunTask' }),
    };

    const result = await runCli(['run', '--config', configFile()], environment());

    expect(result.exitCode).toBe(4);
  });
});
