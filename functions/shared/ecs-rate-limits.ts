/**
 * ECS's documented request-rate quotas for the calls the canary makes, per account and Region: the orchestrator paces
 * itself by them and the lab's local ECS enforces them.
 */

/** A token bucket as AWS documents its rate quotas: `burst` tokens at most, refilled at `perSecond`. */
export interface BucketRate {
  readonly burst: number;
  readonly perSecond: number;
}

/**
 * ECS API Reference, "Request throttling for the Amazon ECS API" (cluster resource modify and read actions), and ECS
 * Developer Guide, "AWS Fargate throttling quotas" (task launches; Fargate Spot has its own bucket of the same size).
 * RunTask draws from the modify bucket it shares with StopTask and, on Fargate, one launch token per task.
 */
export const ECS_RATE_BUCKETS = {
  clusterResourceModify: { burst: 100, perSecond: 40 },
  clusterResourceRead: { burst: 100, perSecond: 20 },
  fargateTaskLaunch: { burst: 100, perSecond: 20 },
} as const satisfies Record<string, BucketRate>;

export type EcsBucketName = keyof typeof ECS_RATE_BUCKETS;

export const ECS_OPERATION_BUCKETS = {
  RunTask: ['clusterResourceModify', 'fargateTaskLaunch'],
  StopTask: ['clusterResourceModify'],
  DescribeTasks: ['clusterResourceRead'],
} as const satisfies Record<string, readonly EcsBucketName[]>;

export type PacedEcsOperation = keyof typeof ECS_OPERATION_BUCKETS;

/** ECS's answer to a call over its rate, on the wire: HTTP 400, this error type and message. */
export const ECS_THROTTLING_ERROR = { type: 'ThrottlingException', message: 'Rate exceeded', statusCode: 400 } as const;
