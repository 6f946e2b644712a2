/**
 * Formats rows as a compact table with aligned columns; cells are trimmed to one line. Every table of the CLI and the
 * lab has the same header style, set here: upper case, like the AWS CLI's and kubectl's text output.
 */
export function formatTable(
  headers: readonly string[],
  rows: readonly (readonly (string | number | null | undefined)[])[],
): string {
  const cells = [headers.map((header) => header.toUpperCase()), ...rows].map((row) =>
    row.map((cell) => (cell ?? '-').toString().replace(/\s*\n\s*/g, ' ⏎ ')),
  );
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
  return `${cells
    .map((row) =>
      // The last cell's padding goes with trimEnd.
      row
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n')}\n`;
}
