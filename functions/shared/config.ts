import { readFile } from 'node:fs/promises';
import { FUNCTION_NAME, vantageFunctionName } from './aws-names.js';
import { CONFIG_DEFAULTS, LIMITS } from './config-defaults.js';
import { ConfigError, type ConfigProblem } from './errors.js';
import { JsonSyntaxError, parseJsonDocument, type TextPosition } from './json-locations.js';
import { isIpLiteral, notMailDestination, parseCidr } from './port25-rule.js';

// Kept apart so the probe's argument parser can import them without the rule engine (ip-address).
export { CONFIG_DEFAULTS, LIMITS } from './config-defaults.js';

/**
 * The canary config file: one JSON file read by the orchestrator, the CLI (`run`), the CDK app and the lab.
 * Parsed once at the edge into a typed, defaulted value; every error names the field.
 */
export interface CanaryConfig {
  readonly canaryName: string;
  readonly metricNamespace: string;
  /** Primary CIDR of the VPC the probes run in. Optional in the file when the stack creates the VPC. */
  readonly vpcPrimaryCidr: string | undefined;
  readonly port25Released: boolean;
  readonly probe: ProbeDefaults;
  readonly network: ProbeNetwork;
  readonly maxConcurrentTasks: number;
  readonly targets: readonly CanaryTarget[];
  readonly deployment: DeploymentSettings;
  /** Set when the config lists `vantages`: one canary per account and region (see functions/shared/fleet.ts). */
  readonly fleet: FleetSettings | undefined;
}

export interface FleetSettings {
  readonly vantages: readonly VantageSettings[];
  /** Where the fleet is watched; without it no monitoring stack is built. */
  readonly monitoring: MonitoringSettings | undefined;
}

/** One account and region the canary runs in; what it leaves unset comes from the top level of the config. */
export interface VantageSettings {
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly network: ProbeNetwork;
  readonly vpcPrimaryCidr: string | undefined;
  readonly port25Released: boolean | undefined;
  /** Names from the config's `targets`; undefined means all of them. */
  readonly targets: readonly string[] | undefined;
  /** How `invoke --fleet` reaches the vantage; undefined means the SDK's default chain. */
  readonly credentials: VantageCredentials | undefined;
}

/** A named profile, a role to assume, or both (the role assumed with the profile's credentials). */
export interface VantageCredentials {
  readonly profile: string | undefined;
  readonly roleArn: string | undefined;
}

export interface MonitoringSettings {
  readonly account: string;
  readonly region: string;
  /** An OAM sink that already exists in the monitoring account, by region: no sink stack is made for that region. */
  readonly existingSinks: Readonly<Record<string, string>>;
}

export type TargetExpectation = 'auto' | 'open' | 'blocked';

export interface CanaryTarget {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly expect: TargetExpectation;
  readonly controlPort: number | undefined;
  readonly starttls: boolean;
}

export interface ProbeDefaults {
  readonly timeoutMs: number;
  readonly ehloName: string;
  readonly attempts: number;
  readonly controlPort: number | undefined;
}

export interface CapacityProviderStrategyItem {
  readonly capacityProvider: string;
  readonly weight: number | undefined;
  readonly base: number | undefined;
}

/** Where probe tasks run. Fields the stack creates may be absent from the file and come from the environment. */
export interface ProbeNetwork {
  readonly cluster: string | undefined;
  readonly taskDefinition: string | undefined;
  readonly containerName: string;
  readonly vpcId: string | undefined;
  readonly subnets: readonly string[];
  readonly securityGroups: readonly string[];
  readonly assignPublicIp: boolean;
  /** When set, RunTask uses it instead of the FARGATE launch type (e.g. FARGATE_SPOT). */
  readonly capacityProviderStrategy: readonly CapacityProviderStrategyItem[] | undefined;
  readonly logGroup: string | undefined;
  readonly logStreamPrefix: string;
}

export interface CreateVpcSettings {
  readonly cidr: string;
  /** How many of the region's AZs to use, the first ones; ignored when `availabilityZones` names them. */
  readonly maxAzs: number;
  /** The AZs by name (Fargate is not offered in every AZ of some regions); undefined takes the region's first. */
  readonly availabilityZones: readonly string[] | undefined;
}

/** Read by the CDK app only. */
export interface DeploymentSettings {
  /** Create a small VPC (public subnets, no NAT gateway) with this primary CIDR instead of using `network.vpcId`. */
  readonly createVpc: CreateVpcSettings | undefined;
  /** EventBridge schedule expression. */
  readonly schedule: string;
  readonly alarmEvaluationPeriods: number;
  readonly alarmDatapointsToAlarm: number;
  readonly notifyEmails: readonly string[];
  readonly logRetentionDays: number;
  readonly cpuArchitecture: 'ARM64' | 'X86_64';
  /** A prebuilt probe image; without it the stack builds one from the probe bundle. */
  readonly probeImageUri: string | undefined;
  /**
   * Publish every per-target metric (Port25Reachable, ConnectTime, Inconclusive) besides ExpectationMet, which the
   * alarms and the dashboard use. Each custom metric costs per month, so the default is false.
   */
  readonly detailedTargetMetrics: boolean;
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/**
 * AWS limits a config must respect before anything reaches AWS. RunTask's awsvpcConfiguration takes at most 16
 * subnets and 5 security groups. The list `run` and the handler send is `network.securityGroups` (the handler's comes
 * from the stack: its probe security group plus the file's), so they check 5; the stack adds its own group to the
 * file's, so synth checks 4 (infra/stack-settings.ts).
 */
export const AWS_LIMITS = {
  subnets: 16,
  runTaskSecurityGroups: 5,
  stackSecurityGroups: 4,
} as const;

/**
 * CloudWatch namespaces: 1-255 of letters, digits, `.`, `-`, `_`, `/`, `#`, `:` and space, at least one of them not a
 * space, not starting with `:` (CloudWatch concepts, "Namespaces"; PutMetricData `Namespace` pattern `[^:].*`); the
 * `AWS/` prefix is reserved for AWS services and PutMetricData refuses it.
 */
const NAMESPACE_PATTERN = /^(?!:)(?=.*[^ ])[0-9A-Za-z._\-/#: ]{1,255}$/;
const RESERVED_NAMESPACE_PREFIX = 'AWS/';
/** A regular AZ name such as `eu-west-1a` (the region, then one letter). */
const AVAILABILITY_ZONE_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}[a-z]$/;
const MAX_CREATED_AZS = 6;
const HOST_NAME_PATTERN =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

type Json = Record<string, unknown>;

/**
 * Every problem of the config being validated, so one run of the validator shows them all. A field's first problem
 * wins, and nothing is reported inside a field that already has one (a `targets` that is not a list does not also
 * make each target's name "required").
 */
class ConfigProblems {
  private readonly found: ConfigProblem[] = [];

  add(field: string, problem: string): void {
    const inside = (known: ConfigProblem) =>
      field === known.field || field.startsWith(`${known.field}.`) || field.startsWith(`${known.field}[`);
    if (!this.found.some(inside)) this.found.push({ field, problem });
  }

  /**
   * Runs one part of the validation. A ConfigError it throws (a check written as `throw new ConfigError(...)`) is
   * kept with the rest and `fallback` stands in for the part's value, so the parts after it are still checked.
   */
  collect<T>(part: () => T, fallback: () => T): T {
    try {
      return part();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      for (const { field, problem } of error.problems) this.add(field, problem);
      return fallback();
    }
  }

  throwIfAny(): void {
    if (this.found.length > 0) throw ConfigError.of(this.found);
  }
}

// The problems of the config being parsed. parseCanaryConfig is synchronous, so one slot is enough, and every Fields
// (also one built with Fields.of deep inside a section) reports into it without the collector being passed around.
let collecting: ConfigProblems | undefined;

/** Records a problem of the config being parsed; outside parseCanaryConfig it is thrown at once. */
function reportProblem(field: string, problem: string): void {
  if (collecting === undefined) throw new ConfigError(field, problem);
  collecting.add(field, problem);
}

/**
 * Typed reads of one JSON object's fields. A bad value is reported (see reportProblem) and read as absent, so the
 * validation goes on and finds the next problem; a required field that is bad or absent reads as ''.
 */
class Fields {
  constructor(
    private readonly value: Json,
    private readonly path: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) reportProblem(this.at(key), `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  at(key: string): string {
    return this.path === '' ? key : `${this.path}.${key}`;
  }

  optionalString(key: string, pattern?: RegExp, hint?: string): string | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'string' || raw.trim() === '') return this.bad(key, 'must be a non-empty string');
    // Stryker disable next-line StringLiteral: equivalent, every caller that gives a pattern gives its hint too
    if (pattern && !pattern.test(raw)) return this.bad(key, `${JSON.stringify(raw)} ${hint ?? 'is not valid'}`);
    return raw;
  }

  string(key: string, pattern?: RegExp, hint?: string): string {
    const value = this.optionalString(key, pattern, hint);
    if (value === undefined) {
      reportProblem(this.at(key), 'is required');
      // Stryker disable next-line StringLiteral: equivalent, a config with a problem is rejected whole, this value unread
      return '';
    }
    return value;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < min || raw > max) {
      return this.bad(key, `must be an integer from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    }
    return raw;
  }

  optionalBoolean(key: string): boolean | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    if (typeof raw !== 'boolean') return this.bad(key, `must be true or false, got ${JSON.stringify(raw)}`);
    return raw;
  }

  optionalEnum<T extends string>(key: string, choices: readonly T[]): T | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    if (!choices.includes(raw as T)) {
      return this.bad(key, `must be one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
    }
    return raw as T;
  }

  stringList(key: string, pattern?: RegExp, hint?: string): string[] {
    const raw = this.value[key];
    if (raw === undefined) return [];
    // Stryker disable next-line ArrayDeclaration: equivalent, the problem reported rejects the config whatever list stands in
    if (!Array.isArray(raw)) return this.bad(key, 'must be an array of strings') ?? [];
    return raw.filter((item: unknown, index): item is string => {
      if (typeof item === 'string' && (!pattern || pattern.test(item))) return true;
      // Stryker disable next-line StringLiteral: equivalent, every caller gives a pattern and its hint
      reportProblem(`${this.at(key)}[${index}]`, `${JSON.stringify(item)} ${hint ?? 'must be a non-empty string'}`);
      // Stryker disable next-line BooleanLiteral: equivalent, the problem reported rejects the config, kept item or not
      return false;
    });
  }

  object(key: string, allowed: readonly string[]): Fields | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    return Fields.of(raw, this.at(key), allowed);
  }

  /** Fields of an optional object that has defaults: an absent one reads as empty, so as its defaults. */
  section(key: string, allowed: readonly string[]): Fields {
    return this.object(key, allowed) ?? Fields.empty(this.at(key));
  }

  /** A plain object of strings (temporary: the full validation of monitoring.existingSinks comes with h24-config). */
  stringRecord(key: string): Readonly<Record<string, string>> {
    const raw = this.value[key];
    if (raw === undefined) return {};
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return this.bad(key, 'must be an object') ?? {};
    return Object.fromEntries(Object.entries(raw).map(([name, value]) => [name, String(value)]));
  }

  array(key: string): unknown[] | undefined {
    const raw = this.value[key];
    if (raw === undefined) return undefined;
    if (!Array.isArray(raw)) return this.bad(key, 'must be an array');
    return raw;
  }

  /** Reports the field and reads it as absent. */
  private bad(key: string, problem: string): undefined {
    reportProblem(this.at(key), problem);
    return undefined;
  }

  /** Fields of `raw`; one that is not an object is reported and read as an empty object. */
  static of(raw: unknown, path: string, allowed: readonly string[]): Fields {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      // Never the root ('' path): parseCanaryConfig refuses a root that is not an object before reading any field.
      reportProblem(path, 'must be a JSON object');
      return Fields.empty(path);
    }
    return new Fields(raw as Json, path, allowed);
  }

  /**
   * An object with no fields, at `path`: it reads as its defaults. A required field read from it is reported there,
   * where ConfigProblems drops it if the object itself already has a problem.
   */
  static empty(path: string): Fields {
    // Stryker disable next-line ArrayDeclaration: equivalent, an empty object has no field to allow or refuse
    return new Fields({}, path, []);
  }
}

function cidrField(fields: Fields, key: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    parseCidr(value);
  } catch {
    reportProblem(fields.at(key), `${JSON.stringify(value)} is not a network CIDR block`);
    return undefined;
  }
  return value;
}

const PORT = [1, 65_535] as const;

function hostField(fields: Fields): string {
  const host = fields.string('host');
  if (!isIpLiteral(host) && !HOST_NAME_PATTERN.test(host)) {
    reportProblem(fields.at('host'), `${JSON.stringify(host)} must be a host name or IP literal, without a port`);
    return host;
  }
  const notMail = isIpLiteral(host) ? notMailDestination(host) : null;
  if (notMail !== null) reportProblem(fields.at('host'), `${JSON.stringify(host)} is ${notMail.description}`);
  return host;
}

function parseTarget(raw: unknown, path: string, probe: ProbeDefaults): CanaryTarget {
  const fields = Fields.of(raw, path, ['name', 'host', 'port', 'expect', 'controlPort', 'starttls']);
  return {
    name: fields.string('name', NAME_PATTERN, 'must be 1-63 letters, digits, dots, dashes or underscores'),
    host: hostField(fields),
    port: fields.optionalInteger('port', ...PORT) ?? CONFIG_DEFAULTS.port,
    expect: fields.optionalEnum('expect', ['auto', 'open', 'blocked'] as const) ?? 'auto',
    controlPort: fields.optionalInteger('controlPort', ...PORT) ?? probe.controlPort,
    starttls: fields.optionalBoolean('starttls') ?? false,
  };
}

function parseProbeDefaults(root: Fields): ProbeDefaults {
  const fields = root.object('probe', ['timeoutMs', 'ehloName', 'attempts', 'controlPort']);
  return {
    timeoutMs:
      fields?.optionalInteger('timeoutMs', LIMITS.timeoutMs.min, LIMITS.timeoutMs.max) ?? CONFIG_DEFAULTS.timeoutMs,
    ehloName:
      fields?.optionalString('ehloName', /^[A-Za-z0-9.-]{1,253}$/, 'must be a host name') ?? CONFIG_DEFAULTS.ehloName,
    attempts: fields?.optionalInteger('attempts', LIMITS.attempts.min, LIMITS.attempts.max) ?? CONFIG_DEFAULTS.attempts,
    controlPort: fields?.optionalInteger('controlPort', ...PORT),
  };
}

function limitedList(fields: Fields, key: string, items: string[], max: number, why: string): string[] {
  if (items.length > max) {
    throw new ConfigError(fields.at(key), `lists ${items.length}, at most ${max} are allowed: ${why}`);
  }
  return items;
}

function metricNamespaceField(root: Fields): string {
  const namespace = root.optionalString(
    'metricNamespace',
    NAMESPACE_PATTERN,
    'must be 1-255 letters, digits, spaces or . - _ / # : and not start with ":"',
  );
  if (namespace?.startsWith(RESERVED_NAMESPACE_PREFIX)) {
    throw new ConfigError(
      root.at('metricNamespace'),
      `${JSON.stringify(namespace)} starts with "${RESERVED_NAMESPACE_PREFIX}", which CloudWatch reserves for AWS services`,
    );
  }
  return namespace ?? CONFIG_DEFAULTS.metricNamespace;
}

function parseCreateVpc(deployment: Fields): CreateVpcSettings | undefined {
  const fields = deployment.object('createVpc', ['cidr', 'maxAzs', 'availabilityZones']);
  if (fields === undefined) return undefined;
  const cidr = cidrField(fields, 'cidr', fields.string('cidr')) as string;
  const maxAzs = fields.optionalInteger('maxAzs', 1, MAX_CREATED_AZS);
  const named = fields.array('availabilityZones');
  if (named === undefined)
    return { cidr, maxAzs: maxAzs ?? CONFIG_DEFAULTS.createVpcMaxAzs, availabilityZones: undefined };
  const zones = fields.stringList(
    'availabilityZones',
    AVAILABILITY_ZONE_PATTERN,
    'is not an availability zone name (like eu-west-1a)',
  );
  const at = fields.at('availabilityZones');
  if (maxAzs !== undefined) throw new ConfigError(at, 'names the AZs; give it or maxAzs, not both');
  if (zones.length === 0 || zones.length > MAX_CREATED_AZS) {
    throw new ConfigError(at, `must name 1 to ${MAX_CREATED_AZS} availability zones`);
  }
  zones.forEach((zone, index) => {
    if (zones.indexOf(zone) !== index) throw new ConfigError(`${at}[${index}]`, `${zone} is listed twice`);
    const region = zone.slice(0, -1);
    const firstRegion = (zones[0] as string).slice(0, -1);
    if (region !== firstRegion) {
      throw new ConfigError(`${at}[${index}]`, `${zone} is not in ${firstRegion}: a VPC lies in one region`);
    }
  });
  return { cidr, maxAzs: zones.length, availabilityZones: zones };
}

/** Parses the `network` object of `root` (the top level or a vantage). */
function parseNetwork(root: Fields): ProbeNetwork {
  const fields = root.section('network', [
    'cluster',
    'taskDefinition',
    'containerName',
    'vpcId',
    'subnets',
    'securityGroups',
    'assignPublicIp',
    'capacityProviderStrategy',
    'logGroup',
    'logStreamPrefix',
  ]);
  const strategy = fields.array('capacityProviderStrategy')?.map((item, index) => {
    const entry = Fields.of(item, `${fields.at('capacityProviderStrategy')}[${index}]`, [
      'capacityProvider',
      'weight',
      'base',
    ]);
    return {
      capacityProvider: entry.string('capacityProvider'),
      weight: entry.optionalInteger('weight', 0, 1000),
      base: entry.optionalInteger('base', 0, 100_000),
    };
  });
  if (strategy?.length === 0) reportProblem(fields.at('capacityProviderStrategy'), 'must not be empty when given');
  return {
    cluster: fields.optionalString('cluster'),
    taskDefinition: fields.optionalString('taskDefinition'),
    containerName: fields.optionalString('containerName') ?? CONFIG_DEFAULTS.containerName,
    vpcId: fields.optionalString('vpcId', /^vpc-[0-9a-f]{8,17}$/, 'is not a VPC ID (vpc-...)'),
    subnets: limitedList(
      fields,
      'subnets',
      fields.stringList('subnets', /^subnet-[0-9a-f]{8,17}$/, 'is not a subnet ID (subnet-...)'),
      AWS_LIMITS.subnets,
      `RunTask takes at most ${AWS_LIMITS.subnets} subnets`,
    ),
    securityGroups: limitedList(
      fields,
      'securityGroups',
      fields.stringList('securityGroups', /^sg-[0-9a-f]{8,17}$/, 'is not a security group ID (sg-...)'),
      AWS_LIMITS.runTaskSecurityGroups,
      `RunTask takes at most ${AWS_LIMITS.runTaskSecurityGroups} security groups`,
    ),
    assignPublicIp: fields.optionalBoolean('assignPublicIp') ?? false,
    capacityProviderStrategy: strategy,
    logGroup: fields.optionalString('logGroup'),
    logStreamPrefix: fields.optionalString('logStreamPrefix') ?? CONFIG_DEFAULTS.logStreamPrefix,
  };
}

function parseDeployment(root: Fields): DeploymentSettings {
  const fields = root.section('deployment', [
    'createVpc',
    'schedule',
    'alarmEvaluationPeriods',
    'alarmDatapointsToAlarm',
    'notifyEmails',
    'logRetentionDays',
    'cpuArchitecture',
    'probeImageUri',
    'detailedTargetMetrics',
  ]);
  const createVpc = parseCreateVpc(fields);
  const evaluationPeriods =
    fields.optionalInteger('alarmEvaluationPeriods', 1, 100) ?? CONFIG_DEFAULTS.alarmEvaluationPeriods;
  const datapointsToAlarm =
    fields.optionalInteger('alarmDatapointsToAlarm', 1, 100) ??
    Math.min(CONFIG_DEFAULTS.alarmDatapointsToAlarm, evaluationPeriods);
  if (datapointsToAlarm > evaluationPeriods) {
    reportProblem(fields.at('alarmDatapointsToAlarm'), `must not exceed alarmEvaluationPeriods (${evaluationPeriods})`);
  }
  const logRetentionDays = fields.optionalInteger('logRetentionDays', 1, 3653) ?? CONFIG_DEFAULTS.logRetentionDays;
  if (!LOG_RETENTION_DAYS.includes(logRetentionDays)) {
    reportProblem(
      fields.at('logRetentionDays'),
      `must be one of CloudWatch Logs' values: ${LOG_RETENTION_DAYS.join(', ')}`,
    );
  }
  return {
    createVpc,
    schedule:
      fields.optionalString(
        'schedule',
        /^(rate|cron)\(.+\)$/,
        'must be an EventBridge rate(...) or cron(...) expression',
      ) ?? CONFIG_DEFAULTS.schedule,
    alarmEvaluationPeriods: evaluationPeriods,
    alarmDatapointsToAlarm: datapointsToAlarm,
    notifyEmails: fields.stringList('notifyEmails', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'is not an email address'),
    logRetentionDays,
    cpuArchitecture:
      fields.optionalEnum('cpuArchitecture', ['ARM64', 'X86_64'] as const) ?? CONFIG_DEFAULTS.cpuArchitecture,
    probeImageUri: fields.optionalString('probeImageUri'),
    detailedTargetMetrics: fields.optionalBoolean('detailedTargetMetrics') ?? false,
  };
}

const ACCOUNT_PATTERN = /^\d{12}$/;
// us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-5: partition-agnostic on purpose.
const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;
const VANTAGE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
const ROLE_ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const PROFILE_PATTERN = /^[^\s[\]]{1,128}$/;

/** The vantage's canary: `<canaryName>-<vantage name>`, unique per vantage so stacks, alarms and series never collide. */
export function vantageCanaryName(canaryName: string, vantageName: string): string {
  return `${canaryName}-${vantageName}`;
}

function accountField(fields: Fields): string {
  return fields.string('account', ACCOUNT_PATTERN, 'must be a 12-digit AWS account ID');
}

function regionField(fields: Fields): string {
  return fields.string('region', REGION_PATTERN, 'is not an AWS region name (like eu-west-1)');
}

function parseCredentials(vantage: Fields): VantageCredentials | undefined {
  const fields = vantage.object('credentials', ['profile', 'roleArn']);
  if (fields === undefined) return undefined;
  const profile = fields.optionalString('profile', PROFILE_PATTERN, 'is not a profile name');
  const roleArn = fields.optionalString('roleArn', ROLE_ARN_PATTERN, 'is not an IAM role ARN');
  if (profile === undefined && roleArn === undefined)
    throw new ConfigError(vantage.at('credentials'), 'must name a profile, a roleArn or both');
  return { profile, roleArn };
}

function parseVantage(
  raw: unknown,
  path: string,
  canaryName: string,
  targetNames: ReadonlySet<string>,
): VantageSettings {
  const fields = Fields.of(raw, path, [
    'name',
    'account',
    'region',
    'network',
    'vpcPrimaryCidr',
    'port25Released',
    'targets',
    'credentials',
  ]);
  const name = fields.string('name', VANTAGE_NAME_PATTERN, 'must be 1-32 letters, digits or dashes');
  const functionName = vantageFunctionName(vantageCanaryName(canaryName, name));
  if (functionName.length > FUNCTION_NAME.maxLength) {
    throw new ConfigError(
      fields.at('name'),
      `makes the function name ${functionName} (${functionName.length} characters), longer than Lambda's ${FUNCTION_NAME.maxLength}: shorten it or canaryName`,
    );
  }
  if ((raw as Json).network === undefined)
    throw new ConfigError(fields.at('network'), 'is required: each vantage runs in its own VPC');
  const targets = fields.array('targets')?.map((item, index) => {
    const at = `${fields.at('targets')}[${index}]`;
    if (typeof item !== 'string' || !targetNames.has(item)) {
      throw new ConfigError(
        at,
        `${JSON.stringify(item)} is not a target name (targets: ${[...targetNames].join(', ')})`,
      );
    }
    return item;
  });
  if (targets?.length === 0) throw new ConfigError(fields.at('targets'), 'must name at least one target when given');
  return {
    name,
    account: accountField(fields),
    region: regionField(fields),
    network: parseNetwork(fields),
    vpcPrimaryCidr: cidrField(fields, 'vpcPrimaryCidr', fields.optionalString('vpcPrimaryCidr')),
    port25Released: fields.optionalBoolean('port25Released'),
    targets,
    credentials: parseCredentials(fields),
  };
}

function parseFleet(root: Fields, canaryName: string, targets: readonly CanaryTarget[]): FleetSettings | undefined {
  const rawVantages = root.array('vantages');
  const monitoringFields = root.object('monitoring', ['account', 'region', 'existingSinks']);
  if (rawVantages === undefined) {
    if (monitoringFields !== undefined) throw new ConfigError('monitoring', 'applies only to a fleet: add vantages');
    return undefined;
  }
  if (rawVantages.length === 0) throw new ConfigError('vantages', 'must list at least one vantage when given');
  const targetNames = new Set(targets.map((target) => target.name));
  const vantages = rawVantages.map((item, index) =>
    collectProblems(
      () => parseVantage(item, `vantages[${index}]`, canaryName, targetNames),
      () => undefined,
    ),
  );
  const seen = new Set<string>();
  vantages.forEach((vantage, index) => {
    // An invalid vantage (or name, read as '') is reported already.
    if (vantage === undefined || vantage.name === '') return;
    if (seen.has(vantage.name))
      throw new ConfigError(`vantages[${index}].name`, `duplicate vantage name ${JSON.stringify(vantage.name)}`);
    seen.add(vantage.name);
  });
  const monitoring = monitoringFields && {
    account: accountField(monitoringFields),
    region: regionField(monitoringFields),
    existingSinks: monitoringFields.stringRecord('existingSinks'),
  };
  return { vantages: vantages.filter((vantage) => vantage !== undefined), monitoring };
}

/** Runs one section of the validation inside parseCanaryConfig, keeping the problems it throws (see collect). */
function collectProblems<T>(part: () => T, fallback: () => T): T {
  return collecting === undefined ? part() : collecting.collect(part, fallback);
}

// What a section reads as when it failed: its defaults, so the sections after it can still be checked. Nothing read
// from it is reported, so its path is never shown.
// Stryker disable next-line StringLiteral: equivalent, see above
const failedSection = () => Fields.empty('');

function parseDocument(raw: unknown): CanaryConfig {
  const root = Fields.of(raw, '', [
    '$schema',
    'canaryName',
    'metricNamespace',
    'vpcPrimaryCidr',
    'port25Released',
    'probe',
    'network',
    'maxConcurrentTasks',
    'targets',
    'deployment',
    'vantages',
    'monitoring',
  ]);
  // Not used, but a typed field like any other: the schema says it is a string.
  root.optionalString('$schema');
  const probe = collectProblems(
    () => parseProbeDefaults(root),
    () => parseProbeDefaults(failedSection()),
  );
  const rawTargets = root.array('targets');
  if (rawTargets === undefined || rawTargets.length === 0) reportProblem('targets', 'must list at least one target');
  else if (rawTargets.length > LIMITS.targets.max)
    reportProblem('targets', `must list at most ${LIMITS.targets.max} targets`);
  const parsedTargets = (rawTargets ?? []).map((item, index) =>
    collectProblems(
      () => parseTarget(item, `targets[${index}]`, probe),
      () => undefined,
    ),
  );
  const seen = new Set<string>();
  parsedTargets.forEach((target, index) => {
    // An invalid target (or name, read as '') is reported already.
    if (target === undefined || target.name === '') return;
    if (seen.has(target.name))
      reportProblem(`targets[${index}].name`, `duplicate target name ${JSON.stringify(target.name)}`);
    seen.add(target.name);
  });
  const targets = parsedTargets.filter((target) => target !== undefined);
  const canaryName = root.string(
    'canaryName',
    NAME_PATTERN,
    'must be 1-63 letters, digits, dots, dashes or underscores',
  );
  return {
    canaryName,
    metricNamespace: metricNamespaceField(root),
    vpcPrimaryCidr: cidrField(root, 'vpcPrimaryCidr', root.optionalString('vpcPrimaryCidr')),
    port25Released: root.optionalBoolean('port25Released') ?? false,
    probe,
    network: collectProblems(
      () => parseNetwork(root),
      () => parseNetwork(failedSection()),
    ),
    maxConcurrentTasks:
      root.optionalInteger('maxConcurrentTasks', LIMITS.maxConcurrentTasks.min, LIMITS.maxConcurrentTasks.max) ??
      CONFIG_DEFAULTS.maxConcurrentTasks,
    targets,
    deployment: collectProblems(
      () => parseDeployment(root),
      () => parseDeployment(failedSection()),
    ),
    fleet: collectProblems(
      () => parseFleet(root, canaryName, targets),
      () => undefined,
    ),
  };
}

/**
 * Validates a parsed JSON value as a canary config. Throws one ConfigError listing every problem, each naming its
 * field.
 */
export function parseCanaryConfig(raw: unknown): CanaryConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError('(root)', 'must be a JSON object');
  const outer = collecting;
  const problems = new ConfigProblems();
  collecting = problems;
  try {
    // A check that throws at the top level still ends the walk with the problems found so far.
    const config = problems.collect(
      () => parseDocument(raw),
      () => undefined,
    );
    problems.throwIfAny();
    return config as CanaryConfig;
  } finally {
    collecting = outer;
  }
}

/** A config file's JSON and where each field is in it, so errors can say where to look. */
export interface ConfigSource {
  readonly path: string;
  readonly document: unknown;
  locate(field: string): TextPosition;
}

/** Reads a config file as JSON; errors name the file, and a syntax error the line and column. */
export async function readConfigSource(path: string): Promise<ConfigSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(path, `cannot read the config file (${code})`, { cause });
  }
  try {
    const { value, locate } = parseJsonDocument(text);
    return { path, document: value, locate };
  } catch (cause) {
    if (cause instanceof JsonSyntaxError) throw new ConfigError(path, `is not valid JSON: ${cause.message}`, { cause });
    throw cause;
  }
}

/** A problem of the file's content, named by the file, the field, and the line and column of the field. */
export function locateProblem({ field, problem }: ConfigProblem, source: ConfigSource): ConfigProblem {
  const { line, column } = source.locate(field);
  return { field: `${source.path}: ${field}`, problem: `${problem} (line ${line}, column ${column})` };
}

/** Every problem located in the file (see locateProblem), in the order they appear in it. */
export function locateProblems(error: ConfigError, source: ConfigSource): ConfigError {
  const located = error.problems
    .map((problem) => ({ position: source.locate(problem.field), problem: locateProblem(problem, source) }))
    .sort((a, b) => a.position.line - b.position.line || a.position.column - b.position.column);
  return ConfigError.of(
    located.map(({ problem }) => problem),
    { cause: error },
  );
}

/** Validates a config file's JSON; errors name the file, and each field with its line and column. */
export function parseConfigSource(source: ConfigSource): CanaryConfig {
  try {
    return parseCanaryConfig(source.document);
  } catch (error) {
    if (error instanceof ConfigError) throw locateProblems(error, source);
    throw error;
  }
}

/** Reads and validates a config file; errors name the file, and each field with its line and column. */
export async function loadCanaryConfig(path: string): Promise<CanaryConfig> {
  return parseConfigSource(await readConfigSource(path));
}
