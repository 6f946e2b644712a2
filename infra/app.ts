// The CDK app (cdk.json: `npx tsx infra/app.ts`). Config path from `-c config=<file>`.
import { join, resolve } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { canaryAwsNames } from '../functions/shared/aws-names.js';
import { loadCanaryConfig } from '../functions/shared/config.js';
import { InputError } from '../functions/shared/errors.js';
import { loadFleetConfig } from '../functions/shared/fleet.js';
import { CanaryStack } from './canary-stack.js';
import { controlTowerChecks } from './control-tower.js';
import { addFleetStacks } from './fleet-app.js';
import type { ReservedConcurrency } from './orchestrator-function.js';
import { checkStackQuotas } from './stack-quotas.js';

const DEFAULT_CONFIG_FILE = 'examples/canary.config.json';
/** `-c reservedConcurrency=unreserved` for accounts without spare unreserved concurrency (see docs/deploy.md). */
const RESERVED_CONCURRENCY_CONTEXT = 'reservedConcurrency';

async function main(): Promise<void> {
  const app = new App();
  const configFile = resolve(String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_FILE));
  const config = await loadCanaryConfig(configFile);
  const reservedConcurrency = parseReservedConcurrency(app.node.tryGetContext(RESERVED_CONCURRENCY_CONTEXT));
  if (config.fleet === undefined) {
    new CanaryStack(app, canaryAwsNames(config.canaryName).stackName, {
      config,
      configFile,
      buildDirectory: resolve('dist'),
      orchestratorReservedConcurrency: reservedConcurrency,
    });
  } else {
    addFleetStacks(app, {
      fleet: await loadFleetConfig(configFile),
      buildDirectory: resolve('dist'),
      configDirectory: join(app.outdir, 'port25-canary-vantages'),
      orchestratorReservedConcurrency: reservedConcurrency,
    });
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }), controlTowerChecks());
  // Measured on the templates as written: synth exits 1, naming the stack, rather than leave deploy to fail.
  checkStackQuotas(app.synth());
}

function parseReservedConcurrency(value: unknown): ReservedConcurrency | undefined {
  if (value === undefined || value === 'unreserved') return value;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) {
    throw new InputError(
      `-c ${RESERVED_CONCURRENCY_CONTEXT}=${String(value)}: must be a positive integer or "unreserved"`,
    );
  }
  return number;
}

try {
  await main();
} catch (error) {
  // Bad config or missing build output: one line naming the culprit, not a stack trace.
  if (!(error instanceof InputError)) throw error;
  process.stderr.write(`port25-canary stack: ${error.message}\n`);
  process.exitCode = 1;
}
