import { formatTable } from './table.js';

/** What a terminal shows without wrapping, and every table's width unless `--wide`. */
export const TABLE_WIDTH = 120;

const GAP = 2;
// Narrower than this, a wrapped last column reads worse than the same text on lines of its own.
const MIN_WRAPPED_COLUMN = 40;

type Cell = string | number | null | undefined;

/** Splits text into lines of at most `width`, at spaces where it can and inside a word longer than a line. */
export function wrapText(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((part) => part !== '')) {
    let rest = word;
    while (rest.length > width) {
      if (line !== '') lines.push(line);
      line = '';
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    if (line === '') line = rest;
    else if (line.length + 1 + rest.length <= width) line = `${line} ${rest}`;
    else {
      lines.push(line);
      line = rest;
    }
  }
  if (line !== '' || lines.length === 0) lines.push(line);
  return lines;
}

const cellText = (cell: Cell) => (cell ?? '-').toString().replace(/\s*\n\s*/g, ' ⏎ ');

/**
 * formatTable within TABLE_WIDTH columns: the last column (the free text: rule, detail) wraps onto continuation lines
 * under itself; when the other columns leave it too little room, it goes on lines of its own under each row. Nothing
 * is cut: every cell is there once. `wide` prints formatTable's one line per row.
 */
export function fitTable(
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  options: { readonly wide?: boolean; readonly width?: number } = {},
): string {
  const width = options.width ?? TABLE_WIDTH;
  const full = formatTable(headers, rows);
  if (options.wide === true || full.split('\n').every((line) => line.length <= width)) return full;
  const last = headers.length - 1;
  const leading = [
    headers.slice(0, last).map((header) => header.toUpperCase()),
    ...rows.map((row) => row.slice(0, last)),
  ].map((row) => row.map(cellText));
  const widths = headers.slice(0, last).map((_, column) => Math.max(...leading.map((row) => row[column]?.length ?? 0)));
  const indent = widths.reduce((sum, columnWidth) => sum + columnWidth + GAP, 0);
  const pad = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ');
  const lines: string[] = [];
  const table = [headers, ...rows];
  const sideBySide = width - indent >= MIN_WRAPPED_COLUMN;
  table.forEach((row, index) => {
    const head = pad(leading[index] ?? []);
    const text = cellText(index === 0 ? (headers[last] ?? '').toUpperCase() : row[last]);
    if (sideBySide) {
      const [first = '', ...more] = wrapText(text, width - indent);
      lines.push(`${head}  ${first}`.trimEnd());
      for (const line of more) lines.push(`${' '.repeat(indent)}${line}`);
    } else {
      lines.push(index === 0 ? `${head}  ${text}`.trimEnd() : head.trimEnd());
      if (index > 0) for (const line of wrapText(text, width - 4)) lines.push(`    ${line}`);
    }
  });
  return `${lines.join('\n')}\n`;
}
