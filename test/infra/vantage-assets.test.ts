import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { loadFleetConfig, type ResolvedFleet } from '../../functions/shared/fleet.js';
import { BUNDLED_CONFIG_FILE_NAME } from '../../functions/shared/runtime-environment.js';
import { synthesizeConfigFile, Workspace } from './synthesize.js';

const FLEET_FILE = 'examples/fleet.config.json';

type Json = Record<string, unknown>;

let workspace: Workspace;
let assembly: CloudAssembly;
let fleet: ResolvedFleet;
beforeAll(async () => {
  workspace = new Workspace();
  fleet = await loadFleetConfig(FLEET_FILE);
  assembly = await synthesizeConfigFile(workspace, FLEET_FILE);
});
afterAll(() => {
  workspace.remove();
});

/** The config bundled with the named function, read from its asset directory in the cloud assembly. */
function bundledConfig(functionName: string): Json {
  for (const stack of assembly.stacks) {
    for (const resource of Object.values(
      stack.template.Resources as Record<string, { Type: string; Properties: Json }>,
    )) {
      if (resource.Type !== 'AWS::Lambda::Function' || resource.Properties.FunctionName !== functionName) continue;
      const key = (resource.Properties.Code as { S3Key: string }).S3Key;
      const directory = join(assembly.directory, `asset.${key.replace(/\.zip$/, '')}`);
      const file = join(directory, BUNDLED_CONFIG_FILE_NAME);
      if (!existsSync(file)) throw new Error(`${functionName}: no ${BUNDLED_CONFIG_FILE_NAME} in ${directory}`);
      return JSON.parse(readFileSync(file, 'utf8')) as Json;
    }
  }
  throw new Error(`no function named ${functionName}`);
}

describe('vantage assets', () => {
  it("bundles each vantage's own config with its function", () => {
    const found = fleet.vantages.map((vantage) => {
      const config = parseCanaryConfig(bundledConfig(vantage.functionName));
      return [config.canaryName, config.targets.map((target) => target.name), config.port25Released];
    });
    const wanted = fleet.vantages.map(({ config }) => [
      config.canaryName,
      config.targets.map((target) => target.name),
      config.port25Released,
    ]);

    // The example's vantages differ in name, targets (shared-eu) and release (shared-us).
    expect(new Set(wanted.map((row) => JSON.stringify(row))).size).toBe(4);
    expect(found).toEqual(wanted);
  });

  it('gives each vantage function an asset of its own', () => {
    const keys = assembly.stacks.flatMap((stack) =>
      Object.values(stack.template.Resources as Record<string, { Type: string; Properties: Json }>)
        .filter((resource) => resource.Type === 'AWS::Lambda::Function' && resource.Properties.FunctionName)
        .map((resource) => (resource.Properties.Code as { S3Key: string }).S3Key),
    );

    expect(keys).toHaveLength(4);
    expect(new Set(keys).size).toBe(4);
  });
});
