import { writeFile } from 'node:fs/promises';
import { formatTable } from '../functions/shared/command-line/table.js';
import { describeSeries } from './alarms.js';
import type { FleetPhaseResult } from './fleet.js';
import type { AlarmPhaseResult, LabRunResult, RunPhaseResult } from './phases.js';
import { formatRunEvents } from './run-events.js';

/** The lab's human output (one table per phase, then one line) and its JSON report file. */

const mark = (matched: boolean) => (matched ? 'yes' : 'NO');

function formatRunPhase(phase: RunPhaseResult): string {
  const rows = phase.comparisons.map((comparison) => [
    comparison.target,
    comparison.actual?.address ?? null,
    comparison.actual?.rule ?? null,
    comparison.actual?.outcome ?? 'no result',
    comparison.actual?.verdict ?? null,
    `${comparison.expected.outcome}/${comparison.expected.verdict}`,
    mark(comparison.matched),
  ]);
  const exitCode =
    phase.expectedExitCode === null ? '' : `exit code ${phase.exitCode} (expected ${phase.expectedExitCode})\n`;
  const problems = phase.problems.map((problem) => `  ! ${problem}\n`).join('');
  const indent = (lines: readonly string[]) => lines.map((line) => `    ${line}\n`).join('');
  const log = [
    ...(phase.functionLog.length > 0 ? [`  orchestrator log:\n${indent(phase.functionLog)}`] : []),
    ...Object.entries(phase.taskLogs).map(([target, lines]) => `  probe task log of ${target}:\n${indent(lines)}`),
  ].join('');
  return `${phase.title}\n${phase.how}\n\n${formatTable(
    ['target', 'address', 'rule', 'outcome', 'verdict', 'lab expects', 'match'],
    rows,
  )}${exitCode}${formatRunEvents(phase.events)}${problems}${log}`;
}

function formatAlarmPhase(phase: AlarmPhaseResult): string {
  const rows = phase.alarms.map((check) => [
    check.evaluation.alarm.alarmName,
    describeSeries(check.evaluation.alarm.metric),
    `${check.evaluation.alarm.statistic} ${check.evaluation.periodValues.map((value) => value ?? 'missing').join(',')}`,
    check.evaluation.state,
    check.expected ?? 'not stated',
    mark(check.matched),
  ]);
  const problems = phase.problems.map((problem) => `  ! ${problem}\n`).join('');
  const notifications = phase.notifications
    .map(
      (notification) =>
        `  notification to ${notification.endpoint} (${notification.protocol}): ${notification.subject ?? '(no subject)'}\n`,
    )
    .join('');
  return `${phase.title}\nevaluated at ${phase.evaluatedAt}\n\n${formatTable(
    ['alarm', 'metric', 'value', 'state', 'lab expects', 'match'],
    rows,
  )}${notifications || '  no notification was delivered\n'}${problems}`;
}

function formatFleetPhase(phase: FleetPhaseResult): string {
  const targets = [...new Set(phase.vantages.flatMap((vantage) => Object.keys(vantage.verdicts)))];
  const rows = phase.vantages.map((vantage) => [
    vantage.vantage,
    vantage.state ?? 'not reported',
    vantage.expectedState,
    ...targets.map((target) => `${vantage.outcomes[target] ?? 'no result'}/${vantage.verdicts[target] ?? '-'}`),
    vantage.events ?? 'no local bus',
    mark(vantage.matched),
  ]);
  const exitCode = `exit code ${phase.exitCode} (expected ${phase.expectedExitCode})\n`;
  const problems = phase.problems.map((problem) => `  ! ${problem}\n`).join('');
  const deployed = phase.deployed.map((line) => `  local deploy: ${line}\n`).join('');
  const notifications = phase.notifications
    .map((notification) => {
      const detail = (
        JSON.parse(notification.message) as { detail?: { canary?: string; restriction?: { state?: string } } }
      ).detail;
      return `  notification to ${notification.endpoint} (${notification.protocol}, fleet topic): run event of ${detail?.canary ?? '?'}, restriction ${detail?.restriction?.state ?? '?'}\n`;
    })
    .join('');
  return `${phase.title}\n${phase.how}\n${deployed}\n${formatTable(
    ['vantage', 'restriction', 'lab expects', ...targets, 'run events', 'match'],
    rows,
  )}${exitCode}${notifications || '  no notification was delivered by the fleet topic\n'}${problems}`;
}

export function formatLabResult(result: LabRunResult): string {
  const sections = result.phases.map((phase) => {
    if (phase.id === 'alarms') return formatAlarmPhase(phase);
    if (phase.id === 'fleet') return formatFleetPhase(phase);
    return formatRunPhase(phase);
  });
  const counts = Object.entries(result.callCounts)
    .map(([operation, count]) => `${operation} ${count}`)
    .join(', ');
  const runtimes = `orchestrator handler ran on Node ${result.runtimes.orchestrator.join(', ') || 'nothing (not invoked)'}; probe tasks on Node ${result.runtimes.probe ?? 'nothing (not started)'}`;
  const vpc = result.vpc
    ? `local EC2 VPC ${result.vpc.vpcId}: primary CIDR ${result.vpc.primaryCidr} (exempt), secondary ${[...result.vpc.secondaryCidrs, ...result.vpc.ipv6Cidrs].join(', ') || 'none'} (not exempt); subnets ${result.vpc.subnets.map((subnet) => subnet.subnetId).join(', ')}\n`
    : '';
  const deployed = result.notModelled.map((line) => `local deploy: ${line}\n`).join('');
  const denials =
    result.denials.length === 0
      ? `local IAM: ${result.authorizations} authorization decisions, every request allowed\n`
      : `local IAM denied ${result.denials.length} request${result.denials.length === 1 ? '' : 's'}:\n${result.denials.map((denial) => `  denied: ${denial}\n`).join('')}`;
  return `${sections.join('\n')}${result.error ? `\nThe lab could not finish: ${result.error}\n` : ''}\n${deployed}${vpc}local AWS calls: ${counts || 'none'}\n${denials}${runtimes}\n`;
}

export function verdictLine(result: LabRunResult, reportFile: string): string {
  const mismatched = result.phases.filter((phase) => !phase.matched).map((phase) => phase.title.split(':')[0]);
  const why = result.error ? 'the lab could not finish' : `${mismatched.join(', ')} did not match`;
  return result.reproduced
    ? `Experiment reproduced: every phase matched its expectations. Report: ${reportFile}\n`
    : `Experiment NOT reproduced: ${why}. Report: ${reportFile}\n`;
}

export async function writeLabReport(result: LabRunResult, file: string): Promise<void> {
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`);
}
