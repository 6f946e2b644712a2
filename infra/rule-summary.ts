import type { CanaryConfig, CanaryTarget } from '../functions/shared/config.js';
import { classify, EXEMPT_RANGES, isIpLiteral, type RuleContext } from '../functions/shared/port25-rule.js';
import { formatTarget } from '../functions/shared/probe-command.js';

/**
 * The dashboard's text: AWS's port-25 rule as this canary applies it, and what each target is expected to do, so a
 * red graph can be read without opening the config.
 */
export function ruleSummaryMarkdown(config: CanaryConfig, vpcPrimaryCidr: string | undefined): string {
  const context: RuleContext = { vpcPrimaryCidr, released: config.port25Released };
  const exemptions = EXEMPT_RANGES.map((range) => `\`${range.cidr}\` (${range.source})`).join(', ');
  const lines = [
    `## port25-canary ${config.canaryName}`,
    'AWS drops outbound TCP port 25 from EC2, Lambda and Fargate silently (the connect times out) unless the ' +
      `destination is in the VPC's primary CIDR ${vpcPrimaryCidr === undefined ? '(read from EC2 each run)' : `\`${vpcPrimaryCidr}\``} or in ${exemptions}, ` +
      "or AWS has approved the account's request to remove the restriction. Secondary VPC CIDRs are not exempt.",
    '',
    `Restriction released for this canary (\`port25Released\`): **${config.port25Released ? 'yes' : 'no'}**.`,
    '',
    '| Target | Destination | Expect | Expected outcome |',
    '|---|---|---|---|',
    ...config.targets.map(
      (target) =>
        `| ${target.name} | ${formatTarget(target.host, target.port)} | ${target.expect} | ${expectedOutcome(target, context)} |`,
    ),
  ];
  return lines.join('\n');
}

/** The rule's prediction for an IP literal; a host name is only judged once a run has resolved it. */
export function expectedOutcome(target: CanaryTarget, context: RuleContext): string {
  if (!isIpLiteral(target.host)) {
    return target.expect === 'auto' ? 'decided each run from the resolved address' : `${target.expect} (configured)`;
  }
  const verdict = classify(target.host, context, target.port);
  // Without the primary CIDR at synth, a throttled prediction still depends on it: say so.
  const unlessInVpc =
    verdict.throttled && context.vpcPrimaryCidr === undefined ? ", unless in the VPC's primary CIDR" : '';
  if (target.expect === 'auto') return `${verdict.expected} (${verdict.rule}${unlessInVpc})`;
  const agreement = verdict.expected === target.expect ? 'the rule agrees' : `the rule predicts ${verdict.expected}`;
  return `${target.expect} (configured; ${agreement}: ${verdict.rule}${unlessInVpc})`;
}
