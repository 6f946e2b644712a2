import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { Workspace } from './synthesize.js';

const TSX = resolve('node_modules/.bin/tsx');
const APP = resolve('infra/app.ts');

/** Runs infra/app.ts the way `cdk synth` does: CDK_OUTDIR and CDK_CONTEXT_JSON, `dist/` under the working directory. */
function runApp(workspace: Workspace, context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(workspace.directory, 'cdk.out-'));
  const result = spawnSync(TSX, [APP], {
    cwd: workspace.directory,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify(context),
    },
  });
  return { ...result, outdir };
}

let workspace: Workspace;
beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

describe('infra/app.ts', () => {
  it('synthesizes the canary stack from -c config with the AwsSolutions checks passing', () => {
    const configFile = workspace.writeConfig(EXISTING_VPC_CONFIG, 'good.json');

    const run = runApp(workspace, { config: configFile });

    expect(run.stderr).not.toContain('port25-canary stack:');
    expect(run.status).toBe(0);
    expect(existsSync(join(run.outdir, 'port25-canary-mail-egress.template.json'))).toBe(true);
    const report = JSON.parse(readFileSync(join(run.outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { conclusion: string }[];
    };
    expect(report.pluginReports.filter((plugin) => plugin.conclusion !== 'success')).toEqual([]);
  });

  it('reports a bad config in one line naming the file and field, and exits 1', () => {
    const targets = [
      { name: 'twin', host: '198.51.100.25' },
      { name: 'twin', host: '198.51.100.26' },
    ];
    const configFile = workspace.writeConfig(withField(EXISTING_VPC_CONFIG, ['targets'], targets), 'twins.json');

    const run = runApp(workspace, { config: configFile });

    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^port25-canary stack: \S+twins\.json: targets\[1\]\.name: duplicate target name "twin" \(line \d+, column \d+\)\n$/,
    );
  });

  it('refuses a reserved concurrency that is not a positive integer', () => {
    const configFile = workspace.writeConfig(EXISTING_VPC_CONFIG, 'good.json');

    const run = runApp(workspace, { config: configFile, reservedConcurrency: '0' });

    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'port25-canary stack: -c reservedConcurrency=0: must be a positive integer or "unreserved"\n',
    );
  });
});
