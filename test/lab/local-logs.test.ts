import { describe, expect, it } from 'vitest';
import { LogStore } from '../../lab/local-aws/logs.js';

const GROUP = '/p25lab/logs';
const STREAM = 'probe/probe/0123';

function storeWith(lines: string[], emptyPagesBeforeEvents: number) {
  const store = new LogStore({ emptyPagesBeforeEvents });
  for (const line of lines) store.append(GROUP, STREAM, line);
  return store;
}

type Page = { events: { message: string }[]; nextForwardToken: string };

describe('local CloudWatch Logs GetLogEvents', () => {
  it('can answer empty pages with new tokens before the events, then the same token at the end', () => {
    const store = storeWith(['one', 'two'], 2);
    const read = (nextToken?: string) =>
      store.getLogEvents({
        logGroupName: GROUP,
        logStreamName: STREAM,
        startFromHead: true,
        ...(nextToken ? { nextToken } : {}),
      }) as Page;

    const first = read();
    const second = read(first.nextForwardToken);
    const third = read(second.nextForwardToken);
    const last = read(third.nextForwardToken);

    expect([first.events, second.events]).toEqual([[], []]);
    expect(new Set([first.nextForwardToken, second.nextForwardToken, third.nextForwardToken]).size).toBe(3);
    expect(third.events.map((event) => event.message)).toEqual(['one', 'two']);
    expect(last.events).toEqual([]);
    expect(last.nextForwardToken).toBe(third.nextForwardToken);
  });

  it('answers the events at once by default', () => {
    const store = storeWith(['one'], 0);

    const page = store.getLogEvents({ logGroupName: GROUP, logStreamName: STREAM, startFromHead: true }) as Page;

    expect(page.events.map((event) => event.message)).toEqual(['one']);
  });
});
