import { readFileSync, statSync } from 'node:fs';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolvedVantage } from '../../functions/shared/fleet.js';
import { MAX_METRICS_PER_DASHBOARD, vantagesByDashboard } from '../../infra/fleet-monitoring-stack.js';
import { CLOUDFORMATION_QUOTAS, checkStackQuotas, stackQuotaProblems } from '../../infra/stack-quotas.js';
import { MAX_TARGETS_PER_STACK } from '../../infra/stack-settings.js';
import { type RawConfig, synthesizeConfigFile, Workspace } from './synthesize.js';

/**
 * The largest configs validation accepts: 400 targets a stack, 63-character target names, host names of 252
 * characters (four labels of at most 63), detailed metrics, e-mail subscriptions; the single stack with a 63-character
 * canary name, the fleet with the longest canary and vantage names its function names allow.
 */
function largestTargets(): RawConfig[] {
  return Array.from({ length: MAX_TARGETS_PER_STACK }, (_, index) => {
    const id = String(index).padStart(3, '0');
    return {
      name: `t${id}-`.padEnd(63, 'x'),
      host: [`h${id}`.padEnd(63, 'a'), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(56), 'com'].join('.'),
      expect: 'blocked',
    };
  });
}

function largest(base: RawConfig, canaryName: string): RawConfig {
  const deployment = base.deployment as RawConfig;
  return {
    ...base,
    canaryName,
    targets: largestTargets(),
    deployment: { ...deployment, detailedTargetMetrics: true, notifyEmails: ['oncall@example.com'] },
  };
}

let workspace: Workspace;
let single: CloudAssembly;
let fleet: CloudAssembly;
beforeAll(async () => {
  workspace = new Workspace();
  const singleBase = JSON.parse(readFileSync('examples/canary.config.json', 'utf8')) as RawConfig;
  single = await synthesizeConfigFile(
    workspace,
    workspace.writeConfig(largest(singleBase, 'c'.repeat(63)), 'single.config.json'),
  );
  const fleetBase = JSON.parse(readFileSync('examples/fleet.config.json', 'utf8')) as RawConfig;
  // "port25-canary-" + canary name + "-" + vantage name is the function name, at most 64 characters.
  const vantages = (fleetBase.vantages as RawConfig[]).slice(0, 2).map((vantage, index) => ({
    ...vantage,
    name: `v${index}`.padEnd(8, 'x'),
    targets: undefined,
    port25Released: undefined,
  }));
  fleet = await synthesizeConfigFile(
    workspace,
    workspace.writeConfig({ ...largest(fleetBase, 'f'.repeat(41)), vantages }, 'fleet.config.json'),
  );
}, 240_000);
afterAll(() => {
  workspace.remove();
});

const templateBytes = (assembly: CloudAssembly) =>
  assembly.stacks.map((stack) => statSync(stack.templateFullPath).size);

describe('stack quotas', () => {
  it('fits the largest single stack', () => {
    const [stack] = single.stacks;

    expect(Object.keys(stack?.template.Resources ?? {}).length).toBeGreaterThan(MAX_TARGETS_PER_STACK);
    expect(templateBytes(single)[0]).toBeLessThan(CLOUDFORMATION_QUOTAS.templateBytes);
    expect(stackQuotaProblems(single)).toEqual([]);
  });

  it('fits every stack of the largest fleet', () => {
    // Two vantages, their sinks and the monitoring stack.
    expect(fleet.stacks.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...templateBytes(fleet))).toBeLessThan(CLOUDFORMATION_QUOTAS.templateBytes);
    expect(stackQuotaProblems(fleet)).toEqual([]);
  });

  it('refuses a template over the size quota, naming stack, size and limit', () => {
    const [bytes] = templateBytes(single);
    const name = single.stacks[0]?.stackName;

    expect(() => checkStackQuotas(single, { ...CLOUDFORMATION_QUOTAS, templateBytes: 100_000 })).toThrow(
      `stack ${name}: template is ${bytes} bytes, more than the 100000 allowed. CloudFormation would refuse this stack`,
    );
  });

  it('refuses too many resources or outputs, each named', () => {
    const [stack] = single.stacks;
    const resources = Object.keys(stack?.template.Resources ?? {}).length;
    const outputs = Object.keys(stack?.template.Outputs ?? {}).length;

    expect(stackQuotaProblems(single, { templateBytes: 2_000_000, resources: 400, outputs: 5 })).toEqual([
      `stack ${stack?.stackName}: ${resources} resources, more than the 400 allowed`,
      `stack ${stack?.stackName}: ${outputs} outputs, more than the 5 allowed`,
    ]);
  });

  it('passes a stack exactly at each quota', () => {
    const [stack] = single.stacks;
    const exactly = {
      templateBytes: templateBytes(single)[0] as number,
      resources: Object.keys(stack?.template.Resources ?? {}).length,
      outputs: Object.keys(stack?.template.Outputs ?? {}).length,
    };

    expect(stackQuotaProblems(single, exactly)).toEqual([]);
  });
});

describe('fleet dashboards', () => {
  const vantage = (targets: number) =>
    ({ config: { targets: Array.from({ length: targets }) } }) as unknown as ResolvedVantage;

  it('splits vantage rows so no dashboard draws more than 2,500 metrics', () => {
    const parts = vantagesByDashboard(Array.from({ length: 7 }, () => vantage(400)));

    expect(MAX_METRICS_PER_DASHBOARD).toBe(2_500);
    expect(parts.map((part) => part.length)).toEqual([6, 1]);
  });

  it('fills a dashboard up to exactly 2,500 metrics', () => {
    expect(vantagesByDashboard([vantage(1_249), vantage(1_249)]).map((part) => part.length)).toEqual([2]);
    expect(vantagesByDashboard([vantage(1_249), vantage(1_250)]).map((part) => part.length)).toEqual([1, 1]);
  });
});
