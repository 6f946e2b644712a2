import type { Verdict } from './judge.js';
import type { TargetOutcome } from './outcomes.js';
import type { CanaryReport, ReportSummary, TargetReport } from './report.js';
import type { RestrictionReport } from './restriction.js';

/**
 * The event every run puts on the account's default EventBridge bus. Rules (and the fleet's forwarding) match on
 * these two constants, so they are an API: change them and every rule stops matching.
 */
export const RUN_EVENT_SOURCE = 'port25-canary';
export const RUN_EVENT_DETAIL_TYPE = 'Port25 Canary Run';
export const DEFAULT_EVENT_BUS_NAME = 'default';

/**
 * EventBridge's limit on one PutEvents entry: 256 KB, counted as the UTF-8 bytes of Source, DetailType, Detail and
 * each Resources entry, plus 14 bytes when Time is given (EventBridge User Guide, "Calculating PutEvents event entry
 * size", https://docs.aws.amazon.com/eventbridge/latest/userguide/calculate-putevents-entry-size.html).
 */
export const MAX_EVENT_ENTRY_BYTES = 256 * 1024;

/**
 * The largest message an SNS topic takes by default: 262,144 bytes of body and attributes together (SNS Developer
 * Guide, "Publishing large messages with Amazon SNS": `MaximumMessageSize` defaults to 256 KiB). An EventBridge rule
 * whose target is a topic, as the fleet's is, publishes the whole event as the message (CDK's `SnsTopic` target:
 * "Default: the entire EventBridge event"), so the delivered event, envelope and all, must fit it.
 */
export const SNS_MAX_MESSAGE_BYTES = 262_144;

/**
 * The delivered event is larger than the entry: "the event in EventBridge is always larger than the entry size due to
 * the necessary characters and keys of the JSON representation of the event" (the same page). The envelope, at its
 * longest (EventBridge User Guide, "AWS service event metadata"): a UUID `id`, a 12-digit account, a timestamp to the
 * second, a Region name (the longest today has 14 characters; 32 leaves room), no `resources` (the canary sends none),
 * and `replay-name` (up to 64 characters) when an archive replays the event. Spelt out so that nothing runs at load.
 */
const LONGEST_ENVELOPE: Readonly<Record<string, unknown>> = {
  version: '0',
  id: '00000000-0000-4000-8000-000000000000',
  'detail-type': 'Port25 Canary Run',
  source: 'port25-canary',
  account: '000000000000',
  time: '2030-01-01T00:00:00Z',
  region: 'rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr',
  resources: [],
  'replay-name': 'nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn',
};

export interface RunEventTarget {
  readonly target: string;
  readonly verdict: Verdict;
  readonly outcome: TargetOutcome;
  readonly evidence: string;
  readonly diagnosis: string;
}

export interface RunEventDetail {
  readonly runId: string;
  readonly canary: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly released: boolean;
  readonly summary: ReportSummary;
  readonly restriction: RestrictionReport;
  /** Every target, in run order, unless the entry would exceed the limit: then failed and inconclusive ones first. */
  readonly targets: readonly RunEventTarget[];
  /** Targets left out to stay within MAX_EVENT_ENTRY_BYTES, counted by verdict. */
  readonly omitted: { readonly count: number; readonly verdicts: ReportSummary };
}

/** The fields of a PutEventsRequestEntry that count towards its size; EventBusName does not. */
export interface RunEventEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly EventBusName: string;
}

export interface SizedEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
  readonly Time?: unknown;
}

const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/** An entry's size as EventBridge counts it against MAX_EVENT_ENTRY_BYTES. */
export function putEventsEntrySize(entry: SizedEntry): number {
  return (
    (entry.Time === undefined || entry.Time === null ? 0 : 14) +
    utf8Bytes(entry.Source) +
    utf8Bytes(entry.DetailType) +
    (entry.Detail === undefined ? 0 : utf8Bytes(entry.Detail)) +
    (entry.Resources ?? []).reduce((total, resource) => total + utf8Bytes(resource), 0)
  );
}

function eventTarget(result: TargetReport): RunEventTarget {
  return {
    target: result.target,
    verdict: result.verdict,
    outcome: result.outcome,
    evidence: result.evidence,
    diagnosis: result.diagnosis,
  };
}

function detailWith(report: CanaryReport, kept: readonly TargetReport[]): RunEventDetail {
  const keptSet = new Set(kept);
  const omitted = report.results.filter((result) => !keptSet.has(result));
  const count = (verdict: Verdict) => omitted.filter((result) => result.verdict === verdict).length;
  return {
    runId: report.runId,
    canary: report.canary,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    released: report.released,
    summary: report.summary,
    restriction: report.restriction,
    targets: report.results.filter((result) => keptSet.has(result)).map(eventTarget),
    omitted: {
      count: omitted.length,
      verdicts: { pass: count('pass'), fail: count('fail'), inconclusive: count('inconclusive') },
    },
  };
}

/**
 * Every character outside ASCII as a JSON `\uXXXX` escape: the Detail means the same, and whether EventBridge keeps
 * the escapes or decodes them when it writes the event, the delivered bytes are no more than those counted here.
 */
function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function entryFor(detail: RunEventDetail, eventBusName: string): RunEventEntry {
  return {
    Source: RUN_EVENT_SOURCE,
    DetailType: RUN_EVENT_DETAIL_TYPE,
    Detail: asciiJson(detail),
    EventBusName: eventBusName,
  };
}

/**
 * The size of the event EventBridge delivers for `entry`, at most: the longest envelope around its Detail, as JSON
 * without whitespace (the form a target such as an SNS topic receives).
 */
export function deliveredEventSize(entry: Pick<RunEventEntry, 'Source' | 'DetailType' | 'Detail'>): number {
  const envelope = { ...LONGEST_ENVELOPE, 'detail-type': entry.DetailType, source: entry.Source, detail: null };
  return utf8Bytes(JSON.stringify(envelope)) - 'null'.length + utf8Bytes(entry.Detail);
}

/** Failed targets matter most to whoever is notified, then inconclusive ones; passes are only counted. */
const KEEP_ORDER: readonly Verdict[] = ['fail', 'inconclusive'];

/**
 * The run's event entry, within MAX_EVENT_ENTRY_BYTES as an entry and within `maxDeliveredBytes` (SNS's message limit)
 * as the event EventBridge delivers: every target when it fits; else the failed and inconclusive targets (failed
 * first, as many as fit) with the rest counted in `omitted`. `maxDeliveredBytes` is for tests only.
 */
export function runEventEntry(
  report: CanaryReport,
  eventBusName = DEFAULT_EVENT_BUS_NAME,
  maxDeliveredBytes = SNS_MAX_MESSAGE_BYTES,
): RunEventEntry {
  const fits = (kept: readonly TargetReport[]) => {
    const entry = entryFor(detailWith(report, kept), eventBusName);
    const within = putEventsEntrySize(entry) <= MAX_EVENT_ENTRY_BYTES && deliveredEventSize(entry) <= maxDeliveredBytes;
    return within ? entry : undefined;
  };
  const whole = fits(report.results);
  if (whole !== undefined) return whole;
  const candidates = KEEP_ORDER.flatMap((verdict) => report.results.filter((result) => result.verdict === verdict));
  // The largest prefix of the candidates that fits: the size grows with the prefix, so a binary search finds it.
  let low = 0;
  let high = candidates.length;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(candidates.slice(0, middle)) === undefined) high = middle - 1;
    else low = middle;
  }
  return fits(candidates.slice(0, low)) ?? entryFor(detailWith(report, []), eventBusName);
}
