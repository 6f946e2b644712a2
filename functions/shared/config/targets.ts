import * as z from 'zod';
import { CONFIG_DEFAULTS, LIMITS } from '../config-defaults.js';
import { isIpLiteral, notMailDestination } from '../port25-rule.js';
import { ALWAYS, flag, oneOf, section, shownValue, text } from './fields.js';
import { HOST_NAME, IPV4_LITERAL, IPV6_LITERAL, NAME } from './patterns.js';
import { port } from './probe.js';

/** The port a target with implicit TLS is probed on when it sets none: SMTP submission over TLS (RFC 8314). */
export const IMPLICIT_TLS_PORT = 465;

const NAME_HINT = 'must be 1-63 letters, digits, dots, dashes or underscores';

export const nameField = () => text(NAME, NAME_HINT);

/** A host name or an IP literal, never an address that cannot be a mail destination (loopback, multicast...). */
const host = z
  .string({ error: (issue) => (issue.input === undefined ? 'is required' : 'must be a non-empty string') })
  .superRefine((value, context) => {
    const literal = isIpLiteral(value);
    if (!literal && !HOST_NAME.test(value)) {
      const numeric = /^[\d.]+$/.test(value);
      context.addIssue(
        numeric
          ? `${shownValue(value)} is neither an IP literal (not a valid IPv4 address) nor a host name (its last label is all digits)`
          : `${shownValue(value)} must be a host name or IP literal, without a port`,
      );
      return;
    }
    const notMail = literal ? notMailDestination(value) : null;
    if (notMail !== null) context.addIssue(`${shownValue(value)} is ${notMail.description}`);
  })
  .meta({
    anyOf: [{ pattern: HOST_NAME.source }, { pattern: IPV4_LITERAL.source }, { pattern: IPV6_LITERAL.source }],
  })
  .describe(
    'Host name or IP literal, without a port; not a loopback, link-local, multicast, unspecified or broadcast address.',
  );

export const targetSchema = section({
  name: nameField().describe('1-63 letters, digits, dots, dashes or underscores; unique.'),
  host,
  port: port()
    .optional()
    .meta({ default: CONFIG_DEFAULTS.port })
    .describe(`Port to probe (default ${CONFIG_DEFAULTS.port}; ${IMPLICIT_TLS_PORT} with "tls": "implicit").`),
  expect: oneOf(['auto', 'open', 'blocked'])
    .default('auto')
    .describe("auto: judge by AWS's rule; open or blocked: what this path must do."),
  controlPort: port().optional().describe('Overrides probe.controlPort for this target.'),
  starttls: flag().default(false).describe('Upgrade with STARTTLS and report the certificate.'),
  tls: oneOf(['implicit'])
    .optional()
    .describe(
      '"implicit": TLS from the first byte (SMTPS, port 465 by default), then the greeting; not with starttls.',
    ),
}).superRefine((target, context) => {
  if (target.tls === 'implicit' && target.starttls === true) {
    context.addIssue({
      code: 'custom',
      path: ['tls'],
      message: 'implicit TLS and "starttls": true exclude each other: give one of them',
    });
  }
}, ALWAYS);

export type TargetExpectation = 'auto' | 'open' | 'blocked';

/** `targets`: the mail servers to probe; names are unique (checked with the whole config, canary-config.ts). */
export const targetsSection = z
  .array(targetSchema, {
    error: (issue) => (issue.input === undefined ? 'must list at least one target' : 'must be an array'),
  })
  .min(1, { error: 'must list at least one target' })
  .max(LIMITS.targets.max, { error: `must list at most ${LIMITS.targets.max} targets` })
  .describe('The mail servers to probe; names are unique.');
