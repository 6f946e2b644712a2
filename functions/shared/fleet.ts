import { vantageFunctionName } from './aws-names.js';
import {
  type CanaryConfig,
  type FleetSettings,
  parseCanaryConfig,
  parseConfigSource,
  readConfigSource,
  type VantageSettings,
  vantageCanaryName,
} from './config.js';
import { ConfigError } from './errors.js';

/** Fields of a fleet config that a vantage's own config does not carry. */
const FLEET_ONLY_FIELDS = ['$schema', 'vantages', 'monitoring'];

/** One vantage as a complete single-canary config: what its stack deploys and its function reads. */
export interface ResolvedVantage {
  readonly settings: VantageSettings;
  /** The deployed orchestrator's name in the vantage's account and region. */
  readonly functionName: string;
  /** The vantage's config file as it is bundled with its function (no `vantages`, no `monitoring`). */
  readonly document: Readonly<Record<string, unknown>>;
  readonly config: CanaryConfig;
}

export interface ResolvedFleet {
  readonly canaryName: string;
  readonly fleet: FleetSettings;
  readonly vantages: readonly ResolvedVantage[];
}

type Json = Record<string, unknown>;

/**
 * Turns each vantage of a validated fleet config into its own canary config: the top level with the vantage's
 * network, CIDR, release state and targets laid over it, then validated by the one config parser.
 */
export function resolveFleet(document: unknown, config: CanaryConfig): ResolvedFleet {
  if (config.fleet === undefined) throw new ConfigError('vantages', 'is required for a fleet');
  const root = document as Json;
  const rawVantages = root.vantages as Json[];
  const base = Object.fromEntries(Object.entries(root).filter(([key]) => !FLEET_ONLY_FIELDS.includes(key)));
  const vantages = config.fleet.vantages.map((settings, index): ResolvedVantage => {
    const raw = rawVantages[index] as Json;
    const wanted = settings.targets === undefined ? undefined : new Set(settings.targets);
    const canaryName = vantageCanaryName(config.canaryName, settings.name);
    const vantageDocument: Json = {
      ...base,
      canaryName,
      network: raw.network,
      port25Released: settings.port25Released ?? config.port25Released,
      targets: (root.targets as Json[]).filter((target) => wanted === undefined || wanted.has(target.name as string)),
    };
    // The top-level CIDR belongs to the top-level network, never to a vantage's own VPC.
    delete vantageDocument.vpcPrimaryCidr;
    if (settings.vpcPrimaryCidr !== undefined) vantageDocument.vpcPrimaryCidr = settings.vpcPrimaryCidr;
    return {
      settings,
      functionName: vantageFunctionName(canaryName),
      document: vantageDocument,
      config: parseVantageDocument(vantageDocument, index),
    };
  });
  return { canaryName: config.canaryName, fleet: config.fleet, vantages };
}

function parseVantageDocument(document: Json, index: number): CanaryConfig {
  try {
    return parseCanaryConfig(document);
  } catch (error) {
    if (error instanceof ConfigError)
      throw error.map((problem) => ({ ...problem, field: `vantages[${index}]: ${problem.field}` }));
    throw error;
  }
}

/** Reads a config file that must list vantages; errors name the file and the field. */
export async function loadFleetConfig(path: string): Promise<ResolvedFleet> {
  // One read: the vantages are cut from the very document that was validated.
  const source = await readConfigSource(path);
  const config = parseConfigSource(source);
  if (config.fleet === undefined)
    throw new ConfigError(`${path}: vantages`, 'is required for a fleet (the config lists no vantages)');
  return resolveFleet(source.document, config);
}
