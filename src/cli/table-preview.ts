// The first rows of a result as an aligned text table, for `quiver get` on a terminal.
import type { RecordBatch, Schema } from 'apache-arrow';
import { cellText } from './cell-text.ts';
import { columns } from './format.ts';

const MAX_CELL = 40;

const clip = (s: string) => {
  const oneLine = s.replace(/[\r\n\t]/g, ' ');
  return oneLine.length > MAX_CELL ? `${oneLine.slice(0, MAX_CELL - 1)}…` : oneLine;
};

export function previewTable(schema: Schema, batches: RecordBatch[], limit: number): string {
  const rows: string[][] = [];
  for (const batch of batches) {
    const cols = schema.fields.map((_, c) => batch.getChildAt(c)!);
    for (let r = 0; r < batch.numRows && rows.length < limit; r++) {
      rows.push(schema.fields.map((f, c) => {
        const v = cols[c]!.get(r);
        return v === null || v === undefined ? 'null' : clip(cellText(f, v));
      }));
    }
  }
  const header = schema.fields.map((f) => f.name);
  const types = schema.fields.map((f) => clip(String(f.type)));
  const numeric = schema.fields.map((f) => /^(Int|Uint|Float)/.test(String(f.type)));
  const body = columns(header, [types, ...rows], numeric);
  const lines = body.split('\n');
  const width = Math.max(...lines.map((l) => l.length));
  return [lines[0], lines[1], '-'.repeat(width), ...lines.slice(2)].join('\n');
}
