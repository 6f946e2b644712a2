import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricDataFor } from '../../functions/orchestrator/metric-publishing.js';
import type { CanaryConfig } from '../../functions/shared/config.js';
import type { Verdict } from '../../functions/shared/judge.js';
import { isPublished, RUN_METRICS, TARGET_METRICS } from '../../functions/shared/metrics.js';
import { EXEMPT_RANGES } from '../../functions/shared/port25-rule.js';
import type { CanaryReport, TargetReport } from '../../functions/shared/report.js';
import { restrictionReport } from '../../functions/shared/restriction.js';
import {
  BUNDLED_CONFIG_FILE_NAME,
  RUNTIME_ENVIRONMENT,
  STACK_OUTPUTS,
} from '../../functions/shared/runtime-environment.js';
import { CREATED_VPC_CONFIG, EXISTING_VPC_CONFIG, withField } from './fixtures.js';
import { type SynthesizedCanary, synthesizeCanary, Workspace } from './synthesize.js';

type Json = Record<string, unknown>;

let workspace: Workspace;
beforeAll(() => {
  workspace = new Workspace();
});
afterAll(() => {
  workspace.remove();
});

function resourcesOfType(canary: SynthesizedCanary, type: string): Record<string, Json> {
  return canary.template.findResources(type) as Record<string, Json>;
}

function propertiesOf(resource: Json): Json {
  return resource.Properties as Json;
}

function logicalId(canary: SynthesizedCanary, construct: { node: { defaultChild?: unknown } }): string {
  return canary.stack.getLogicalId(construct.node.defaultChild as CfnResource);
}

function orchestratorStatements(canary: SynthesizedCanary): Json[] {
  const role = canary.stack.orchestrator.function.role as unknown as { node: { defaultChild?: unknown } };
  const roleId = logicalId(canary, role);
  const policies = Object.values(resourcesOfType(canary, 'AWS::IAM::Policy')).filter((policy) =>
    (propertiesOf(policy).Roles as Json[]).some((ref) => ref.Ref === roleId),
  );
  return policies.flatMap((policy) => (propertiesOf(policy).PolicyDocument as { Statement: Json[] }).Statement);
}

function statement(canary: SynthesizedCanary, sid: string): Json {
  const found = orchestratorStatements(canary).find((candidate) => candidate.Sid === sid);
  if (!found) throw new Error(`no statement ${sid}`);
  return found;
}

function orchestratorEnvironment(canary: SynthesizedCanary): Json {
  const fn = resourcesOfType(canary, 'AWS::Lambda::Function')[logicalId(canary, canary.stack.orchestrator.function)];
  return (propertiesOf(fn as Json).Environment as { Variables: Json }).Variables;
}

function nagFindings(canary: SynthesizedCanary): string[] {
  const report = new AwsSolutionsChecks().validateScope(canary.stack);
  return report.violations.map(
    (violation) =>
      `${violation.severity} ${violation.ruleName} at ${violation.violatingResources.map((r) => r.constructPath).join(', ')}`,
  );
}

/** The dashboard body with every CloudFormation token replaced by a placeholder, parsed. */
function dashboardBody(canary: SynthesizedCanary): { widgets: { type: string; properties: Json }[] } {
  const [dashboard] = Object.values(resourcesOfType(canary, 'AWS::CloudWatch::Dashboard'));
  const body = propertiesOf(dashboard as Json).DashboardBody as string | { 'Fn::Join': [string, unknown[]] };
  const text =
    typeof body === 'string'
      ? body
      : body['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'TOKEN')).join('');
  return JSON.parse(text);
}

interface UsedMetric {
  readonly where: string;
  readonly namespace: unknown;
  readonly name: unknown;
  readonly dimensions: Record<string, unknown>;
  readonly period: unknown;
}

/**
 * A dashboard line that is a per-target search (`SEARCH('{"NS",Canary,Target} MetricName="M" Canary="C"', 'Stat', P)`),
 * as the series it finds once the orchestrator has published every target's.
 */
function searchedSeries(line: unknown[], targetNames: readonly string[]): Omit<UsedMetric, 'where'>[] | undefined {
  const [first] = line;
  const expression = (first as Json | undefined)?.expression;
  if (line.length !== 1 || typeof expression !== 'string') return undefined;
  const match = /^SEARCH\('\{"([^"]+)",Canary,Target\} MetricName="([^"]+)" Canary="([^"]+)"', '\w+', (\d+)\)$/.exec(
    expression,
  );
  if (match === null) throw new Error(`not a per-target search: ${expression}`);
  const [, namespace, name, canaryName, period] = match;
  return targetNames.map((target) => ({
    namespace,
    name,
    dimensions: { Canary: canaryName, Target: target },
    period: Number(period),
  }));
}

function metricsUsed(canary: SynthesizedCanary): UsedMetric[] {
  const fromAlarms = Object.entries(resourcesOfType(canary, 'AWS::CloudWatch::Alarm')).flatMap(([id, alarm]) => {
    const properties = propertiesOf(alarm);
    // The classic form, or the MetricStat queries of a metric-math alarm.
    const stats =
      properties.MetricName === undefined
        ? (properties.Metrics as Json[])
            .filter((query) => query.MetricStat !== undefined)
            .map((query) => {
              const stat = query.MetricStat as Json;
              return { ...(stat.Metric as Json), Period: stat.Period } as Json;
            })
        : [properties];
    return stats.map((stat) => ({
      where: `alarm ${id}`,
      namespace: stat.Namespace,
      name: stat.MetricName,
      dimensions: Object.fromEntries(
        (stat.Dimensions as { Name: string; Value: unknown }[]).map((d) => [d.Name, d.Value]),
      ),
      period: stat.Period,
    }));
  });
  const fromDashboard = dashboardBody(canary).widgets.flatMap((widget) =>
    ((widget.properties.metrics as unknown[][] | undefined) ?? []).flatMap((line): UsedMetric[] => {
      const search = searchedSeries(
        line,
        canary.config.targets.map((target) => target.name),
      );
      if (search !== undefined)
        return search.map((metric) => ({ ...metric, where: `widget ${String(widget.properties.title)}` }));
      const [namespace, name, ...rest] = line;
      const pairs = rest.filter((item) => typeof item === 'string') as string[];
      const dimensions: Record<string, unknown> = {};
      for (let index = 0; index + 1 < pairs.length; index += 2) dimensions[pairs[index] as string] = pairs[index + 1];
      const options = rest.find((item): item is Json => typeof item === 'object' && item !== null) ?? {};
      return [
        {
          where: `widget ${String(widget.properties.title)}`,
          namespace,
          name,
          dimensions,
          period: options.period,
        },
      ];
    }),
  );
  return [...fromAlarms, ...fromDashboard];
}

function seriesKey(namespace: unknown, name: unknown, dimensions: Record<string, unknown>): string {
  const pairs = Object.entries(dimensions)
    .map(([dimension, value]) => `${dimension}=${String(value)}`)
    .sort();
  return `${String(namespace)}/${String(name)}{${pairs.join(',')}}`;
}

/** One run of `config` in which every target got `verdict`, as the orchestrator reports it. */
function runWhereEveryTarget(config: CanaryConfig, verdict: Verdict): CanaryReport {
  const judged = verdict !== 'inconclusive';
  const results = config.targets.map(
    (target): TargetReport => ({
      target: target.name,
      host: target.host,
      port: target.port,
      address: judged ? '198.51.100.25' : null,
      expected: judged ? 'open' : null,
      rule: 'configured: open',
      outcome: verdict === 'pass' ? 'open' : verdict === 'fail' ? 'timeout' : 'task-failed',
      verdict,
      evidence: verdict,
      diagnosis: verdict,
      connectMs: verdict === 'pass' ? 12 : null,
      greeting: verdict === 'pass' ? '220 mx.example.com ESMTP' : null,
      taskArn: null,
      detail: null,
    }),
  );
  const count = config.targets.length;
  return {
    runId: `run-${verdict}`,
    canary: config.canaryName,
    startedAt: '2030-01-01T00:00:00.000Z',
    finishedAt: '2030-01-01T00:04:00.000Z',
    released: false,
    results,
    restriction: restrictionReport([], false),
    summary: {
      pass: verdict === 'pass' ? count : 0,
      fail: verdict === 'fail' ? count : 0,
      inconclusive: verdict === 'inconclusive' ? count : 0,
    },
  };
}

/** Every series the orchestrator publishes over passing, failing and inconclusive runs, in config.metricNamespace. */
function publishedSeries(config: CanaryConfig): Set<string> {
  const verdicts: Verdict[] = ['pass', 'fail', 'inconclusive'];
  const runs = verdicts.map((verdict) => runWhereEveryTarget(config, verdict));
  // RestrictionInEffect is published only for a run that saw the restriction one way or the other.
  const signals = [
    { inEffect: true, lifted: false },
    { inEffect: false, lifted: true },
  ];
  const withRestriction = signals.map((signal) => ({
    ...runWhereEveryTarget(config, 'pass'),
    restriction: restrictionReport([{ target: 'any', signal }], config.port25Released),
  }));
  const data = [...runs, ...withRestriction].flatMap((run) => metricDataFor(run, config.deployment));
  return new Set(
    data.map((datum) =>
      seriesKey(
        config.metricNamespace,
        datum.MetricName,
        Object.fromEntries((datum.Dimensions ?? []).map((dimension) => [dimension.Name, dimension.Value])),
      ),
    ),
  );
}

describe('CanaryStack in an existing VPC', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    canary = synthesizeCanary(workspace, EXISTING_VPC_CONFIG);
  });

  /** An alarm on `FILL(m, 0)` over one metric, as the template must state it (literals: the documented contract). */
  function filledAlarm(metric: Json, stat: string, period: number): Json {
    return {
      Metrics: [
        Match.objectLike({ Expression: 'FILL(m, 0)', ReturnData: true }),
        { Id: 'm', MetricStat: { Metric: metric, Period: period, Stat: stat }, ReturnData: false },
      ],
    };
  }

  it('creates one ExpectationMet alarm per target on FILL(m, 0), so a period without a judged run breaches', () => {
    for (const target of canary.config.targets) {
      canary.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        ...filledAlarm(
          {
            Namespace: 'Port25Canary/Test',
            MetricName: 'ExpectationMet',
            Dimensions: [
              { Name: 'Canary', Value: 'mail-egress' },
              { Name: 'Target', Value: target.name },
            ],
          },
          'Minimum',
          // 15-minute schedule + 10-minute orchestrator timeout + 5 minutes of slack.
          1800,
        ),
        ComparisonOperator: 'LessThanThreshold',
        Threshold: 1,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 2,
        TreatMissingData: 'breaching',
      });
    }
    const expectationAlarms = Object.values(resourcesOfType(canary, 'AWS::CloudWatch::Alarm')).filter((alarm) =>
      JSON.stringify(propertiesOf(alarm)).includes(`"MetricName":"${TARGET_METRICS.expectationMet.name}"`),
    );
    expect(expectationAlarms).toHaveLength(canary.config.targets.length);
  });

  it('alarms when a run leaves a target inconclusive, ignoring runs that did not happen', () => {
    canary.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Port25Canary/Test',
      MetricName: RUN_METRICS.targetsInconclusive.name,
      Dimensions: [{ Name: 'Canary', Value: 'mail-egress' }],
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('alarms on FILL(m, 0) of finished runs when no run finishes within the alarm period', () => {
    canary.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      ...filledAlarm(
        {
          Namespace: 'Port25Canary/Test',
          MetricName: 'RunDuration',
          Dimensions: [{ Name: 'Canary', Value: 'mail-egress' }],
        },
        'SampleCount',
        1800,
      ),
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 1,
      TreatMissingData: 'breaching',
    });
  });

  it('sends every alarm and OK transition to the topic', () => {
    const topicRef = { Ref: logicalId(canary, canary.stack.alarms.topic) };
    const alarms = Object.values(resourcesOfType(canary, 'AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(canary.config.targets.length + 3);
    for (const alarm of alarms) {
      expect(propertiesOf(alarm).AlarmActions).toEqual([topicRef]);
      expect(propertiesOf(alarm).OKActions).toEqual([topicRef]);
    }
  });

  it('denies non-TLS publishing to the topic and subscribes the configured emails', () => {
    canary.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    canary.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('invokes the orchestrator with the scheduled event on the configured schedule', () => {
    canary.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(canary, canary.stack.orchestrator.function), 'Arn'] },
          Input: Match.absent(),
          RetryPolicy: { MaximumEventAgeInSeconds: 900, MaximumRetryAttempts: 2 },
        }),
      ],
    });
  });

  it('defines the probe task: family, size, architecture, read-only root, non-root user, awslogs in blocking mode', () => {
    canary.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: 'mail-egress-probe',
      Cpu: '256',
      Memory: '512',
      NetworkMode: 'awsvpc',
      RequiresCompatibilities: ['FARGATE'],
      RuntimePlatform: { CpuArchitecture: 'ARM64', OperatingSystemFamily: 'LINUX' },
      ContainerDefinitions: [
        Match.objectLike({
          Name: 'smtp-probe',
          EntryPoint: ['node', '/app/index.cjs'],
          User: '1000:1000',
          ReadonlyRootFilesystem: true,
          LogConfiguration: {
            LogDriver: 'awslogs',
            Options: {
              'awslogs-group': { Ref: logicalId(canary, canary.stack.probe.logGroup) },
              'awslogs-stream-prefix': 'canary',
              'awslogs-region': { Ref: 'AWS::Region' },
              mode: 'blocking',
            },
          },
        }),
      ],
    });
  });

  it('keeps probe and orchestrator logs for the configured retention', () => {
    const groups = Object.values(resourcesOfType(canary, 'AWS::Logs::LogGroup'));
    expect(groups.map((group) => propertiesOf(group).RetentionInDays)).toEqual([14, 14]);
  });

  it('runs the orchestrator on Node.js 24 from index.handler with a timeout that covers a Fargate start', () => {
    canary.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 600,
      ReservedConcurrentExecutions: 2,
      LoggingConfig: { LogGroup: { Ref: logicalId(canary, canary.stack.orchestrator.logGroup) } },
    });
  });

  it('drops scheduled events it cannot run within one period instead of retrying them', () => {
    canary.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 900,
    });
  });

  it('hands the orchestrator the deployed cluster, task definition, network and log group', () => {
    const { stack } = canary;
    expect(orchestratorEnvironment(canary)).toEqual({
      [RUNTIME_ENVIRONMENT.cluster]: stack.resolve(stack.probe.clusterArn),
      [RUNTIME_ENVIRONMENT.taskDefinition]: { Ref: logicalId(canary, stack.probe.taskDefinition) },
      [RUNTIME_ENVIRONMENT.containerName]: 'smtp-probe',
      [RUNTIME_ENVIRONMENT.subnets]: 'subnet-0123456789abcdef0,subnet-0fedcba9876543210',
      [RUNTIME_ENVIRONMENT.securityGroups]: {
        'Fn::Join': [
          '',
          [{ 'Fn::GetAtt': [logicalId(canary, stack.network.probeSecurityGroup), 'GroupId'] }, ',sg-0123456789abcdef0'],
        ],
      },
      [RUNTIME_ENVIRONMENT.assignPublicIp]: 'false',
      [RUNTIME_ENVIRONMENT.logGroup]: { Ref: logicalId(canary, stack.probe.logGroup) },
      [RUNTIME_ENVIRONMENT.logStreamPrefix]: 'canary',
      [RUNTIME_ENVIRONMENT.vpcPrimaryCidr]: '10.0.0.0/16',
    });
  });

  it('ships the handler bundle and the config file in the function asset', () => {
    const fn = resourcesOfType(canary, 'AWS::Lambda::Function')[logicalId(canary, canary.stack.orchestrator.function)];
    const key = (propertiesOf(fn as Json).Code as { S3Key: string }).S3Key;
    const assetDirectory = join(canary.assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
    expect(readdirSync(assetDirectory).sort()).toEqual([BUNDLED_CONFIG_FILE_NAME, 'index.mjs']);
    expect(readFileSync(join(assetDirectory, BUNDLED_CONFIG_FILE_NAME), 'utf8')).toBe(
      readFileSync(canary.configFile, 'utf8'),
    );
  });

  it('builds the probe image for the task architecture from the Dockerfile and the probe bundle', () => {
    const manifest = JSON.parse(
      readFileSync(join(canary.assembly.directory, `${canary.stack.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, { source: { directory: string; platform?: string } }> };
    const images = Object.values(manifest.dockerImages);
    expect(images).toHaveLength(1);
    const source = (images[0] as { source: { directory: string; platform?: string } }).source;
    expect(source.platform).toBe('linux/arm64');
    expect(readdirSync(join(canary.assembly.directory, source.directory)).sort()).toEqual(['Dockerfile', 'index.cjs']);
  });

  it('allows RunTask only on the probe task family, only in the probe cluster', () => {
    const { stack } = canary;
    expect(statement(canary, 'RunProbeTask')).toEqual({
      Sid: 'RunProbeTask',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: stack.resolve(stack.probe.taskDefinitionFamilyArn),
      Condition: { ArnEquals: { 'ecs:cluster': stack.resolve(stack.probe.clusterArn) } },
    });
    expect(JSON.stringify(stack.resolve(stack.probe.taskDefinitionFamilyArn))).toContain(
      ':task-definition/mail-egress-probe:*',
    );
  });

  it('allows tags on probe tasks only as part of RunTask, only in the probe cluster', () => {
    const { stack } = canary;
    expect(statement(canary, 'TagProbeTasksAtLaunch')).toEqual({
      Sid: 'TagProbeTasksAtLaunch',
      Effect: 'Allow',
      Action: 'ecs:TagResource',
      Resource: stack.resolve(stack.probe.clusterTasksArn),
      Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    });
  });

  it('passes only the probe task and execution roles, only to ECS tasks', () => {
    const { stack } = canary;
    expect(statement(canary, 'PassProbeRoles')).toEqual({
      Sid: 'PassProbeRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: [
        stack.resolve(stack.probe.taskDefinition.taskRole.roleArn),
        stack.resolve(stack.probe.executionRole.roleArn),
      ],
      Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    });
  });

  it('describes and stops only tasks of the probe cluster', () => {
    const { stack } = canary;
    expect(statement(canary, 'WatchProbeTasks')).toEqual({
      Sid: 'WatchProbeTasks',
      Effect: 'Allow',
      Action: ['ecs:DescribeTasks', 'ecs:StopTask'],
      Resource: stack.resolve(stack.probe.clusterTasksArn),
      Condition: { ArnEquals: { 'ecs:cluster': stack.resolve(stack.probe.clusterArn) } },
    });
    expect(JSON.stringify(stack.resolve(stack.probe.clusterTasksArn))).toMatch(/:task\/.*\/\*"/);
  });

  it('reads log events only from the probe log group', () => {
    expect(statement(canary, 'ReadProbeLogs')).toEqual({
      Sid: 'ReadProbeLogs',
      Effect: 'Allow',
      Action: 'logs:GetLogEvents',
      Resource: { 'Fn::GetAtt': [logicalId(canary, canary.stack.probe.logGroup), 'Arn'] },
    });
  });

  it('publishes metrics only to the configured namespace', () => {
    expect(statement(canary, 'PublishCanaryMetrics')).toEqual({
      Sid: 'PublishCanaryMetrics',
      Effect: 'Allow',
      Action: 'cloudwatch:PutMetricData',
      Resource: '*',
      Condition: { StringEquals: { 'cloudwatch:namespace': 'Port25Canary/Test' } },
    });
  });

  it('lets the orchestrator read the VPC CIDR blocks, read-only, on the only resource EC2 accepts for them', () => {
    expect(statement(canary, 'ReadVpcCidrs')).toEqual({
      Sid: 'ReadVpcCidrs',
      Effect: 'Allow',
      Action: ['ec2:DescribeSubnets', 'ec2:DescribeVpcs'],
      Resource: '*',
    });
  });

  it('grants the orchestrator nothing beyond those statements and its own log writes', () => {
    expect(orchestratorStatements(canary).map((entry) => entry.Sid)).toEqual([
      'WriteOwnLogs',
      'RunProbeTask',
      'TagProbeTasksAtLaunch',
      'PassProbeRoles',
      'WatchProbeTasks',
      'ReadProbeLogs',
      'PublishCanaryMetrics',
      'PutRunEvents',
      'ReadVpcCidrs',
    ]);
    expect(statement(canary, 'WriteOwnLogs').Resource).toEqual({
      'Fn::GetAtt': [logicalId(canary, canary.stack.orchestrator.logGroup), 'Arn'],
    });
    const roleId = logicalId(canary, canary.stack.orchestrator.function.role as never);
    expect(propertiesOf(resourcesOfType(canary, 'AWS::IAM::Role')[roleId] as Json).ManagedPolicyArns).toBeUndefined();
  });

  it('gives the probe task role no permissions at all', () => {
    const taskRoleId = logicalId(canary, canary.stack.probe.taskDefinition.taskRole as never);
    const taskRole = propertiesOf(resourcesOfType(canary, 'AWS::IAM::Role')[taskRoleId] as Json);
    expect(taskRole.ManagedPolicyArns).toBeUndefined();
    expect(taskRole.Policies).toBeUndefined();
    const attached = Object.values(resourcesOfType(canary, 'AWS::IAM::Policy')).filter((policy) =>
      (propertiesOf(policy).Roles as Json[]).some((ref) => ref.Ref === taskRoleId),
    );
    expect(attached).toEqual([]);
  });

  it('lets nothing into the probe security group', () => {
    const groups = Object.values(resourcesOfType(canary, 'AWS::EC2::SecurityGroup'));
    expect(groups).toHaveLength(1);
    expect(propertiesOf(groups[0] as Json).SecurityGroupIngress).toBeUndefined();
    canary.template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    canary.template.resourceCountIs('AWS::EC2::SecurityGroupEgress', 0);
  });

  it('lets the probe out only to target and control ports, DNS and HTTPS', () => {
    const [group] = Object.values(resourcesOfType(canary, 'AWS::EC2::SecurityGroup'));
    const egress = (propertiesOf(group as Json).SecurityGroupEgress as Json[]).map(
      (rule) => `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} ${rule.CidrIp ?? rule.CidrIpv6}`,
    );
    expect(egress.sort()).toEqual(
      [
        'tcp 25-25 0.0.0.0/0',
        'tcp 25-25 ::/0',
        'tcp 53-53 0.0.0.0/0',
        'udp 53-53 0.0.0.0/0',
        'tcp 443-443 0.0.0.0/0',
        'tcp 443-443 ::/0',
        'tcp 587-587 0.0.0.0/0',
        'tcp 587-587 ::/0',
        'tcp 8443-8443 0.0.0.0/0',
        'tcp 8443-8443 ::/0',
      ].sort(),
    );
  });

  it('uses the existing VPC without creating network resources', () => {
    canary.template.resourceCountIs('AWS::EC2::VPC', 0);
    canary.template.resourceCountIs('AWS::EC2::Subnet', 0);
    canary.template.hasResourceProperties('AWS::EC2::SecurityGroup', { VpcId: 'vpc-0123456789abcdef0' });
  });

  it('outputs the function name, the invoke command, the dashboard URL and the topic ARN', () => {
    const functionRef = { Ref: logicalId(canary, canary.stack.orchestrator.function) };
    canary.template.hasOutput('FunctionName', { Value: functionRef });
    canary.template.hasOutput('InvokeCommand', {
      Value: { 'Fn::Join': ['', ['port25-canary invoke --function ', functionRef]] },
    });
    canary.template.hasOutput('DashboardUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('console.aws.amazon.com/cloudwatch')])] },
    });
    canary.template.hasOutput('AlarmTopicArn', { Value: { Ref: logicalId(canary, canary.stack.alarms.topic) } });
  });

  it('outputs what `run --stack` launches: each value exactly the function environment it stands for', () => {
    const outputs = canary.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    const environment = orchestratorEnvironment(canary);

    const runOutputs = Object.fromEntries(
      Object.entries(STACK_OUTPUTS).map(([key, variable]) => [key, [outputs[key]?.Value, environment[variable]]]),
    );

    expect(Object.keys(runOutputs)).toEqual([
      'ProbeCluster',
      'ProbeTaskDefinition',
      'ProbeContainerName',
      'ProbeSubnets',
      'ProbeSecurityGroups',
      'ProbeAssignPublicIp',
      'ProbeLogGroup',
      'ProbeLogStreamPrefix',
      'VpcPrimaryCidr',
    ]);
    for (const [key, [output, variable]] of Object.entries(runOutputs)) {
      expect({ key, output }).toEqual({ key, output: variable });
      expect(output).toBeDefined();
    }
  });

  it('states the port-25 rule and each target expectation on the dashboard', () => {
    const text = dashboardBody(canary).widgets.find((widget) => widget.type === 'text');
    const markdown = String(text?.properties.markdown);
    for (const range of EXEMPT_RANGES) expect(markdown).toContain(range.cidr);
    expect(markdown).toContain('`10.0.0.0/16`');
    expect(markdown).toContain('| relay-in-vpc | 10.0.12.25:25 | auto | open (VPC primary CIDR 10.0.0.0/16) |');
    expect(markdown).toContain('| internet-mx-v6 | [2001:db8::25]:25 | auto | blocked (IPv6 outside RFC 4193) |');
    expect(markdown).toContain('| submission | mx.example.com:587 | open | open (configured) |');
  });

  it('shows every alarm, the run summary and per-target graphs on the dashboard', () => {
    const widgets = dashboardBody(canary).widgets;
    const alarmWidget = widgets.find((widget) => widget.type === 'alarm');
    expect(alarmWidget?.properties.alarms).toHaveLength(canary.config.targets.length + 3);
    const graphed = metricsUsed(canary).filter((metric) => metric.where.startsWith('widget'));
    for (const target of canary.config.targets) {
      for (const definition of Object.values(TARGET_METRICS).filter((metric) =>
        isPublished(metric, canary.config.deployment),
      )) {
        expect(graphed).toContainEqual(
          expect.objectContaining({
            name: definition.name,
            dimensions: { Canary: 'mail-egress', Target: target.name },
          }),
        );
      }
    }
    for (const definition of Object.values(RUN_METRICS)) {
      expect(graphed).toContainEqual(
        expect.objectContaining({ name: definition.name, dimensions: { Canary: 'mail-egress' } }),
      );
    }
  });

  it('graphs one point per run and alarms over a schedule interval plus one run', () => {
    const used = metricsUsed(canary);
    const periods = (where: string) => [...new Set(used.filter((m) => m.where.startsWith(where)).map((m) => m.period))];

    expect(periods('widget')).toEqual([900]);
    expect(periods('alarm')).toEqual([1800]);
  });

  it('watches and graphs only series the orchestrator publishes for passing, failing and inconclusive runs', () => {
    const published = publishedSeries(canary.config);
    const used = metricsUsed(canary);

    const unpublished = used
      .filter((metric) => !published.has(seriesKey(metric.namespace, metric.name, metric.dimensions)))
      .map((metric) => `${metric.where}: ${seriesKey(metric.namespace, metric.name, metric.dimensions)}`);

    expect(used.length).toBeGreaterThan(canary.config.targets.length * 2);
    expect(unpublished).toEqual([]);
  });

  it('puts run events on the default bus of its own account and region only', () => {
    expect(statement(canary, 'PutRunEvents')).toMatchObject({ Action: 'events:PutEvents', Effect: 'Allow' });
    expect(JSON.stringify(statement(canary, 'PutRunEvents').Resource)).toBe(
      JSON.stringify({
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':events:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':event-bus/default',
          ],
        ],
      }),
    );
  });

  it('alarms when the restriction appears lifted while not released, and not on a run that could not tell', () => {
    canary.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'port25-canary mail-egress port-25 restriction appears lifted',
      MetricName: 'RestrictionInEffect',
      Namespace: 'Port25Canary/Test',
      Dimensions: [{ Name: 'Canary', Value: 'mail-egress' }],
      Statistic: 'Minimum',
      ComparisonOperator: 'LessThanOrEqualToThreshold',
      Threshold: 0,
      TreatMissingData: 'notBreaching',
    });
  });

  it('graphs the restriction per run and, by default, only ExpectationMet per target', () => {
    const graphed = metricsUsed(canary).filter((metric) => metric.where.startsWith('widget'));
    const names = new Set(graphed.map((metric) => String(metric.name)));

    expect(names.has('RestrictionInEffect')).toBe(true);
    expect([...names].filter((name) => ['Port25Reachable', 'ConnectTime', 'Inconclusive'].includes(name))).toEqual([]);
  });

  it('passes the AwsSolutions checks with every exception acknowledged', () => {
    expect(nagFindings(canary)).toEqual([]);
  });
});

describe('CanaryStack with a VPC of its own', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    canary = synthesizeCanary(workspace, CREATED_VPC_CONFIG);
  });

  it('creates the VPC with the configured CIDR, public subnets only and no NAT gateway', () => {
    canary.template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: '10.20.0.0/24' });
    canary.template.resourceCountIs('AWS::EC2::NatGateway', 0);
    const subnets = Object.values(resourcesOfType(canary, 'AWS::EC2::Subnet'));
    expect(subnets).toHaveLength(2);
    for (const subnet of subnets) expect(propertiesOf(subnet).MapPublicIpOnLaunch).toBe(true);
  });

  it('gives probe tasks a public IP and hands the orchestrator the created VPC CIDR', () => {
    const environment = orchestratorEnvironment(canary);
    expect(environment[RUNTIME_ENVIRONMENT.assignPublicIp]).toBe('true');
    expect(environment[RUNTIME_ENVIRONMENT.vpcPrimaryCidr]).toBe('10.20.0.0/24');
  });

  it('runs the probe and the orchestrator on x86 when the config says so', () => {
    canary.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      Family: Match.stringLikeRegexp('^lab-v2-[0-9a-f]{6}-probe$'),
      RuntimePlatform: { CpuArchitecture: 'X86_64', OperatingSystemFamily: 'LINUX' },
    });
    canary.template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['x86_64'],
    });
  });

  it('derives the alarm period from a cron schedule', () => {
    canary.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0/30 * * * ? *)' });
    const alarmPeriods = metricsUsed(canary)
      .filter((metric) => metric.where.startsWith('alarm'))
      .map((metric) => metric.period);
    // 30-minute schedule + 10-minute orchestrator timeout + 5 minutes of slack.
    expect(alarmPeriods.length).toBeGreaterThan(0);
    for (const period of alarmPeriods) {
      expect(period).toBe(2700);
    }
  });

  it('passes the AwsSolutions checks with every exception acknowledged', () => {
    expect(nagFindings(canary)).toEqual([]);
  });
});

describe('CanaryStack with a VPC in named availability zones', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    canary = synthesizeCanary(
      workspace,
      withField(CREATED_VPC_CONFIG, ['deployment', 'createVpc'], {
        cidr: '10.20.0.0/22',
        availabilityZones: ['us-east-1a', 'us-east-1c', 'us-east-1d'],
      }),
    );
  });

  it('puts one public subnet in each named AZ and none elsewhere', () => {
    const zones = Object.values(resourcesOfType(canary, 'AWS::EC2::Subnet')).map(
      (subnet) => propertiesOf(subnet).AvailabilityZone,
    );

    expect(zones.sort()).toEqual(['us-east-1a', 'us-east-1c', 'us-east-1d']);
  });
});

describe('CanaryStack with a prebuilt image and an existing cluster', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    const config = withField(
      withField(EXISTING_VPC_CONFIG, ['network', 'cluster'], 'shared-probes'),
      ['deployment', 'probeImageUri'],
      '111122223333.dkr.ecr.eu-west-1.amazonaws.com/port25/probe:1.2.3',
    );
    canary = synthesizeCanary(workspace, config);
  });

  it('creates no cluster and scopes RunTask to the named one', () => {
    canary.template.resourceCountIs('AWS::ECS::Cluster', 0);
    const condition = statement(canary, 'RunProbeTask').Condition as { ArnEquals: Json };
    expect(JSON.stringify(condition.ArnEquals['ecs:cluster'])).toContain(':cluster/shared-probes');
    expect(JSON.stringify(statement(canary, 'WatchProbeTasks').Resource)).toContain(':task/shared-probes/*');
  });

  it('runs the prebuilt image and lets the execution role pull only from its repository', () => {
    canary.template.hasResourceProperties('AWS::ECS::TaskDefinition', {
      ContainerDefinitions: [
        Match.objectLike({
          Image: {
            'Fn::Join': ['', ['111122223333.dkr.ecr.eu-west-1.', { Ref: 'AWS::URLSuffix' }, '/port25/probe:1.2.3']],
          },
        }),
      ],
    });
    canary.template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage'],
            Resource: 'arn:aws:ecr:eu-west-1:111122223333:repository/port25/probe',
          }),
        ]),
      },
    });
  });

  it('builds no image asset', () => {
    const manifest = JSON.parse(
      readFileSync(join(canary.assembly.directory, `${canary.stack.artifactId}.assets.json`), 'utf8'),
    ) as { dockerImages: Record<string, unknown> };
    expect(manifest.dockerImages).toEqual({});
  });

  it('passes the AwsSolutions checks with every exception acknowledged', () => {
    expect(nagFindings(canary)).toEqual([]);
  });
});

describe('CanaryStack reserved concurrency', () => {
  it('leaves the orchestrator on the unreserved pool when asked to', () => {
    const canary = synthesizeCanary(workspace, EXISTING_VPC_CONFIG, { orchestratorReservedConcurrency: 'unreserved' });
    const fn = resourcesOfType(canary, 'AWS::Lambda::Function')[logicalId(canary, canary.stack.orchestrator.function)];
    expect(propertiesOf(fn as Json).ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('the example config', () => {
  it('synthesizes and passes the AwsSolutions checks', () => {
    const example = JSON.parse(readFileSync('examples/canary.config.json', 'utf8')) as Json;
    const canary = synthesizeCanary(workspace, example);
    expect(nagFindings(canary)).toEqual([]);
    expect(existsSync(canary.assembly.directory)).toBe(true);
  });
});

describe('CanaryStack released, with detailed target metrics', () => {
  let canary: SynthesizedCanary;
  beforeAll(() => {
    const config = withField(
      withField(EXISTING_VPC_CONFIG, ['port25Released'], true),
      ['deployment', 'detailedTargetMetrics'],
      true,
    );
    canary = synthesizeCanary(workspace, config);
  });

  it('alarms when the restriction is in effect although released', () => {
    canary.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'port25-canary mail-egress restriction in effect although released',
      MetricName: 'RestrictionInEffect',
      Statistic: 'Maximum',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
  });

  it('graphs every per-target metric, each of them published', () => {
    const published = publishedSeries(canary.config);
    const used = metricsUsed(canary);
    const names = new Set(used.filter((metric) => metric.where.startsWith('widget')).map((metric) => metric.name));

    for (const definition of Object.values(TARGET_METRICS)) expect(names.has(definition.name)).toBe(true);
    expect(
      used.filter((metric) => !published.has(seriesKey(metric.namespace, metric.name, metric.dimensions))),
    ).toEqual([]);
  });
});
