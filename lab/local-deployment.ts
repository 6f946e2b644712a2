import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { cleanEnvironment, runProcess } from './process.js';

/**
 * `npm run synth` for the lab config, then a local "deploy": the template's resources get physical names in the lab's
 * account and region, and the orchestrator function, the probe task definition and the alarms are read back from the
 * template so the lab runs what the stack would deploy (its Lambda asset, environment, container name, log settings).
 */

export class DeploymentError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeploymentError';
  }
}

type Json = Record<string, unknown>;

export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Json;
  readonly Metadata?: Json;
}

export interface CloudFormationTemplate {
  readonly Resources: Readonly<Record<string, CloudFormationResource>>;
  readonly Outputs?: Readonly<Record<string, { readonly Value: unknown; readonly Description?: string }>>;
}

export interface SynthesizedStack {
  readonly stackName: string;
  readonly template: CloudFormationTemplate;
  /** The cloud assembly directory (cdk.out) holding the template and its assets. */
  readonly assemblyDirectory: string;
  /** The template body's size in bytes, as CloudFormation counts it against its 1 MB quota. */
  readonly templateBytes: number;
  /** The account and Region of the stack's environment; undefined when the stack is environment-agnostic. */
  readonly account?: string | undefined;
  readonly region?: string | undefined;
}

export interface OrchestratorDeployment {
  readonly logicalId: string;
  readonly functionName: string;
  /** The function's asset directory: the handler bundle and the config file, as uploaded. */
  readonly codeDirectory: string;
  readonly handler: string;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** The function's environment with every CloudFormation reference resolved to the lab's physical names. */
  readonly environment: Readonly<Record<string, string>>;
}

export interface ProbeTaskDeployment {
  readonly clusterName: string;
  readonly family: string;
  readonly revision: number;
  readonly containerName: string;
  readonly logGroup: string;
  readonly logStreamPrefix: string;
  /** `uid:gid` the container runs as, when the task definition sets one. */
  readonly user: string | undefined;
}

/** The VPC the stack creates, with the lab's IDs: what the local EC2 answers DescribeSubnets/DescribeVpcs with. */
export interface VpcDeployment {
  readonly vpcId: string;
  readonly primaryCidr: string;
  readonly subnets: readonly {
    readonly subnetId: string;
    readonly cidrBlock: string;
    readonly availabilityZone: string;
  }[];
}

export interface LabDeployment {
  readonly stack: SynthesizedStack;
  /** Undefined when the stack imports a VPC instead of creating one. */
  readonly vpc: VpcDeployment | undefined;
  readonly region: string;
  readonly accountId: string;
  readonly orchestrator: OrchestratorDeployment;
  readonly probeTask: ProbeTaskDeployment;
  /** What the schedule rule sends the function: its constant Input, or undefined for the EventBridge event itself. */
  readonly scheduledInput: unknown;
  /** The stack's outputs with the lab's physical names, as CloudFormation DescribeStacks returns them after deploy. */
  readonly stackOutputs: readonly { readonly key: string; readonly value: string; readonly description?: string }[];
}

export interface SynthesisOptions {
  readonly projectDirectory: string;
  readonly configFile: string;
  readonly outputDirectory: string;
}

/** Runs the project's CDK app (cdk.json) with `-c config=FILE` into `outputDirectory`, offline; returns the directory. */
export async function synthesizeAssembly(options: SynthesisOptions): Promise<string> {
  const cdk = join(options.projectDirectory, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const args = [
    cdk,
    'synth',
    '--quiet',
    '--no-notices',
    '--no-version-reporting',
    '-c',
    `config=${resolve(options.configFile)}`,
    '-o',
    options.outputDirectory,
  ];
  const synth = await runProcess(process.execPath, args, {
    cwd: options.projectDirectory,
    // No AWS credentials: synthesis must not look anything up. No telemetry, notices or update checks either.
    env: cleanEnvironment({
      HOME: process.env.HOME ?? options.outputDirectory,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      CDK_DISABLE_VERSION_CHECK: 'true',
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
    }),
  });
  const code = synth.exitCode;
  const output = `${synth.stdout}${synth.stderr}`;
  if (code !== 0) {
    throw new DeploymentError(`cdk synth -c config=${options.configFile} failed (exit ${code}):\n${output.trim()}`);
  }
  return options.outputDirectory;
}

/** Runs the project's CDK app (cdk.json) with `-c config=FILE` into `outputDirectory`, offline: its one stack. */
export async function synthesizeStack(options: SynthesisOptions): Promise<SynthesizedStack> {
  const stacks = await readAssembly(await synthesizeAssembly(options));
  if (stacks.length !== 1) {
    throw new DeploymentError(
      `expected one stack in ${options.outputDirectory}, found ${stacks.length}: ${stacks.map((stack) => stack.stackName).join(', ')}`,
    );
  }
  return stacks[0] as SynthesizedStack;
}

/**
 * CloudFormation's quotas a template must fit (CloudFormation User Guide, "Understand CloudFormation quotas":
 * template body in S3 1 MB, 500 resources, 200 outputs), answered with the errors CloudFormation gives.
 */
export const CLOUDFORMATION_QUOTAS = { templateBytes: 1_048_576, resources: 500, outputs: 200 } as const;

export function quotaProblems(stack: Pick<SynthesizedStack, 'stackName' | 'template' | 'templateBytes'>): string[] {
  const resources = Object.keys(stack.template.Resources).length;
  const outputs = Object.keys(stack.template.Outputs ?? {}).length;
  return [
    ...(stack.templateBytes > CLOUDFORMATION_QUOTAS.templateBytes
      ? [`${stack.stackName}: Template may not exceed ${CLOUDFORMATION_QUOTAS.templateBytes} bytes in size.`]
      : []),
    ...(resources > CLOUDFORMATION_QUOTAS.resources
      ? [
          `${stack.stackName}: Template format error: Number of resources, ${resources}, is greater than maximum allowed, ${CLOUDFORMATION_QUOTAS.resources}`,
        ]
      : []),
    ...(outputs > CLOUDFORMATION_QUOTAS.outputs
      ? [
          `${stack.stackName}: Template format error: Number of outputs, ${outputs}, is greater than maximum allowed, ${CLOUDFORMATION_QUOTAS.outputs}`,
        ]
      : []),
  ];
}

/**
 * Every stack of a cloud assembly (manifest.json: artifacts of type aws:cloudformation:stack), with the account and
 * Region its environment names (undefined for an environment-agnostic stack) and its template's size.
 */
export async function readAssembly(directory: string): Promise<SynthesizedStack[]> {
  const manifest = JSON.parse(await readFile(join(directory, 'manifest.json'), 'utf8')) as {
    artifacts?: Record<string, { type?: string; environment?: string; properties?: Json }>;
  };
  const stacks: SynthesizedStack[] = [];
  for (const [artifactId, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type !== 'aws:cloudformation:stack') continue;
    const templateFile = String(artifact.properties?.templateFile ?? `${artifactId}.template.json`);
    const body = await readFile(join(directory, templateFile));
    const [, account, region] = /^aws:\/\/([^/]+)\/(.+)$/.exec(artifact.environment ?? '') ?? [];
    stacks.push({
      stackName: String(artifact.properties?.stackName ?? artifactId),
      template: JSON.parse(body.toString('utf8')) as CloudFormationTemplate,
      assemblyDirectory: directory,
      templateBytes: body.length,
      account: account === undefined || account === 'unknown-account' ? undefined : account,
      region: region === undefined || region === 'unknown-region' ? undefined : region,
    });
  }
  return stacks;
}

/** A stable fake ID such as subnet-0a1b2c3d4e5f60718 derived from the resource's logical ID. */
function fakeId(prefix: string, logicalId: string): string {
  return `${prefix}-0${createHash('sha256').update(logicalId).digest('hex').slice(0, 16)}`;
}

/** Resolves the intrinsic functions the stack's environment values use, with lab physical names. */
export class LocalResolver {
  constructor(
    private readonly stack: SynthesizedStack,
    private readonly region: string,
    private readonly accountId: string,
  ) {}

  private resource(logicalId: string): CloudFormationResource {
    const resource = this.stack.template.Resources[logicalId];
    if (!resource) throw new DeploymentError(`the template references a resource it does not define: ${logicalId}`);
    return resource;
  }

  /** Physical name as CloudFormation would generate it (stack name + logical ID), or the one the template sets. */
  nameOf(logicalId: string, nameProperty?: string): string {
    const given = nameProperty ? this.resource(logicalId).Properties?.[nameProperty] : undefined;
    if (typeof given === 'string') return given;
    return `${this.stack.stackName}-${logicalId}`.slice(0, 64);
  }

  ref(logicalId: string): string {
    const pseudo: Record<string, string> = {
      'AWS::Region': this.region,
      'AWS::AccountId': this.accountId,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::Partition': 'aws',
      'AWS::StackName': this.stack.stackName,
    };
    const pseudoValue = pseudo[logicalId];
    if (pseudoValue !== undefined) return pseudoValue;
    const { Type: type } = this.resource(logicalId);
    switch (type) {
      case 'AWS::ECS::Cluster':
        return this.nameOf(logicalId, 'ClusterName');
      case 'AWS::ECS::TaskDefinition':
        return `arn:aws:ecs:${this.region}:${this.accountId}:task-definition/${this.taskDefinitionFamily(logicalId)}:1`;
      case 'AWS::EC2::Subnet':
        return fakeId('subnet', logicalId);
      case 'AWS::EC2::SecurityGroup':
        return fakeId('sg', logicalId);
      case 'AWS::EC2::VPC':
        return fakeId('vpc', logicalId);
      case 'AWS::Logs::LogGroup':
        return this.nameOf(logicalId, 'LogGroupName');
      case 'AWS::Lambda::Function':
        return this.nameOf(logicalId, 'FunctionName');
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${this.region}:${this.accountId}:${this.nameOf(logicalId, 'TopicName')}`;
      case 'AWS::IAM::Role':
        return this.nameOf(logicalId, 'RoleName');
      case 'AWS::Events::Rule':
        return this.nameOf(logicalId, 'Name');
      case 'AWS::Events::EventBus':
        return this.nameOf(logicalId, 'Name');
      case 'AWS::CloudWatch::Alarm':
        return this.nameOf(logicalId, 'AlarmName');
      default:
        return this.nameOf(logicalId);
    }
  }

  getAtt(logicalId: string, attribute: string): string {
    const { Type: type } = this.resource(logicalId);
    const key = `${type}.${attribute}`;
    switch (key) {
      case 'AWS::ECS::Cluster.Arn':
        return `arn:aws:ecs:${this.region}:${this.accountId}:cluster/${this.ref(logicalId)}`;
      case 'AWS::EC2::SecurityGroup.GroupId':
        return this.ref(logicalId);
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:aws:logs:${this.region}:${this.accountId}:log-group:${this.ref(logicalId)}:*`;
      case 'AWS::Lambda::Function.Arn':
        return `arn:aws:lambda:${this.region}:${this.accountId}:function:${this.ref(logicalId)}`;
      case 'AWS::IAM::Role.Arn':
        return `arn:aws:iam::${this.accountId}:role/${this.nameOf(logicalId, 'RoleName')}`;
      case 'AWS::Events::Rule.Arn':
        return `arn:aws:events:${this.region}:${this.accountId}:rule/${this.ref(logicalId)}`;
      case 'AWS::Events::EventBus.Arn':
        return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${this.ref(logicalId)}`;
      case 'AWS::Events::EventBus.Name':
        return this.ref(logicalId);
      case 'AWS::SNS::Topic.TopicArn':
        return this.ref(logicalId);
      case 'AWS::SNS::Topic.TopicName':
        return this.nameOf(logicalId, 'TopicName');
      case 'AWS::CloudWatch::Alarm.Arn':
        return `arn:aws:cloudwatch:${this.region}:${this.accountId}:alarm:${this.ref(logicalId)}`;
      case 'AWS::ECS::TaskDefinition.TaskDefinitionArn':
        return this.ref(logicalId);
      case 'AWS::EC2::VPC.DefaultSecurityGroup':
        return fakeId('sg', `${logicalId}.DefaultSecurityGroup`);
      case 'AWS::Oam::Sink.Arn':
        return `arn:aws:oam:${this.region}:${this.accountId}:sink/${fakeId('sink', logicalId).slice(5)}`;
      default:
        throw new DeploymentError(`the lab cannot resolve Fn::GetAtt ${logicalId}.${attribute} (${type})`);
    }
  }

  taskDefinitionFamily(logicalId: string): string {
    return this.nameOf(logicalId, 'Family');
  }

  resolve(value: unknown): string {
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const [[intrinsic, argument] = []] = Object.entries(value);
      if (intrinsic === 'Ref' && typeof argument === 'string') return this.ref(argument);
      if (intrinsic === 'Fn::GetAtt' && Array.isArray(argument))
        return this.getAtt(String(argument[0]), String(argument[1]));
      if (intrinsic === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) {
        return (argument[1] as unknown[]).map((part) => this.resolve(part)).join(String(argument[0]));
      }
      if (intrinsic === 'Fn::Sub' && typeof argument === 'string') {
        return argument.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
          const [logicalId, attribute] = name.split('.');
          return attribute === undefined ? this.ref(logicalId as string) : this.getAtt(logicalId as string, attribute);
        });
      }
    }
    throw new DeploymentError(`the lab cannot resolve ${JSON.stringify(value)}`);
  }

  /** Resolves every intrinsic function inside a JSON value (a policy document, a target list). */
  resolveDeep(value: unknown): unknown {
    if (Array.isArray(value)) return value.map((item) => this.resolveDeep(item));
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value);
    const [[key] = []] = entries;
    if (entries.length === 1 && (key === 'Ref' || (key ?? '').startsWith('Fn::'))) return this.resolve(value);
    return Object.fromEntries(entries.map(([name, item]) => [name, this.resolveDeep(item)]));
  }
}

function resourcesOfType(template: CloudFormationTemplate, type: string): [string, CloudFormationResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}

function single<T>(items: readonly T[], what: string): T {
  if (items.length !== 1)
    throw new DeploymentError(`expected exactly one ${what} in the template, found ${items.length}`);
  return items[0] as T;
}

function createdVpc(
  template: CloudFormationTemplate,
  resolver: LocalResolver,
  region: string,
): VpcDeployment | undefined {
  const vpcs = resourcesOfType(template, 'AWS::EC2::VPC');
  if (vpcs.length === 0) return undefined;
  const [vpcId, vpc] = single(vpcs, 'VPC');
  const subnets = resourcesOfType(template, 'AWS::EC2::Subnet').map(([subnetId, subnet], index) => ({
    subnetId: resolver.ref(subnetId),
    cidrBlock: resolver.resolve(subnet.Properties?.CidrBlock),
    // The template picks zones with Fn::GetAZs, which only a real region answers: the lab names them a, b, ...
    availabilityZone: `${region}${String.fromCharCode(97 + index)}`,
  }));
  return { vpcId: resolver.ref(vpcId), primaryCidr: resolver.resolve(vpc.Properties?.CidrBlock), subnets };
}

/** Lambda's task root inside the function's sandbox; paths below it live in the asset directory in the lab. */
export const LAMBDA_TASK_ROOT = '/var/task';

/**
 * A function's environment with every CloudFormation reference resolved to the lab's physical names; a path under the
 * sandbox's /var/task points into the asset directory, which is /var/task here.
 */
export function functionEnvironment(
  properties: Json,
  codeDirectory: string,
  resolver: LocalResolver,
): Record<string, string> {
  const variables = ((properties.Environment as Json | undefined)?.Variables ?? {}) as Json;
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      const resolved = resolver.resolve(value);
      return [
        name,
        resolved.startsWith(`${LAMBDA_TASK_ROOT}/`)
          ? join(codeDirectory, resolved.slice(LAMBDA_TASK_ROOT.length + 1))
          : resolved,
      ];
    }),
  );
}

/** Reads the orchestrator function, the probe task definition and the schedule from the synthesized template. */
export function localDeployment(
  stack: SynthesizedStack,
  account: { readonly region: string; readonly accountId: string },
): LabDeployment {
  const resolver = new LocalResolver(stack, account.region, account.accountId);
  const { template } = stack;

  // The orchestrator: the function whose code is a bundled asset with the handler (not CDK's own helper functions).
  const functions = resourcesOfType(template, 'AWS::Lambda::Function').filter(
    ([, resource]) => resource.Metadata?.['aws:asset:is-bundled'] === true,
  );
  const [functionId, functionResource] = single(functions, 'bundled Lambda function (the orchestrator)');
  const properties = functionResource.Properties ?? {};
  const assetPath = functionResource.Metadata?.['aws:asset:path'];
  if (typeof assetPath !== 'string') throw new DeploymentError(`${functionId} has no aws:asset:path metadata`);
  const codeDirectory = resolve(stack.assemblyDirectory, assetPath);
  const environment = functionEnvironment(properties, codeDirectory, resolver);

  const [clusterId] = single(resourcesOfType(template, 'AWS::ECS::Cluster'), 'ECS cluster');
  const [taskDefinitionId, taskDefinition] = single(
    resourcesOfType(template, 'AWS::ECS::TaskDefinition'),
    'ECS task definition',
  );
  const containers = (taskDefinition.Properties?.ContainerDefinitions ?? []) as Json[];
  const container = single(containers, 'container in the probe task definition');
  const logOptions = ((container.LogConfiguration as Json | undefined)?.Options ?? {}) as Json;
  if ((container.LogConfiguration as Json | undefined)?.LogDriver !== 'awslogs') {
    throw new DeploymentError('the probe container does not log with the awslogs driver');
  }

  const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(([, rule]) =>
    ((rule.Properties?.Targets ?? []) as Json[]).some((target) => JSON.stringify(target.Arn).includes(functionId)),
  );
  const scheduleTarget = (
    (single(rules, 'schedule rule targeting the orchestrator')[1].Properties?.Targets ?? []) as Json[]
  ).find((target) => JSON.stringify(target.Arn).includes(functionId));
  const input = scheduleTarget?.Input;

  return {
    stack,
    vpc: createdVpc(template, resolver, account.region),
    region: account.region,
    accountId: account.accountId,
    orchestrator: {
      logicalId: functionId,
      functionName: resolver.ref(functionId),
      codeDirectory,
      handler: resolver.resolve(properties.Handler),
      timeoutSeconds: Number(properties.Timeout ?? 3),
      memorySizeMb: Number(properties.MemorySize ?? 128),
      environment,
    },
    probeTask: {
      clusterName: resolver.ref(clusterId),
      family: resolver.taskDefinitionFamily(taskDefinitionId),
      revision: 1,
      containerName: resolver.resolve(container.Name),
      logGroup: resolver.resolve(logOptions['awslogs-group']),
      logStreamPrefix: resolver.resolve(logOptions['awslogs-stream-prefix']),
      user: typeof container.User === 'string' ? container.User : undefined,
    },
    scheduledInput: typeof input === 'string' ? JSON.parse(input) : undefined,
    stackOutputs: Object.entries(template.Outputs ?? {}).map(([key, output]) => ({
      key,
      value: resolver.resolve(output.Value),
      ...(output.Description === undefined ? {} : { description: output.Description }),
    })),
  };
}
