import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { canaryAwsNames } from '../../functions/shared/aws-names.js';
import { type CanaryConfig, loadCanaryConfig, parseCanaryConfig } from '../../functions/shared/config.js';
import { loadFleetConfig } from '../../functions/shared/fleet.js';
import { CanaryStack, type CanaryStackProps } from '../../infra/canary-stack.js';
import { addFleetStacks } from '../../infra/fleet-app.js';
import { ORCHESTRATOR_ENTRY_FILE } from '../../infra/orchestrator-function.js';
import { PROBE_BUNDLE_FILE } from '../../infra/probe-image.js';

/** A config as written in a file, before defaults. */
export type RawConfig = Record<string, unknown>;

/** A scratch directory standing in for `dist/`: the stack packages whatever `npm run build` left there. */
export class Workspace {
  readonly directory = mkdtempSync(join(tmpdir(), 'port25-infra-test-'));
  readonly buildDirectory = join(this.directory, 'dist');

  constructor() {
    for (const [bundle, file, source] of [
      ['orchestrator', ORCHESTRATOR_ENTRY_FILE, 'export const handler = async () => ({ bundle: "orchestrator" });\n'],
      ['probe', PROBE_BUNDLE_FILE, 'process.stdout.write("bundle: probe\\n");\n'],
    ] as const) {
      mkdirSync(join(this.buildDirectory, bundle), { recursive: true });
      writeFileSync(join(this.buildDirectory, bundle, file), source);
    }
  }

  writeConfig(raw: RawConfig, name = 'canary.config.json'): string {
    const file = join(this.directory, name);
    writeFileSync(file, `${JSON.stringify(raw, null, 2)}\n`);
    return file;
  }

  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }
}

export interface SynthesizedCanary {
  readonly config: CanaryConfig;
  readonly configFile: string;
  readonly stack: CanaryStack;
  readonly template: Template;
  readonly assembly: CloudAssembly;
}

/** Builds the stack the way infra/app.ts does, from a config written to a file, and synthesizes it once. */
export function synthesizeCanary(
  workspace: Workspace,
  raw: RawConfig,
  overrides: Partial<CanaryStackProps> = {},
): SynthesizedCanary {
  const built = buildCanaryStack(workspace, raw, overrides);
  const template = Template.fromStack(built.stack);
  const assembly = (built.stack.node.root as App).synth();
  return { ...built, template, assembly };
}

/** Constructs the stack without synthesizing: enough to see validation errors. */
export function buildCanaryStack(
  workspace: Workspace,
  raw: RawConfig,
  overrides: Partial<CanaryStackProps> = {},
): { config: CanaryConfig; configFile: string; stack: CanaryStack } {
  const configFile = workspace.writeConfig(raw);
  const config = parseCanaryConfig(raw);
  const app = new App({ outdir: mkdtempSync(join(workspace.directory, 'cdk.out-')) });
  const stack = new CanaryStack(app, 'Canary', {
    config,
    configFile,
    buildDirectory: workspace.buildDirectory,
    ...overrides,
  });
  return { config, configFile, stack };
}

/** Builds every stack of a config file the way infra/app.ts does (single canary or fleet) and synthesizes the app. */
export async function synthesizeConfigFile(
  workspace: Workspace,
  configFile: string,
  extend: (app: App) => void = () => {},
): Promise<CloudAssembly> {
  const app = new App({ outdir: mkdtempSync(join(workspace.directory, 'cdk.out-')) });
  const config = await loadCanaryConfig(configFile);
  if (config.fleet === undefined) {
    new CanaryStack(app, canaryAwsNames(config.canaryName).stackName, {
      config,
      configFile,
      buildDirectory: workspace.buildDirectory,
    });
  } else {
    addFleetStacks(app, {
      fleet: await loadFleetConfig(configFile),
      buildDirectory: workspace.buildDirectory,
      configDirectory: join(app.outdir, 'port25-canary-vantages'),
    });
  }
  extend(app);
  return app.synth();
}
