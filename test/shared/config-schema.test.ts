import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { configFieldsTable, DOCS_FILE, withFieldsTable } from '../../functions/shared/config/docs-table.js';
import { configJsonSchemaText } from '../../functions/shared/config/json-schema.js';
import { parseCanaryConfig } from '../../functions/shared/config.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { CORPUS, FULL, withField } from './config-corpus.js';

// The schema editors read and the validator the canary runs must agree: same verdict on every config of the corpus,
// same fields in every object. Where JSON Schema cannot express a rule, the case says why and the validator alone
// rejects it.

type SchemaNode = {
  readonly $ref?: string;
  readonly allOf?: readonly SchemaNode[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly items?: SchemaNode;
};

const SCHEMA_FILE = 'schema/canary.config.schema.json';
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as SchemaNode & {
  readonly definitions: Readonly<Record<string, SchemaNode>>;
};
const schemaAccepts = new Ajv({ allErrors: true, strict: true }).compile(schema);

function resolveNode(node: SchemaNode): SchemaNode {
  if (node.$ref !== undefined) return resolveNode(schema.definitions[node.$ref.replace('#/definitions/', '')] ?? {});
  const [only] = node.allOf ?? [];
  return node.allOf?.length === 1 && only !== undefined ? resolveNode(only) : node;
}

interface SchemaField {
  /** `targets[0].port`, with `[0]` for list items. */
  readonly path: string;
  /** The same for every use of a shared definition: `#network.subnets` for network.subnets and vantages[0].network.subnets. */
  readonly rule: string;
  readonly node: SchemaNode;
}

const refName = (node: SchemaNode) => (node.allOf?.[0] ?? node).$ref?.replace('#/definitions/', '#');

/** Every field the schema declares. */
function schemaFields(node: SchemaNode = schema, path = '', rule = ''): SchemaField[] {
  const resolved = resolveNode(node);
  const ownRule = refName(node) ?? rule;
  const here = path === '' ? [] : [{ path, rule: ownRule, node: resolved }];
  if (resolved.items !== undefined) return [...here, ...schemaFields(resolved.items, `${path}[0]`, `${ownRule}[0]`)];
  const child = (base: string, key: string) => (base === '' ? key : `${base}.${key}`);
  return [
    ...here,
    ...Object.entries(resolved.properties ?? {}).flatMap(([key, value]) =>
      schemaFields(value, child(path, key), child(ownRule, key)),
    ),
  ];
}

function validatorProblems(config: unknown): string[] {
  try {
    parseCanaryConfig(config);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => problem.field);
  }
}

/** The fields the validator allows in the object at `path` of FULL, from its "unknown field (allowed: ...)". */
function validatorAllowedFields(path: string): string[] {
  const objectAt = (path === '' ? FULL : withField(FULL, `${path}.zzUnknown`, 1)) as Record<string, unknown>;
  const config = path === '' ? { ...objectAt, zzUnknown: 1 } : objectAt;
  const unknownAt = path === '' ? 'zzUnknown' : `${path}.zzUnknown`;
  try {
    parseCanaryConfig(config);
  } catch (error) {
    const problem = (error as ConfigError).problems.find((candidate) => candidate.field === unknownAt);
    const allowed = /allowed: (.*)\)$/.exec(problem?.problem ?? '')?.[1];
    if (allowed !== undefined) return allowed.split(', ').sort();
  }
  throw new Error(`the validator did not report ${unknownAt} as unknown`);
}

const normalized = (field: string) => field.replace(/\[\d+\]/g, '[0]');

describe('the config schema and the validator', () => {
  it('are one declaration: the committed schema is what npm run schema generates', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(configJsonSchemaText());
  });

  it('are documented: docs/configuration.md has the table npm run schema generates', () => {
    const markdown = readFileSync(DOCS_FILE, 'utf8');

    expect(markdown).toBe(withFieldsTable(markdown));
    expect(configFieldsTable()).toContain('| `targets[].tls` | `"implicit"` | – |');
    expect(configFieldsTable()).toContain('| `deployment.cpuArchitecture` | `"ARM64"` \\| `"X86_64"` | `"ARM64"` |');
  });

  it.each(CORPUS.filter((entry) => entry.invalidAt === undefined).map((entry) => [entry.name, entry]))(
    'both accept %s',
    (_name, entry) => {
      expect(validatorProblems(entry.config)).toEqual([]);
      expect(schemaAccepts(entry.config), JSON.stringify(schemaAccepts.errors)).toBe(true);
    },
  );

  it.each(CORPUS.filter((entry) => entry.invalidAt !== undefined).map((entry) => [entry.name, entry]))(
    'judge %s alike',
    (_name, entry) => {
      expect(validatorProblems(entry.config)).toContain(entry.invalidAt);
      expect(schemaAccepts(entry.config)).toBe(entry.beyondSchema !== undefined);
    },
  );

  it('accept the example configs, which point editors at the schema', () => {
    for (const file of ['examples/canary.config.json', 'examples/fleet.config.json']) {
      const example = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };

      expect(example.$schema).toBe(`../${SCHEMA_FILE}`);
      expect(validatorProblems(example)).toEqual([]);
      expect(schemaAccepts(example)).toBe(true);
    }
  });

  it.each(
    [
      '',
      ...schemaFields()
        .filter(({ node }) => node.properties !== undefined)
        .map(({ path }) => path),
    ].map((path) => [path === '' ? '(root)' : path, path]),
  )('allow the same fields in %s', (_name, path) => {
    const node = path === '' ? schema : schemaFields().find((field) => field.path === path)?.node;

    expect(Object.keys(node?.properties ?? {}).sort()).toEqual(validatorAllowedFields(path));
  });

  // A shared definition (network) is covered once, wherever the corpus tests it.
  const rules = [...new Set(schemaFields().map(({ rule }) => rule))];
  it.each(rules.map((rule) => [rule]))('have an invalid case in the corpus for %s', (rule) => {
    const invalidAt = CORPUS.flatMap((entry) => (entry.invalidAt === undefined ? [] : [normalized(entry.invalidAt)]));
    const paths = schemaFields()
      .filter((field) => field.rule === rule)
      .map((field) => field.path);

    expect(
      invalidAt.some((field) =>
        paths.some((path) => field === path || field.startsWith(`${path}.`) || field.startsWith(`${path}[`)),
      ),
    ).toBe(true);
  });
});
