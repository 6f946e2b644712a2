import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnvironment, type ProcessResult, runProcess } from '../../lab/process.js';

/**
 * Getting the CLI from a clone: `npm install -g .` and `npm link` in a fresh copy of the checkout (the tracked files
 * only: no node_modules, no dist) put a working `port25-canary` on the PATH. npm runs offline, from its cache, so the
 * test sends nothing over the network (the cache holds every package once `npm ci` has run on this machine).
 */

const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');
const NODE_DIRECTORY = dirname(process.execPath);
const PACKAGE_VERSION = (
  JSON.parse(readFileSync(join(PROJECT_DIRECTORY, 'package.json'), 'utf8')) as { version: string }
).version;

let work: string;
let clone: string;

function npmEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return cleanEnvironment({
    HOME: process.env.HOME ?? homedir(),
    npm_config_offline: 'true',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
    npm_config_update_notifier: 'false',
    ...extra,
  });
}

/** The installed command with a PATH holding only the prefix's bin, Node, and the system. */
function installedCli(prefix: string, args: readonly string[]): Promise<ProcessResult> {
  return runProcess('port25-canary', args, {
    cwd: work,
    env: { PATH: `${join(prefix, 'bin')}:${NODE_DIRECTORY}:/usr/bin:/bin` },
  });
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'port25-global-install-'));
  clone = join(work, 'clone');
  const listed = await runProcess('git', ['ls-files', '-z'], { cwd: PROJECT_DIRECTORY, env: cleanEnvironment() });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed: ${listed.stderr}`);
  for (const file of listed.stdout.split('\0').filter((name) => name !== '')) {
    await mkdir(dirname(join(clone, file)), { recursive: true });
    await copyFile(join(PROJECT_DIRECTORY, file), join(clone, file)).catch((error: NodeJS.ErrnoException) => {
      // A tracked file deleted in the working tree is not part of what a clone of it would hold.
      if (error.code !== 'ENOENT') throw error;
    });
  }
});

afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('installing the CLI from a clone', () => {
  it('npm install -g . installs the build dependencies, builds the bin and links port25-canary', async () => {
    const prefix = join(work, 'global');

    const install = await runProcess('npm', ['install', '-g', '.', '--prefix', prefix], {
      cwd: clone,
      env: npmEnvironment(),
    });
    expect(install.exitCode, install.stderr).toBe(0);

    const version = await installedCli(prefix, ['--version']);
    const explain = await installedCli(prefix, ['explain', '--json', '10.1.2.3']);
    expect({ version: version.stdout, exitCode: explain.exitCode, stderr: explain.stderr }).toEqual({
      version: `${PACKAGE_VERSION}\n`,
      exitCode: 0,
      stderr: '',
    });
    expect(JSON.parse(explain.stdout)).toMatchObject([{ address: '10.1.2.3', expected: 'open' }]);
  }, 300_000);

  it('npm link rebuilds a missing bin and links it', async () => {
    const prefix = join(work, 'linked');
    await rm(join(clone, 'dist'), { recursive: true, force: true });

    const link = await runProcess('npm', ['link'], {
      cwd: clone,
      env: npmEnvironment({ npm_config_prefix: prefix }),
    });
    expect(link.exitCode, link.stderr).toBe(0);

    const help = await installedCli(prefix, ['--help']);
    expect({ exitCode: help.exitCode, stderr: help.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: port25-canary <command>/);
  }, 300_000);
});
