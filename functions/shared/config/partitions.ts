/**
 * The AWS partition a region belongs to, from its name: `cn-` regions are AWS China (aws-cn), `us-gov-` regions AWS
 * GovCloud (US) (aws-us-gov), every other the commercial partition (aws). Accounts, roles, event buses and OAM sinks
 * never reach across partitions, so a fleet lies in one.
 */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * Partitions where an EventBridge rule cannot target an event bus in another region. Cross-Region routing came to the
 * commercial regions in 2021 ("Expanding cross-Region event routing with Amazon EventBridge", AWS Compute Blog: "between
 * any AWS Regions, except AWS GovCloud (US) and China") and to AWS GovCloud (US) in June 2022 ("Amazon EventBridge
 * cross-Region routing ... AWS GovCloud (US) Regions", What's New), so China is the partition left.
 */
export const NO_CROSS_REGION_EVENTS: readonly Partition[] = ['aws-cn'];
