import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LocalCredentials, LocalIam, LocalPrincipal, PolicyDocument } from './local-aws/iam.js';
import { DeploymentError } from './local-deployment.js';
import type { StackResources } from './stack-resources.js';

/**
 * Who calls the local AWS: each deployed function with a session of its own execution role (distinct access keys,
 * `arn:aws:sts::ACCOUNT:assumed-role/ROLE/FUNCTION` as Lambda's sessions are named), and the operator running the CLI
 * with the policy docs/deploy.md documents for operators (docs/operator-policy.json, loaded from that one file).
 */

/** The file docs/deploy.md shows and the lab loads: the operator's identity policy. */
export const OPERATOR_POLICY_FILE = join('docs', 'operator-policy.json');
export const OPERATOR_USER = 'port25-canary-operator';

export async function loadOperatorPolicy(projectDirectory: string): Promise<PolicyDocument> {
  const file = join(projectDirectory, OPERATOR_POLICY_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DeploymentError(`cannot read the operator policy ${file}: ${(error as Error).message}`, { cause: error });
  }
  const policy = parsed as PolicyDocument;
  if (typeof parsed !== 'object' || parsed === null || !Array.isArray(policy.Statement)) {
    throw new DeploymentError(`${file}: not an IAM policy document (no Statement list)`);
  }
  return policy;
}

export function operatorPrincipal(accountId: string, policy: PolicyDocument): LocalPrincipal {
  return {
    arn: `arn:aws:iam::${accountId}:user/${OPERATOR_USER}`,
    accountId,
    policies: [{ name: 'port25-canary-operator', policy }],
  };
}

/** Registers each deployed function's execution role session; returns its credentials by function name. */
export function deployFunctionIdentities(
  iam: LocalIam,
  resources: StackResources,
): ReadonlyMap<string, LocalCredentials> {
  const credentials = new Map<string, LocalCredentials>();
  for (const fn of resources.functions) {
    const role = resources.roles.find((candidate) => candidate.arn === fn.roleArn);
    if (role === undefined) {
      throw new DeploymentError(`${resources.stackName}: ${fn.name}'s role ${fn.roleArn} is not in the stack`);
    }
    credentials.set(
      fn.name,
      iam.addPrincipal({
        arn: `arn:aws:sts::${resources.accountId}:assumed-role/${role.name}/${fn.name}`,
        accountId: resources.accountId,
        policies: role.policies,
      }),
    );
  }
  return credentials;
}
