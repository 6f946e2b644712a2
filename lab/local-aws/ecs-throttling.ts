import {
  ECS_OPERATION_BUCKETS,
  ECS_RATE_BUCKETS,
  ECS_THROTTLING_ERROR,
  type EcsBucketName,
  type PacedEcsOperation,
} from '../../functions/shared/ecs-rate-limits.js';
import { AwsServiceError } from './protocol.js';

/**
 * ECS's documented per-account token buckets, as ECS enforces them: a call takes a token from each bucket of its
 * operation (RunTask one launch token per task it starts); a call that finds any of them short is answered with
 * ThrottlingException and takes nothing. Buckets start full and refill continuously up to their burst.
 */
export class EcsThrottling {
  private readonly tokens: Record<EcsBucketName, number>;
  private updatedAt: number;
  private readonly throttled: Record<string, number> = {};

  constructor(private readonly now: () => number = () => performance.now()) {
    this.tokens = {
      clusterResourceModify: ECS_RATE_BUCKETS.clusterResourceModify.burst,
      clusterResourceRead: ECS_RATE_BUCKETS.clusterResourceRead.burst,
      fargateTaskLaunch: ECS_RATE_BUCKETS.fargateTaskLaunch.burst,
    };
    this.updatedAt = this.now();
  }

  private refill(): void {
    const at = this.now();
    const seconds = (at - this.updatedAt) / 1000;
    for (const name of Object.keys(this.tokens) as EcsBucketName[]) {
      const { burst, perSecond } = ECS_RATE_BUCKETS[name];
      this.tokens[name] = Math.min(burst, this.tokens[name] + seconds * perSecond);
    }
    this.updatedAt = at;
  }

  /** Takes the call's tokens or throws ECS's ThrottlingException. `tasks` is RunTask's count. */
  admit(operation: PacedEcsOperation, tasks = 1): void {
    this.refill();
    const needs = ECS_OPERATION_BUCKETS[operation].map((name) => ({
      name,
      count: name === 'fargateTaskLaunch' ? tasks : 1,
    }));
    if (needs.some(({ name, count }) => this.tokens[name] < count)) {
      this.throttled[operation] = (this.throttled[operation] ?? 0) + 1;
      throw new AwsServiceError(ECS_THROTTLING_ERROR.type, ECS_THROTTLING_ERROR.message, {
        statusCode: ECS_THROTTLING_ERROR.statusCode,
      });
    }
    for (const { name, count } of needs) this.tokens[name] -= count;
  }

  /** How long until every bucket is full again, as it is for a run that starts after the account's rates refilled. */
  msUntilFull(): number {
    this.refill();
    return Math.max(
      ...(Object.keys(this.tokens) as EcsBucketName[]).map((name) => {
        const { burst, perSecond } = ECS_RATE_BUCKETS[name];
        return ((burst - this.tokens[name]) / perSecond) * 1000;
      }),
    );
  }

  /** ThrottlingException answers given so far, per operation. */
  throttledAnswers(): Readonly<Record<string, number>> {
    return { ...this.throttled };
  }
}
