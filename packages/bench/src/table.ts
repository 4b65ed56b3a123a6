/** Plain-text tables for the terminal: columns padded to their widest cell, numbers right-aligned. */

export type Cell = string | number | undefined;

/** A number with `digits` decimals, '-' when absent or not finite. */
export function fmt(value: number | undefined, digits = 0): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toFixed(digits);
}

/** Ops/s with a precision that suits its magnitude (12.3, 456, 7890). */
export function fmtRate(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value < 100 ? value.toFixed(1) : value.toFixed(0);
}

/** Milliseconds: two decimals below 10 ms, one below 100, none above. */
export function fmtMs(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value.toFixed(value < 10 ? 2 : value < 100 ? 1 : 0);
}

export function renderTable(headers: string[], rows: Cell[][]): string {
  const text = rows.map((row) => row.map((cell) => (cell === undefined ? '-' : String(cell))));
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...text.map((row) => row[i]?.length ?? 0)),
  );
  const numeric = headers.map((_, i) => text.every((row) => /^[-+]?[\d.]+[x%]?$|^-$/.test(row[i] ?? '-')));
  const line = (cells: string[], isHeader = false) =>
    cells
      .map((cell, i) => (numeric[i] && !isHeader ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers, true), line(widths.map((w) => '-'.repeat(w))), ...text.map((row) => line(row))].join(
    '\n',
  );
}
