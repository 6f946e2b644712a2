import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, Stack, Validations } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlTowerChecks } from '../../infra/control-tower.js';
import { CREATED_VPC_CONFIG } from './fixtures.js';
import { synthesizeConfigFile, Workspace } from './synthesize.js';

/** The checks infra/app.ts runs at every synth: cdk-nag's AwsSolutions and Control Tower's proactive controls. */
const withChecks = (app: App) => {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), controlTowerChecks());
};

let workspace: Workspace;
beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

const failureOf = async (synth: () => Promise<CloudAssembly>): Promise<string> => {
  try {
    await synth();
    return '';
  } catch (error) {
    return String(error);
  }
};

describe('Control Tower proactive controls', () => {
  it('pass the single canary with no unacknowledged finding', async () => {
    expect(await failureOf(() => synthesizeConfigFile(workspace, 'examples/canary.config.json', withChecks))).toBe('');
  });

  it('pass every fleet stack with no unacknowledged finding', async () => {
    expect(await failureOf(() => synthesizeConfigFile(workspace, 'examples/fleet.config.json', withChecks))).toBe('');
  });

  it('pass a canary that creates its own VPC with no unacknowledged finding', async () => {
    const file = workspace.writeConfig(CREATED_VPC_CONFIG, 'created-vpc.config.json');

    expect(await failureOf(() => synthesizeConfigFile(workspace, file, withChecks))).toBe('');
  });

  it("run over the canary's stack: a log group without acknowledgements fails synth, and only that one", async () => {
    const failure = await failureOf(() =>
      synthesizeConfigFile(workspace, 'examples/canary.config.json', (app) => {
        const [stack] = app.node.children.filter((child): child is Stack => child instanceof Stack);
        new logs.LogGroup(stack as Stack, 'Unacknowledged', { retention: logs.RetentionDays.ONE_MONTH });
        withChecks(app);
      }),
    );

    expect(failure).toContain('CT.CLOUDWATCH.PR.2');
    expect(failure).toContain('CT.CLOUDWATCH.PR.3');
    expect(failure).toContain('/Unacknowledged/Resource');
    expect(failure).not.toContain('/Probe/LogGroup/Resource');
    expect(failure).not.toContain('CT.ECS.PR.7');
  });

  it('gives the probe container a hard memory limit (CT.ECS.PR.7)', async () => {
    const assembly = await synthesizeConfigFile(workspace, 'examples/canary.config.json');
    const [stack] = assembly.stacks;
    const template = JSON.parse(readFileSync(join(assembly.directory, stack?.templateFile ?? ''), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: { ContainerDefinitions?: { Memory?: number }[] } }>;
    };
    const [taskDefinition] = Object.values(template.Resources).filter((r) => r.Type === 'AWS::ECS::TaskDefinition');

    expect(taskDefinition?.Properties.ContainerDefinitions?.map((container) => container.Memory)).toEqual([512]);
  });
});
