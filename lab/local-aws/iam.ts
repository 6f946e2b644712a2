import { createHash } from 'node:crypto';
import { getDenialReasons, runSimulation } from '@cloud-copilot/iam-simulate';

/**
 * The local AWS's identities and authorization. Each caller signs with access keys that map to one principal (a
 * function's execution role session, the operator), and every request is evaluated with `@cloud-copilot/iam-simulate`
 * (AGPL-3.0; a devDependency the lab runs, never bundled into the product): identity policies, the resource's
 * policy, explicit denies and the request's condition keys, as AWS's policy evaluation logic does (IAM User Guide,
 * "Policy evaluation logic"; cross-account requests need both an identity and a resource policy allowing them).
 *
 * A denial carries the message AWS writes ("User: ARN is not authorized to perform: ACTION on resource: ARN because
 * no identity-based policy allows the ACTION action"; IAM User Guide, "Troubleshoot access denied error messages").
 */

export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: unknown;
}

export interface NamedPolicy {
  readonly name: string;
  readonly policy: PolicyDocument;
}

/** A caller of the local AWS: who it is and the identity policies its role or user has. */
export interface LocalPrincipal {
  /** What AWS names the caller in a denial: the assumed-role session ARN, or a user ARN. */
  readonly arn: string;
  readonly accountId: string;
  readonly policies: readonly NamedPolicy[];
}

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** A service principal calling on a resource's behalf (CloudWatch for an alarm, EventBridge for a rule). */
export interface ServiceCaller {
  readonly service: string;
}

export interface AuthorizationRequest {
  readonly caller: LocalPrincipal | ServiceCaller;
  /** `service:Action`, e.g. `ecs:RunTask`. */
  readonly action: string;
  readonly resource: string;
  /** The account that owns the resource (decides whether a resource policy alone may allow). */
  readonly resourceAccount: string;
  /** Condition keys of the request: `ecs:cluster`, `aws:SourceArn`, `iam:PassedToService`, ... */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
  readonly resourcePolicy?: PolicyDocument | undefined;
}

export type Denial = 'identity-implicit' | 'identity-explicit' | 'resource-implicit' | 'resource-explicit' | 'other';

/** A request the policies do not allow: what a service answers with its own error code. */
export class AccessDeniedError extends Error {
  constructor(
    message: string,
    readonly request: AuthorizationRequest,
    readonly denial: Denial,
  ) {
    super(message);
    this.name = 'AccessDeniedError';
  }
}

export function isServiceCaller(caller: LocalPrincipal | ServiceCaller): caller is ServiceCaller {
  return 'service' in caller;
}

function callerName(caller: LocalPrincipal | ServiceCaller): string {
  return isServiceCaller(caller) ? caller.service : caller.arn;
}

/** The message AWS gives for each kind of denial (IAM User Guide, "Access denied error message examples"). */
export function denialMessage(request: AuthorizationRequest, denial: Denial): string {
  const head = `User: ${callerName(request.caller)} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  switch (denial) {
    case 'identity-implicit':
      return `${head} because no identity-based policy allows the ${request.action} action`;
    case 'identity-explicit':
      return `${head} with an explicit deny in an identity-based policy`;
    case 'resource-implicit':
      return `${head} because no resource-based policy allows the ${request.action} action`;
    case 'resource-explicit':
      return `${head} with an explicit deny in a resource-based policy`;
    default:
      return head;
  }
}

/** Every decision the local AWS took: the lab prints the denials, tests read both. */
export interface AuthorizationRecord {
  readonly caller: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  readonly message: string | undefined;
}

const EMPTY_POLICY: PolicyDocument = { Version: '2012-10-17', Statement: [] };

export class LocalIam {
  private readonly byAccessKey = new Map<string, LocalPrincipal>();
  readonly decisions: AuthorizationRecord[] = [];

  /**
   * Registers a caller and returns credentials only it signs with: the given ones (the operator's long-term key), or
   * a session derived from its ARN (a role session: stable across runs).
   */
  addPrincipal(principal: LocalPrincipal, credentials?: LocalCredentials): LocalCredentials {
    const digest = createHash('sha256').update(principal.arn).digest('hex').toUpperCase();
    const issued = credentials ?? {
      accessKeyId: `ASIA${digest.slice(0, 16)}`,
      secretAccessKey: `lab-secret-${digest.slice(16, 48)}`,
      sessionToken: `lab-session-${digest.slice(48)}`,
    };
    if (this.byAccessKey.has(issued.accessKeyId) && this.byAccessKey.get(issued.accessKeyId)?.arn !== principal.arn) {
      throw new Error(
        `access key ${issued.accessKeyId} already belongs to ${this.byAccessKey.get(issued.accessKeyId)?.arn}`,
      );
    }
    this.byAccessKey.set(issued.accessKeyId, principal);
    return issued;
  }

  /** The principal whose access key signed a request; undefined for a key the lab never issued. */
  principalFor(accessKeyId: string): LocalPrincipal | undefined {
    return this.byAccessKey.get(accessKeyId);
  }

  /** Throws AccessDeniedError unless the policies allow the request. */
  async authorize(request: AuthorizationRequest): Promise<void> {
    const { caller } = request;
    const context: Record<string, string | string[]> = {};
    for (const [key, value] of Object.entries(request.context ?? {})) {
      context[key] = typeof value === 'string' ? value : [...value];
    }
    const result = await runSimulation(
      {
        request: {
          principal: isServiceCaller(caller) ? caller.service : caller.arn,
          action: request.action,
          resource: { resource: request.resource, accountId: request.resourceAccount },
          contextVariables: context,
        },
        identityPolicies: isServiceCaller(caller)
          ? []
          : caller.policies.map((policy) => ({ name: policy.name, policy: policy.policy })),
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        ...(request.resourcePolicy === undefined ? {} : { resourcePolicy: request.resourcePolicy }),
      },
      {},
    );
    if (result.resultType === 'error') {
      throw new Error(`the lab cannot evaluate ${request.action} on ${request.resource}: ${result.errors.message}`);
    }
    const allowed = result.overallResult === 'Allowed';
    const denial = allowed ? undefined : this.denialOf(request, result);
    const message = denial === undefined ? undefined : denialMessage(request, denial);
    this.decisions.push({
      caller: callerName(caller),
      action: request.action,
      resource: request.resource,
      allowed,
      message,
    });
    if (denial !== undefined) throw new AccessDeniedError(message as string, request, denial);
  }

  /** The denials so far, each once, in order: what the lab prints. */
  denials(): string[] {
    return [
      ...new Set(this.decisions.filter((decision) => !decision.allowed).map((decision) => decision.message ?? '')),
    ];
  }

  private denialOf(
    request: AuthorizationRequest,
    result: Exclude<Awaited<ReturnType<typeof runSimulation>>, { resultType: 'error' }>,
  ): Denial {
    const analysis = result.resultType === 'single' ? result.result.analysis : result.results[0]?.analysis;
    const reasons = analysis ? getDenialReasons(analysis) : [];
    const explicit = reasons.find((reason) => reason.denialType === 'Explicit');
    if (explicit) return explicit.policyType === 'resource' ? 'resource-explicit' : 'identity-explicit';
    if (isServiceCaller(request.caller) || reasons.some((reason) => reason.policyType === 'resource'))
      return request.resourcePolicy === undefined && !isServiceCaller(request.caller)
        ? 'identity-implicit'
        : 'resource-implicit';
    if (reasons.some((reason) => reason.policyType === 'identity')) return 'identity-implicit';
    return reasons.length === 0 ? 'identity-implicit' : 'other';
  }
}

export { EMPTY_POLICY };
