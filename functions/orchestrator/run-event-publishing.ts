import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import type { CanaryReport } from '../shared/report.js';
import { runEventEntry } from '../shared/run-event.js';
import { type Clock, callWithRetry } from './aws-retry.js';

/**
 * A PutEvents entry EventBridge refused. PutEvents answers 200 and reports per entry (FailedEntryCount, ErrorCode);
 * the error carries the entry's code as its name, so a throttled or internal failure is retried like any AWS call.
 */
export class PutEventsEntryError extends Error {
  constructor(code: string, message: string) {
    super(`the event entry was refused: ${code}: ${message}`);
    this.name = code;
  }
}

/**
 * Puts the run's event on the default bus: one PutEvents call, one entry (within EventBridge's 256 KB entry limit, and
 * small enough that the delivered event, envelope included, fits an SNS message: see runEventEntry), retried like the
 * other calls, no retry sleeping past `notAfter`. Throws AwsCallError when it fails for good. Returns the event id.
 */
export async function publishRunEvent(
  events: EventBridgeClient,
  report: CanaryReport,
  clock: Clock,
  notAfter: number,
): Promise<string | undefined> {
  const entry = runEventEntry(report);
  const response = await callWithRetry(
    `EventBridge PutEvents (bus ${entry.EventBusName}, source ${entry.Source})`,
    async () => {
      const answer = await events.send(new PutEventsCommand({ Entries: [entry] }));
      const failed = answer.Entries?.find((result) => result.ErrorCode !== undefined && result.ErrorCode !== null);
      if ((answer.FailedEntryCount ?? 0) > 0 || failed !== undefined) {
        throw new PutEventsEntryError(
          failed?.ErrorCode ?? 'InternalFailure',
          failed?.ErrorMessage ?? 'no reason given',
        );
      }
      return answer;
    },
    clock,
    { notAfter },
  );
  return response.Entries?.[0]?.EventId;
}
