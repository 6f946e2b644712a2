import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CREATED_VPC_CONFIG, EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { buildCanaryStack, Workspace } from './synthesize.js';

let workspace: Workspace;
beforeEach(() => {
  workspace = new Workspace();
});
afterEach(() => {
  workspace.remove();
});

describe('CanaryStack with more probing than one Lambda run can hold', () => {
  it('warns that a run outlasts the 15-minute Lambda timeout', () => {
    const targets = Array.from({ length: 40 }, (_, index) => ({ name: `t${index}`, host: '198.51.100.25' }));
    const config = { ...withField(EXISTING_VPC_CONFIG, ['targets'], targets), maxConcurrentTasks: 10 };
    const { stack } = buildCanaryStack(workspace, config);

    Annotations.fromStack(stack).hasWarning(
      '/Canary/Orchestrator',
      Match.stringLikeRegexp("A run needs about 19 minutes .* more than Lambda's 15"),
    );
  });
});

describe('CanaryStack in an existing VPC whose primary CIDR the config does not state', () => {
  it('synthesizes, leaving the primary CIDR to the run (no PORT25_VPC_PRIMARY_CIDR)', () => {
    const config = withField(EXISTING_VPC_CONFIG, ['vpcPrimaryCidr'], undefined);
    const { stack } = buildCanaryStack(workspace, config);

    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ PORT25_VPC_PRIMARY_CIDR: Match.absent() }) },
    });
  });
});

describe('CanaryStack with a config it cannot deploy', () => {
  it('fails synthesis naming network.subnets when there are none and no VPC to create', () => {
    const config = withField(EXISTING_VPC_CONFIG, ['network', 'subnets'], undefined);
    expect(() => buildCanaryStack(workspace, config)).toThrow(
      'network.subnets: must list at least one subnet ID unless deployment.createVpc is set',
    );
  });

  it('fails synthesis naming network.vpcId when it is missing and no VPC to create', () => {
    const config = withField(EXISTING_VPC_CONFIG, ['network', 'vpcId'], undefined);
    expect(() => buildCanaryStack(workspace, config)).toThrow(
      'network.vpcId: is required unless deployment.createVpc is set',
    );
  });

  it('fails synthesis naming deployment.schedule when no alarm period can be derived', () => {
    const config = withField(EXISTING_VPC_CONFIG, ['deployment', 'schedule'], 'cron(0 9 ? * MON *)');
    expect(() => buildCanaryStack(workspace, config)).toThrow(/^deployment\.schedule: /);
  });

  it('fails synthesis naming the target when an IPv6 literal meets the IPv4-only VPC the stack creates', () => {
    const config = withField(CREATED_VPC_CONFIG, ['targets'], [{ name: 'ula-relay', host: 'fd25:25::4' }]);
    expect(() => buildCanaryStack(workspace, config)).toThrow(/^targets\[0\]\.host: fd25:25::4 is an IPv6 address/);
  });

  it('fails synthesis telling to build when the orchestrator bundle is missing', () => {
    rmSync(join(workspace.buildDirectory, 'orchestrator'), { recursive: true });
    expect(() => buildCanaryStack(workspace, EXISTING_VPC_CONFIG)).toThrow(
      /orchestrator[/\\]index\.mjs does not exist: run `npm run build`/,
    );
  });

  it('fails synthesis telling to build when the probe bundle is missing and no prebuilt image is set', () => {
    rmSync(join(workspace.buildDirectory, 'probe'), { recursive: true });
    expect(() => buildCanaryStack(workspace, EXISTING_VPC_CONFIG)).toThrow(
      /probe[/\\]index\.cjs does not exist: run `npm run build`/,
    );
  });

  it('needs no probe bundle when a prebuilt probe image is configured', () => {
    rmSync(join(workspace.buildDirectory, 'probe'), { recursive: true });
    const config = withField(EXISTING_VPC_CONFIG, ['deployment', 'probeImageUri'], 'public.ecr.aws/x/probe:1');
    expect(() => buildCanaryStack(workspace, config)).not.toThrow();
  });
});
