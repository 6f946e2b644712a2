import { describe, expect, it } from 'vitest';
import { parseCanaryEvent, resolveRunInput } from '../../functions/orchestrator/event.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { testConfig } from './fakes.js';

const SCHEDULED_EVENT = {
  version: '0',
  id: '53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '111122223333',
  time: '2030-01-01T00:00:00Z',
  region: 'eu-west-1',
  resources: ['arn:aws:events:eu-west-1:111122223333:rule/port25-canary'],
  detail: {},
};

function errorOf(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

describe('parseCanaryEvent', () => {
  it('turns an EventBridge scheduled event into a run of every target with the config settings', () => {
    expect(parseCanaryEvent(SCHEDULED_EVENT)).toEqual({});
  });

  it('accepts an empty on-demand payload', () => {
    expect(parseCanaryEvent({})).toEqual({ targets: undefined, released: undefined, attempts: undefined });
  });

  it('accepts a full on-demand payload', () => {
    expect(parseCanaryEvent({ targets: ['internet-mx'], released: true, attempts: 3 })).toEqual({
      targets: ['internet-mx'],
      released: true,
      attempts: 3,
    });
  });

  it.each([
    [{ target: ['internet-mx'] }, 'target', /unknown field \(allowed: targets, released, attempts\)/],
    [{ targets: 'internet-mx' }, 'targets', /must be an array of target names/],
    [{ targets: [] }, 'targets', /must name at least one target/],
    [{ targets: ['internet-mx', 7] }, 'targets[1]', /must be a target name, got 7/],
    [{ released: 'yes' }, 'released', /must be true or false, got "yes"/],
    [{ attempts: 0 }, 'attempts', /must be an integer from 1 to 10, got 0/],
    [{ attempts: 2.5 }, 'attempts', /must be an integer from 1 to 10/],
    [{ attempts: '3' }, 'attempts', /got "3"/],
    [[], '(payload)', /must be a JSON object/],
    ['run', '(payload)', /must be a JSON object/],
    [{ 'detail-type': 'EC2 Instance State-change Notification', source: 'aws.ec2' }, 'detail-type', /Scheduled Event/],
  ])('rejects %j naming the field %s', (event, field, message) => {
    const error = errorOf(() => parseCanaryEvent(event));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({ field, message: expect.stringMatching(message) });
  });
});

describe('resolveRunInput', () => {
  it('falls back to every target, the config attempts and the config released flag', () => {
    const config = testConfig({ port25Released: true, probe: { attempts: 2 } });

    expect(resolveRunInput(config, {})).toEqual({ targets: config.targets, released: true, attempts: 2 });
  });

  it('lets the payload override released and attempts', () => {
    const config = testConfig({ port25Released: true });

    expect(resolveRunInput(config, { released: false, attempts: 4 })).toMatchObject({ released: false, attempts: 4 });
  });

  it('picks the named targets in the order given', () => {
    const config = testConfig();

    const resolved = resolveRunInput(config, { targets: ['internet-mx', 'relay-in-vpc'] });

    expect(resolved.targets.map((target) => target.name)).toEqual(['internet-mx', 'relay-in-vpc']);
  });

  it('rejects an unknown target name, listing the known ones', () => {
    const error = errorOf(() => resolveRunInput(testConfig(), { targets: ['internet-mx', 'intranet-mx'] }));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error).toMatchObject({
      field: 'targets[1]',
      message: 'targets[1]: unknown target "intranet-mx" (the config has: relay-in-vpc, internet-mx)',
    });
  });

  it('rejects a target named twice', () => {
    expect(() => resolveRunInput(testConfig(), { targets: ['internet-mx', 'internet-mx'] })).toThrow(
      /targets\[1\]: target "internet-mx" is named twice/,
    );
  });
});
