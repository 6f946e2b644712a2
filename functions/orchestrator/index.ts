import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createCanaryClients } from './aws-clients.js';
import { createCanaryHandler } from './canary-handler.js';

// Clients are built once per container.
export const handler = createCanaryHandler({
  clients: createCanaryClients(),
  env: process.env,
  configDirectory: dirname(fileURLToPath(import.meta.url)),
  now: Date.now,
  sleep: async (ms) => {
    await sleep(ms);
  },
  log: (line) => console.log(line),
});
