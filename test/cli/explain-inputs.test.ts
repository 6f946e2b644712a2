import { describe, expect, it } from 'vitest';
import { createExplainCommand, type ExplainDns, unquoted, withoutPort } from '../../functions/cli/commands/explain.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import { capture } from '../orchestrator/fakes.js';

// The resolver is injected: no name here is ever asked of the machine's DNS.
function fakeDns(
  addresses: Record<string, string[] | string>,
  mx: Record<string, { exchange: string; priority: number }[] | string> = {},
): ExplainDns {
  const answer = <T>(table: Record<string, T | string>, name: string): T => {
    const entry = table[name];
    if (entry === undefined || typeof entry === 'string') {
      throw Object.assign(new Error(`${entry ?? 'ENOTFOUND'} ${name}`), { code: entry ?? 'ENOTFOUND' });
    }
    return entry;
  };
  return { lookup: async (host) => answer(addresses, host), resolveMx: async (domain) => answer(mx, domain) };
}

async function explain(argv: string[], dns: ExplainDns = fakeDns({})) {
  const { io, output } = capture();
  const exitCode = await createExplainCommand(dns).run(argv, io);
  return { exitCode, ...output, json: () => JSON.parse(output.stdout) as Record<string, unknown>[] };
}

describe('explain inputs as probe takes them', () => {
  it.each([
    ['10.0.0.5:25', '10.0.0.5'],
    ['[2001:db8::25]:25', '2001:db8::25'],
    ['[2001:db8::25]', '2001:db8::25'],
    ['2001:db8::25', '2001:db8::25'],
    ['mx.example.com:587', 'mx.example.com'],
    ['10.0.0.5', '10.0.0.5'],
  ])('reads %s as %s', (input, host) => {
    expect(withoutPort(input)).toBe(host);
  });

  it('judges host:25 and [v6]:25', async () => {
    const result = await explain(['--json', '198.51.100.25:25', '[2001:db8::25]:25']);

    expect(result.json().map((row) => [row.input, row.address, row.expected])).toEqual([
      ['198.51.100.25:25', '198.51.100.25', 'blocked'],
      ['[2001:db8::25]:25', '2001:db8::25', 'blocked'],
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('drops the quotes aws ec2 describe-vpcs prints around a CIDR', async () => {
    const result = await explain(['--json', '--vpc-cidr', '"10.0.0.0/16"', '10.0.1.1']);

    expect(result.json()[0]).toMatchObject({ expected: 'open', rule: 'VPC primary CIDR 10.0.0.0/16' });
  });

  it.each([
    ['"10.0.0.0/16"', '10.0.0.0/16'],
    ["'10.0.0.0/16'", '10.0.0.0/16'],
    [' 10.0.0.0/16 ', '10.0.0.0/16'],
    ['"10.0.0.0/16', '"10.0.0.0/16'],
  ])('unquotes %s as %s', (value, cidr) => {
    expect(unquoted(value)).toBe(cidr);
  });

  it('says what loopback is in --json, not "open"', async () => {
    const result = await explain(['--json', '127.0.0.1']);

    expect(result.json()[0]).toMatchObject({ expected: 'not-mail', notMailDestination: 'loopback', throttled: false });
  });

  it('still refuses a host name without --resolve or --mx, before any look-up', async () => {
    await expect(explain(['mx.example.com'])).rejects.toThrow(UsageError);
  });

  it('refuses --resolve with --mx', async () => {
    await expect(explain(['--resolve', '--mx', 'example.com'])).rejects.toThrow(
      '--resolve and --mx exclude each other',
    );
  });

  it('refuses an address that does not parse before resolving anything', async () => {
    const dns: ExplainDns = {
      ...fakeDns({}),
      lookup: async () => {
        throw new Error('resolved');
      },
    };

    await expect(explain(['--resolve', 'mx.example.com', '300.1.1.1'], dns)).rejects.toThrow(/300\.1\.1\.1/);
  });
});

describe('explain --resolve with a name that does not resolve', () => {
  const dns = fakeDns({ 'mx.example.com': ['198.51.100.25'], 'flaky.example.com': 'EAI_AGAIN' });

  it('keeps the table, the name its own row, and exits 3', async () => {
    const result = await explain(['--resolve', 'mx.example.com', 'nosuch.example.com'], dns);

    expect(result.stdout).toMatch(/mx\.example\.com\s+198\.51\.100\.25\s+IPv4\s+blocked\s+public address/);
    expect(result.stdout).toMatch(
      /nosuch\.example\.com\s+-\s+-\s+unknown\s+does not resolve \(ENOTFOUND: no such name\)/,
    );
    expect(result.exitCode).toBe(3);
  });

  it('says a resolver failure is one, and exits 3, not 2', async () => {
    const result = await explain(['--json', '--resolve', 'flaky.example.com'], dns);

    expect(result.json()).toEqual([
      { input: 'flaky.example.com', address: null, reason: 'the resolver failed (EAI_AGAIN)', judged: false },
    ]);
    expect(result.exitCode).toBe(3);
  });

  it('exits 0 when every name resolves', async () => {
    expect((await explain(['--resolve', 'mx.example.com'], dns)).exitCode).toBe(0);
  });
});

describe('explain --mx', () => {
  const dns = fakeDns(
    {
      'mx1.example.com': ['198.51.100.25', '2001:db8::25'],
      'mx2.example.com': ['10.0.0.25'],
      'bare.example': ['198.51.100.7'],
    },
    {
      'example.com': [
        { exchange: 'mx2.example.com', priority: 20 },
        { exchange: 'mx1.example.com', priority: 10 },
      ],
      'bare.example': 'ENODATA',
      'nomail.example': [{ exchange: '', priority: 0 }],
    },
  );

  it('judges every address of every MX host, lowest preference first, naming the host in each row', async () => {
    const result = await explain(['--json', 'example.com', '--mx'], dns);

    expect(result.json().map((row) => [row.mx, row.address, row.expected])).toEqual([
      ['10 mx1.example.com', '198.51.100.25', 'blocked'],
      ['10 mx1.example.com', '2001:db8::25', 'blocked'],
      ['20 mx2.example.com', '10.0.0.25', 'open'],
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('shows the MX host in the table', async () => {
    const result = await explain(['--mx', 'example.com'], dns);

    expect(result.stdout.split('\n')[0]).toMatch(/^INPUT\s+MX\s+ADDRESS\s+FAMILY\s+PORT 25\s+RULE$/);
    expect(result.stdout).toMatch(/example\.com\s+20 mx2\.example\.com\s+10\.0\.0\.25/);
  });

  it('judges the domain itself when it has no MX records', async () => {
    const result = await explain(['--json', '--mx', 'bare.example'], dns);

    expect(result.json()).toMatchObject([{ mx: 'no MX: bare.example itself', address: '198.51.100.7' }]);
  });

  it('says a null MX domain takes no mail, and counts it as an answer', async () => {
    const result = await explain(['--json', '--mx', 'nomail.example'], dns);

    expect(result.json()).toEqual([
      {
        input: 'nomail.example',
        mx: 'null MX',
        address: null,
        reason: 'null MX (RFC 7505): the domain accepts no mail',
        judged: true,
      },
    ]);
    expect(result.exitCode).toBe(0);
  });

  it('gives a domain that does not exist a row of its own, exit 3', async () => {
    const result = await explain(['--json', '--mx', 'nosuch.example'], dns);

    expect(result.json()).toEqual([
      { input: 'nosuch.example', address: null, reason: 'does not resolve (ENOTFOUND: no such name)', judged: false },
    ]);
    expect(result.exitCode).toBe(3);
  });

  it('gives an MX host that does not resolve a row of its own', async () => {
    const broken = fakeDns({}, { 'example.com': [{ exchange: 'gone.example.com', priority: 5 }] });

    const result = await explain(['--json', '--mx', 'example.com'], broken);

    expect(result.json()).toMatchObject([{ mx: '5 gone.example.com', address: null, judged: false }]);
  });

  it('refuses an address given as a mail domain', async () => {
    await expect(explain(['--mx', '10.0.0.1'], dns)).rejects.toThrow('--mx takes mail domains, got "10.0.0.1"');
  });
});
