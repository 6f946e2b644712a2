import { describe, expect, it } from 'vitest';
import { parseProbeArguments } from '../../functions/probe/probe-arguments.js';
import { UsageError } from '../../functions/shared/command-line/usage-error.js';
import { CONFIG_DEFAULTS } from '../../functions/shared/config.js';
import { probeCommandArguments } from '../../functions/shared/probe-command.js';

describe('parseProbeArguments', () => {
  it('applies the documented defaults', () => {
    const options = parseProbeArguments(['mx.example.com']);

    expect(options.requests).toEqual([
      {
        target: 'mx.example.com',
        host: 'mx.example.com',
        port: 25,
        timeoutMs: 10_000,
        ehloName: CONFIG_DEFAULTS.ehloName,
        attempts: 1,
        controlPort: undefined,
        starttls: false,
        verifyTls: false,
      },
    ]);
    expect(options).toMatchObject({ json: false, help: false, ruleContext: undefined });
  });

  it('reads every option', () => {
    const options = parseProbeArguments([
      '--port',
      '2525',
      '--timeout',
      '500ms',
      '--ehlo',
      'probe.test',
      '--attempts',
      '3',
      '--control-port',
      '443',
      '--starttls',
      '--json',
      'mx.example.com',
    ]);

    expect(options.json).toBe(true);
    expect(options.requests[0]).toMatchObject({
      port: 2525,
      timeoutMs: 500,
      ehloName: 'probe.test',
      attempts: 3,
      controlPort: 443,
      starttls: true,
      verifyTls: false,
    });
  });

  it('keeps one request per target in argument order, each with its own port', () => {
    const options = parseProbeArguments(['--port', '587', 'b.example.com', '[::1]:2525', 'a.example.com']);

    expect(options.requests.map((request) => [request.host, request.port])).toEqual([
      ['b.example.com', 587],
      ['::1', 2525],
      ['a.example.com', 587],
    ]);
  });

  it('lets --verify-tls imply --starttls', () => {
    expect(parseProbeArguments(['--verify-tls', 'mx.example.com']).requests[0]).toMatchObject({
      starttls: true,
      verifyTls: true,
    });
  });

  it('builds the rule context from --vpc-cidr and --released', () => {
    expect(parseProbeArguments(['--vpc-cidr', '10.0.0.0/16', '--released', 'mx.example.com']).ruleContext).toEqual({
      vpcPrimaryCidr: '10.0.0.0/16',
      released: true,
    });
  });

  it('parses what the orchestrator passes to the probe container back into the same request', () => {
    const request = {
      host: '2001:db8::25',
      port: 2525,
      timeoutMs: 4000,
      ehloName: 'canary.example.com',
      attempts: 2,
      controlPort: 443,
      starttls: true,
    };

    const options = parseProbeArguments(probeCommandArguments(request));

    expect(options.json).toBe(true);
    expect(options.requests).toEqual([{ ...request, target: '[2001:db8::25]:2525', verifyTls: false }]);
  });

  it('returns help without asking for a target', () => {
    expect(parseProbeArguments(['--help']).help).toBe(true);
  });

  it.each([
    [[], /no target given/],
    [['--port', '0', 'mx.example.com'], /--port must be a whole number from 1 to 65535/],
    [
      ['--timeout', '121', 'mx.example.com'],
      /--timeout must be a duration from 100ms to 2m \(.*a bare number is seconds\), got "121"/,
    ],
    [['--timeout', '1e4', 'mx.example.com'], /--timeout must be a duration/],
    [['--timeout', '99ms', 'mx.example.com'], /--timeout must be a duration/],
    [['--timeout', '0.0005s', 'mx.example.com'], /--timeout must be a duration/],
    [['--attempts', '11', 'mx.example.com'], /--attempts must be a whole number from 1 to 10/],
    [['--control-port', '70000', 'mx.example.com'], /--control-port must be a whole number/],
    [['--ehlo', 'bad name\r\nMAIL FROM:<x>', 'mx.example.com'], /--ehlo must be a host name/],
    [['--unknown', 'mx.example.com'], /^unknown option --unknown$/],
    [['mx.example.com:99999'], /port must be a whole number/],
  ])('rejects %j', (argv, reason) => {
    expect(() => parseProbeArguments(argv)).toThrow(reason);
    expect(() => parseProbeArguments(argv)).toThrow(UsageError);
  });
});

describe('parseProbeArguments with --tls', () => {
  it('asks for implicit TLS on port 465 by default', () => {
    const [request] = parseProbeArguments(['--tls', 'smtp.example.com']).requests;

    expect(request).toMatchObject({ port: 465, implicitTls: true, starttls: false, verifyTls: false });
  });

  it('keeps a port given with the target or --port', () => {
    const ports = parseProbeArguments(['--tls', '--port', '2465', 'a.example.com', 'b.example.com:4650']).requests;

    expect(ports.map((request) => request.port)).toEqual([2465, 4650]);
  });

  it('verifies the certificate over implicit TLS without asking for STARTTLS', () => {
    const [request] = parseProbeArguments(['--tls', '--verify-tls', 'smtp.example.com']).requests;

    expect(request).toMatchObject({ implicitTls: true, starttls: false, verifyTls: true });
  });

  it('has no implicitTls field without --tls', () => {
    expect(parseProbeArguments(['smtp.example.com']).requests[0]).not.toHaveProperty('implicitTls');
  });

  it('refuses --tls with --starttls', () => {
    expect(() => parseProbeArguments(['--tls', '--starttls', 'smtp.example.com'])).toThrow(
      '--tls and --starttls exclude each other: --tls starts TLS at once, --starttls after EHLO',
    );
  });

  it('round-trips the orchestrator command for implicit TLS', () => {
    const argv = probeCommandArguments({
      host: 'smtp.example.com',
      port: 465,
      timeoutMs: 5000,
      ehloName: 'probe.example.com',
      attempts: 1,
      controlPort: undefined,
      starttls: false,
      implicitTls: true,
    });

    expect(parseProbeArguments(argv).requests[0]).toMatchObject({ implicitTls: true, port: 465, timeoutMs: 5000 });
  });
});

describe('parseProbeArguments durations', () => {
  it.each([
    ['120', 120_000],
    ['10', 10_000],
    ['0.1', 100],
    ['2500ms', 2500],
    ['1.5s', 1500],
    ['2m', 120_000],
  ])('reads --timeout %s as %i ms', (timeout, timeoutMs) => {
    expect(parseProbeArguments(['--timeout', timeout, 'mx.example.com']).requests[0]?.timeoutMs).toBe(timeoutMs);
  });
});
