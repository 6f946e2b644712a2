import { describe, expect, it } from 'vitest';
import { createExplainCommand } from '../../functions/cli/commands/explain.js';
import { diagnose } from '../../functions/probe/diagnosis.js';
import { port25ExpectationRule } from '../../functions/probe/expectation.js';
import { formatProbeTable } from '../../functions/probe/probe-output.js';
import { fitTable, TABLE_WIDTH, wrapText } from '../../functions/shared/command-line/table-fit.js';
import type { ProbeOutcome } from '../../functions/shared/outcomes.js';
import type { ProbeResult } from '../../functions/shared/probe-result.js';
import { LAB_SERVERS } from '../../lab/topology.js';
import { capture } from '../orchestrator/fakes.js';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
const LAB_VPC_CIDR = '10.42.0.0/16';
const LAB_ADDRESSES = Object.values(LAB_SERVERS).map((server) => server.address);

describe('wrapText', () => {
  it('breaks at spaces within the width', () => {
    expect(wrapText('aaa bbb ccc', 7)).toEqual(['aaa bbb', 'ccc']);
  });

  it('breaks a word longer than a line inside it', () => {
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
  });

  it('keeps an empty text one empty line', () => {
    expect(wrapText('', 10)).toEqual(['']);
  });
});

describe('fitTable', () => {
  const long = 'word '.repeat(40).trim();

  it('prints a table that fits as formatTable does', () => {
    expect(fitTable(['A', 'B'], [['1', 'two']])).toBe('A  B\n1  two\n');
  });

  it('wraps the last column under itself', () => {
    const table = fitTable(['NAME', 'TEXT'], [['n', long]], { width: 60 });

    expect(widest(table)).toBeLessThanOrEqual(60);
    expect(table.split('\n')[2]?.startsWith(' '.repeat(6))).toBe(true);
    expect(table.replace(/\s+/g, ' ')).toContain(long);
  });

  it('puts the last column on lines of its own when the others leave too little room', () => {
    const table = fitTable(['NAME', 'TEXT'], [['x'.repeat(30), long]], { width: 60 });

    expect(widest(table)).toBeLessThanOrEqual(60);
    expect(table.split('\n')[1]).toBe('x'.repeat(30));
    expect(table.split('\n')[2]?.startsWith('    word')).toBe(true);
  });

  it('prints one line per row with wide', () => {
    expect(fitTable(['NAME', 'TEXT'], [['n', long]], { width: 60, wide: true }).split('\n')).toHaveLength(3);
  });
});

describe('tables for the lab targets', () => {
  it('explain fits 120 columns', async () => {
    const { io, output } = capture();
    const dns = { lookup: async () => [], resolveMx: async () => [] };

    await createExplainCommand(dns).run(['--vpc-cidr', LAB_VPC_CIDR, ...LAB_ADDRESSES], io);

    expect(widest(output.stdout)).toBeLessThanOrEqual(TABLE_WIDTH);
    for (const address of LAB_ADDRESSES) expect(output.stdout).toContain(address);
  });

  it('probe --vpc-cidr fits 120 columns for every outcome, every rule and evidence in it', () => {
    const outcomes: ProbeOutcome[] = ['open', 'timeout', 'refused', 'unreachable', 'banner-timeout', 'tls-error'];
    const context = { vpcPrimaryCidr: LAB_VPC_CIDR, released: false };
    const results: ProbeResult[] = LAB_ADDRESSES.map((address, index) => {
      const outcome = outcomes[index % outcomes.length] as ProbeOutcome;
      const control = { port: 587, outcome: 'open' as const, connectMs: 1 };
      const attempt = {
        attempt: 1,
        address,
        outcome,
        connectMs: outcome === 'timeout' ? null : 2,
        greeting: outcome === 'open' ? '220 mail.lab.invalid ESMTP Postfix (Debian/GNU)' : null,
        ehlo: null,
        tls: null,
        durationMs: 3000,
        error:
          outcome === 'open' ? null : 'no answer to the TCP connection attempt within 3000 ms: the SYN was dropped',
      };
      const result: ProbeResult = {
        target: `${address.includes(':') ? `[${address}]` : address}:25`,
        host: address,
        port: 25,
        address,
        addresses: [address],
        outcome,
        connectMs: attempt.connectMs,
        greeting: attempt.greeting,
        ehlo: null,
        tls: null,
        control,
        diagnosis: diagnose(outcome, 25, control),
        attempts: [attempt],
        durationMs: 3000,
        timeoutMs: 3000,
        error: attempt.error,
      };
      const expectation = port25ExpectationRule.expectationFor(result, context);
      return expectation === undefined ? result : { ...result, expectation };
    });

    const table = formatProbeTable(results);
    const flat = table.replace(/\s+/g, ' ');

    expect(widest(table)).toBeLessThanOrEqual(TABLE_WIDTH);
    for (const result of results) {
      expect(flat).toContain(result.expectation?.rule);
      expect(flat).toContain(result.expectation?.evidence.replace(/\s+/g, ' '));
      expect(flat).toContain(result.diagnosis);
    }
  });
});
