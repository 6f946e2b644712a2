import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCanaryConfig, parseConfigText } from '../../functions/shared/config.js';
import { ConfigError } from '../../functions/shared/errors.js';

function syntaxProblem(text: string): string {
  try {
    parseConfigText('c.json', text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problem;
    throw error;
  }
  throw new Error(`expected a syntax error, but this parsed: ${text}`);
}

describe('parseConfigText', () => {
  it('reads comments and trailing commas (JSONC)', () => {
    const text = '{\n  // the canary\n  "canaryName": "c", /* block */\n  "targets": [1, 2,],\n}';

    expect(parseConfigText('c.json', text).document).toEqual({ canaryName: 'c', targets: [1, 2] });
  });

  it('skips a UTF-8 byte-order mark, and counts columns without it', () => {
    const source = parseConfigText('c.json', '\uFEFF{"canaryName": 5}');

    expect(source.document).toEqual({ canaryName: 5 });
    expect(source.locate('canaryName')).toEqual({ line: 1, column: 2 });
  });

  it('names the file, the reason, the line and the column', () => {
    expect(() => parseConfigText('c.json', '{"a": ')).toThrow(
      'c.json: is not valid JSON: the text ends where a value should be (line 1, column 7)',
    );
  });

  it.each([
    ['', 'the file is empty (line 1, column 1)'],
    ['  \n ', 'the file is empty (line 1, column 1)'],
    ['{"a": \'x\'}', 'strings need double quotes (line 1, column 7)'],
    ["{'a': 1}", 'expected a field name in double quotes (line 1, column 2)'],
    ['{"a" 1}', `expected ':' after the field name "a" (line 1, column 6)`],
    ['[1, 2 3]', `expected ',' or ']' after item 1 of the list (line 1, column 7)`],
    ['{"a": 1 "b": 2}', `expected ',' or '}' after the value of "a" (line 1, column 9)`],
    ['{\n  "a": "abc', 'a string is not closed (line 2, column 8)'],
    ['{"a": "x\ny"}', 'a line break or control character inside a string (write \\n) (line 1, column 9)'],
    ['{"letter": "\\u00g1"}', '\\u must be followed by four hex digits (line 1, column 13)'],
    ['{"path": "\\x"}', 'invalid escape \\x in a string (line 1, column 11)'],
    ['{"a": 1} x', 'unexpected text after the end of the JSON value (line 1, column 10)'],
    ['{"a": tru}', 'a value cannot start with "t" (line 1, column 7)'],
    ['{"a": 1', `expected ',' or '}' (the object is not closed) (line 1, column 8)`],
    ['[1', `expected ',' or ']' (the list is not closed) (line 1, column 3)`],
    ['{"a": 1 /* open', 'a comment that is not closed (line 1, column 9)'],
  ])('says what is wrong in %j and where', (text, message) => {
    expect(syntaxProblem(text)).toBe(`is not valid JSON: ${message}`);
  });

  it('places a field at its name, a list item at its value, and a missing field at what encloses it', () => {
    const source = parseConfigText('c.json', '{\n  "targets": [\n    {"port": 25},\n    {"port": 587}\n  ]\n}');

    expect(source.locate('targets[1].port')).toEqual({ line: 4, column: 6 });
    expect(source.locate('targets[1]')).toEqual({ line: 4, column: 5 });
    expect(source.locate('targets[1].host')).toEqual({ line: 4, column: 5 });
    expect(source.locate('targets')).toEqual({ line: 2, column: 3 });
    expect(source.locate('ports')).toEqual({ line: 1, column: 1 });
    expect(source.locate('')).toEqual({ line: 1, column: 1 });
  });

  it('places the whole document where its value starts', () => {
    expect(parseConfigText('c.json', '\n  {"port": 25}').locate('(root)')).toEqual({ line: 2, column: 3 });
  });
});

describe("the README's config example", () => {
  it('is valid JSONC and a valid config', () => {
    const readme = readFileSync('README.md', 'utf8');
    const example = /```jsonc\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';

    const config = parseCanaryConfig(parseConfigText('README.md', example).document);

    expect(config.targets.map((target) => [target.name, target.port, target.tls])).toEqual([
      ['relay', 587, undefined],
      ['smtps', 465, 'implicit'],
    ]);
  });
});
