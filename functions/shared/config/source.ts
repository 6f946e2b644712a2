import { readFile } from 'node:fs/promises';
import {
  findNodeAtLocation,
  getLocation,
  getNodeValue,
  type Node,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import { ConfigError } from '../errors.js';
import { parentPath } from './problems.js';

/**
 * A config file is JSONC, as VS Code's settings and knip's config are: JSON plus `//` and `/* *\/` comments and
 * trailing commas, read by jsonc-parser (the parser behind VS Code's JSON support), which also says where each field is.
 */

export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** A config file's JSON and where each field is in it, so errors can say where to look. */
export interface ConfigSource {
  readonly path: string;
  readonly document: unknown;
  /** Where a field (`targets[0].port`) is, or its nearest enclosing field that exists; the start for `''`. */
  locate(field: string): TextPosition;
}

/** A UTF-8 byte-order mark some editors write first: not part of the JSON, so skipped. */
const BYTE_ORDER_MARK = '\uFEFF';

/** jsonc-parser's other error codes, by the names printParseErrorCode gives them, in our words. */
const SYNTAX_REASONS: Readonly<Record<string, string>> = {
  PropertyNameExpected: 'expected a field name in double quotes',
  CloseBraceExpected: "expected ',' or '}' (the object is not closed)",
  CloseBracketExpected: "expected ',' or ']' (the list is not closed)",
  InvalidCommentToken: 'a comment that is not closed',
  UnexpectedEndOfComment: 'a comment that is not closed',
  UnexpectedEndOfNumber: 'a number that stops short',
};

function positionAt(text: string, offset: number): TextPosition {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf('\n') + 1;
  return { line: before.split('\n').length, column: offset - lineStart + 1 };
}

/** The last field name before `offset`: the one whose value (or colon) is missing what follows. */
function lastFieldBefore(text: string, offset: number): string | undefined {
  const names = [...text.slice(0, offset).matchAll(/"((?:[^"\\]|\\.)*)"/g)];
  return names[names.length - 1]?.[1];
}

interface SyntaxProblem {
  readonly reason: string;
  readonly offset: number;
}

/** A string the scanner stopped in: at the line break inside it, or at its opening quote when the text ends first. */
function unclosedString(text: string, start: number): SyntaxProblem {
  let offset = start + 1;
  while (offset < text.length && text.charAt(offset) >= ' ') offset++;
  return offset === text.length
    ? { reason: 'a string is not closed', offset: start }
    : { reason: 'a line break or control character inside a string (write \\n)', offset };
}

/** The first bad escape of the string that starts at `start`. */
function badEscape(text: string, start: number): SyntaxProblem {
  const escapes = /\\(?:u(?![0-9A-Fa-f]{4})|[^"\\/bfnrtu])/g;
  escapes.lastIndex = start;
  const found = escapes.exec(text);
  const offset = found?.index ?? start;
  const reason =
    found?.[0] === '\\u' ? '\\u must be followed by four hex digits' : `invalid escape ${found?.[0]} in a string`;
  return { reason, offset };
}

/** What stands where a comma should: after which field's value, or which list item. */
function missingComma(text: string, offset: number): SyntaxProblem {
  const { path } = getLocation(text, offset);
  const last = path[path.length - 1];
  const reason =
    typeof last === 'number'
      ? `expected ',' or ']' after item ${last} of the list`
      : `expected ',' or '}' after the value of ${JSON.stringify(lastFieldBefore(text, offset))}`;
  return { reason, offset };
}

/** The first error in our words, and where it is. */
function syntaxProblem(text: string, error: ParseError, root: Node | undefined): SyntaxProblem {
  const code = printParseErrorCode(error.error);
  const { offset } = error;
  const found = text.charAt(offset);
  if (found === '' && code === 'ValueExpected') return { reason: 'the text ends where a value should be', offset };
  if (found !== '' && root !== undefined && offset >= root.offset + root.length) {
    return { reason: 'unexpected text after the end of the JSON value', offset };
  }
  if (code === 'UnexpectedEndOfString' || code === 'InvalidCharacter') return unclosedString(text, offset);
  if (code === 'InvalidUnicode' || code === 'InvalidEscapeCharacter') return badEscape(text, offset);
  if (code === 'CommaExpected') return missingComma(text, offset);
  if (code === 'ColonExpected') {
    return { reason: `expected ':' after the field name ${JSON.stringify(lastFieldBefore(text, offset))}`, offset };
  }
  if (found === "'") {
    const { isAtPropertyKey } = getLocation(text, offset);
    return {
      reason: isAtPropertyKey ? 'expected a field name in double quotes' : 'strings need double quotes',
      offset,
    };
  }
  if ((code === 'InvalidSymbol' || code === 'ValueExpected') && !/[\s,\]}]/.test(found)) {
    return { reason: `a value cannot start with ${JSON.stringify(found)}`, offset };
  }
  return { reason: SYNTAX_REASONS[code] ?? 'not valid JSON', offset };
}

function segments(field: string): (string | number)[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) =>
    match[2] === undefined ? (match[1] as string) : Number(match[2]),
  );
}

/** A member's position is its key's (`"port": 0` is found at `"port"`), an item's its value's. */
function nodeOffset(node: Node): number {
  return node.parent?.type === 'property' ? node.parent.offset : node.offset;
}

/** Parses a config text; a syntax error is a ConfigError naming `path` and the line and column. */
export function parseConfigText(path: string, raw: string): ConfigSource {
  const text = raw.startsWith(BYTE_ORDER_MARK) ? raw.slice(BYTE_ORDER_MARK.length) : raw;
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
  const [first] = errors;
  if (first !== undefined || root === undefined) {
    const { reason, offset } =
      first === undefined || text.trim() === ''
        ? { reason: 'the file is empty', offset: 0 }
        : syntaxProblem(text, first, root);
    const { line, column } = positionAt(text, offset);
    throw new ConfigError(path, `is not valid JSON: ${reason} (line ${line}, column ${column})`);
  }
  return {
    path,
    document: getNodeValue(root),
    locate(field) {
      // The document itself, '', is always found: the walk up ends there at the latest.
      for (let current = field; ; current = parentPath(current)) {
        const node = current === '' ? root : findNodeAtLocation(root, segments(current));
        if (node !== undefined) return positionAt(text, nodeOffset(node));
      }
    },
  };
}

/** Reads a config file (JSONC); errors name the file, and a syntax error the line and column. */
export async function readConfigSource(path: string): Promise<ConfigSource> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(path, `cannot read the config file (${code})`, { cause });
  }
  return parseConfigText(path, text);
}
