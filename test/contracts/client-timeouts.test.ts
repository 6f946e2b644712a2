import { describe, expect, it } from 'vitest';
import { createInvokeLambdaClient } from '../../functions/cli/commands/invoke.js';
import { createCanaryClients } from '../../functions/orchestrator/aws-clients.js';

/**
 * The request timeouts the AWS clients are really built with, as literals (docs/orchestrator.md, docs/cli.md): a hung
 * call must not outlive the run, and invoke must wait out a full 15-minute function run.
 */

interface HandlerSettings {
  readonly requestTimeout?: number;
  readonly throwOnRequestTimeout?: boolean;
}

// The SDK turns the requestHandler options into a NodeHttpHandler, which resolves them into its configProvider.
async function handlerSettings(client: {
  readonly config: { readonly requestHandler: unknown };
}): Promise<HandlerSettings> {
  const handler = client.config.requestHandler as unknown as { configProvider: Promise<HandlerSettings> };
  return handler.configProvider;
}

describe('the orchestrator clients', () => {
  it.each(['ecs', 'logs', 'cloudwatch'] as const)('build %s with a 10 s request timeout that throws', async (name) => {
    const client = createCanaryClients()[name];

    const settings = await handlerSettings(client);

    expect(settings.requestTimeout).toBe(10_000);
    expect(settings.throwOnRequestTimeout).toBe(true);
  });

  it.each(['ecs', 'logs', 'cloudwatch'] as const)('build %s with one attempt per call', async (name) => {
    await expect(createCanaryClients()[name].config.maxAttempts()).resolves.toBe(1);
  });
});

describe('the invoke client', () => {
  it('waits 16 minutes for the response (a 15-minute run plus a minute) and never retries', async () => {
    const client = createInvokeLambdaClient();

    const settings = await handlerSettings(client);

    expect(settings.requestTimeout).toBe(16 * 60_000);
    expect(settings.throwOnRequestTimeout).toBe(true);
    await expect(client.config.maxAttempts()).resolves.toBe(1);
  });
});
