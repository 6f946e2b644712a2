import { describe, expect, it } from 'vitest';
import type { RuleContext } from '../../functions/shared/port25-rule.js';
import {
  LIFTED_NEXT_STEP,
  type RestrictionSignal,
  restrictionLine,
  restrictionReport,
  restrictionSignal,
} from '../../functions/shared/restriction.js';

const VPC = { vpcPrimaryCidr: '10.0.0.0/16' };
const PUBLIC = '198.51.100.25';

const IN_EFFECT: RestrictionSignal = { inEffect: true, lifted: false };
const LIFTED: RestrictionSignal = { inEffect: false, lifted: true };
const SILENT: RestrictionSignal = { inEffect: false, lifted: false };

describe('restrictionSignal', () => {
  it('sees the restriction in effect when a public address timed out while its control port answered', () => {
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'timeout', control: 'open' }], VPC, 25)).toEqual(IN_EFFECT);
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'timeout', control: 'refused' }], VPC, 25)).toEqual(
      IN_EFFECT,
    );
  });

  it.each([
    ['the control port was dark', 'timeout'],
    ['the control port was unreachable', 'unreachable'],
    ['there was no control port', null],
  ] as const)('proves nothing from a timeout when %s', (_, control) => {
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'timeout', control }], VPC, 25)).toEqual(SILENT);
  });

  it.each(['open', 'banner-timeout', 'protocol-error', 'tls-error'] as const)(
    'sees the restriction lifted when port 25 to a public address connected (%s)',
    (outcome) => {
      expect(restrictionSignal([{ address: PUBLIC, outcome, control: null }], VPC, 25)).toEqual(LIFTED);
    },
  );

  it.each([587, 24, 26])('learns nothing from port %i, which the restriction does not cover', (port) => {
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'open', control: null }], VPC, port)).toEqual(SILENT);
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'timeout', control: 'open' }], VPC, port)).toEqual(SILENT);
  });

  it('judges as if not released: a configured release does not exempt the address', () => {
    expect(
      restrictionSignal([{ address: PUBLIC, outcome: 'open', control: null }], { ...VPC, released: true }, 25),
    ).toEqual(LIFTED);
  });

  it.each([
    ['the VPC primary CIDR', '10.0.3.4'],
    ['RFC 1918', '172.16.0.5'],
    ['RFC 6598', '100.64.0.5'],
    ['RFC 4193', 'fd12::25'],
  ])('learns nothing from an address in %s', (_, address) => {
    expect(restrictionSignal([{ address, outcome: 'open', control: null }], VPC, 25)).toEqual(SILENT);
    expect(restrictionSignal([{ address, outcome: 'timeout', control: 'open' }], VPC, 25)).toEqual(SILENT);
  });

  it('treats a public VPC primary CIDR as exempt', () => {
    const publicVpc = { vpcPrimaryCidr: '198.51.100.0/24' };

    expect(restrictionSignal([{ address: PUBLIC, outcome: 'open', control: null }], publicVpc, 25)).toEqual(SILENT);
  });

  it('learns nothing from an attempt without an address or with one that does not parse', () => {
    expect(restrictionSignal([{ address: null, outcome: 'dns-error', control: null }], VPC, 25)).toEqual(SILENT);
    expect(restrictionSignal([{ address: 'nonsense', outcome: 'open', control: null }], VPC, 25)).toEqual(SILENT);
  });

  it('passes on an error that is not about an address, rather than learning nothing', () => {
    const broken: RuleContext = {
      get vpcPrimaryCidr(): string {
        throw new Error('VPC not looked up yet');
      },
    };

    expect(() => restrictionSignal([{ address: PUBLIC, outcome: 'open', control: null }], broken, 25)).toThrow(
      'VPC not looked up yet',
    );
  });

  it('ignores refused and unreachable: they prove neither a drop nor a connection', () => {
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'refused', control: 'open' }], VPC, 25)).toEqual(SILENT);
    expect(restrictionSignal([{ address: PUBLIC, outcome: 'unreachable', control: 'open' }], VPC, 25)).toEqual(SILENT);
  });
});

describe('restrictionReport', () => {
  it('is in effect when a target showed the signature and none connected', () => {
    const report = restrictionReport(
      [
        { target: 'mx-a', signal: IN_EFFECT },
        { target: 'relay', signal: SILENT },
      ],
      false,
    );

    expect(report).toMatchObject({ state: 'in-effect', inEffectTargets: ['mx-a'], liftedTargets: [] });
    expect(report.summary).toBe(
      'port-25 restriction in effect: port 25 was dropped while the control port answered (mx-a)',
    );
  });

  it('is lifted when a target connected and none showed the signature', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: LIFTED }], false)).toMatchObject({
      state: 'lifted',
      inEffectTargets: [],
      liftedTargets: ['mx-a'],
    });
  });

  it('names every target that connected when lifted, comma-separated', () => {
    const report = restrictionReport(
      [
        { target: 'mx-a', signal: LIFTED },
        { target: 'relay', signal: SILENT },
        { target: 'mx-b', signal: LIFTED },
      ],
      false,
    );

    expect(report.summary).toBe(
      'port-25 restriction lifted: port 25 connected to an address the rule would throttle (mx-a, mx-b)',
    );
  });

  it('is contradictory when both happened in one run, naming the targets', () => {
    const report = restrictionReport(
      [
        { target: 'mx-a', signal: IN_EFFECT },
        { target: 'mx-b', signal: LIFTED },
      ],
      false,
    );

    expect(report).toMatchObject({ state: 'contradictory', inEffectTargets: ['mx-a'], liftedTargets: ['mx-b'] });
    expect(report.summary).toBe(
      'port-25 restriction contradictory: dropped for mx-a but connected for mx-b in the same run',
    );
  });

  it('is unknown when no target could tell, or there were none', () => {
    expect(restrictionReport([{ target: 'relay', signal: SILENT }], false).state).toBe('unknown');
    expect(restrictionReport([], true).state).toBe('unknown');
  });

  it('when unknown, says no target could tell and to add one whose control port answers', () => {
    expect(restrictionReport([{ target: 'relay', signal: SILENT }], false)).toMatchObject({
      summary:
        'port-25 restriction unknown: no target outside the exempt ranges showed a port-25-specific drop or connected on port 25',
      nextStep:
        'add a port-25 target outside the exempt ranges whose control port (probe.controlPort) answers, so a run can tell',
    });
  });

  it('in effect and not released, says to request the removal or relay on 587/465', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: IN_EFFECT }], false).nextStep).toBe(
      'to send on port 25 from here, request the removal from AWS (per account and region), or relay on 587/465',
    );
  });

  it('when contradictory, says to compare the paths of the targets named, released or not', () => {
    const signals = [
      { target: 'mx-a', signal: IN_EFFECT },
      { target: 'mx-b', signal: LIFTED },
    ];
    const advice =
      'compare the paths of the targets named: one of them leaves through something else (NAT, proxy, another VPC)';

    expect(restrictionReport(signals, false).nextStep).toBe(advice);
    expect(restrictionReport(signals, true).nextStep).toBe(advice);
  });

  it('after a release is seen, says to set port25Released and redeploy', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: LIFTED }], false).nextStep).toBe(
      'AWS has lifted the restriction: set port25Released to true in the config and redeploy, so the alarms expect it',
    );
  });

  it('has nothing to do when lifted as released', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: LIFTED }], true).nextStep).toBeNull();
    expect(restrictionReport([{ target: 'mx-a', signal: LIFTED }], false, true).nextStep).toBeNull();
  });

  it('after --released sees it lifted, still says to set port25Released while the config does not', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: LIFTED }], true, false).nextStep).toBe(LIFTED_NEXT_STEP);
    expect(LIFTED_NEXT_STEP).toBe(
      'AWS has lifted the restriction: set port25Released to true in the config and redeploy, so the alarms expect it',
    );
  });

  it('in effect with only the config released, says the request has not taken effect', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: IN_EFFECT }], false, true).nextStep).toMatch(
      /^the removal request has not taken effect in this region: it is granted per account and region/,
    );
    expect(restrictionReport([{ target: 'mx-a', signal: IN_EFFECT }], true, false).nextStep).toMatch(
      /^the removal request has not taken effect/,
    );
  });

  it('in effect although released, says the request has not taken effect in this region', () => {
    expect(restrictionReport([{ target: 'mx-a', signal: IN_EFFECT }], true).nextStep).toMatch(
      /^the removal request has not taken effect in this region/,
    );
  });

  it('shortens a long list of targets in the summary, keeping them all in the lists', () => {
    const many = Array.from({ length: 12 }, (_, index) => ({ target: `mx-${index}`, signal: IN_EFFECT }));

    const report = restrictionReport(many, false);

    expect(report.inEffectTargets).toHaveLength(12);
    expect(report.summary).toMatch(/mx-9, \.\.\. \(12 in all\)\)$/);
  });

  it('names all ten targets in the summary when there are exactly ten', () => {
    const ten = Array.from({ length: 10 }, (_, index) => ({ target: `mx-${index}`, signal: IN_EFFECT }));

    expect(restrictionReport(ten, false).summary).toBe(
      'port-25 restriction in effect: port 25 was dropped while the control port answered ' +
        '(mx-0, mx-1, mx-2, mx-3, mx-4, mx-5, mx-6, mx-7, mx-8, mx-9)',
    );
  });
});

describe('restrictionLine', () => {
  it('is the summary and the next step', () => {
    const report = restrictionReport([{ target: 'mx-a', signal: IN_EFFECT }], true);

    expect(restrictionLine(report)).toBe(`${report.summary}. Next: ${report.nextStep}`);
  });

  it('is the summary alone without a next step', () => {
    const report = restrictionReport([{ target: 'mx-a', signal: LIFTED }], true);

    expect(restrictionLine(report)).toBe(report.summary);
  });
});
