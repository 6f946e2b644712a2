import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { offlineEnvironment, SYNTH_ARGUMENTS } from '../../scripts/synth.mjs';

/**
 * `npm run synth`'s script run in a network namespace with no interfaces (`unshare -n`), every connect(2) of it and its
 * children recorded by strace: any connection attempt to an address (IPv4 or IPv6: a DNS query, the notices endpoint,
 * the npm registry, the instance metadata service, STS) fails the test, whether or not it could have succeeded.
 */

const hasTool = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
const isRoot = process.getuid?.() === 0;
const skipReason = !isRoot
  ? 'needs root for unshare -n'
  : !hasTool('strace')
    ? 'needs strace (apt-get install strace)'
    : !hasTool('unshare')
      ? 'needs unshare (util-linux)'
      : undefined;
const skip = skipReason !== undefined && process.env.CI !== 'true';

describe('the synth script environment', () => {
  it('drops every credential and turns off what calls out', () => {
    const env = offlineEnvironment({
      PATH: '/usr/bin',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'secret',
      AWS_SESSION_TOKEN: 'token',
      AWS_PROFILE: 'prod',
      AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1/creds',
    });

    expect(env).toMatchObject({
      PATH: '/usr/bin',
      AWS_EC2_METADATA_DISABLED: 'true',
      CDK_DISABLE_VERSION_CHECK: '1',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
    });
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
      expect(env[name]).toBeUndefined();
    }
    expect(env.AWS_CONTAINER_CREDENTIALS_FULL_URI).toBeUndefined();
    expect(existsSync(env.AWS_CONFIG_FILE)).toBe(false);
    expect(existsSync(env.AWS_SHARED_CREDENTIALS_FILE)).toBe(false);
    expect(SYNTH_ARGUMENTS).toEqual(['synth', '--quiet', '--no-notices', '--no-version-reporting']);
  });
});

describe.skipIf(skip)(`npm run synth offline${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  let directory: string;
  let result: ReturnType<typeof spawnSync>;
  let connects: string[];
  beforeAll(() => {
    if (!existsSync('dist/orchestrator/index.mjs')) throw new Error('run npm run build first (npm test does)');
    directory = mkdtempSync(join(tmpdir(), 'port25-offline-synth-'));
    const log = join(directory, 'connect.log');
    result = spawnSync(
      'unshare',
      [
        '-n',
        'strace',
        '-f',
        '-qq',
        '-e',
        'trace=connect',
        '-o',
        log,
        process.execPath,
        'scripts/synth.mjs',
        '-o',
        join(directory, 'cdk.out'),
      ],
      { encoding: 'utf8', timeout: 240_000 },
    );
    connects = readFileSync(log, 'utf8')
      .split('\n')
      .filter((line) => line.includes('connect('));
  }, 300_000);
  afterAll(() => {
    if (directory !== undefined) rmSync(directory, { recursive: true, force: true });
  });

  it('synthesizes the example without one connection attempt to an address', () => {
    const templates = readdirSync(join(directory, 'cdk.out')).filter((file) => file.endsWith('.template.json'));

    expect(result.status, String(result.stderr)).toBe(0);
    expect(templates).toEqual(['port25-canary-mail-egress.template.json']);
    // The trace follows the children: the app's own local connections (tsx's pipe) are in it.
    expect(connects.some((line) => line.includes('AF_UNIX'))).toBe(true);
    expect(connects.filter((line) => !line.includes('sa_family=AF_UNIX'))).toEqual([]);
  });

  it('writes no version-reporting metadata into the template', () => {
    const template = readFileSync(join(directory, 'cdk.out', 'port25-canary-mail-egress.template.json'), 'utf8');

    expect(template).not.toContain('AWS::CDK::Metadata');
  });
});
