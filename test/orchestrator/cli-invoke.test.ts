import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createInvokeCommand,
  createInvokeLambdaClient,
  FUNCTION_NAME_ENV,
  INVOKE_REQUEST_TIMEOUT_MS,
} from '../../functions/cli/commands/invoke.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import { AddressParseError, ConfigError, InputError } from '../../functions/shared/errors.js';
import { VERDICT_EXIT_CODES } from '../../functions/shared/outcomes.js';
import type { CanaryReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import { capture } from './fakes.js';

const lambdaMock = mockClient(LambdaClient);

// The CLI's own client without its set-up check, which reads the real Region and credentials (test/cli/setup-errors.test.ts).
const invokeCommand = createInvokeCommand({ createLambdaClient: createInvokeLambdaClient });

afterEach(() => {
  lambdaMock.reset();
});

const REPORT: CanaryReport = {
  runId: 'c0ffee00-0000-4000-8000-000000000001',
  canary: 'mail-egress',
  startedAt: '2030-01-01T00:00:00.000Z',
  finishedAt: '2030-01-01T00:01:30.000Z',
  released: false,
  results: [
    {
      target: 'internet-mx',
      host: '198.51.100.25',
      port: 25,
      address: '198.51.100.25',
      expected: 'blocked',
      rule: 'configured: blocked',
      outcome: 'open',
      verdict: 'fail',
      evidence: 'port 25 connected: the block is not in effect',
      diagnosis: 'An SMTP server answered: port 25 is not blocked.',
      connectMs: 21.4,
      greeting: '220 mx.example.test ESMTP',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/port25-canary/1',
      detail: null,
    },
  ],
  summary: { pass: 0, fail: 1, inconclusive: 0 },
  restriction: restrictionReport([{ target: 'internet-mx', signal: { inEffect: false, lifted: true } }], false),
};

function payload(value: unknown) {
  return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value)) as never;
}

function sentPayload(): unknown {
  const input = lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input;
  return JSON.parse(new TextDecoder().decode(input?.Payload as Uint8Array));
}

describe('port25-canary invoke arguments', () => {
  it('requires --function when PORT25_CANARY_FUNCTION is not set', async () => {
    const { io } = capture();

    await expect(invokeCommand.run([], io)).rejects.toThrow(UsageError);
    await expect(invokeCommand.run([], io)).rejects.toThrow(
      `--function is required when ${FUNCTION_NAME_ENV} is not set`,
    );
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it.each([
    [['--function', 'canary', '--attempts', '11'], /--attempts must be a whole number from 1 to 10/],
    [['--function', 'canary', '--targets', ','], /--targets must be a comma-separated list/],
    [['--function'], /^--function needs a value$/],
    [['canary'], /unexpected argument "canary" \(options only; did you mean --function canary\?\)/],
    [['--function', 'canary', '--region', 'eu_west_1'], /--region must be an AWS Region name such as eu-west-1/],
    [['--function', 'canary', '--profile', '[ops]'], /--profile must be a profile name/],
  ])('rejects %j as a usage error without invoking', async (argv, message) => {
    const { io } = capture();

    await expect(invokeCommand.run(argv, io)).rejects.toThrow(message);
    expect(lambdaMock.calls()).toHaveLength(0);
  });

  it('builds its client with --profile and --region', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const built: unknown[] = [];
    const command = createInvokeCommand({
      createLambdaClient: (options) => {
        built.push(options);
        return new LambdaClient({});
      },
    });

    await command.run(['--function', 'canary', '--profile', 'ops', '--region', 'us-gov-west-1'], capture().io);

    expect(built).toEqual([{ profile: 'ops', region: 'us-gov-west-1' }]);
  });

  it('gives the SDK the region of --region', async () => {
    expect(await createInvokeLambdaClient({ region: 'ap-southeast-5' }).config.region()).toBe('ap-southeast-5');
  });
});

describe('port25-canary invoke', () => {
  it('invokes the function synchronously with the run input as payload', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const { io } = capture();

    await invokeCommand.run(
      ['--function', 'port25-canary', '--targets', 'internet-mx,relay', '--attempts', '2', '--released'],
      io,
    );

    expect(lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input).toMatchObject({
      FunctionName: 'port25-canary',
      InvocationType: 'RequestResponse',
    });
    expect(sentPayload()).toEqual({ targets: ['internet-mx', 'relay'], released: true, attempts: 2 });
  });

  it('sends an empty payload without options and takes the function from PORT25_CANARY_FUNCTION', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const { io } = capture({ [FUNCTION_NAME_ENV]: 'arn:aws:lambda:eu-west-1:111122223333:function:port25-canary' });

    await invokeCommand.run([], io);

    expect(lambdaMock.commandCalls(InvokeCommand)[0]?.args[0].input.FunctionName).toBe(
      'arn:aws:lambda:eu-west-1:111122223333:function:port25-canary',
    );
    expect(sentPayload()).toEqual({});
  });

  it('prints the report as a table and exits with the verdict code', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const { io, output } = capture();

    const exitCode = await invokeCommand.run(['--function', 'port25-canary', '--wide'], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.someFailed);
    expect(output.stdout.split('\n')[1]?.split(/\s{2,}/)).toEqual([
      'internet-mx',
      '198.51.100.25',
      'blocked',
      'open',
      'fail',
      'port 25 connected: the block is not in effect',
      '21',
      'An SMTP server answered: port 25 is not blocked.',
    ]);
  });

  it('prints the restriction and its next step as the last line', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const { io, output } = capture();

    await invokeCommand.run(['--function', 'port25-canary'], io);

    expect(output.stdout.trimEnd().split('\n').at(-1)).toBe(
      'port-25 restriction lifted: port 25 connected to an address the rule would throttle (internet-mx). Next: AWS has lifted the restriction: set port25Released to true in the config and redeploy, so the alarms expect it',
    );
  });

  it('says the restriction was not reported by a function deployed before it', async () => {
    const { restriction: _, ...older } = REPORT;
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(older) });
    const { io, output } = capture();

    await invokeCommand.run(['--function', 'port25-canary'], io);

    expect(output.stdout.trimEnd().split('\n').at(-1)).toBe(
      'port-25 restriction not reported: the function predates it. Next: redeploy the stack',
    );
  });

  it('prints the report as JSON with --json', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload(REPORT) });
    const { io, output } = capture();

    await invokeCommand.run(['--function', 'port25-canary', '--json'], io);

    expect(JSON.parse(output.stdout)).toEqual(REPORT);
  });

  it('exits 2 and prints the error when the function rejects the payload', async () => {
    lambdaMock.on(InvokeCommand).resolves({
      StatusCode: 200,
      FunctionError: 'Unhandled',
      Payload: payload({ errorType: 'ConfigError', errorMessage: 'targets[0]: unknown target "relay"', trace: [] }),
    });
    const { io, output } = capture();

    const exitCode = await invokeCommand.run(['--function', 'port25-canary', '--targets', 'relay'], io);

    expect(exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(output.stderr).toBe(
      'port25-canary invoke: function port25-canary failed: ConfigError: targets[0]: unknown target "relay"\n',
    );
    expect(output.stdout).toBe('');
  });

  it.each([new InputError('bad input'), new ConfigError('targets', 'bad'), new AddressParseError('x', 'address')])(
    'exits 2 when the function fails with the input error %s',
    async (error) => {
      lambdaMock.on(InvokeCommand).resolves({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        Payload: payload({ errorType: error.name, errorMessage: error.message }),
      });
      const { io } = capture();

      const exitCode = await invokeCommand.run(['--function', 'port25-canary'], io);

      expect(exitCode).toBe(VERDICT_EXIT_CODES.usage);
    },
  );

  it('exits 4 (run not carried out) when the function fails for another reason, stdout empty even with --json', async () => {
    const errorPayload = { errorType: 'RunAbortedError', errorMessage: 'the canary run was aborted: ...' };
    lambdaMock
      .on(InvokeCommand)
      .resolves({ StatusCode: 200, FunctionError: 'Unhandled', Payload: payload(errorPayload) });
    const { io, output } = capture();

    const exitCode = await invokeCommand.run(['--function', 'port25-canary', '--json'], io);

    expect(exitCode).toBe(4);
    expect(output.stdout).toBe('');
    expect(output.stderr).toContain('RunAbortedError: the canary run was aborted');
  });

  it('exits 4 when the function returns something that is not a report', async () => {
    lambdaMock.on(InvokeCommand).resolves({ StatusCode: 200, Payload: payload('"hello"') });
    const { io, output } = capture();

    const exitCode = await invokeCommand.run(['--function', 'port25-canary'], io);

    expect(exitCode).toBe(4);
    expect(output.stderr).toContain('returned something that is not a canary report: "hello"');
  });

  it('exits 4 with the AWS error when the invocation itself fails', async () => {
    lambdaMock
      .on(InvokeCommand)
      .rejects(Object.assign(new Error('Function not found: port25-canary'), { name: 'ResourceNotFoundException' }));
    const { io, output } = capture();

    const exitCode = await invokeCommand.run(['--function', 'port25-canary'], io);

    expect(exitCode).toBe(4);
    expect(output.stderr).toBe(
      'port25-canary invoke: Lambda Invoke (function port25-canary) failed: ResourceNotFoundException: Function not found: port25-canary\n',
    );
  });
});

describe('the invoke Lambda client', () => {
  it('sends a synchronous Invoke once: a retry would start a second canary run', async () => {
    const client = createInvokeLambdaClient();

    await expect(client.config.maxAttempts()).resolves.toBe(1);
  });

  it('waits longer than the longest function run (15 minutes) before giving up on the response', () => {
    expect(INVOKE_REQUEST_TIMEOUT_MS).toBeGreaterThan(15 * 60_000);
  });
});
