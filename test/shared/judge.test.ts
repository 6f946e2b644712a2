import { describe, expect, it } from 'vitest';
import { judgeAttempts, judgeOutcome } from '../../functions/shared/judge.js';
import type { TargetOutcome } from '../../functions/shared/outcomes.js';

describe('judgeOutcome', () => {
  it.each<[TargetOutcome, string]>([
    ['open', 'pass'],
    ['timeout', 'fail'],
    ['refused', 'fail'],
    ['unreachable', 'fail'],
    ['banner-timeout', 'fail'],
    ['protocol-error', 'fail'],
    ['tls-error', 'fail'],
    ['dns-error', 'inconclusive'],
    ['task-failed', 'inconclusive'],
    ['error', 'inconclusive'],
  ])('judges %s against an expected-open target as %s', (outcome, verdict) => {
    expect(judgeOutcome('open', outcome)).toBe(verdict);
  });

  it.each<[TargetOutcome, string]>([
    ['timeout', 'pass'],
    ['open', 'fail'],
    ['refused', 'fail'],
    ['banner-timeout', 'fail'],
    ['protocol-error', 'fail'],
    ['tls-error', 'fail'],
    ['unreachable', 'inconclusive'],
    ['dns-error', 'inconclusive'],
    ['task-failed', 'inconclusive'],
    ['error', 'inconclusive'],
  ])('judges %s against an expected-blocked target as %s', (outcome, verdict) => {
    expect(judgeOutcome('blocked', outcome)).toBe(verdict);
  });
});

describe('judgeAttempts', () => {
  it('passes only when every attempt passes', () => {
    expect(judgeAttempts('blocked', ['timeout', 'timeout'])).toBe('pass');
  });

  it('fails when any attempt fails, even if others were inconclusive', () => {
    expect(judgeAttempts('blocked', ['timeout', 'error', 'open'])).toBe('fail');
  });

  it('is inconclusive when no attempt failed but one could not tell', () => {
    expect(judgeAttempts('open', ['open', 'dns-error'])).toBe('inconclusive');
  });

  it('is inconclusive without any attempt: a pass is never assumed', () => {
    expect(judgeAttempts('open', [])).toBe('inconclusive');
  });
});
