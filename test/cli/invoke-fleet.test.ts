import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VERDICT_EXIT_CODES } from '../../functions/shared/outcomes.js';
import { runCli } from '../helpers/exec.js';

/**
 * `port25-canary invoke --fleet` as a process against a local endpoint that answers Lambda Invoke (REST-JSON) and STS
 * AssumeRole (query protocol) as AWS does, and records which credentials signed each call.
 */

const DEFAULT_KEY = 'AKIAFLEETDEFAULT0000';
const PROFILE_KEY = 'AKIAFLEETPROFILE0000';
const ASSUMED_KEY = 'ASIAFLEETASSUMED0000';
const ROLE_ARN = 'arn:aws:iam::444455556666:role/port25-canary-invoke';

interface Received {
  readonly functionName: string;
  readonly accessKey: string;
  readonly region: string;
  readonly payload: unknown;
}

type Verdict = 'pass' | 'fail' | 'inconclusive';

function report(canary: string, state: string, verdicts: Record<string, Verdict>) {
  const results = Object.entries(verdicts).map(([target, verdict]) => ({
    target,
    host: '198.51.100.25',
    port: 25,
    address: '198.51.100.25',
    expected: 'blocked',
    rule: 'configured: blocked',
    outcome: verdict === 'pass' ? 'timeout' : 'open',
    verdict,
    evidence: 'port-25-specific drop',
    diagnosis: 'diagnosis',
    connectMs: null,
    greeting: null,
    taskArn: null,
    detail: null,
  }));
  const count = (wanted: Verdict) => results.filter((result) => result.verdict === wanted).length;
  return {
    runId: `run-${canary}`,
    canary,
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:01:00.000Z',
    released: false,
    results,
    summary: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive') },
    restriction: {
      state,
      inEffectTargets: [],
      liftedTargets: [],
      summary: `restriction ${state} for ${canary}`,
      nextStep: null,
    },
  };
}

/** What each function answers; a name absent here is answered 404 ResourceNotFoundException, as Lambda does. */
let functions: Record<string, { status: number; body: unknown; functionError?: string }> = {};
let received: Received[] = [];
let assumed: string[] = [];
let server: Server;
let endpoint: string;
let directory: string;

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'p25-fleet-cli-'));
  await writeFile(
    join(directory, 'credentials'),
    `[shared]\naws_access_key_id = ${PROFILE_KEY}\naws_secret_access_key = profile-secret\n`,
  );
  server = createServer(async (request, response) => {
    const text = await body(request);
    const credential = /Credential=([^/]+)\/\d{8}\/([^/]+)\//.exec(request.headers.authorization ?? '');
    const [, accessKey = '', region = ''] = credential ?? [];
    if (text.includes('Action=AssumeRole')) {
      assumed.push(decodeURIComponent(/RoleArn=([^&]+)/.exec(text)?.[1] ?? ''));
      response.writeHead(200, { 'content-type': 'text/xml' });
      response.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${ASSUMED_KEY}</AccessKeyId><SecretAccessKey>assumed-secret</SecretAccessKey><SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::444455556666:assumed-role/port25-canary-invoke/s</Arn><AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
      return;
    }
    const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(request.url ?? '')?.[1] ?? '');
    received.push({ functionName, accessKey, region, payload: JSON.parse(text || 'null') });
    const answer = functions[functionName];
    if (answer === undefined) {
      response.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
      response.end(JSON.stringify({ Type: 'User', message: `Function not found: ${functionName}` }));
      return;
    }
    response.writeHead(answer.status, {
      'content-type': 'application/json',
      ...(answer.functionError ? { 'x-amz-function-error': answer.functionError } : {}),
    });
    response.end(JSON.stringify(answer.body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(directory, { recursive: true, force: true });
});

beforeEach(() => {
  received = [];
  assumed = [];
  functions = {
    'port25-canary-mail-eu': {
      status: 200,
      body: report('mail-eu', 'in-effect', { relay: 'pass', mx: 'pass' }),
    },
    'port25-canary-mail-us': { status: 200, body: report('mail-us', 'lifted', { mx: 'pass' }) },
  };
});

const network = (vpc: string) => ({ vpcId: `vpc-0000000000000000${vpc}`, subnets: [`subnet-0000000000000000${vpc}`] });

async function writeFleet(vantages: Record<string, unknown>[]): Promise<string> {
  const file = join(directory, `fleet-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(
    file,
    JSON.stringify({
      canaryName: 'mail',
      targets: [
        { name: 'relay', host: '172.16.0.4', expect: 'open' },
        { name: 'mx', host: '198.51.100.25', expect: 'blocked' },
      ],
      vantages,
    }),
  );
  return file;
}

const EU = { name: 'eu', account: '444455556666', region: 'eu-west-1', network: network('1') };
const US = { name: 'us', account: '777788889999', region: 'us-east-1', network: network('2'), targets: ['mx'] };

function invokeFleet(args: readonly string[], extraEnv: Record<string, string> = {}) {
  return runCli(['invoke', '--fleet', ...args], {
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: DEFAULT_KEY,
    AWS_SECRET_ACCESS_KEY: 'default-secret',
    AWS_SHARED_CREDENTIALS_FILE: join(directory, 'credentials'),
    AWS_CONFIG_FILE: join(directory, 'no-config'),
    ...extraEnv,
  });
}

describe('port25-canary invoke --fleet', () => {
  it("prints one matrix of every vantage's verdicts and restriction state, exit 0 when all passed", async () => {
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
    const lines = run.stdout.split('\n');
    expect(lines[0]).toMatch(/^VANTAGE\s+ACCOUNT\s+REGION\s+RESTRICTION\s+RELAY\s+MX$/);
    expect(lines[1]).toMatch(/^eu\s+444455556666\s+eu-west-1\s+in-effect\s+pass\s+pass$/);
    expect(lines[2]).toMatch(/^us\s+777788889999\s+us-east-1\s+lifted\s+-\s+pass$/);
    expect(run.stdout).toContain('eu: restriction in-effect for mail-eu');
    expect(run.stdout).toContain('us: restriction lifted for mail-us');
  });

  it("invokes each vantage's function in its own region", async () => {
    const config = await writeFleet([EU, US]);

    await invokeFleet(['--config', config]);

    const calls = received.map((call) => [call.functionName, call.region]).sort();
    expect(calls).toEqual([
      ['port25-canary-mail-eu', 'eu-west-1'],
      ['port25-canary-mail-us', 'us-east-1'],
    ]);
  });

  it("signs with the vantage's profile, or with a role it assumes, or with the default chain", async () => {
    const config = await writeFleet([
      { ...EU, credentials: { roleArn: ROLE_ARN } },
      { ...US, credentials: { profile: 'shared' } },
    ]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
    expect(assumed).toEqual([ROLE_ARN]);
    const keys = Object.fromEntries(received.map((call) => [call.functionName, call.accessKey]));
    expect(keys).toEqual({ 'port25-canary-mail-eu': ASSUMED_KEY, 'port25-canary-mail-us': PROFILE_KEY });
  });

  it('reports a vantage whose function does not exist and still runs the others, exit 4', async () => {
    delete functions['port25-canary-mail-us'];
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.runNotCarriedOut);
    expect(run.stdout).toMatch(/^eu\s+444455556666\s+eu-west-1\s+in-effect\s+pass\s+pass$/m);
    expect(run.stdout).toMatch(/^us\s+777788889999\s+us-east-1\s+not reached\s+-\s+-$/m);
    expect(run.stderr).toContain(
      'vantage us: Lambda Invoke (function port25-canary-mail-us) failed: ResourceNotFoundException',
    );
  });

  it('reports a vantage whose profile does not exist without calling it', async () => {
    const config = await writeFleet([EU, { ...US, credentials: { profile: 'nobody' } }]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.runNotCarriedOut);
    expect(run.stderr).toMatch(/vantage us: .*nobody/);
    expect(received.map((call) => call.functionName)).toEqual(['port25-canary-mail-eu']);
  });

  it('reports a throttled vantage as not reached', async () => {
    functions['port25-canary-mail-us'] = { status: 429, body: { Type: 'User', message: 'Rate exceeded' } };
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.runNotCarriedOut);
    expect(run.stdout).toMatch(/^us\s+.*not reached/m);
  });

  it('exits 1 when a target failed anywhere, even with a vantage not reached', async () => {
    functions['port25-canary-mail-eu'] = {
      status: 200,
      body: report('mail-eu', 'lifted', { relay: 'pass', mx: 'fail' }),
    };
    delete functions['port25-canary-mail-us'];
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.someFailed);
    expect(run.stdout).toMatch(/^eu\s+.*lifted\s+pass\s+fail$/m);
  });

  it('exits 3 when a target was inconclusive and every vantage ran', async () => {
    functions['port25-canary-mail-us'] = { status: 200, body: report('mail-us', 'unknown', { mx: 'inconclusive' }) };
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.someInconclusive);
  });

  it('exits 4 rather than 3 when a vantage was not reached and another was inconclusive', async () => {
    functions['port25-canary-mail-eu'] = { status: 200, body: report('mail-eu', 'unknown', { relay: 'inconclusive' }) };
    delete functions['port25-canary-mail-us'];
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.runNotCarriedOut);
  });

  it('exits 2 when a function rejects its payload', async () => {
    functions['port25-canary-mail-us'] = {
      status: 200,
      functionError: 'Unhandled',
      body: { errorType: 'ConfigError', errorMessage: 'targets[0]: unknown target' },
    };
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(run.stderr).toContain('vantage us: function port25-canary-mail-us failed: ConfigError');
  });

  it('shows "not reported" for a vantage whose function predates the restriction state', async () => {
    const { restriction: _, ...older } = report('mail-us', 'lifted', { mx: 'pass' });
    functions['port25-canary-mail-us'] = { status: 200, body: older };
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.allPassed);
    expect(run.stdout).toMatch(/^us\s+777788889999\s+us-east-1\s+not reported\s+-\s+pass$/m);
    expect(run.stdout).toContain('us: the function reported no restriction state');
  });

  it('prints every report with --json', async () => {
    delete functions['port25-canary-mail-us'];
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config, '--json']);

    const document = JSON.parse(run.stdout) as { vantages: Record<string, unknown>[] };
    expect(document.vantages.map((vantage) => [vantage.vantage, vantage.region])).toEqual([
      ['eu', 'eu-west-1'],
      ['us', 'us-east-1'],
    ]);
    expect(document.vantages[0]?.report).toMatchObject({ canary: 'mail-eu', restriction: { state: 'in-effect' } });
    expect(document.vantages[1]?.error).toContain('ResourceNotFoundException');
  });

  it('asks each vantage only for the --targets it probes, and skips one that probes none of them', async () => {
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config, '--targets', 'relay']);

    expect(received.map((call) => [call.functionName, call.payload])).toEqual([
      ['port25-canary-mail-eu', { targets: ['relay'] }],
    ]);
    expect(run.stdout).toMatch(/^us\s+.*not asked/m);
  });

  it.each([
    [['nosuch'], '--targets: no vantage of the fleet probes "nosuch"\n'],
    [['relay', 'mxx', 'nosuch'], '--targets: no vantage of the fleet probes "mxx" (did you mean "mx"?), "nosuch"\n'],
  ])('refuses --targets %j naming what no vantage probes, invoking nothing', async (targets, message) => {
    const config = await writeFleet([EU, US]);

    const run = await invokeFleet(['--config', config, '--targets', targets.join(',')]);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(received).toEqual([]);
  });

  it.each([
    [['--config', 'x.json', '--function', 'f'], '--fleet invokes every vantage: drop --function'],
    [[], '--fleet needs --config FILE'],
  ])('refuses %j as a usage error', async (args, message) => {
    const run = await invokeFleet(args);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(run.stderr).toContain(message);
  });

  it('refuses a config without vantages, naming the file', async () => {
    const run = await invokeFleet(['--config', 'examples/canary.config.json']);

    expect(run.exitCode).toBe(VERDICT_EXIT_CODES.usage);
    expect(run.stderr).toContain('examples/canary.config.json: vantages: is required for a fleet');
  });
});
