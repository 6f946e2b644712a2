import { CONFIG_DEFAULTS, LIMITS } from '../config-defaults.js';
import { integer, section, text } from './fields.js';
import { EHLO_NAME } from './patterns.js';

export const PORT = [1, 65_535] as const;

export const port = () => integer(...PORT);

/** `probe`: how each target is probed. */
export const probeSection = section({
  timeoutMs: integer(LIMITS.timeoutMs.min, LIMITS.timeoutMs.max)
    .default(CONFIG_DEFAULTS.timeoutMs)
    .describe('Deadline of each attempt in milliseconds, connect to QUIT.'),
  ehloName: text(EHLO_NAME, 'must be a host name').default(CONFIG_DEFAULTS.ehloName).describe('Name sent with EHLO.'),
  attempts: integer(LIMITS.attempts.min, LIMITS.attempts.max)
    .default(CONFIG_DEFAULTS.attempts)
    .describe('Attempts per target.'),
  controlPort: port()
    .optional()
    .describe("A port also TCP-connected on each target's address: tells AWS's port-25 drop from no path at all."),
}).describe('How each target is probed.');
