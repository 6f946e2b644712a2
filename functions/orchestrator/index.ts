import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { ECSClient } from '@aws-sdk/client-ecs';
import { createCanaryHandler } from './canary-handler.js';

// Clients are built once per container from the standard environment (region, credentials, AWS_ENDPOINT_URL_*).
export const handler = createCanaryHandler({
  clients: { ecs: new ECSClient({}), logs: new CloudWatchLogsClient({}), cloudwatch: new CloudWatchClient({}) },
  env: process.env,
  configDirectory: dirname(fileURLToPath(import.meta.url)),
  now: Date.now,
  sleep: async (ms) => {
    await sleep(ms);
  },
  log: (line) => console.log(line),
});
