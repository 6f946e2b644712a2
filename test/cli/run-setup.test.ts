import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkProfile } from '../../functions/cli/aws-setup.js';
import { createInvokeCommand } from '../../functions/cli/commands/invoke.js';
import { watchRetriedCalls } from '../../functions/cli/retry-watch.js';
import { checkRunnableConfig } from '../../functions/cli/run-readiness.js';
import type { CanaryClients } from '../../functions/orchestrator/run-canary.js';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { closedLoopbackPort } from '../helpers/probe-raw-server.js';
import { capture } from '../orchestrator/fakes.js';

const configWith = (network: Record<string, unknown>) =>
  parseCanaryConfig({ canaryName: 'c', targets: [{ name: 't', host: 'mx.example.com' }], network });

describe('checkRunnableConfig', () => {
  it('names every missing network field at once, with --stack as the fix', () => {
    expect(() => checkRunnableConfig(configWith({}), 'canary.config.json')).toThrow(
      "canary.config.json has no network.cluster, network.taskDefinition, network.subnets, network.logGroup to launch probe tasks with: add --stack STACK_NAME to take them from the deployed stack's outputs, or set them in the file (or PORT25_CLUSTER, PORT25_TASK_DEFINITION, PORT25_SUBNETS, PORT25_LOG_GROUP)",
    );
  });

  it('names only the one missing field', () => {
    const config = configWith({ cluster: 'c', taskDefinition: 'td', subnets: ['subnet-0123456789abcdef0'] });

    expect(() => checkRunnableConfig(config, 'f.json')).toThrow(/^f\.json has no network\.logGroup to launch/);
  });

  it('accepts a config with every network field', () => {
    const config = configWith({
      cluster: 'c',
      taskDefinition: 'td',
      subnets: ['subnet-0123456789abcdef0'],
      logGroup: 'l',
    });

    expect(() => checkRunnableConfig(config, 'f.json')).not.toThrow();
  });
});

describe('checkProfile', () => {
  let directory: string;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'p25-profile-'));
    await writeFile(join(directory, 'config'), '[default]\nregion = eu-west-1\n[profile ops]\n');
    await writeFile(join(directory, 'credentials'), '[ci]\naws_access_key_id = x\n');
  });
  afterAll(() => rm(directory, { recursive: true, force: true }));
  const env = () => ({
    AWS_CONFIG_FILE: join(directory, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
  });

  it('accepts a profile of the config file, written [profile NAME]', async () => {
    await expect(checkProfile({ profile: 'ops', env: env() })).resolves.toBeUndefined();
  });

  it('accepts a profile of the credentials file, written [NAME]', async () => {
    await expect(checkProfile({ env: { ...env(), AWS_PROFILE: 'ci' } })).resolves.toBeUndefined();
  });

  it('checks nothing without a profile', async () => {
    await expect(checkProfile({ env: { AWS_CONFIG_FILE: '/nonexistent' } })).resolves.toBeUndefined();
  });

  it('names the profiles there are', async () => {
    await expect(checkProfile({ profile: 'opz', env: env() })).rejects.toThrow(
      /^the profile "opz" \(--profile\) is in neither .*config nor .*credentials \(known: default, ops, ci\): name another, or create it with aws configure --profile opz$/,
    );
  });
});

describe('watchRetriedCalls', () => {
  it('reports a call that failed to connect, as it will be retried', async () => {
    const port = await closedLoopbackPort();
    const ecs = new ECSClient({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    const lines: string[] = [];
    watchRetriedCalls({ ecs } as unknown as CanaryClients, (line) => lines.push(line));

    await expect(ecs.send(new ListClustersCommand({}))).rejects.toThrow();

    expect(lines).toEqual([
      expect.stringMatching(/^ECS ListClusters failed \(connect ECONNREFUSED 127\.0\.0\.1:\d+\); retrying$/),
    ]);
  });
});

describe('invoke on a terminal', () => {
  const lambdaMock = mockClient(LambdaClient);
  afterEach(() => lambdaMock.reset());

  it('shows the elapsed time while the function runs, and erases it', async () => {
    lambdaMock.on(InvokeCommand).rejects(new Error('boom'));
    let clock = 0;
    const command = createInvokeCommand({
      createLambdaClient: () => new LambdaClient({ region: 'eu-west-1' }),
      now: () => clock,
      every: (_ms, tick) => {
        clock = 2000;
        tick();
        return () => undefined;
      },
    });
    const { io, output } = capture();

    await command.run(['--function', 'canary'], { ...io, stderrIsTerminal: true });

    const clear = '\r\x1b[K';
    expect(
      output.stderr.startsWith(
        `${clear}invoke: waiting for canary: 0 s${clear}invoke: waiting for canary: 2 s${clear}port25-canary invoke: `,
      ),
    ).toBe(true);
  });

  it('shows nothing when stderr is not a terminal', async () => {
    lambdaMock.on(InvokeCommand).rejects(new Error('boom'));
    const command = createInvokeCommand({ createLambdaClient: () => new LambdaClient({ region: 'eu-west-1' }) });
    const { io, output } = capture();

    await command.run(['--function', 'canary'], io);

    expect(output.stderr).toMatch(/^port25-canary invoke: Lambda Invoke/);
  });
});
