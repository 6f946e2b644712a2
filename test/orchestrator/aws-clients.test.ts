import { describe, expect, it } from 'vitest';
import {
  AWS_REQUEST_TIMEOUT_MS,
  awsClientSettings,
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

  it('builds every client with the region and profile chosen on the command line', async () => {
    const clients = createCanaryClients({ region: 'eu-central-1', profile: 'canary-admin' });

    const regions = await Promise.all(Object.values(clients).map((client) => client.config.region()));

    expect(regions).toEqual(['eu-central-1', 'eu-central-1', 'eu-central-1', 'eu-central-1', 'eu-central-1']);
    expect(Object.values(clients).map((client) => client.config.profile)).toEqual([
      'canary-admin',
      'canary-admin',
      'canary-admin',
      'canary-admin',
      'canary-admin',
    ]);
  });
});

describe('awsClientSettings', () => {
  it('keeps the region and the profile that are set', () => {
    expect(awsClientSettings({ region: 'eu-central-1', profile: 'canary-admin' })).toStrictEqual({
      region: 'eu-central-1',
      profile: 'canary-admin',
    });
  });

  it('leaves out the options that are not set, so the SDK default chain decides them', () => {
    expect(awsClientSettings({})).toStrictEqual({});
    expect(awsClientSettings({ region: undefined, profile: undefined })).toStrictEqual({});
    expect(awsClientSettings({ profile: 'canary-admin' })).toStrictEqual({ profile: 'canary-admin' });
  });
});
