import { describe, expect, it } from 'vitest';
import { describeError } from '../../functions/shared/errors.js';
import { JsonSyntaxError, parseJsonDocument } from '../../functions/shared/json-locations.js';

function syntaxErrorIn(text: string): JsonSyntaxError {
  try {
    parseJsonDocument(text);
  } catch (error) {
    if (error instanceof JsonSyntaxError) return error;
    throw error;
  }
  throw new Error(`expected a JsonSyntaxError, but this parsed: ${text}`);
}

describe('parseJsonDocument', () => {
  it('parses empty objects, nested or whole', () => {
    expect(parseJsonDocument('{}').value).toEqual({});
    expect(parseJsonDocument('{"a": {}, "b": 1}').value).toEqual({ a: {}, b: 1 });
  });

  it('reads escaped quotes inside a string', () => {
    expect(parseJsonDocument('{"quote": "\\"hi\\""}').value).toEqual({ quote: '"hi"' });
  });

  it('decodes \\u escapes', () => {
    expect(parseJsonDocument('{"letter": "\\u0041"}').value).toEqual({ letter: 'A' });
  });
});

describe('JsonSyntaxError', () => {
  it('names itself and puts the line and column in its message', () => {
    const error = syntaxErrorIn('{"a": ');

    expect(error.name).toBe('JsonSyntaxError');
    expect(describeError(error)).toBe('the text ends where a value should be (line 1, column 7)');
  });

  it('says strings need double quotes at a single-quoted value', () => {
    expect(syntaxErrorIn('{"a": \'x\'}')).toMatchObject({
      reason: 'strings need double quotes',
      position: { line: 1, column: 7 },
    });
  });

  it('points at what stands where the colon after a field name should be', () => {
    expect(syntaxErrorIn('{"a" 1}')).toMatchObject({
      reason: `expected ':' after the field name "a"`,
      position: { line: 1, column: 6 },
    });
  });

  it('points at what stands where the comma between list items should be, counting items from 0', () => {
    expect(syntaxErrorIn('[1, 2 3]')).toMatchObject({
      reason: `expected ',' or ']' after item 1 of the list`,
      position: { line: 1, column: 7 },
    });
  });

  it('points at the opening quote of a string that is not closed', () => {
    expect(syntaxErrorIn('{\n  "a": "abc')).toMatchObject({
      reason: 'a string is not closed',
      position: { line: 2, column: 8 },
    });
  });

  it('points at a \\u escape without four hex digits', () => {
    expect(syntaxErrorIn('{"letter": "\\u00g1"}')).toMatchObject({
      reason: '\\u must be followed by four hex digits',
      position: { line: 1, column: 13 },
    });
  });

  it('names an unknown escape', () => {
    expect(syntaxErrorIn('{"path": "\\x"}')).toMatchObject({
      reason: 'invalid escape \\x in a string',
      position: { line: 1, column: 11 },
    });
  });

  it('reports a backslash that ends the text as an escape of nothing', () => {
    expect(syntaxErrorIn('{"path": "\\')).toMatchObject({
      reason: 'invalid escape \\ in a string',
      position: { line: 1, column: 11 },
    });
  });
});

describe('locate', () => {
  it('places the whole document where its value starts, after any leading whitespace', () => {
    expect(parseJsonDocument('\n  {"port": 25}').locate('')).toEqual({ line: 2, column: 3 });
  });

  it('places a missing top-level field at the document, not at a field its name starts with', () => {
    expect(parseJsonDocument('\n  {"port": 25}').locate('ports')).toEqual({ line: 2, column: 3 });
  });

  it('places a list item by its index', () => {
    const document = parseJsonDocument('{\n  "targets": [\n    {"port": 25},\n    {"port": 587}\n  ]\n}');

    expect(document.locate('targets[1].port')).toEqual({ line: 4, column: 6 });
  });

  it('places a field after an empty object', () => {
    expect(parseJsonDocument('{"a": {},\n "b": 1}').locate('b')).toEqual({ line: 2, column: 2 });
  });
});
