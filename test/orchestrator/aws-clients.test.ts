import { describe, expect, it } from 'vitest';
import {
  AWS_REQUEST_TIMEOUT_MS,
  CANARY_CLIENT_CONFIG,
  createCanaryClients,
} from '../../functions/orchestrator/aws-clients.js';
import { DEADLINE_SAFETY_MARGIN_MS, FINAL_GRACE_MS } from '../../functions/orchestrator/run-canary.js';

describe('createCanaryClients', () => {
  it('leaves retries to callWithRetry: every client makes a single attempt per call', async () => {
    const clients = createCanaryClients();

    const attempts = await Promise.all(Object.values(clients).map((client) => client.config.maxAttempts()));

    expect(Object.keys(clients)).toEqual(['ec2', 'ecs', 'logs', 'cloudwatch', 'events']);
    expect(attempts).toEqual([1, 1, 1, 1, 1]);
  });

  it('fails a hung call after a request timeout that fits in the safety margin beside the final grace', () => {
    expect(CANARY_CLIENT_CONFIG.requestHandler).toEqual({
      requestTimeout: AWS_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    });
    expect(FINAL_GRACE_MS + 2 * AWS_REQUEST_TIMEOUT_MS).toBeLessThan(DEADLINE_SAFETY_MARGIN_MS);
  });
});
