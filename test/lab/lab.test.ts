import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatReportTable } from '../../functions/cli/report-output.js';
import { TABLE_WIDTH } from '../../functions/shared/command-line/table-fit.js';
import { EVIDENCE } from '../../functions/shared/judge.js';
import {
  EXPECTED_ALARM_STATES,
  LAB_TARGET_NAMES,
  type LabTargetName,
  RUN_PHASE_EXPECTATIONS,
} from '../../lab/expectations.js';
import { FLEET_TARGETS, type FleetPhaseResult } from '../../lab/fleet.js';
import { isRoot, listNamespaces } from '../../lab/netns.js';
import { type AlarmPhaseResult, type LabRunResult, type RunPhaseResult, runLabScenario } from '../../lab/phases.js';
import { Teardown } from '../../lab/teardown.js';
import { DEFAULT_LAB_PREFIX, LAB_NETWORK, LAB_SERVERS } from '../../lab/topology.js';

/**
 * `npm run lab` as a test: the same scenario (lab/phases.ts) over real namespaces, nftables, Postfix, the built probe,
 * orchestrator and CLI bundles, and the synthesized stack. Runs once; each test checks one part of the result.
 */

const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');
const BUNDLES = ['dist/cli.cjs', 'dist/cli.mjs', 'dist/probe/index.cjs', 'dist/orchestrator/index.mjs'];
// Under CI the lab must run (and fail loudly if it cannot); elsewhere it needs Linux and root.
const skipReason =
  process.env.CI === 'true' || (process.platform === 'linux' && isRoot())
    ? undefined
    : 'needs Linux and root (network namespaces, nftables, Postfix); CI runs it as root';

let result: LabRunResult;

function runPhase(id: 'scheduled' | 'released'): RunPhaseResult {
  const phase = result.phases.find((candidate) => candidate.id === id);
  if (phase === undefined || phase.id === 'alarms' || phase.id === 'fleet')
    throw new Error(`phase ${id} did not run: ${result.error}`);
  return phase;
}

function fleetPhase(): FleetPhaseResult {
  const phase = result.phases.find((candidate) => candidate.id === 'fleet');
  if (phase === undefined || phase.id !== 'fleet') throw new Error(`the fleet phase did not run: ${result.error}`);
  return phase;
}

function alarmPhase(): AlarmPhaseResult {
  const phase = result.phases.find((candidate) => candidate.id === 'alarms');
  if (phase === undefined || phase.id !== 'alarms') throw new Error(`the alarm phase did not run: ${result.error}`);
  return phase;
}

function actualOf(id: 'scheduled' | 'released', target: LabTargetName) {
  const comparison = runPhase(id).comparisons.find((candidate) => candidate.target === target);
  return comparison?.actual ? { outcome: comparison.actual.outcome, verdict: comparison.actual.verdict } : null;
}

describe.skipIf(skipReason !== undefined)(`the lab scenario${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(async () => {
    const missing = BUNDLES.filter((bundle) => !existsSync(resolve(PROJECT_DIRECTORY, bundle)));
    if (missing.length > 0) throw new Error(`${missing.join(', ')} missing: run npm run build first (npm test does)`);
    result = await runLabScenario({
      prefix: DEFAULT_LAB_PREFIX,
      projectDirectory: PROJECT_DIRECTORY,
      configFile: resolve(PROJECT_DIRECTORY, 'lab/lab.config.json'),
      taskStartDelayMs: () => 100 + Math.random() * 200,
      progress: () => {},
      teardown: new Teardown(),
    });
  }, 300_000);

  it('prints each run report table within 120 columns by default, every evidence and diagnosis in it', () => {
    for (const id of ['scheduled', 'released'] as const) {
      const { report } = runPhase(id);
      if (report === null) throw new Error(`phase ${id} has no report`);
      const output = formatReportTable(report);
      // The table, before the blank line; the summary and the restriction after it are sentences, not rows.
      const table = output.slice(0, output.indexOf('\n\n'));
      const flat = table.replace(/\s+/g, ' ');

      expect(table.split('\n').length).toBeGreaterThan(report.results.length);
      expect(Math.max(...table.split('\n').map((line) => line.length))).toBeLessThanOrEqual(TABLE_WIDTH);
      for (const target of report.results) {
        expect(flat).toContain(target.evidence.replace(/\s+/g, ' '));
        expect(flat).toContain(target.diagnosis.replace(/\s+/g, ' '));
      }
    }
  });

  it('runs every phase to the end', () => {
    expect(result.error).toBeNull();
    expect(result.phases.map((phase) => phase.id)).toEqual(['scheduled', 'released', 'alarms', 'fleet']);
  });

  describe.each(['scheduled', 'released'] as const)('%s run', (id) => {
    it.each(LAB_TARGET_NAMES)('observes %s as the lab expects', (target) => {
      const expected = RUN_PHASE_EXPECTATIONS[id].targets[target];

      expect(actualOf(id, target)).toEqual({ outcome: expected.outcome, verdict: expected.verdict });
    });
  });

  it('judges the scheduled run as not released and the CLI run as released', () => {
    expect(runPhase('scheduled').report?.released).toBe(false);
    expect(runPhase('released').report?.released).toBe(true);
  });

  it('finds the port-25 restriction in effect in the scheduled run and lifted in the released run', () => {
    expect(runPhase('scheduled').report?.restriction.state).toBe('in-effect');
    expect(runPhase('released').report?.restriction.state).toBe('lifted');
  });

  it('exits port25-canary invoke with "some failed" because the controls fail', () => {
    expect(runPhase('released').exitCode).toBe(RUN_PHASE_EXPECTATIONS.released.cliExitCode);
  });

  it("puts every alarm of the template into the lab's expected state", () => {
    const states = alarmPhase().alarms.map((check) => ({
      alarm: check.evaluation.alarm.alarmName,
      state: check.evaluation.state,
      expected: check.expected,
    }));

    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(state).toEqual({ ...state, state: state.expected });
  });

  it('raises the alarm of each negative control and of no other target', () => {
    const alarmed = alarmPhase()
      .alarms.filter((check) => check.evaluation.state === 'ALARM')
      .map((check) => check.evaluation.alarm.metric.dimensions.Target)
      .filter((target) => target !== undefined)
      .sort();

    const expectedAlarmed = Object.entries(EXPECTED_ALARM_STATES.perTarget.ExpectationMet ?? {})
      .filter(([, state]) => state === 'ALARM')
      .map(([target]) => target)
      .sort();
    expect(alarmed).toEqual(expectedAlarmed);
  });

  it('finds a published metric series for every alarm', () => {
    const watchingNothing = alarmPhase()
      .alarms.filter((check) => !check.evaluation.seriesExists)
      .map((check) => check.evaluation.alarm.alarmName);

    expect(watchingNothing).toEqual([]);
  });

  it("expects the server in the VPC's secondary CIDR blocked, names the CIDR as not exempt, and sees it dropped", () => {
    const secondary = runPhase('scheduled').comparisons.find((candidate) => candidate.target === 'server-secondary');

    expect(secondary?.actual).toMatchObject({
      address: LAB_SERVERS.serverSecondary.address,
      rule: `auto: VPC secondary CIDR ${LAB_NETWORK.vpcSecondaryCidr}: not exempt`,
      outcome: 'timeout',
      verdict: 'pass',
    });
    expect(result.vpc?.secondaryCidrs).toEqual([LAB_NETWORK.vpcSecondaryCidr]);
  });

  it('judges the public host dropped on every port inconclusive: a dead path is never a proven block', () => {
    const dark = runPhase('scheduled').report?.results.find((candidate) => candidate.target === 'dark-public');

    expect(dark).toMatchObject({
      address: LAB_SERVERS.darkPublic.address,
      expected: 'blocked',
      outcome: 'timeout',
      verdict: 'inconclusive',
      evidence: EVIDENCE.deadPath,
    });
    expect(runPhase('scheduled').report?.restriction.inEffectTargets).not.toContain('dark-public');
  });

  it.each(['scheduled', 'released'] as const)(
    'receives one run event from the %s run on the default bus, saying what its report says',
    (id) => {
      const { events, report } = runPhase(id);

      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        bus: 'default',
        source: 'port25-canary',
        detailType: 'Port25 Canary Run',
        detail: { runId: report?.runId, restriction: { state: RUN_PHASE_EXPECTATIONS[id].restriction } },
      });
      expect(events[0]?.detail.targets.map(({ target, verdict, evidence }) => ({ target, verdict, evidence }))).toEqual(
        report?.results.map(({ target, verdict, evidence }) => ({ target, verdict, evidence })),
      );
    },
  );

  it('judges auto targets against the primary CIDR the local EC2 reports', () => {
    expect(result.vpc?.primaryCidr).toBe(LAB_NETWORK.vpcPrimaryCidr);
  });

  it('finds the restriction lifted in the released vantage and in effect in the throttled one', () => {
    const states = Object.fromEntries(fleetPhase().vantages.map((vantage) => [vantage.vantage, vantage.state]));

    expect(states).toEqual({ released: 'lifted', throttled: 'in-effect' });
  });

  it("receives one run event from each vantage's run on the local event bus", () => {
    const events = Object.fromEntries(fleetPhase().vantages.map((vantage) => [vantage.vantage, vantage.events]));

    expect(events).toEqual({ released: 1, throttled: 1 });
  });

  it('sees port 25 open from the released vantage and dropped from the throttled one, each as expected', () => {
    const observed = Object.fromEntries(
      fleetPhase().vantages.map((vantage) => [
        vantage.vantage,
        { outcomes: vantage.outcomes, verdicts: vantage.verdicts },
      ]),
    );

    expect(observed).toEqual({
      released: {
        outcomes: { 'server-a': 'open', 'server-b': 'open' },
        verdicts: { 'server-a': 'pass', 'server-b': 'pass' },
      },
      throttled: {
        outcomes: { 'server-a': 'open', 'server-b': 'timeout' },
        verdicts: { 'server-a': 'pass', 'server-b': 'pass' },
      },
    });
    expect(fleetPhase().exitCode).toBe(fleetPhase().expectedExitCode);
  });

  it('authorizes every call and denies none', () => {
    expect(result.denials).toEqual([]);
    expect(result.authorizations).toBeGreaterThan(100);
    expect(result.ruleInvocations.every((invocation) => !invocation.failed)).toBe(true);
  });

  it('prints the notifications the alarms and the fleet topic delivered', () => {
    const subjects = alarmPhase().notifications.map((notification) => notification.subject);

    expect(subjects).toContain(
      'ALARM: "port25-canary p25lab port-25 restriction appears lifted" in US East (N. Virginia)',
    );
    expect(alarmPhase().history.filter((item) => item.failed)).toEqual([]);
    expect(fleetPhase().notifications).toHaveLength(2);
  });

  it('makes the AWS calls one scheduled run, one CLI run and a fleet of two need', () => {
    const counts = result.callCounts;

    // Lambda Invoke over HTTP: the CLI's run and the fleet's two; the schedule rule delivers in-process (events →
    // Lambda, authorized by the function policy), as EventBridge does without a caller's request.
    expect(counts.Invoke).toBe(1 + 2);
    // One DescribeSubnets and one DescribeVpcs per run: the canary's two, and each fleet vantage's.
    expect(counts.DescribeSubnets).toBe(2 + 2);
    expect(counts.DescribeVpcs).toBe(2 + 2);
    expect(counts.RunTask).toBe(2 * LAB_TARGET_NAMES.length + 2 * FLEET_TARGETS.length);
    expect(counts.DescribeTasks).toBeGreaterThanOrEqual(2);
    expect(counts.GetLogEvents).toBeGreaterThanOrEqual(2 * LAB_TARGET_NAMES.length);
    expect(counts.PutMetricData).toBeGreaterThanOrEqual(2);
    expect(counts.StopTask ?? 0).toBe(0);
  });

  it('runs the orchestrator handler and the probe tasks on Node 24, as production does', () => {
    expect(result.runtimes.orchestrator).toEqual([expect.stringMatching(/^v24\./)]);
    expect(result.runtimes.probe).toMatch(/^v24\./);
  });

  it('reports the experiment as reproduced', () => {
    expect(result.reproduced).toBe(true);
  });

  it('leaves no namespace, work directory, claim or process behind', async () => {
    const namespaces = (await listNamespaces()).filter((name) => name.startsWith(DEFAULT_LAB_PREFIX));
    const directories = (await readdir(tmpdir())).filter((name) => name.startsWith(`${DEFAULT_LAB_PREFIX}work-`));
    const processes: string[] = [];
    for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
      const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
      if (commandLine.includes(`${DEFAULT_LAB_PREFIX}work-`)) processes.push(commandLine.replaceAll('\0', ' '));
    }

    expect({ namespaces, directories, processes, claim: existsSync(`/run/${DEFAULT_LAB_PREFIX}lab.pid`) }).toEqual({
      namespaces: [],
      directories: [],
      processes: [],
      claim: false,
    });
  });
});
