// How pnpm bench and pnpm bench:load print what they measured.

/** Right-aligned columns for the terminal, and the same rows as a Markdown table for BENCHMARKS.md. */
export function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((row) => row.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: string[]) =>
    `| ${row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join(' | ')} |`;
  return [
    line(header),
    `| ${widths.map((w, i) => (i === 0 ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`)).join(' | ')} |`,
    ...cells.slice(1).map(line),
  ].join('\n');
}

export const mib = (bytes: number) => (bytes / 1024 ** 2).toFixed(1);
export const ms = (value: number) => value.toFixed(value < 10 ? 2 : 1);
