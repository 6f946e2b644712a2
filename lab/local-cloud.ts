import type { RuleInvocationRecord } from './deliveries.js';
import { deployFunctionIdentities, loadOperatorPolicy, operatorPrincipal } from './identities.js';
import { type LocalCredentials, LocalIam } from './local-aws/iam.js';
import { LOCAL_CREDENTIALS, type LocalAwsOptions } from './local-aws/server.js';
import { LocalSns } from './local-aws/sns.js';
import type { LabDeployment } from './local-deployment.js';
import { type StackResources, stackResources } from './stack-resources.js';

/**
 * The local deploy of one synthesized stack beyond the endpoint's own services: its resources, the IAM that knows
 * their roles and the operator, the SNS with its topics, and what the endpoint needs to authorize each request (the
 * function and bus policies, the probe task definition's roles). The lab and its break tests share it.
 */
export interface LocalCloud {
  readonly resources: StackResources;
  readonly iam: LocalIam;
  readonly sns: LocalSns;
  /** Each function's execution-role session credentials by function name. */
  readonly functionCredentials: ReadonlyMap<string, LocalCredentials>;
  /** What startLocalAws needs to authorize: pass both into its options. */
  readonly endpointOptions: Pick<LocalAwsOptions, 'iam' | 'resourcePolicies'>;
  readonly ruleInvocations: RuleInvocationRecord[];
}

export async function deployLocalCloud(
  deployment: LabDeployment,
  projectDirectory: string,
  iam: LocalIam = new LocalIam(),
): Promise<LocalCloud> {
  const { stack, accountId, region } = deployment;
  const resources = stackResources(stack, { accountId, region });
  // Identities: each function with its own role's session; the CLI as the operator docs/deploy.md documents.
  iam.addPrincipal(operatorPrincipal(accountId, await loadOperatorPolicy(projectDirectory)), LOCAL_CREDENTIALS);
  const functionCredentials = deployFunctionIdentities(iam, resources);
  const sns = new LocalSns(iam);
  for (const topic of resources.topics) sns.addTopic(topic);
  const probeRoles = resources.taskDefinitions.find((definition) => definition.family === deployment.probeTask.family);
  return {
    resources,
    iam,
    sns,
    functionCredentials,
    ruleInvocations: [],
    endpointOptions: {
      iam,
      resourcePolicies: {
        functionPolicy: (name) => {
          const fn = resources.functions.find((candidate) => candidate.name === name || candidate.arn === name);
          return fn === undefined ? undefined : { arn: fn.arn, policy: fn.resourcePolicy };
        },
        busPolicy: (name) => resources.buses.find((bus) => bus.name === name)?.policy,
        ...(probeRoles?.taskRoleArn === undefined ? {} : { taskRoleArn: probeRoles.taskRoleArn }),
        ...(probeRoles?.executionRoleArn === undefined ? {} : { executionRoleArn: probeRoles.executionRoleArn }),
      },
    },
  };
}
