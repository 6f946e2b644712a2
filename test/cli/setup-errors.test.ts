import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { USAGE_EXIT_CODE } from '../../functions/shared/outcomes.js';
import { runCli } from '../helpers/exec.js';
import { closedLoopbackPort } from '../helpers/probe-raw-server.js';

// The built CLI as a process with a clean environment: a HOME without ~/.aws, no instance metadata look-up, and every
// endpoint a closed loopback port, so nothing here reaches the network, let alone AWS.
let home: string;
let closedPort: number;
let runnableConfig: string;
const STATIC_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret' };
const env = (extra: Record<string, string> = {}) => ({ HOME: home, AWS_EC2_METADATA_DISABLED: 'true', ...extra });

beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'p25-setup-'));
  closedPort = await closedLoopbackPort();
  runnableConfig = join(home, 'canary.config.json');
  await writeFile(
    runnableConfig,
    JSON.stringify({
      canaryName: 'setup-test',
      targets: [{ name: 'mx', host: 'mx.example.com' }],
      network: { cluster: 'c', taskDefinition: 'td', subnets: ['subnet-0123456789abcdef0'], logGroup: '/lg' },
    }),
  );
  await writeFile(join(home, 'aws-config'), '[default]\nregion = eu-west-1\n\n[profile ops]\nregion = eu-west-1\n');
});
afterAll(() => rm(home, { recursive: true, force: true }));

/** One line on stderr, exit 2, nothing on stdout, and no SDK notice beside it. */
function expectOneLine(result: { exitCode: number | null; stdout: string; stderr: string }, line: RegExp) {
  expect(result.stderr).not.toMatch(/NodeVersionSupportWarning/);
  expect(result.stderr.split('\n')).toHaveLength(2);
  expect(result.stderr).toMatch(line);
  expect(result.stdout).toBe('');
  expect(result.exitCode).toBe(USAGE_EXIT_CODE);
}

describe('invoke before its call', () => {
  it('names a missing Region and how to give one', async () => {
    const result = await runCli(['invoke', '--function', 'canary'], env());

    expectOneLine(result, /^port25-canary invoke: no AWS Region: add --region REGION .*set AWS_REGION/);
  });

  it('names missing credentials and how to get them', async () => {
    const result = await runCli(['invoke', '--function', 'canary', '--region', 'eu-west-1'], env());

    expectOneLine(
      result,
      /^port25-canary invoke: no usable AWS credentials \(.*\): run aws configure or aws sso login/,
    );
  });

  it('names an unknown --profile and the profiles there are', async () => {
    const result = await runCli(
      ['invoke', '--function', 'canary', '--profile', 'nosuch'],
      env({ AWS_CONFIG_FILE: join(home, 'aws-config') }),
    );

    expectOneLine(
      result,
      /^port25-canary invoke: the profile "nosuch" \(--profile\) is in neither .*aws-config nor .*credentials \(known: default, ops\)/,
    );
  });

  it('names an unknown AWS_PROFILE as coming from the environment', async () => {
    const result = await runCli(['invoke', '--function', 'canary'], env({ AWS_PROFILE: 'nosuch' }));

    expectOneLine(result, /the profile "nosuch" \(AWS_PROFILE\) is in neither .* \(there are none\)/);
  });

  it('names an endpoint that cannot be reached', async () => {
    const result = await runCli(
      ['invoke', '--function', 'canary', '--region', 'eu-west-1'],
      env({ ...STATIC_CREDENTIALS, AWS_ENDPOINT_URL_LAMBDA: `http://127.0.0.1:${closedPort}` }),
    );

    expectOneLine(
      result,
      new RegExp(
        `^port25-canary invoke: cannot reach the Lambda endpoint http://127\\.0\\.0\\.1:${closedPort} \\(ECONNREFUSED\\): check AWS_ENDPOINT_URL_LAMBDA`,
      ),
    );
  });
});

describe('run before it launches anything', () => {
  it('names a missing Region', async () => {
    const result = await runCli(['run', '--config', runnableConfig], env());

    expectOneLine(result, /^port25-canary run: no AWS Region/);
  });

  it('names an endpoint that cannot be reached, at once rather than after its retries', async () => {
    const startedAt = Date.now();
    const result = await runCli(
      ['run', '--config', runnableConfig, '--region', 'eu-west-1'],
      env({ ...STATIC_CREDENTIALS, AWS_ENDPOINT_URL: `http://127.0.0.1:${closedPort}` }),
    );

    expectOneLine(
      result,
      /^port25-canary run: cannot reach the [\w ]+ endpoint http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  });

  it('lists every missing network field at once, naming --stack', async () => {
    const result = await runCli(['run', '--config', 'examples/canary.config.json'], env());

    expectOneLine(
      result,
      /^port25-canary run: examples\/canary\.config\.json has no network\.cluster, network\.taskDefinition, network\.logGroup to launch probe tasks with: add --stack STACK_NAME to take them from the deployed stack's outputs, or set them in the file \(or PORT25_CLUSTER, PORT25_TASK_DEFINITION, PORT25_LOG_GROUP\)$/m,
    );
  });

  it('points a fleet config to invoke --fleet', async () => {
    const result = await runCli(['run', '--config', 'examples/fleet.config.json'], env());

    expectOneLine(
      result,
      /^port25-canary run: examples\/fleet\.config\.json is a fleet config .*: invoke every vantage with port25-canary invoke --fleet --config examples\/fleet\.config\.json$/m,
    );
  });
});
