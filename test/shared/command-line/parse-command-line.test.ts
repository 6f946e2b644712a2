import { describe, expect, it } from 'vitest';
import { closestName } from '../../../functions/shared/command-line/closest-name.js';
import {
  integerOption,
  listOption,
  parseCommandLine,
} from '../../../functions/shared/command-line/parse-command-line.js';
import { UsageError } from '../../../functions/shared/command-line/usage-error.js';

const OPTIONS = {
  timeout: { type: 'string' },
  'vpc-cidr': { type: 'string' },
  json: { type: 'boolean' },
  released: { type: 'boolean' },
} as const;

const parse = (argv: readonly string[]) => parseCommandLine(argv, OPTIONS);

describe('parseCommandLine', () => {
  it('returns the values and positionals of a valid command line', () => {
    const { values, positionals } = parse(['--timeout', '5s', '--json', 'a', '--vpc-cidr=10.0.0.0/16', 'b']);

    expect(values).toEqual({ timeout: '5s', json: true, 'vpc-cidr': '10.0.0.0/16' });
    expect(positionals).toEqual(['a', 'b']);
  });

  it('accepts --help and -h on every command line', () => {
    expect(parse(['-h']).values.help).toBe(true);
    expect(parse(['--help']).values.help).toBe(true);
  });

  it.each([
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['-x', 'a'], 'unknown option -x'],
    [['--jsn'], 'unknown option --jsn (did you mean --json?)'],
    [['--vpc'], 'unknown option --vpc (did you mean --vpc-cidr?)'],
    [['--timeout'], '--timeout needs a value'],
    [['--timeout', '--json', 'a'], '--timeout needs a value'],
    [['a', '--vpc-cidr'], '--vpc-cidr needs a value'],
    [['--json=yes'], '--json takes no value, got "yes"'],
    [['--timeout', '-5'], '--timeout needs a value; to give one that starts with "-", write --timeout=-5'],
    [['--timeout', '-'], '--timeout needs a value; to give one that starts with "-", write --timeout=-'],
  ])('reports %j in one line of our own words', (argv, message) => {
    const act = () => parse(argv);

    expect(act).toThrow(UsageError);
    expect(act).toThrow(new UsageError(message));
  });

  it('suggests a long option only for a mistyped long option, never for a short one', () => {
    const options = { id: { type: 'string' } } as const;

    expect(() => parseCommandLine(['-i', '7'], options)).toThrow(new UsageError('unknown option -i'));
    expect(() => parseCommandLine(['--ib', '7'], options)).toThrow(
      new UsageError('unknown option --ib (did you mean --id?)'),
    );
  });

  it('keeps a value that merely starts with a dash when it is given inline', () => {
    expect(parse(['--timeout=-5']).values.timeout).toBe('-5');
  });

  it("never passes on parseArgs' own wording, with its unbalanced quote", () => {
    for (const argv of [['--frobnicate'], ['--timeout'], ['--json=1']]) {
      expect(() => parse(argv)).not.toThrow(/'|To specify a positional/);
    }
  });
});

describe('integerOption', () => {
  it('accepts both bounds of the range', () => {
    expect(integerOption('attempts', '1', 1, 5)).toBe(1);
    expect(integerOption('attempts', '5', 1, 5)).toBe(5);
  });

  it('leaves an absent option undefined', () => {
    expect(integerOption('attempts', undefined, 1, 5)).toBeUndefined();
  });

  it.each(['0', '6', '1e0', '0x3', '3.0', '+3', '-3', 'three', ''])(
    'rejects --attempts %j naming the option and the range',
    (value) => {
      const act = () => integerOption('attempts', value, 1, 5);

      expect(act).toThrow(UsageError);
      expect(act).toThrow(`--attempts must be a whole number from 1 to 5, got ${JSON.stringify(value)}`);
    },
  );
});

describe('listOption', () => {
  it('splits the names at commas, without the blanks around them', () => {
    expect(listOption('targets', 'relay, mx ,backup')).toEqual(['relay', 'mx', 'backup']);
  });

  it.each(['relay,,mx', 'relay, ', ''])('rejects --targets %j with an empty entry', (value) => {
    expect(() => listOption('targets', value)).toThrow(
      new UsageError(`--targets must be a comma-separated list, got ${JSON.stringify(value)}`),
    );
  });
});

describe('closestName', () => {
  it.each([
    ['--jsn', ['--json', '--port'], '--json'],
    ['--portt', ['--post', '--port'], '--port'],
    ['xy', ['probe'], undefined],
    ['hepl', ['explain', 'probe', 'run', 'invoke', 'help'], 'help'],
    ['--re', ['--released', '--resolve'], undefined],
    ['--relea', ['--released', '--resolve'], '--released'],
    ['--banana', ['--json', '--port'], undefined],
    ['--prot', ['--port', '--post'], undefined],
  ])('suggests for %s among %j: %s', (typed, candidates, expected) => {
    expect(closestName(typed, candidates)).toBe(expected);
  });
});
