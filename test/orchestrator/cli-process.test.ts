import { describe, expect, it } from 'vitest';
import { VERDICT_EXIT_CODES } from '../../functions/shared/outcomes.js';
import { runCli } from '../helpers/exec.js';
import { useLoopbackCanary } from '../helpers/loopback-aws.js';
import { TEST_NETWORK } from './fakes.js';

const REPORT_WITH_ONE_TARGET = {
  runId: 'r-2',
  canary: 'mail-egress',
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:01:00.000Z',
  released: false,
  results: [
    {
      target: 'internet-mx',
      host: '198.51.100.25',
      port: 25,
      address: '198.51.100.25',
      expected: 'blocked',
      rule: 'public address',
      outcome: 'timeout',
      verdict: 'pass',
      diagnosis: 'consistent with the throttle',
      connectMs: null,
      greeting: null,
      taskArn: null,
      detail: null,
    },
  ],
  summary: { pass: 1, fail: 0, inconclusive: 0 },
};

const { endpoint, configFile, environment } = useLoopbackCanary({
  canaryName: 'mail-egress',
  network: { ...TEST_NETWORK },
  targets: [{ name: 'internet-mx', host: '198.51.100.25', expect: 'blocked' }],
});

describe('port25-canary run and invoke (built CLI)', () => {
  it.each([
    [['run', '--attempts', '0'], /--attempts must be a whole number/],
    [['run', '--config', '/nonexistent/canary.config.json'], /cannot read the config file/],
    [['invoke'], /--function is required/],
    [['invoke', '--function', 'x', '--bogus'], /unknown option --bogus\n/],
  ])('exits 2 for %j', async (args, message) => {
    const result = await runCli(args);

    expect(result.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(result.stderr).toMatch(message);
  });

  it('reads the VPC through AWS_ENDPOINT_URL_EC2 in EC2’s query protocol before launching', async () => {
    endpoint.reply = {
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform ecs:RunTask' }),
    };

    await runCli(['run', '--config', configFile()], environment());

    const [subnets, vpcs, runTask] = endpoint.requests;
    expect(Object.fromEntries(new URLSearchParams(subnets?.body))).toEqual({
      Action: 'DescribeSubnets',
      Version: '2016-11-15',
      'SubnetId.1': TEST_NETWORK.subnets[0],
      'SubnetId.2': TEST_NETWORK.subnets[1],
    });
    expect(Object.fromEntries(new URLSearchParams(vpcs?.body))).toEqual({
      Action: 'DescribeVpcs',
      Version: '2016-11-15',
      'VpcId.1': 'vpc-0123456789abcdef0',
    });
    expect(runTask?.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.RunTask');
  });

  it('sends run’s ECS calls to AWS_ENDPOINT_URL_ECS and exits 4 when the run is aborted', async () => {
    endpoint.reply = {
      status: 400,
      body: JSON.stringify({ __type: 'AccessDeniedException', message: 'not authorized to perform ecs:RunTask' }),
    };

    const result = await runCli(['run', '--config', configFile()], environment());

    expect(endpoint.jsonRequests[0]?.headers['x-amz-target']).toBe('AmazonEC2ContainerServiceV20141113.RunTask');
    expect(JSON.parse(endpoint.jsonRequests[0]?.body ?? '{}')).toMatchObject({
      cluster: TEST_NETWORK.cluster,
      launchType: 'FARGATE',
    });
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /aborted: ECS RunTask \(cluster port25-canary, task definition port25-canary-probe:3\) failed: AccessDeniedException: not authorized/,
    );
  });

  it('sends invoke to AWS_ENDPOINT_URL_LAMBDA and prints the returned report', async () => {
    endpoint.reply = {
      status: 200,
      body: JSON.stringify({
        runId: 'r-1',
        canary: 'mail-egress',
        startedAt: '2030-01-01T00:00:00.000Z',
        finishedAt: '2030-01-01T00:01:00.000Z',
        released: false,
        results: [],
        summary: { pass: 0, fail: 0, inconclusive: 0 },
      }),
    };

    const result = await runCli(['invoke', '--function', 'port25-canary', '--targets', 'internet-mx'], environment());

    expect(endpoint.requests[0]).toMatchObject({
      method: 'POST',
      url: '/2015-03-31/functions/port25-canary/invocations',
    });
    expect(endpoint.requests[0]?.headers['x-amz-invocation-type']).toBe('RequestResponse');
    expect(JSON.parse(endpoint.requests[0]?.body ?? '')).toEqual({ targets: ['internet-mx'] });
    expect(result.stdout).toContain('mail-egress run r-1: 0 passed, 0 failed, 0 inconclusive');
    expect(result.exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
  });

  it('prints nothing but the report: no runtime warning from a dependency on this Node version', async () => {
    endpoint.reply = { status: 200, body: JSON.stringify(REPORT_WITH_ONE_TARGET) };

    const result = await runCli(['invoke', '--function', 'port25-canary'], environment());

    expect({ stderr: result.stderr, exitCode: result.exitCode }).toEqual({ stderr: '', exitCode: 0 });
    expect(result.stdout.split('\n')[0]?.split(/\s{2,}/)).toEqual([
      'TARGET',
      'ADDRESS',
      'EXPECTED',
      'OUTCOME',
      'VERDICT',
      'CONNECT MS',
      'EVIDENCE; DIAGNOSIS [DETAIL]',
    ]);
  });

  it.each([
    ['rejected the payload', 'ConfigError', 'targets[0]: unknown target "x"', 2],
    ['failed otherwise', 'RunAbortedError', 'the canary run was aborted: AccessDenied', 4],
  ])(
    'prints nothing on stdout with --json when the function %s, and exits %#',
    async (_case, errorType, errorMessage, code) => {
      endpoint.reply = {
        status: 200,
        headers: { 'x-amz-function-error': 'Unhandled' },
        body: JSON.stringify({ errorType, errorMessage }),
      };

      const result = await runCli(['invoke', '--function', 'port25-canary', '--json'], environment());

      expect({ stdout: result.stdout, exitCode: result.exitCode }).toEqual({ stdout: '', exitCode: code });
      expect(result.stderr).toContain(`function port25-canary failed: ${errorType}: ${errorMessage}`);
    },
  );

  it('exits 2 when the invoked function rejects the payload', async () => {
    endpoint.reply = {
      status: 200,
      headers: { 'x-amz-function-error': 'Unhandled' },
      body: JSON.stringify({ errorType: 'ConfigError', errorMessage: 'targets[0]: unknown target "x"' }),
    };

    const result = await runCli(['invoke', '--function', 'port25-canary', '--targets', 'x'], environment());

    expect(result.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(result.stderr).toContain('function port25-canary failed: ConfigError: targets[0]: unknown target "x"');
  });
});
