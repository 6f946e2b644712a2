import { FUNCTION_NAME, vantageFunctionName } from '../aws-names.js';
import { shownValue } from './fields.js';
import { NO_CROSS_REGION_EVENTS, partitionOf } from './partitions.js';
import { REGION, SINK_ARN } from './patterns.js';

/** A problem found across fields: its path in the document and why. */
export interface RuleIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

type Loose = Record<string, unknown>;

const asObject = (value: unknown): Loose | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : undefined;
const asString = (value: unknown) => (typeof value === 'string' ? value : undefined);

/** The vantage's canary: `<canaryName>-<vantage name>`, unique per vantage so stacks, alarms and series never collide. */
export function vantageCanaryName(canaryName: string, vantageName: string): string {
  return `${canaryName}-${vantageName}`;
}

interface Vantage {
  readonly index: number;
  readonly name: string;
  readonly account: string | undefined;
  readonly region: string | undefined;
  readonly raw: Loose;
}

const describeVantage = (vantage: Vantage) => `vantages[${vantage.index}] (${shownValue(vantage.name)})`;

function vantagesOf(raw: readonly unknown[]): Vantage[] {
  return raw.flatMap((item, index) => {
    const vantage = asObject(item);
    if (vantage === undefined) return [];
    const name = asString(vantage.name) ?? '';
    return [{ index, name, account: asString(vantage.account), region: asString(vantage.region), raw: vantage }];
  });
}

/** Each vantage's name: unique, and short enough for its function's name. */
function nameIssues(vantages: readonly Vantage[], canaryName: string | undefined): RuleIssue[] {
  const seen = new Set<string>();
  return vantages.flatMap(({ index, name }) => {
    if (name === '') return [];
    const path = ['vantages', index, 'name'];
    if (seen.has(name)) return [{ path, message: `duplicate vantage name ${shownValue(name)}` }];
    seen.add(name);
    if (canaryName === undefined) return [];
    const functionName = vantageFunctionName(vantageCanaryName(canaryName, name));
    if (functionName.length <= FUNCTION_NAME.maxLength) return [];
    return [
      {
        path,
        message: `makes the function name ${functionName} (${functionName.length} characters), longer than Lambda's ${FUNCTION_NAME.maxLength}: shorten it or canaryName`,
      },
    ];
  });
}

/** A vantage's `targets` name targets of the config. */
function targetIssues(vantages: readonly Vantage[], targetNames: readonly string[]): RuleIssue[] {
  return vantages.flatMap(({ index, raw }) => {
    if (!Array.isArray(raw.targets)) return [];
    return raw.targets.flatMap((item: unknown, position) =>
      typeof item === 'string' && targetNames.includes(item)
        ? []
        : [
            {
              path: ['vantages', index, 'targets', position],
              message: `${shownValue(item)} is not a target name (targets: ${targetNames.join(', ')})`,
            },
          ],
    );
  });
}

/** One partition for the fleet, and no cross-region event routing where EventBridge has none. */
function partitionIssues(vantages: readonly Vantage[], monitoring: Loose | undefined): RuleIssue[] {
  const placed = vantages.filter((vantage) => vantage.region !== undefined) as (Vantage & { region: string })[];
  const [first] = placed;
  if (first === undefined) return [];
  const partition = partitionOf(first.region);
  const issues: RuleIssue[] = placed
    .filter((vantage) => partitionOf(vantage.region) !== partition)
    .map((vantage) => ({
      path: ['vantages', vantage.index, 'region'],
      message: `${vantage.region} is in partition ${partitionOf(vantage.region)}, ${describeVantage(first)} in ${first.region} is in ${partition}: a fleet lies in one partition (accounts, roles, event buses and OAM links do not cross partitions)`,
    }));
  const monitoringRegion = asString(monitoring?.region);
  if (monitoringRegion === undefined || issues.length > 0) return issues;
  if (partitionOf(monitoringRegion) !== partition) {
    return [
      {
        path: ['monitoring', 'region'],
        message: `${monitoringRegion} is in partition ${partitionOf(monitoringRegion)}, the vantages in ${partition}: a fleet lies in one partition`,
      },
    ];
  }
  if (!NO_CROSS_REGION_EVENTS.includes(partition)) return [];
  return placed
    .filter((vantage) => vantage.region !== monitoringRegion)
    .map((vantage) => ({
      path: ['vantages', vantage.index, 'region'],
      message: `${describeVantage(vantage)} is in ${vantage.region}, the monitoring region is ${monitoringRegion}: EventBridge in ${partition} cannot route events to another region, so its run events could not reach the fleet; put the vantage in ${monitoringRegion} or watch it from there`,
    }));
}

/**
 * With monitoring, each vantage outside the monitoring account links its account to the monitoring account's sink in
 * its region. A link is a resource of the source account (OAM CreateLink: "Creates a link between a source account and
 * a sink that you have created in a monitoring account"), so two vantage stacks in one account and region would each
 * create the same account's link to the same sink, and the second fails: they are refused here.
 */
function sharedLinkIssues(vantages: readonly Vantage[], monitoringAccount: string): RuleIssue[] {
  const firstAt = new Map<string, Vantage>();
  return vantages.flatMap((vantage) => {
    if (vantage.account === undefined || vantage.region === undefined || vantage.account === monitoringAccount)
      return [];
    const key = `${vantage.account} ${vantage.region}`;
    const first = firstAt.get(key);
    if (first === undefined) {
      firstAt.set(key, vantage);
      return [];
    }
    return [
      {
        path: ['vantages', vantage.index, 'region'],
        message: `${describeVantage(vantage)} and ${describeVantage(first)} are both in account ${vantage.account}, ${vantage.region}: each would link that account to the monitoring sink there, and an account has one link to a sink (OAM CreateLink); give them different accounts or regions, or make one vantage of them`,
      },
    ];
  });
}

/** `monitoring.existingSinks`: each a sink of the monitoring account, in its key's region, where a source account is. */
function existingSinkIssues(vantages: readonly Vantage[], monitoring: Loose): RuleIssue[] {
  const sinks = asObject(monitoring.existingSinks);
  const account = asString(monitoring.account);
  if (sinks === undefined || account === undefined) return [];
  const sourceRegions = new Set(
    vantages.filter((vantage) => vantage.account !== account).map((vantage) => vantage.region),
  );
  return Object.entries(sinks).flatMap(([region, arn]): RuleIssue[] => {
    const path = ['monitoring', 'existingSinks', region];
    if (!REGION.test(region))
      return [{ path, message: `${shownValue(region)} is not an AWS region name (like eu-west-1)` }];
    const match = typeof arn === 'string' ? SINK_ARN.exec(arn) : null;
    if (match === null) return [];
    const [, partition, arnRegion, arnAccount] = match;
    if (arnRegion !== region) return [{ path, message: `${shownValue(arn)} is a sink in ${arnRegion}, not ${region}` }];
    if (partition !== partitionOf(region)) {
      return [
        { path, message: `${shownValue(arn)} names partition ${partition}; ${region} is in ${partitionOf(region)}` },
      ];
    }
    if (arnAccount !== account) {
      return [
        {
          path,
          message: `${shownValue(arn)} is a sink of account ${arnAccount}, not of the monitoring account ${account}`,
        },
      ];
    }
    if (!sourceRegions.has(region)) {
      return [
        { path, message: `no vantage of another account than ${account} is in ${region}: nothing links to this sink` },
      ];
    }
    return [];
  });
}

/** Every rule across a fleet's fields; `config` is the document as far as it parsed (a failed field keeps its input). */
export function fleetIssues(config: Loose, targetNames: readonly string[]): RuleIssue[] {
  const monitoring = asObject(config.monitoring);
  if (!Array.isArray(config.vantages)) {
    return config.monitoring === undefined
      ? []
      : [{ path: ['monitoring'], message: 'applies only to a fleet: add vantages' }];
  }
  const vantages = vantagesOf(config.vantages);
  const monitoringAccount = asString(monitoring?.account);
  return [
    ...nameIssues(vantages, asString(config.canaryName)),
    ...targetIssues(vantages, targetNames),
    ...partitionIssues(vantages, monitoring),
    ...(monitoringAccount === undefined ? [] : sharedLinkIssues(vantages, monitoringAccount)),
    ...(monitoring === undefined ? [] : existingSinkIssues(vantages, monitoring)),
  ];
}
