import {
  type BucketRate,
  ECS_OPERATION_BUCKETS,
  ECS_RATE_BUCKETS,
  type EcsBucketName,
  type PacedEcsOperation,
} from '../shared/ecs-rate-limits.js';
import type { Clock } from './aws-retry.js';

/**
 * The share of each documented bucket one run uses. The headroom absorbs requests that reach ECS closer together than
 * they were sent (a 10 % margin of a 100-token burst covers half a second of jitter at 20 a second) and leaves the
 * account's other callers a little room; ThrottlingException slows the run down when they need more.
 */
export const PACING_SHARE = 0.9;

/** After ThrottlingException a bucket's rate halves, never below this fraction of its paced rate. */
export const SLOWEST_RATE_FRACTION = 1 / 16;

/** Each answered call wins back this fraction of the paced rate, so a run recovers within a few dozen calls. */
export const RECOVERY_FRACTION = 1 / 10;

/**
 * One bucket on the run's clock. Tokens may go negative: each call reserves the next token and waits for it, so
 * concurrent callers are served first come, first served at exactly the bucket's rate.
 */
export class TokenBucket {
  readonly burst: number;
  private tokens: number;
  private updatedAt: number;
  private currentPerSecond: number;
  private readonly pacedPerSecond: number;

  constructor(
    rate: BucketRate,
    private readonly now: () => number,
    share = PACING_SHARE,
  ) {
    this.tokens = Math.floor(rate.burst * share);
    this.burst = this.tokens;
    this.pacedPerSecond = rate.perSecond * share;
    this.currentPerSecond = this.pacedPerSecond;
    this.updatedAt = now();
  }

  get perSecond(): number {
    return this.currentPerSecond;
  }

  private refill(): void {
    const at = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((at - this.updatedAt) / 1000) * this.currentPerSecond);
    this.updatedAt = at;
  }

  /** The instant (epoch ms) the next token is available. */
  nextTokenAt(): number {
    this.refill();
    return this.tokens >= 1 ? this.updatedAt : this.updatedAt + ((1 - this.tokens) / this.currentPerSecond) * 1000;
  }

  /** Takes the next token; returns when it is available. */
  reserve(): number {
    const at = this.nextTokenAt();
    this.tokens -= 1;
    return at;
  }

  /** ThrottlingException: the account's bucket is empty, whoever emptied it. Stop bursting and halve the rate. */
  slowDown(): void {
    this.refill();
    this.tokens = Math.min(this.tokens, 0);
    this.currentPerSecond = Math.max(this.pacedPerSecond * SLOWEST_RATE_FRACTION, this.currentPerSecond / 2);
  }

  recover(): void {
    this.refill();
    this.currentPerSecond = Math.min(
      this.pacedPerSecond,
      this.currentPerSecond + this.pacedPerSecond * RECOVERY_FRACTION,
    );
  }
}

/** What callWithRetry needs to pace one operation: a slot before each attempt, and what each answer said. */
export interface RequestPacing {
  /** Waits for the operation's turn; false (without waiting) when the turn comes after `notAfter`. */
  readonly take: (notAfter: number) => Promise<boolean>;
  readonly throttled: () => void;
  readonly answered: () => void;
}

/** The run's ECS request pacer: one bucket per documented ECS bucket, shared by every call of the run. */
export class EcsRequestPacer {
  private readonly buckets: Record<EcsBucketName, TokenBucket>;
  private throttledCount = 0;

  constructor(
    private readonly clock: Clock,
    share = PACING_SHARE,
  ) {
    this.buckets = {
      clusterResourceModify: new TokenBucket(ECS_RATE_BUCKETS.clusterResourceModify, clock.now, share),
      clusterResourceRead: new TokenBucket(ECS_RATE_BUCKETS.clusterResourceRead, clock.now, share),
      fargateTaskLaunch: new TokenBucket(ECS_RATE_BUCKETS.fargateTaskLaunch, clock.now, share),
    };
  }

  /** ThrottlingException answers the run has received so far. */
  get throttledAnswers(): number {
    return this.throttledCount;
  }

  bucket(name: EcsBucketName): TokenBucket {
    return this.buckets[name];
  }

  for(operation: PacedEcsOperation): RequestPacing {
    const buckets = ECS_OPERATION_BUCKETS[operation].map((name) => this.buckets[name]);
    return {
      take: async (notAfter) => {
        const at = Math.max(...buckets.map((bucket) => bucket.nextTokenAt()));
        if (at > notAfter) return false;
        const readyAt = Math.max(...buckets.map((bucket) => bucket.reserve()));
        const waitMs = readyAt - this.clock.now();
        if (waitMs > 0) await this.clock.sleep(waitMs);
        return true;
      },
      throttled: () => {
        this.throttledCount += 1;
        for (const bucket of buckets) bucket.slowDown();
      },
      answered: () => {
        for (const bucket of buckets) bucket.recover();
      },
    };
  }
}
