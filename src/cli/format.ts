// Numbers and tables for people: thousands separators, SI byte units (1 MB = 10^6 bytes, as
// the benchmark reports them), and aligned text columns.

export const count = (n: number) => n.toLocaleString('en-US');

export function bytes(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let v = n;
  let u = -1;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : v < 100 ? 1 : 0)} ${units[u]}`;
}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;

export const rate = (n: number, ms: number) => `${bytes(ms > 0 ? (n * 1000) / ms : 0)}/s`;

/** Rows of cells as aligned columns; numeric columns (per `right`) are right-aligned. */
export function columns(header: string[], rows: string[][], right: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The table name a PATH descriptor stands for. */
export const tableName = (path: string[]) => path.join('/');
