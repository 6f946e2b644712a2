import { describe, expect, it } from 'vitest';
import { taskFailedObservation } from '../../functions/orchestrator/observation.js';

describe('taskFailedObservation', () => {
  it('says port 25 was not tested, keeps the reason as detail, and dialled nothing', () => {
    expect(taskFailedObservation('run deadline reached', 'arn:aws:ecs:eu-west-1:111122223333:task/c/1')).toEqual({
      outcome: 'task-failed',
      attempts: [{ outcome: 'task-failed', address: null }],
      address: null,
      control: null,
      connectMs: null,
      greeting: null,
      diagnosis: 'The probe task produced no result, so port 25 was not tested; see the detail for why.',
      taskArn: 'arn:aws:ecs:eu-west-1:111122223333:task/c/1',
      detail: 'run deadline reached',
      source: 'ecs',
    });
  });
});
