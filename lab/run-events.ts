import type { CanaryReport } from '../functions/shared/report.js';
import type { RestrictionState } from '../functions/shared/restriction.js';
import {
  DEFAULT_EVENT_BUS_NAME,
  RUN_EVENT_DETAIL_TYPE,
  RUN_EVENT_SOURCE,
  type RunEventDetail,
} from '../functions/shared/run-event.js';
import type { EventStore } from './local-aws/eventbridge.js';

/**
 * The run events the local bus received during one phase, as the lab shows and records them, and what they must say:
 * one event per run, on the default bus, saying what the run's report says.
 */

export interface ReceivedRunEvent {
  readonly bus: string;
  readonly source: string;
  readonly detailType: string;
  readonly detail: RunEventDetail;
}

/** The events with the canary's source that the bus received after the first `since`. */
export function receivedRunEvents(store: EventStore, since: number): ReceivedRunEvent[] {
  return store.events
    .slice(since)
    .filter((event) => event.source === RUN_EVENT_SOURCE)
    .map((event) => ({
      bus: event.bus,
      source: event.source,
      detailType: event.detailType,
      detail: event.detail as RunEventDetail,
    }));
}

/** Everything the phase's events get wrong against the run's report, in words; empty when they agree. */
export function runEventProblems(
  events: readonly ReceivedRunEvent[],
  report: CanaryReport | null,
  expectedRestriction: RestrictionState,
): string[] {
  if (events.length !== 1) return [`the local bus received ${events.length} run events, expected 1`];
  const [{ bus, detailType, detail }] = events as [ReceivedRunEvent];
  const problems = [
    ...(bus === DEFAULT_EVENT_BUS_NAME ? [] : [`the run event went to the bus ${bus}, not ${DEFAULT_EVENT_BUS_NAME}`]),
    ...(detailType === RUN_EVENT_DETAIL_TYPE ? [] : [`the run event's detail-type is ${detailType}`]),
    ...(detail.restriction?.state === expectedRestriction
      ? []
      : [`the run event says the restriction is ${detail.restriction?.state}, expected ${expectedRestriction}`]),
  ];
  if (report === null) return problems;
  if (detail.runId !== report.runId) problems.push(`the run event is of run ${detail.runId}, not ${report.runId}`);
  for (const result of report.results) {
    const target = detail.targets.find((candidate) => candidate.target === result.target);
    if (target === undefined) {
      if (detail.omitted.count === 0) problems.push(`the run event leaves out ${result.target}`);
    } else if (target.verdict !== result.verdict || target.evidence !== result.evidence) {
      problems.push(
        `the run event says ${result.target} ${target.verdict} (${target.evidence}), the report ${result.verdict} (${result.evidence})`,
      );
    }
  }
  return problems;
}

/** One line per event, then one per target that did not pass, with its evidence: what an EventBridge rule would see. */
export function formatRunEvents(events: readonly ReceivedRunEvent[]): string {
  if (events.length === 0) return '  run events on the local bus: none\n';
  return events
    .map(({ bus, source, detailType, detail }) => {
      const { pass, fail, inconclusive } = detail.summary;
      const head = `  run event on the local bus ${bus}: ${source} / ${detailType}, run ${detail.runId}, restriction ${detail.restriction.state}, ${pass} pass, ${fail} fail, ${inconclusive} inconclusive${detail.omitted.count > 0 ? ` (${detail.omitted.count} targets omitted for size)` : ''}\n`;
      const notPassed = detail.targets
        .filter((target) => target.verdict !== 'pass')
        .map((target) => `    ${target.target}: ${target.verdict}, ${target.outcome}: ${target.evidence}\n`);
      return head + notPassed.join('');
    })
    .join('');
}
