import { evaluateGoals, type GoalResult, PROBE_TOOL } from './goals.js';
import {
  FIXED_TASK_LIFE_MS,
  SCALE_TASK_KINDS,
  type ScaleRunFigures,
  type ScaleTaskKind,
} from './orchestrator-scale.js';
import type { BenchReport, ScaleSection, VerdictSection } from './report.js';
import { COUNTED_OPERATIONS, fitGrowth } from './scale-analysis.js';

/** Renders BENCHMARKS.md from one bench run; the console gets the same text. */

const cell = (value: string | number) => String(value).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function markdownTable(headers: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const mib = (kib: number) => (kib / 1024).toFixed(1);
const kb = (bytes: number) => (bytes / 1000).toFixed(1);
const met = (result: GoalResult) => (result.met === null ? 'not measured' : result.met ? '**met**' : '**not met**');

function goalsSection(goals: readonly GoalResult[]): string {
  return `## Performance targets

${markdownTable(
  ['Target', 'Measured', 'Result'],
  goals.map((goal) => [goal.goal, goal.measured, met(goal)]),
)}`;
}

function toolName(report: BenchReport, id: string): string {
  return report.tools.find((tool) => tool.id === id)?.name ?? id;
}

function verdictTables(report: BenchReport, section: VerdictSection): string {
  const figure = (tool: string, target: string) =>
    section.figures.find((entry) => entry.tool === tool && entry.target === target);
  const unstable = (tool: string, target: string) => {
    const settled = figure(tool, target)?.verdict;
    return settled && !settled.stable
      ? ` (varied: ${settled.seen.map((seen) => `${seen.count}× ${seen.verdict.code}`).join(', ')})`
      : '';
  };
  const codes = markdownTable(
    ['Target', ...report.tools.map((tool) => tool.name)],
    report.targets.map((target) => [
      target.label,
      ...report.tools.map(
        (tool) => `${figure(tool.id, target.key)?.verdict.verdict.code ?? '-'}${unstable(tool.id, target.key)}`,
      ),
    ]),
  );
  const details = markdownTable(
    ['Target', ...report.tools.map((tool) => tool.name)],
    report.targets.map((target) => [
      target.label,
      ...report.tools.map((tool) => figure(tool.id, target.key)?.verdict.verdict.detail ?? '-'),
    ]),
  );
  const label = (key: string) => report.targets.find((target) => target.key === key)?.label ?? key;
  const peerCollisions = section.collisions.filter(
    (collision) => collision.oursDistinguishes && !report.tools.find((tool) => tool.id === collision.tool)?.ours,
  );
  const ourCollisions = section.collisions.filter(
    (collision) => collision.tool === PROBE_TOOL && collision.level === 'code',
  );
  const collisionRows = peerCollisions.map((collision) => [
    toolName(report, collision.tool),
    collision.level === 'code' ? 'status (automation)' : 'message (a person)',
    collision.verdict,
    collision.targets.map(label).join('; '),
    collision.targets.map((target, index) => `${target} → ${collision.ourVerdicts[index]}`).join('; '),
  ]);
  return `## 1. Verdicts

Every tool against every lab target, from inside the lab's VPC namespace, with the same ${report.settings.timeoutMs / 1000} s timeout.
The verdict is the one most runs gave (a target whose verdict varied between runs says so).

What automation sees (exit status; \`probe_success\` for the exporter; our probe's outcome and control-port result):

${codes}

What a person reads (the message, addresses and durations masked):

${details}

### Cases a peer cannot tell apart

Targets grouped by each peer's verdict, at both levels; listed are the groups of two or more targets that get one
verdict from the peer but different verdicts from our probe (its outcome and control-port result, last column).

${
  collisionRows.length === 0
    ? 'No peer gave one verdict to targets our probe tells apart.'
    : markdownTable(['Peer', 'Level', 'Same verdict from the peer', 'Targets', 'Our probe says'], collisionRows)
}

${
  ourCollisions.length === 0
    ? 'Our probe gives every target its own verdict.'
    : `Targets our probe itself reports alike (by design the same case, or a limit): ${ourCollisions
        .map((collision) => `${collision.targets.map(label).join(' / ')} → \`${collision.verdict}\``)
        .join('; ')}.`
}`;
}

function timingTable(report: BenchReport, section: VerdictSection): string {
  const rows = report.targets.map((target) => {
    const cells = report.tools.map((tool) => {
      const figure = section.figures.find((entry) => entry.tool === tool.id && entry.target === target.key);
      if (!figure) return '-';
      const ratio = tool.id === PROBE_TOOL ? '' : ` (${figure.ratioToProbe.toFixed(2)}×)`;
      return `${ms(figure.wall.median)}${ratio}`;
    });
    const probe = section.figures.find((entry) => entry.tool === PROBE_TOOL && entry.target === target.key);
    const decided = probe?.decided
      ? `${ms(probe.decided.median)} (${ms(probe.decided.min)}–${ms(probe.decided.max)})`
      : '-';
    return [target.label, ...cells, decided];
  });
  const runs = section.figures[0]?.wall.count ?? 0;
  return `## 2. Time to verdict

Median wall time in ms over ${runs} runs per tool and target, all in this one run; in parentheses the ratio to
\`port25-canary probe\` on the same target (above 1: slower than our probe). Processes are timed from spawn to exit by
an agent inside the namespace (no \`ip netns exec\` in the figure); the exporter is a resident daemon, so its figure is
one HTTP probe request. The last column is our probe's own decision time (\`durationMs\`, start-up excluded),
median (min–max). Every column runs on Node ${report.environment.node} except the one marked Node 24, which runs on
${report.environment.productionNode ?? 'Node 24'}. A bare \`node -e ""\` in the same namespace: median ${ms(section.nodeBaseline.median)} ms
(${ms(section.nodeBaseline.min)}–${ms(section.nodeBaseline.max)}, ${section.nodeBaseline.count} runs) on Node ${report.environment.node}${
    section.productionNodeBaseline === null
      ? ''
      : `; median ${ms(section.productionNodeBaseline.median)} ms (${ms(section.productionNodeBaseline.min)}–${ms(section.productionNodeBaseline.max)}) on ${report.environment.productionNode}`
  }.

${markdownTable(['Target', ...report.tools.map((tool) => tool.name), 'probe decision (ms)'], rows)}`;
}

function costTable(report: BenchReport): string {
  const cost = report.cost ?? [];
  return `## 3. Cost of one probe

Against the open target. Peak RSS and CPU time (user + system) of one process from GNU time (wait4 rusage);
CPU readings have 10 ms resolution, so the mean over the samples is given. The exporter is a daemon: its CPU per
probe is its /proc CPU time over many probes divided by their number, and its memory is the daemon's peak RSS.

${markdownTable(
  [
    'Tool',
    'Peak RSS, MiB (median)',
    'Peak RSS, MiB (highest)',
    'CPU ms (mean)',
    'CPU ms (median)',
    'Samples',
    'Method',
  ],
  cost.map((figure) => [
    figure.name,
    mib(figure.medianMaxRssKiB),
    mib(figure.maxMaxRssKiB),
    figure.meanCpuMs.toFixed(1),
    figure.medianCpuMs.toFixed(0),
    figure.samples,
    figure.method,
  ]),
)}`;
}

const SCALE_SERIES_DESCRIPTIONS: Readonly<Record<ScaleTaskKind, string>> = {
  probe: `Probe tasks: every task is a real probe process in the lab's VPC namespace against the lab's Postfix, end to
end. On this machine's few cores, c probe processes started at once slow each other down, which Fargate (a vCPU per
task) does not: "× own waves" divides by the run's own median task life to take that out.`,
  'fixed-life': `Fixed-life tasks: every task is a shell that sleeps ${FIXED_TASK_LIFE_MS} ms and then replays the output and exit
code of the last real probe task above, so a task costs no CPU here, as a Fargate task costs none of the
orchestrator's. This series is the one the launch-pace and waves goals judge.`,
};

function scaleSeriesTable(report: BenchReport, section: ScaleSection, tasks: ScaleTaskKind): string {
  const runs = section.runs.filter((run) => run.tasks === tasks);
  const oneTargetWallMs = (c: number) =>
    runs.find((candidate) => candidate.targets === 1 && candidate.maxConcurrentTasks === c)?.wallMs;
  const waves = (run: ScaleRunFigures) => Math.ceil(run.targets / run.maxConcurrentTasks);
  const rows = runs.map((run) => {
    const single = oneTargetWallMs(run.maxConcurrentTasks);
    return [
      run.targets,
      run.maxConcurrentTasks,
      (run.wallMs / 1000).toFixed(2),
      single === undefined ? '' : (run.wallMs / (waves(run) * single)).toFixed(2),
      run.maxInFlight,
      run.throttlingAnswers,
      (run.wallMs / (waves(run) * section.oneTaskMs[tasks])).toFixed(2),
      (run.wallMs / (waves(run) * run.taskLifetime.median)).toFixed(2),
      ...COUNTED_OPERATIONS.map((operation) => run.calls[operation] ?? 0),
      run.describeRounds.length,
      run.metricDataPoints,
      mib(run.peakRssKiB),
      (run.cpuMs / 1000).toFixed(2),
      (run.apiBusyMs / 1000).toFixed(2),
      `${ms(run.taskLifetime.median)} (${ms(run.taskLifetime.min)}–${ms(run.taskLifetime.max)})`,
      `${run.summary.pass}/${run.summary.fail}/${run.summary.inconclusive}`,
    ];
  });
  const fits = report.settings.scaleConcurrency.flatMap((concurrency) => {
    const series = runs.filter((run) => run.maxConcurrentTasks === concurrency);
    if (series.length < 2) return [];
    const xs = series.map((run) => run.targets);
    return [
      fitGrowth(
        `wall time (s), c=${concurrency}`,
        xs,
        series.map((run) => run.wallMs / 1000),
      ),
      ...COUNTED_OPERATIONS.map((operation) =>
        fitGrowth(
          `${operation} calls, c=${concurrency}`,
          xs,
          series.map((run) => run.calls[operation] ?? 0),
        ),
      ),
      fitGrowth(
        `peak RSS (MiB), c=${concurrency}`,
        xs,
        series.map((run) => run.peakRssKiB / 1024),
      ),
    ];
  });
  return `### 4.${SCALE_TASK_KINDS.indexOf(tasks) + 1} ${tasks} tasks

${SCALE_SERIES_DESCRIPTIONS[tasks]} One task's time: **${ms(section.oneTaskMs[tasks])} ms**.

${markdownTable(
  [
    'N',
    'c',
    'Wall (s)',
    '× ideal',
    'In flight',
    'Throttled',
    '× waves',
    '× own waves',
    ...COUNTED_OPERATIONS,
    'Polling rounds',
    'Data points',
    'Peak RSS (MiB)',
    'CPU (s)',
    'API busy (s)',
    'Task life, ms (min–max)',
    'Pass/fail/inconcl.',
  ],
  rows,
)}

Growth against N (least squares; power law on log-log where every value is positive):

${markdownTable(
  ['Series', 'Growth'],
  fits.map((fit) => [fit.series, fit.growth]),
)}`;
}

function scaleTables(report: BenchReport, section: ScaleSection): string {
  const otherOperations = [...new Set(section.runs.flatMap((run) => Object.keys(run.calls)))].filter(
    (operation) => !(COUNTED_OPERATIONS as readonly string[]).includes(operation),
  );
  return `## 4. Orchestrator scale

The built Lambda handler (\`dist/orchestrator/index.mjs\`), in a fresh process per run, against the lab's local AWS
endpoint, in two series that differ only in what a task is (below). The endpoint answers RunTask in
${report.settings.runTaskLatencyMs} ms (DescribeTasks 50 ms, StopTask 100 ms), enforces ECS's documented token buckets
with ThrottlingException, and starts a task ${report.settings.taskStartDelayMs} ms after RunTask. The handler and the
probe processes run on Node ${report.environment.node} (the bench's own Node). Calls are counted on the wire by a
recording pass-through between the handler and the endpoint; "API busy" adds up their round trips (launches overlap,
so it can exceed the wall). "× ideal" = wall ÷ (⌈N / c⌉ × the N=1 run's wall at that c, same series); "in flight" =
most tasks at once between RunTask and STOPPED, as the endpoint counted them; "throttled" = ThrottlingException
answers the endpoint gave. "One task's time" = ${section.oneTaskDefinition}. "× waves" = wall ÷ (⌈N / c⌉ × one task's
time); "× own waves" uses the run's own median task life instead.
${otherOperations.length === 0 ? '' : `\nOther calls seen: ${otherOperations.join(', ')}.\n`}
${SCALE_TASK_KINDS.map((tasks) => scaleSeriesTable(report, section, tasks)).join('\n\n')}`;
}

function artifactTable(report: BenchReport): string {
  const section = report.artifacts;
  if (!section) return '';
  return `## 5. Artifacts

${markdownTable(
  ['Bundle', 'Minified (KB)', 'Gzipped (KB, level 9)'],
  [section.lambda, section.probe].map((bundle) => [
    `${bundle.name} (\`${bundle.path}\`)`,
    kb(bundle.bytes),
    kb(bundle.gzipBytes),
  ]),
)}

Cold import of the Lambda bundle on Node ${section.coldImport.node} (what Lambda's \`nodejs24.x\` runs): median of ${section.coldImport.runs} fresh \`node --input-type=module -e "await import(...)"\`
processes ${ms(section.coldImport.importProcess.median)} ms minus the median of as many bare \`node --input-type=module -e ""\`
${ms(section.coldImport.bareProcess.median)} ms = **${ms(section.coldImport.importMs)} ms**.`;
}

/** What a reader needs to read the figures right; observations appear only when this run's figures show them. */
function methodNotes(report: BenchReport): string {
  const timeoutMs = report.settings.timeoutMs;
  const median = (tool: string, target: string) =>
    report.verdicts?.figures.find((figure) => figure.tool === tool && figure.target === target)?.wall.median;
  const decided = (target: string) =>
    report.verdicts?.figures.find((figure) => figure.tool === PROBE_TOOL && figure.target === target)?.decided?.median;
  const notes = [
    'Every tool runs with a clean environment (PATH and LANG only): a `NODE_EXTRA_CA_CERTS`, as some machines set, adds tens of ms to every Node.js start, and AWS settings never leak in.',
    "The lab's mail namespace runs with ICMP rate limiting off (`net.ipv4.icmp_ratelimit=0`, `net.ipv6.icmp.ratelimit=0`): with Linux's default of one ICMP error per second per destination, tools run back to back against the unreachable host would get an answer or a 1 s SYN retry depending on who ran before them.",
    'The exporter is a resident daemon: its time is one HTTP request (no process start), and its memory is paid once for all targets. check_smtp is a small C program; our probe and swaks start an interpreter for every probe.',
  ];
  if ((median('check_smtp', 'unreachable') ?? 0) > 900) {
    notes.push(
      "check_smtp's ~1 s on the ICMP-unreachable host is a lab artifact: the lab has no latency, so the ICMP error arrives while check_smtp's blocking `connect()` still holds the socket; Linux then keeps it as a soft error and reports it only when the SYN is retried after 1 s. With any real network latency it fails at once. Node.js, Go and swaks connect without blocking and see it at once (swaks then words it `Operation already in progress`).",
    );
  }
  if ((median('blackbox', 'greets-554') ?? 0) >= timeoutMs) {
    notes.push(
      "blackbox_exporter's `expect` reads line after line until one matches or the timeout: a server that greets 554 and keeps the connection open costs it the whole timeout and reads like one that never greets.",
    );
  }
  if ((decided('sg-drop') ?? 0) > timeoutMs * 1.5) {
    notes.push(
      'Our probe makes the control-port connect after the SMTP attempt, each with its own deadline: when every port drops (security group), the verdict comes after two deadlines. Started together, both would expire at the first deadline.',
    );
  }
  notes.push(
    `The machine has ${report.environment.cores} cores and may be shared with other work: the load average at start and end is in the table at the top; every timing is of this one run.`,
  );
  return `## Notes on method

${notes.map((note) => `- ${note}`).join('\n')}`;
}

export function renderBenchmarks(report: BenchReport): string {
  const { environment, settings } = report;
  const goals = evaluateGoals(report);
  const skipped =
    report.skipped.length === 0
      ? ''
      : `\n**Not measured in this run:** ${report.skipped.map((entry) => `${entry.section} (${entry.reason})`).join('; ')}.\n`;
  const sections = [
    report.verdicts && verdictTables(report, report.verdicts),
    report.verdicts && timingTable(report, report.verdicts),
    report.cost && costTable(report),
    report.scale && scaleTables(report, report.scale),
    artifactTable(report),
    methodNotes(report),
  ].filter((section): section is string => Boolean(section));
  return `# Benchmarks

Generated by \`npm run bench\` (bench/main.ts) on ${environment.date}; every figure below comes from that one run,
which took ${Math.round(environment.durationS)} s. Re-run it to refresh this file.

${markdownTable(
  ['Machine', ''],
  [
    ['CPU', `${environment.cpu} (${environment.cores} cores)`],
    ['Memory', `${environment.memoryGiB.toFixed(0)} GiB`],
    ['Kernel', environment.kernel],
    ['Node.js (the bench, the CLI, the Node 20 probe columns, the scale runs)', environment.node],
    [
      'Node.js 24 (production: the Node 24 probe column, the Lambda bundle import)',
      environment.productionNode ?? 'not resolved',
    ],
    [
      'Load average (1 min) at start / end',
      `${environment.loadAverage.start.toFixed(2)} / ${environment.loadAverage.end.toFixed(2)}`,
    ],
    ...Object.entries(environment.peerVersions).map(([tool, version]) => [tool, version]),
  ],
)}

Settings: one common timeout of **${settings.timeoutMs / 1000} s** for every tool (whole seconds because check_smtp
and swaks take seconds; short so the silent drops, which cost the full timeout each run, keep the bench to minutes);
**${settings.runs} runs** per tool and target. All traffic stays inside the bench's own lab namespaces (prefix
\`p25bench-\`) and loopback.
${skipped}
${goalsSection(goals)}

${sections.join('\n\n')}
`;
}
