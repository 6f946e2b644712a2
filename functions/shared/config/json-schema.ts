import * as z from 'zod';
import { canaryConfigSchema } from './canary-config.js';

/** Where the committed JSON Schema lives; the examples point their `$schema` at it. */
export const CONFIG_SCHEMA_FILE = 'schema/canary.config.schema.json';

/**
 * The JSON Schema editors read, generated from the one declaration: what a config file may hold (the input side:
 * defaults are shown, not required), each field with its description and default. Draft-07, which editors and Ajv
 * read without options.
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(canaryConfigSchema, { io: 'input', target: 'draft-7', unrepresentable: 'throw' });
  return {
    ...generated,
    title: 'port25-canary config',
    description:
      'The canary config (docs/configuration.md). JSONC: comments and trailing commas are allowed. Generated from functions/shared/config/ by `npm run schema`; do not edit.',
  };
}

/** The file's text: what `npm run schema` writes and the test compares with the committed file. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
