/**
 * Where things are in a JSON text, for error messages: the line and column of a syntax error, and of each field by
 * the path the config validator names it with (`targets[0].port`). JSON.parse stays the parser; this only scans.
 */

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** A JSON text that does not parse, with where it stops making sense. */
export class JsonSyntaxError extends Error {
  readonly position: TextPosition;
  readonly reason: string;
  constructor(reason: string, position: TextPosition) {
    super(`${reason} (line ${position.line}, column ${position.column})`);
    this.name = 'JsonSyntaxError';
    this.reason = reason;
    this.position = position;
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9A-Fa-f]{4}/y;

function memberPath(parent: string, key: string): string {
  return parent === '' ? key : `${parent}.${key}`;
}

/** A recursive-descent scan of one JSON text that records the offset of every member and item. */
class JsonScanner {
  private offset = 0;
  readonly offsets = new Map<string, number>();

  constructor(private readonly text: string) {}

  scanDocument(): void {
    this.skipWhitespace();
    if (this.offset === this.text.length) this.fail('the file is empty');
    this.offsets.set('', this.offset);
    this.scanValue('');
    this.skipWhitespace();
    if (this.offset < this.text.length) this.fail('unexpected text after the end of the JSON value');
  }

  positionOf(offset: number): TextPosition {
    const before = this.text.slice(0, offset);
    const lineStart = before.lastIndexOf('\n') + 1;
    return { line: before.split('\n').length, column: offset - lineStart + 1 };
  }

  private fail(reason: string, offset = this.offset): never {
    throw new JsonSyntaxError(reason, this.positionOf(offset));
  }

  private skipWhitespace(): void {
    // Past the end, charAt gives '', which is not whitespace.
    while (WHITESPACE.has(this.text.charAt(this.offset))) this.offset++;
  }

  private scanValue(path: string): void {
    const character = this.text[this.offset];
    if (character === '{') {
      this.scanObject(path);
      return;
    }
    if (character === '[') {
      this.scanArray(path);
      return;
    }
    if (character === '"') {
      this.scanString();
      return;
    }
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.offset)) {
        this.offset += literal.length;
        return;
      }
    }
    NUMBER.lastIndex = this.offset;
    if (NUMBER.exec(this.text) !== null) {
      this.offset = NUMBER.lastIndex;
      return;
    }
    if (character === undefined) this.fail('the text ends where a value should be');
    if (character === "'") this.fail('strings need double quotes');
    this.fail(`a value cannot start with ${JSON.stringify(character)}`);
  }

  private scanObject(path: string): void {
    this.offset++;
    this.skipWhitespace();
    if (this.text[this.offset] === '}') {
      this.offset++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.offset] !== '"') {
        this.fail(
          this.text[this.offset] === '}'
            ? 'a comma before } (JSON allows no trailing comma)'
            : 'expected a field name in double quotes',
        );
      }
      const keyOffset = this.offset;
      const key = this.scanString();
      this.offsets.set(memberPath(path, key), keyOffset);
      this.skipWhitespace();
      if (this.text[this.offset] !== ':') this.fail(`expected ':' after the field name "${key}"`);
      this.offset++;
      this.skipWhitespace();
      this.scanValue(memberPath(path, key));
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset++;
      if (next === '}') return;
      if (next !== ',') this.fail(`expected ',' or '}' after the value of "${key}"`, this.offset - 1);
    }
  }

  private scanArray(path: string): void {
    this.offset++;
    this.skipWhitespace();
    if (this.text[this.offset] === ']') {
      this.offset++;
      return;
    }
    for (let index = 0; ; index++) {
      this.skipWhitespace();
      if (this.text[this.offset] === ']') this.fail('a comma before ] (JSON allows no trailing comma)');
      this.offsets.set(`${path}[${index}]`, this.offset);
      this.scanValue(`${path}[${index}]`);
      this.skipWhitespace();
      const next = this.text[this.offset];
      this.offset++;
      if (next === ']') return;
      if (next !== ',') this.fail(`expected ',' or ']' after item ${index} of the list`, this.offset - 1);
    }
  }

  /** Scans a string token and returns its value. */
  private scanString(): string {
    const start = this.offset;
    this.offset++;
    for (;;) {
      const character = this.text[this.offset];
      if (character === undefined) this.fail('a string is not closed', start);
      if (character === '"') break;
      if (character === '\\') {
        const escaped = this.text[this.offset + 1];
        if (escaped === 'u') {
          HEX4.lastIndex = this.offset + 2;
          if (HEX4.exec(this.text) === null) this.fail('\\u must be followed by four hex digits');
          this.offset += 6;
          continue;
        }
        if (escaped === undefined || !ESCAPES.has(escaped)) this.fail(`invalid escape \\${escaped ?? ''} in a string`);
        this.offset += 2;
        continue;
      }
      if (character < ' ') this.fail('a line break or control character inside a string (write \\n)');
      this.offset++;
    }
    this.offset++;
    return JSON.parse(this.text.slice(start, this.offset)) as string;
  }
}

export interface JsonDocument {
  readonly value: unknown;
  /** Where a field (`targets[0].port`) is, or its nearest enclosing field that exists; the start for `''`. */
  locate(path: string): TextPosition;
}

/** `targets[0].port` → `targets[0]` → `targets` → `''`, the document. */
function parentPath(path: string): string {
  return path.slice(0, Math.max(path.lastIndexOf('.'), path.lastIndexOf('['), 0));
}

/** Parses a JSON text; throws JsonSyntaxError naming the line and column where it stops being JSON. */
export function parseJsonDocument(text: string): JsonDocument {
  const scanner = new JsonScanner(text);
  scanner.scanDocument();
  const value: unknown = JSON.parse(text);
  return {
    value,
    locate(path) {
      // The document itself, '', is always recorded: the walk up ends there at the latest.
      for (let current = path; ; current = parentPath(current)) {
        const offset = scanner.offsets.get(current);
        if (offset !== undefined) return scanner.positionOf(offset);
      }
    },
  };
}
