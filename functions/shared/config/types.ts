import type * as z from 'zod';
import type { canaryConfigSchema } from './canary-config.js';

/** The value zod gives, read-only all the way down: the config is read, never changed, once parsed. */
type Frozen<T> = T extends readonly (infer Item)[]
  ? readonly Frozen<Item>[]
  : T extends object
    ? { readonly [Key in keyof T]: Frozen<T[Key]> }
    : T;

/**
 * The canary config file: one JSONC file read by the orchestrator, the CLI (`run`), the CDK app and the lab. Parsed
 * once at the edge into a typed, defaulted value; every type here is what the one declaration (canary-config.ts) gives.
 */
export type CanaryConfig = Frozen<z.output<typeof canaryConfigSchema>>;
export type CanaryTarget = CanaryConfig['targets'][number];
export type TargetExpectation = CanaryTarget['expect'];
export type ProbeDefaults = CanaryConfig['probe'];
/** Where probe tasks run. Fields the stack creates may be absent from the file and come from the environment. */
export type ProbeNetwork = CanaryConfig['network'];
export type CapacityProviderStrategyItem = NonNullable<ProbeNetwork['capacityProviderStrategy']>[number];
/** Read by the CDK app only (detailedTargetMetrics by the orchestrator too). */
export type DeploymentSettings = CanaryConfig['deployment'];
export type CreateVpcSettings = NonNullable<DeploymentSettings['createVpc']>;
export type FleetSettings = NonNullable<CanaryConfig['fleet']>;
/** One account and region the canary runs in; what it leaves unset comes from the top level of the config. */
export type VantageSettings = FleetSettings['vantages'][number];
/** A named profile, a role to assume, or both (the role assumed with the profile's credentials). */
export type VantageCredentials = NonNullable<VantageSettings['credentials']>;
export type MonitoringSettings = NonNullable<FleetSettings['monitoring']>;
