import { MAX_EVENT_ENTRY_BYTES, putEventsEntrySize } from '../../functions/shared/run-event.js';
import { AwsServiceError, type JsonObject, type JsonService } from './protocol.js';

/** Every event the local bus accepted, in order: the lab prints and records them. */
export class EventStore {
  readonly events: {
    readonly source: string;
    readonly detailType: string;
    readonly detail: unknown;
    readonly bus: string;
  }[] = [];
}

/** EventBridge's PutEvents over awsJson1_1 (X-Amz-Target AWSEvents.PutEvents), with its entry count and size limits. */
export function eventBridgeService(store: EventStore): JsonService {
  return {
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    operations: {
      PutEvents(input: JsonObject) {
        const entries = input.Entries;
        if (!Array.isArray(entries) || entries.length < 1 || entries.length > 10) {
          throw new AwsServiceError('ValidationException', 'Entries must hold 1 to 10 entries');
        }
        const total = entries.reduce((sum: number, entry) => sum + putEventsEntrySize(entry as never), 0);
        if (total > MAX_EVENT_ENTRY_BYTES) {
          throw new AwsServiceError(
            'ValidationException',
            'Total size of the entries in the request is over the limit.',
          );
        }
        const results = entries.map((raw, index) => {
          const entry = raw as { Source?: string; DetailType?: string; Detail?: string; EventBusName?: string };
          let detail: unknown;
          try {
            detail = JSON.parse(entry.Detail ?? '{}');
          } catch {
            return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
          }
          store.events.push({
            source: entry.Source ?? '',
            detailType: entry.DetailType ?? '',
            detail,
            bus: entry.EventBusName ?? 'default',
          });
          return { EventId: `lab-event-${store.events.length}-${index}` };
        });
        const failed = results.filter((result) => 'ErrorCode' in result).length;
        return { FailedEntryCount: failed, Entries: results };
      },
    },
  };
}
