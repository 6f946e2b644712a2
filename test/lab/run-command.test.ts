import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dimensionsMap, TARGET_METRICS, targetDimensions } from '../../functions/shared/metrics.js';
import { VERDICT_EXIT_CODES } from '../../functions/shared/outcomes.js';
import type { CanaryReport } from '../../functions/shared/report.js';
import { type LocalAws, startLocalAws } from '../../lab/local-aws/server.js';
import { isRoot, listNamespaces, spawnInNamespace } from '../../lab/netns.js';
import { cleanEnvironment, type ProcessResult, runProcess } from '../../lab/process.js';
import { Teardown } from '../../lab/teardown.js';
import { createLabTopology, LAB_NETWORK, LAB_SERVERS, type LabTopology, labVpcSpec } from '../../lab/topology.js';
import { CLI_PATH } from '../helpers/exec.js';

/**
 * `port25-canary run` end to end: the built CLI, a separate process with a clean environment, against the lab's local
 * AWS endpoint, whose RunTask starts the built probe in the lab's VPC namespace behind the port-25 throttle.
 */

const PREFIX = 'p25run-';
const PROJECT_DIRECTORY = resolve(import.meta.dirname, '../..');
const PROBE_BUNDLE = resolve(PROJECT_DIRECTORY, 'dist/probe/index.cjs');
const METRIC_NAMESPACE = 'Port25Canary/RunCommandTest';
const TASK = { cluster: `${PREFIX}cluster`, family: `${PREFIX}probe`, container: 'probe', logGroup: `/${PREFIX}probe` };
// Under CI the test must run (and fail loudly if it cannot); elsewhere it needs Linux and root.
const skipReason =
  process.env.CI === 'true' || (process.platform === 'linux' && isRoot())
    ? undefined
    : 'needs Linux and root (network namespaces, nftables, Postfix); CI runs it as root';

const TARGETS = [
  { name: 'server-a', host: LAB_SERVERS.serverA.address, expect: 'auto' },
  { name: 'server-b', host: LAB_SERVERS.serverB.address, expect: 'auto' },
  { name: 'control-reset', host: LAB_SERVERS.resetControl.address, expect: 'auto' },
] as const;

const teardown = new Teardown();
let topology: LabTopology;
let endpoint: LocalAws;
let cli: ProcessResult;
let report: CanaryReport;

function canaryConfig(): unknown {
  return {
    canaryName: `${PREFIX}canary`,
    metricNamespace: METRIC_NAMESPACE,
    vpcPrimaryCidr: LAB_NETWORK.vpcPrimaryCidr,
    port25Released: false,
    probe: { timeoutMs: 1500, ehloName: 'probe.lab.invalid', attempts: 1, controlPort: LAB_NETWORK.submissionPort },
    network: {
      cluster: TASK.cluster,
      taskDefinition: `${TASK.family}:1`,
      containerName: TASK.container,
      subnets: ['subnet-0123456789abcdef0'],
      logGroup: TASK.logGroup,
    },
    maxConcurrentTasks: 10,
    targets: TARGETS,
  };
}

describe.skipIf(skipReason !== undefined)(
  `port25-canary run against the local AWS endpoint${skipReason ? ` (skipped: ${skipReason})` : ''}`,
  () => {
    beforeAll(async () => {
      if (!existsSync(CLI_PATH) || !existsSync(PROBE_BUNDLE)) {
        throw new Error(`${CLI_PATH} or ${PROBE_BUNDLE} missing: run npm run build first (npm test does)`);
      }
      topology = await createLabTopology(PREFIX, { tls: false, stubServers: false });
      teardown.add('destroy the lab network', () => topology.destroy());
      if (!(await topology.throttle.isActive())) throw new Error('the port-25 throttle is not in place');

      endpoint = await startLocalAws({
        clusterName: TASK.cluster,
        taskDefinition: { family: TASK.family, revision: 1, containerName: TASK.container, defaultCommand: [] },
        logGroup: TASK.logGroup,
        logStreamPrefix: 'probe',
        // The task's container: the built probe, run in the VPC namespace with nothing of this process's environment.
        launchContainer: ({ command, environment }) =>
          spawnInNamespace(topology.namespaces.vpc, [process.execPath, PROBE_BUNDLE, ...command], {
            env: cleanEnvironment({ HOME: '/tmp', ...environment }),
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        taskStartDelayMs: () => 100,
        taskStopDelayMs: 50,
        vpcs: [
          labVpcSpec('vpc-0123456789abcdef0', [
            { subnetId: 'subnet-0123456789abcdef0', cidrBlock: '10.42.0.0/24', availabilityZone: 'us-east-1a' },
          ]),
        ],
      });
      const started = endpoint;
      teardown.add('stop the local AWS endpoint', () => started.close());

      const configFile = join(topology.workDirectory, 'canary.config.json');
      await writeFile(configFile, JSON.stringify(canaryConfig()));
      cli = await runProcess(process.execPath, [CLI_PATH, 'run', '--config', configFile, '--json'], {
        env: cleanEnvironment(endpoint.environment()),
        onSpawn: (child) =>
          teardown.add('stop port25-canary run', async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          }),
      });
      try {
        report = JSON.parse(cli.stdout) as CanaryReport;
      } catch {
        throw new Error(`port25-canary run printed no JSON (exit ${cli.exitCode}): ${cli.stdout} ${cli.stderr}`);
      }
    }, 90_000);

    afterAll(() => teardown.run());

    it('exits with "some failed" because the reset control fails, not because an AWS call failed', () => {
      // A failed AWS call or metric publication exits 1 too, but says so on stderr.
      expect({ exitCode: cli.exitCode, runError: cli.stderr.includes('port25-canary run:') }).toEqual({
        exitCode: VERDICT_EXIT_CODES.someFailed,
        runError: false,
      });
    });

    it('reports the outcome and verdict the throttle and the lab hosts produce for each target', () => {
      const observed = report.results.map(({ target, address, outcome, verdict }) => ({
        target,
        address,
        outcome,
        verdict,
      }));

      expect(observed).toEqual([
        { target: 'server-a', address: LAB_SERVERS.serverA.address, outcome: 'open', verdict: 'pass' },
        { target: 'server-b', address: LAB_SERVERS.serverB.address, outcome: 'timeout', verdict: 'pass' },
        { target: 'control-reset', address: LAB_SERVERS.resetControl.address, outcome: 'refused', verdict: 'fail' },
      ]);
      expect(report.summary).toEqual({ pass: 2, fail: 1, inconclusive: 0 });
    });

    it('runs one probe task per target through the endpoint and publishes metrics', () => {
      const counts = endpoint.callCounts();

      expect(counts.RunTask).toBe(TARGETS.length);
      expect(counts.DescribeTasks).toBeGreaterThanOrEqual(1);
      expect(counts.GetLogEvents).toBeGreaterThanOrEqual(TARGETS.length);
      expect(counts.PutMetricData).toBeGreaterThanOrEqual(1);
      expect(counts.StopTask ?? 0).toBe(0);
      expect(endpoint.ecs.taskSummaries().map((task) => task.lastStatus)).toEqual(TARGETS.map(() => 'STOPPED'));
    });

    it('stores ExpectationMet 1 for the passing targets and 0 for the reset control', () => {
      const expectationMet = Object.fromEntries(
        TARGETS.map(({ name }) => [
          name,
          endpoint.metrics
            .series({
              namespace: METRIC_NAMESPACE,
              metricName: TARGET_METRICS.expectationMet.name,
              dimensions: dimensionsMap(targetDimensions(`${PREFIX}canary`, name)),
            })
            .flatMap((point) => point.observations.map((observation) => observation.value)),
        ]),
      );

      expect(expectationMet).toEqual({ 'server-a': [1], 'server-b': [1], 'control-reset': [0] });
    });

    it('leaves no namespace, work directory, claim or process with the prefix behind after the teardown', async () => {
      await teardown.run();

      const namespaces = (await listNamespaces()).filter((name) => name.startsWith(PREFIX));
      const directories = (await readdir(tmpdir())).filter((name) => name.startsWith(PREFIX));
      const processes: string[] = [];
      for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
        const commandLine = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
        if (commandLine.includes(PREFIX)) processes.push(commandLine.replaceAll('\0', ' '));
      }

      expect({ namespaces, directories, processes, claim: existsSync(`/run/${PREFIX}lab.pid`) }).toEqual({
        namespaces: [],
        directories: [],
        processes: [],
        claim: false,
      });
    });
  },
);
