/** Formats rows as a compact table with aligned columns; cells are trimmed to one line. */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string {
  const cells = [headers, ...rows].map((row) =>
    row.map((cell) => (cell ?? '-').toString().replace(/\s*\n\s*/g, ' ⏎ ')),
  );
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return `${cells
    .map((row) =>
      row
        .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
