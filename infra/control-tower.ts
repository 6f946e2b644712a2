import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import {
  type IPolicyValidationContextBeta1,
  type IPolicyValidationPluginBeta1,
  type PolicyValidationPluginReportBeta1,
  Validations,
} from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * AWS Control Tower's proactive controls, run at every synth beside cdk-nag: the Control Tower cfn-guard rules of
 * `@cdklabs/cdk-validator-cfnguard`, whose cfn-guard binary ships inside the npm package (no download, runs offline).
 * A finding fails synth unless acknowledged on its construct, with a reason, as cdk-nag's are. docs/deploy.md says what
 * an organisation that enforces these controls must set instead.
 */
export function controlTowerChecks(): IPolicyValidationPluginBeta1 {
  return new ControlTowerChecks();
}

/**
 * The guard validator with every finding marked an error. It leaves a finding's severity unset, which CDK reads as an
 * error only while nothing is acknowledged: once any finding of a report is acknowledged, CDK recomputes the report's
 * success from the remaining findings' severities, and an unset one then passes, so unacknowledged findings would no
 * longer fail synth (test/infra/control-tower.test.ts).
 */
class ControlTowerChecks implements IPolicyValidationPluginBeta1 {
  private readonly guard = new CfnGuardValidator();
  readonly name = this.guard.name;
  readonly version = this.guard.version;
  readonly ruleIds = this.guard.ruleIds;

  validate(context: IPolicyValidationContextBeta1): PolicyValidationPluginReportBeta1 {
    const report = this.guard.validate(context);
    return {
      ...report,
      violations: report.violations.map((violation) => ({ ...violation, severity: violation.severity ?? 'error' })),
    };
  }
}

/** The guard rules this app acknowledges somewhere, by the control each implements. */
export const CONTROL_TOWER_RULES = {
  /** CT.CLOUDWATCH.PR.2: log groups retained for at least a year. */
  logRetentionYear: 'cloudwatch_log_group_retention_period_check',
  /** CT.CLOUDWATCH.PR.3: log groups encrypted with a KMS key. */
  logGroupKms: 'cloudwatch_log_group_encrypted_check',
  /** CT.ECS.PR.2: Container Insights on every ECS cluster. */
  containerInsights: 'ecs_container_insights_enabled_check',
  /** CT.EC2.PR.11: subnets that do not assign public IP addresses. */
  subnetPublicIp: 'subnet_auto_assign_public_ip_disabled_check',
  /** CT.LAMBDA.PR.3: Lambda functions inside a customer VPC. */
  lambdaInVpc: 'lambda_inside_vpc_check',
} as const;

/** CT.CLOUDWATCH.PR.2's minimum, in days. */
export const CONTROL_TOWER_MIN_LOG_RETENTION_DAYS = 365;

export function acknowledgeControl(
  scope: IConstruct,
  rule: (typeof CONTROL_TOWER_RULES)[keyof typeof CONTROL_TOWER_RULES],
  reason: string,
): void {
  Validations.of(scope).acknowledge({ id: `cdk-validator-cfnguard::${rule}`, reason });
}

/**
 * A canary log group: run records, kept for deployment.logRetentionDays and encrypted with CloudWatch Logs' own keys.
 * The retention control is acknowledged only when the configured retention is below its year.
 */
export function acknowledgeCanaryLogGroup(logGroup: IConstruct, retentionDays: number): void {
  if (retentionDays < CONTROL_TOWER_MIN_LOG_RETENTION_DAYS) {
    acknowledgeControl(
      logGroup,
      CONTROL_TOWER_RULES.logRetentionYear,
      `Run records kept for deployment.logRetentionDays (${retentionDays} days); set 365 or more where CT.CLOUDWATCH.PR.2 is enforced.`,
    );
  }
  acknowledgeControl(
    logGroup,
    CONTROL_TOWER_RULES.logGroupKms,
    'Probe results and run reports hold no secrets; CloudWatch Logs encrypts them at rest with its own keys. A customer key would add a key policy and a monthly key charge per canary.',
  );
}
