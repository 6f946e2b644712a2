/**
 * Environment variables through which the CDK stack hands the deployed orchestrator what only exists after deploy.
 * They override the matching fields of the canary config file that is bundled with the function.
 */
export const RUNTIME_ENVIRONMENT = {
  configFile: 'PORT25_CONFIG_FILE',
  cluster: 'PORT25_CLUSTER',
  taskDefinition: 'PORT25_TASK_DEFINITION',
  containerName: 'PORT25_CONTAINER_NAME',
  /** Comma-separated subnet IDs. */
  subnets: 'PORT25_SUBNETS',
  /** Comma-separated security group IDs. */
  securityGroups: 'PORT25_SECURITY_GROUPS',
  /** "true" or "false". */
  assignPublicIp: 'PORT25_ASSIGN_PUBLIC_IP',
  logGroup: 'PORT25_LOG_GROUP',
  logStreamPrefix: 'PORT25_LOG_STREAM_PREFIX',
  vpcPrimaryCidr: 'PORT25_VPC_PRIMARY_CIDR',
} as const;

/** The config file's name beside the bundled handler. */
export const BUNDLED_CONFIG_FILE_NAME = 'canary.config.json';

/**
 * The stack's outputs that `port25-canary run --stack NAME` reads (CloudFormation DescribeStacks): each output carries
 * the value the stack hands the deployed orchestrator in the runtime variable it maps to, so a run from a workstation
 * launches exactly what the scheduled run launches.
 */
export const STACK_OUTPUTS = {
  ProbeCluster: RUNTIME_ENVIRONMENT.cluster,
  ProbeTaskDefinition: RUNTIME_ENVIRONMENT.taskDefinition,
  ProbeContainerName: RUNTIME_ENVIRONMENT.containerName,
  ProbeSubnets: RUNTIME_ENVIRONMENT.subnets,
  ProbeSecurityGroups: RUNTIME_ENVIRONMENT.securityGroups,
  ProbeAssignPublicIp: RUNTIME_ENVIRONMENT.assignPublicIp,
  ProbeLogGroup: RUNTIME_ENVIRONMENT.logGroup,
  ProbeLogStreamPrefix: RUNTIME_ENVIRONMENT.logStreamPrefix,
  VpcPrimaryCidr: RUNTIME_ENVIRONMENT.vpcPrimaryCidr,
} as const;
export type StackOutputKey = keyof typeof STACK_OUTPUTS;
