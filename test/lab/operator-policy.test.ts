import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadOperatorPolicy, OPERATOR_POLICY_FILE } from '../../lab/identities.js';

/** docs/deploy.md shows the operator policy the lab loads: the copy in the docs and the file must be the same. */

const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');

describe('the operator policy', () => {
  it('is the one docs/deploy.md shows, statement for statement', async () => {
    const deployDoc = await readFile(resolve(PROJECT_DIRECTORY, 'docs/deploy.md'), 'utf8');
    const section = deployDoc.slice(deployDoc.indexOf('**Operator permissions.**'));
    const shown = /```json\n([\s\S]*?)\n```/.exec(section)?.[1];

    expect(section).toContain('[operator-policy.json](operator-policy.json)');
    expect(JSON.parse(shown ?? 'null')).toEqual(await loadOperatorPolicy(PROJECT_DIRECTORY));
  });

  it('is read from docs/operator-policy.json, a policy with statements', async () => {
    const policy = await loadOperatorPolicy(PROJECT_DIRECTORY);

    expect(OPERATOR_POLICY_FILE).toBe('docs/operator-policy.json');
    expect(Array.isArray(policy.Statement) && policy.Statement.length > 0).toBe(true);
  });

  it('names the file when it is missing', async () => {
    await expect(loadOperatorPolicy('/nonexistent')).rejects.toThrow(
      /cannot read the operator policy \/nonexistent\/docs\/operator-policy\.json/,
    );
  });
});
