// CSV (RFC 4180) written a batch at a time: a header line, then one line per row.
import type { RecordBatch, Schema } from 'apache-arrow';
import { cellText } from '../cell-text.ts';
import type { ByteOutput } from './byte-output.ts';
import type { OutputSink } from './output-file.ts';

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

export const csvField = (text: string) => (NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text);

export function csvSink(out: ByteOutput, schema: Schema): OutputSink {
  let headerWritten = false;
  const header = () => `${schema.fields.map((f) => csvField(f.name)).join(',')}\n`;
  return {
    async write(batch: RecordBatch) {
      const lines: string[] = headerWritten ? [] : [header().slice(0, -1)];
      headerWritten = true;
      const columns = schema.fields.map((_, c) => batch.getChildAt(c)!);
      for (let r = 0; r < batch.numRows; r++) {
        lines.push(schema.fields.map((f, c) => csvField(cellText(f, columns[c]!.get(r)))).join(','));
      }
      if (lines.length > 0) await out.write(Buffer.from(`${lines.join('\n')}\n`));
    },
    async finish() {
      if (!headerWritten) await out.write(Buffer.from(header()));
      await out.finish();
    },
    abort: () => out.abort(),
  };
}
