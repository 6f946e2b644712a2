import { describe, expect, it } from 'vitest';
import { parseCanaryConfig, parseConfigSource, parseConfigText } from '../../functions/shared/config.js';
import { ConfigError } from '../../functions/shared/errors.js';

const minimal = () => ({ canaryName: 'mail', targets: [{ name: 'relay', host: '172.16.0.4' }] });
const spot = {
  capacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE_SPOT' }],
};
const vantage = (name: string, account: string, region: string) => ({ name, account, region, network: {} });
const fleet = (vantages: unknown[], monitoring?: unknown) => ({ ...minimal(), vantages, monitoring });
const SINK = 'arn:aws:oam:us-east-1:111111111111:sink/abc-1';

function problems(raw: unknown): string[] {
  try {
    parseCanaryConfig(raw);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(({ field, problem }) => `${field}: ${problem}`);
    throw error;
  }
  return [];
}

const SPOT_WHY =
  '"Linux tasks with the ARM64 architecture don\'t support the Fargate Spot capacity provider" (ECS Developer Guide); set deployment.cpuArchitecture to X86_64 or use FARGATE';

describe('rules across fields', () => {
  it('refuses FARGATE_SPOT with the default ARM64, naming both fields', () => {
    expect(problems({ ...minimal(), network: spot })).toEqual([
      `network.capacityProviderStrategy[1].capacityProvider: FARGATE_SPOT cannot run deployment.cpuArchitecture ARM64 (set, or the default): ${SPOT_WHY}`,
    ]);
  });

  it("refuses FARGATE_SPOT in a vantage's network with ARM64 set", () => {
    const raw = fleet([{ ...vantage('eu', '222222222222', 'eu-west-1'), network: spot }]);

    expect(problems({ ...raw, deployment: { cpuArchitecture: 'ARM64' } })).toEqual([
      `vantages[0].network.capacityProviderStrategy[1].capacityProvider: FARGATE_SPOT cannot run deployment.cpuArchitecture ARM64 (set, or the default): ${SPOT_WHY}`,
    ]);
  });

  it('takes FARGATE_SPOT with X86_64', () => {
    expect(problems({ ...minimal(), network: spot, deployment: { cpuArchitecture: 'X86_64' } })).toEqual([]);
  });

  it.each([
    ['cron(0 12 * * * *)', false],
    ['cron(0 12 ? * * *)', true],
    ['cron(0 12 * * ? *)', true],
    ['cron(0 12 1 * MON *)', true],
  ])('judges the day fields of %s', (schedule, accepted) => {
    const found = problems({ ...minimal(), deployment: { schedule } });

    expect(found).toEqual(
      accepted
        ? []
        : [
            `deployment.schedule: "${schedule}" has * in both day-of-month and day-of-week, which EventBridge refuses ("You can't use * in both the Day-of-month and Day-of-week fields"): write ? in one of them`,
          ],
    );
  });

  it('refuses a cron of five fields as no EventBridge expression', () => {
    expect(problems({ ...minimal(), deployment: { schedule: 'cron(0 12 * * ?)' } })).toEqual([
      'deployment.schedule: "cron(0 12 * * ?)" must be an EventBridge rate(...) or cron(...) expression',
    ]);
  });

  it('refuses a fleet across partitions, naming the vantages', () => {
    const raw = fleet([vantage('eu', '222222222222', 'eu-west-1'), vantage('gov', '333333333333', 'us-gov-west-1')]);

    expect(problems(raw)).toEqual([
      'vantages[1].region: us-gov-west-1 is in partition aws-us-gov, vantages[0] ("eu") in eu-west-1 is in aws: a fleet lies in one partition (accounts, roles, event buses and OAM links do not cross partitions)',
    ]);
  });

  it('refuses a monitoring region in another partition than the vantages', () => {
    const raw = fleet([vantage('cn', '222222222222', 'cn-north-1')], { account: '111111111111', region: 'eu-west-1' });

    expect(problems(raw)).toEqual([
      'monitoring.region: eu-west-1 is in partition aws, the vantages in aws-cn: a fleet lies in one partition',
    ]);
  });

  it('refuses cross-region event routing in China, and takes it in GovCloud', () => {
    const china = fleet([vantage('a', '222222222222', 'cn-north-1'), vantage('b', '222222222222', 'cn-northwest-1')], {
      account: '111111111111',
      region: 'cn-north-1',
    });
    const govCloud = fleet(
      [vantage('a', '222222222222', 'us-gov-west-1'), vantage('b', '222222222222', 'us-gov-east-1')],
      { account: '111111111111', region: 'us-gov-west-1' },
    );

    expect(problems(china)).toEqual([
      'vantages[1].region: vantages[1] ("b") is in cn-northwest-1, the monitoring region is cn-north-1: EventBridge in aws-cn cannot route events to another region, so its run events could not reach the fleet; put the vantage in cn-north-1 or watch it from there',
    ]);
    expect(problems(govCloud)).toEqual([]);
  });

  it('refuses two vantages of one source account in one region with monitoring, naming both', () => {
    const vantages = [vantage('a', '222222222222', 'eu-west-1'), vantage('b', '222222222222', 'eu-west-1')];

    expect(problems(fleet(vantages, { account: '111111111111', region: 'eu-west-1' }))).toEqual([
      'vantages[1].region: vantages[1] ("b") and vantages[0] ("a") are both in account 222222222222, eu-west-1: each would link that account to the monitoring sink there, and an account has one link to a sink (OAM CreateLink); give them different accounts or regions, or make one vantage of them',
    ]);
    expect(problems(fleet(vantages))).toEqual([]);
    expect(problems(fleet(vantages, { account: '222222222222', region: 'eu-west-1' }))).toEqual([]);
  });

  const sinks = (existingSinks: unknown) =>
    fleet([vantage('us', '222222222222', 'us-east-1'), vantage('eu', '111111111111', 'eu-west-1')], {
      account: '111111111111',
      region: 'eu-west-1',
      existingSinks,
    });

  it('reads existing sinks by region', () => {
    expect(parseCanaryConfig(sinks({ 'us-east-1': SINK })).fleet?.monitoring?.existingSinks).toEqual({
      'us-east-1': SINK,
    });
  });

  it.each([
    [{ 'us-east': SINK }, 'monitoring.existingSinks.us-east: "us-east" is not an AWS region name (like eu-west-1)'],
    [
      { 'us-east-1': 'arn:aws:oam:us-west-2:111111111111:sink/x' },
      'monitoring.existingSinks.us-east-1: "arn:aws:oam:us-west-2:111111111111:sink/x" is a sink in us-west-2, not us-east-1',
    ],
    [
      { 'us-east-1': 'arn:aws-cn:oam:us-east-1:111111111111:sink/x' },
      'monitoring.existingSinks.us-east-1: "arn:aws-cn:oam:us-east-1:111111111111:sink/x" names partition aws-cn; us-east-1 is in aws',
    ],
    [
      { 'us-east-1': 'arn:aws:oam:us-east-1:999999999999:sink/x' },
      'monitoring.existingSinks.us-east-1: "arn:aws:oam:us-east-1:999999999999:sink/x" is a sink of account 999999999999, not of the monitoring account 111111111111',
    ],
    [
      { 'eu-west-1': 'arn:aws:oam:eu-west-1:111111111111:sink/x' },
      'monitoring.existingSinks.eu-west-1: no vantage of another account than 111111111111 is in eu-west-1: nothing links to this sink',
    ],
    [
      { 'us-east-1': 'arn:aws:oam:us-east-1:111111111111:link/x' },
      'monitoring.existingSinks.us-east-1: "arn:aws:oam:us-east-1:111111111111:link/x" is not an OAM sink ARN (arn:aws:oam:<region>:<account>:sink/<id>)',
    ],
    ['x', 'monitoring.existingSinks: must be a JSON object mapping a region to a sink ARN'],
  ])('refuses existing sinks %j', (existingSinks, message) => {
    expect(problems(sinks(existingSinks))).toEqual([message]);
  });

  it.each([
    [
      { containerName: 'probe.v1' },
      'network.containerName: "probe.v1" must be 1-255 letters, digits, hyphens or underscores (an ECS container name)',
    ],
    [
      { containerName: 'p'.repeat(256) },
      `network.containerName: "${'p'.repeat(256)}" must be 1-255 letters, digits, hyphens or underscores (an ECS container name)`,
    ],
    [
      { logStreamPrefix: 'probe:1' },
      'network.logStreamPrefix: "probe:1" must not contain ":" or "*" (they cannot be in a log stream name)',
    ],
    [
      { logStreamPrefix: 'probe*' },
      'network.logStreamPrefix: "probe*" must not contain ":" or "*" (they cannot be in a log stream name)',
    ],
  ])('refuses the AWS name %j at load', (network, message) => {
    expect(problems({ ...minimal(), network })).toEqual([message]);
  });

  it('takes a 255-character container name', () => {
    expect(
      parseCanaryConfig({ ...minimal(), network: { containerName: 'p'.repeat(255) } }).network.containerName,
    ).toHaveLength(255);
  });

  it.each(['300.0.0.1', '1.2.3.256', '10.0.0', '25'])('refuses %s as neither an IP literal nor a host name', (host) => {
    expect(problems({ ...minimal(), targets: [{ name: 'x', host }] })).toEqual([
      `targets[0].host: "${host}" is neither an IP literal (not a valid IPv4 address) nor a host name (its last label is all digits)`,
    ]);
  });

  it('takes host names with digits in their labels', () => {
    const targets = [
      { name: 'a', host: '1.example.com' },
      { name: 'b', host: 'mx1' },
      { name: 'c', host: '3com.com.' },
    ];

    expect(problems({ ...minimal(), targets })).toEqual([]);
  });

  it('probes implicit TLS on port 465 unless the target sets its port', () => {
    const targets = [
      { name: 'a', host: 'mx.example.com', tls: 'implicit' },
      { name: 'b', host: 'mx.example.com', tls: 'implicit', port: 2465 },
      { name: 'c', host: 'mx.example.com' },
    ];

    const config = parseCanaryConfig({ ...minimal(), targets });

    expect(config.targets.map((target) => [target.port, target.tls])).toEqual([
      [465, 'implicit'],
      [2465, 'implicit'],
      [25, undefined],
    ]);
  });

  it('refuses implicit TLS with STARTTLS, and a tls other than implicit', () => {
    const targets = [
      { name: 'a', host: 'mx.example.com', tls: 'implicit', starttls: true },
      { name: 'b', host: 'mx.example.com', tls: 'explicit' },
    ];

    expect(problems({ ...minimal(), targets })).toEqual([
      'targets[0].tls: implicit TLS and "starttls": true exclude each other: give one of them',
      'targets[1].tls: must be one of implicit, got "explicit"',
    ]);
  });

  it('names the near miss of a misspelled field and lists the allowed ones', () => {
    expect(problems({ ...minimal(), probe: { attempt: 2, colour: 1 } })).toEqual([
      'probe.attempt: unknown field (did you mean attempts? allowed: timeoutMs, ehloName, attempts, controlPort)',
      'probe.colour: unknown field (allowed: timeoutMs, ehloName, attempts, controlPort)',
    ]);
  });

  it('lists problems in the order of the document, whatever the order of the rules', () => {
    const raw = { targets: [{ name: 'x', host: 'h:25' }], network: { subnets: 'x' }, canaryName: 'has space' };

    expect(problems(raw).map((problem) => problem.split(':')[0])).toEqual([
      'targets[0].host',
      'network.subnets',
      'canaryName',
    ]);
  });

  it('lists a file’s problems in the same order located or not (run and invoke --fleet alike)', () => {
    const text =
      '{\n  "targets": [{ "name": "x", "host": "h:25" }],\n  "network": { "subnets": "x" },\n  "canaryName": "a b"\n}';
    const source = parseConfigText('c.json', text);
    const unlocated = problems(source.document).map((problem) => problem.split(':')[0]);

    const located = (() => {
      try {
        parseConfigSource(source);
      } catch (error) {
        return (error as ConfigError).problems.map(({ field }) => field.replace('c.json: ', ''));
      }
    })();

    expect(located).toEqual(unlocated);
  });
});
