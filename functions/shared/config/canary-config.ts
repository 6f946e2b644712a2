import { CONFIG_DEFAULTS, LIMITS } from '../config-defaults.js';
import { deploymentSection } from './deployment.js';
import { ALWAYS, cidrBlock, flag, integer, section, shownValue, text } from './fields.js';
import { fleetIssues, type RuleIssue } from './fleet-rules.js';
import { FARGATE_SPOT, networkSchema } from './network.js';
import { NAMESPACE, RESERVED_NAMESPACE_PREFIX } from './patterns.js';
import { probeSection } from './probe.js';
import { IMPLICIT_TLS_PORT, nameField, targetsSection } from './targets.js';
import { monitoringSchema, vantagesSection } from './vantages.js';

const metricNamespace = text(NAMESPACE, 'must be 1-255 letters, digits, spaces or . - _ / # : and not start with ":"')
  .superRefine((namespace, context) => {
    if (namespace.startsWith(RESERVED_NAMESPACE_PREFIX)) {
      context.addIssue(
        `${shownValue(namespace)} starts with "${RESERVED_NAMESPACE_PREFIX}", which CloudWatch reserves for AWS services`,
      );
    }
  })
  .default(CONFIG_DEFAULTS.metricNamespace)
  .meta({ not: { pattern: `^${RESERVED_NAMESPACE_PREFIX}` } })
  .describe(
    'CloudWatch namespace of the metrics: 1-255 letters, digits, spaces or . - _ / # :, not starting with ":" nor with AWS/ (reserved for AWS).',
  );

type Loose = Record<string, unknown>;
const objectsOf = (value: unknown): (Loose | undefined)[] =>
  Array.isArray(value)
    ? value.map((item) => (typeof item === 'object' && item !== null ? (item as Loose) : undefined))
    : [];

function duplicateTargetIssues(targets: readonly (Loose | undefined)[]): RuleIssue[] {
  const seen = new Set<unknown>();
  return targets.flatMap((target, index) => {
    const name = target?.name;
    if (typeof name !== 'string') return [];
    if (!seen.has(name)) {
      seen.add(name);
      return [];
    }
    return [{ path: ['targets', index, 'name'], message: `duplicate target name ${shownValue(name)}` }];
  });
}

/**
 * "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider. Fargate Spot only supports
 * Linux tasks with the X86_64 architecture." (ECS Developer Guide, "Amazon ECS on AWS Fargate capacity providers").
 */
function spotIssues(config: Loose): RuleIssue[] {
  // The deployment section is defaulted already: an unset architecture reads as ARM64 here.
  const architecture = (config.deployment as Loose | undefined)?.cpuArchitecture;
  if (architecture !== 'ARM64') return [];
  const networks: [readonly (string | number)[], unknown][] = [
    [['network'], config.network],
    ...objectsOf(config.vantages).map((vantage, index): [(string | number)[], unknown] => [
      ['vantages', index, 'network'],
      vantage?.network,
    ]),
  ];
  return networks.flatMap(([path, network]) =>
    objectsOf((network as Loose | undefined)?.capacityProviderStrategy).flatMap((item, index) =>
      item?.capacityProvider === FARGATE_SPOT
        ? [
            {
              path: [...path, 'capacityProviderStrategy', index, 'capacityProvider'],
              message: `FARGATE_SPOT cannot run deployment.cpuArchitecture ARM64 (set, or the default): "Linux tasks with the ARM64 architecture don't support the Fargate Spot capacity provider" (ECS Developer Guide); set deployment.cpuArchitecture to X86_64 or use FARGATE`,
            },
          ]
        : [],
    ),
  );
}

const documentSchema = section({
  $schema: text().optional().describe('This schema, for editors.'),
  canaryName: nameField().describe(
    'Names the stack, the function, the alarms and the metric series: 1-63 letters, digits, dots, dashes or underscores.',
  ),
  metricNamespace,
  vpcPrimaryCidr: cidrBlock
    .optional()
    .describe('Primary CIDR block of the VPC the probes run in; AWS exempts it from the port-25 restriction.'),
  port25Released: flag().default(false).describe("AWS has approved the account's port-25 removal request."),
  probe: probeSection.prefault({}),
  network: networkSchema.prefault({}),
  maxConcurrentTasks: integer(LIMITS.maxConcurrentTasks.min, LIMITS.maxConcurrentTasks.max)
    .default(CONFIG_DEFAULTS.maxConcurrentTasks)
    .describe('Probe tasks running at once.'),
  targets: targetsSection,
  deployment: deploymentSection.prefault({}),
  vantages: vantagesSection.optional(),
  monitoring: monitoringSchema.optional(),
}).meta({ dependencies: { monitoring: ['vantages'] } });

/** The whole config: its sections, the rules across them, and the typed, defaulted value the canary reads. */
export const canaryConfigSchema = documentSchema
  .superRefine((config, context) => {
    const targets = objectsOf(config.targets);
    const targetNames = targets.flatMap((target) => (typeof target?.name === 'string' ? [target.name] : []));
    const issues = [
      ...duplicateTargetIssues(targets),
      ...spotIssues(config as Loose),
      ...fleetIssues(config as Loose, targetNames),
    ];
    for (const { path, message } of issues) context.addIssue({ code: 'custom', path: [...path], message });
  }, ALWAYS)
  .transform(({ $schema: _schema, vantages, monitoring, targets, ...config }) => ({
    ...config,
    targets: targets.map(({ port, controlPort, ...target }) => ({
      ...target,
      port: port ?? (target.tls === 'implicit' ? IMPLICIT_TLS_PORT : CONFIG_DEFAULTS.port),
      controlPort: controlPort ?? config.probe.controlPort,
    })),
    /** Set when the config lists `vantages`: one canary per account and region (see functions/shared/fleet.ts). */
    fleet:
      vantages === undefined
        ? undefined
        : {
            vantages: vantages.map((vantage) => ({
              ...vantage,
              // Present: a vantage without one is refused above.
              network: vantage.network ?? networkSchema.parse({}),
              targets: vantage.targets as string[] | undefined,
              credentials: vantage.credentials,
            })),
            /** Where the fleet is watched; without it no monitoring stack is built. */
            monitoring,
          },
  }));
