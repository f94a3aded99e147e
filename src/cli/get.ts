// `quiver get TABLE`: downloads a table (or a version, or some columns) to a file, to stdout,
// or, on a terminal with no -o, shows its first rows.
import type { RecordBatch } from 'apache-arrow';
import type { DescriptorInput } from '../client/index.ts';
import { command, UsageError } from './command.ts';
import { withClient } from './connection.ts';
import { count } from './format.ts';
import { openOutput } from './outputs/open-output.ts';
import { outputFormat, type OutputSink } from './outputs/output-file.ts';
import { previewTable } from './table-preview.ts';

export const get = command({
  name: 'get',
  synopsis: 'TABLE [options]',
  description: [
    'Downloads TABLE. With -o, writes a file whose extension picks the format: .parquet,',
    '.arrow/.feather (Arrow IPC file), .arrows (Arrow IPC stream) or .csv. Without -o, shows the',
    'first rows on a terminal, and writes CSV (or --format) to stdout otherwise.',
  ].join('\n'),
  positionals: [1, 1],
  options: {
    version: { type: 'string', value: 'N', help: 'read this version instead of the current one (see quiver history)' },
    columns: { type: 'string', value: 'A,B', help: 'only these columns' },
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE (- for stdout)' },
    format: { type: 'string', value: 'FORMAT', help: 'parquet, arrow, arrows or csv, whatever FILE is named' },
    limit: { type: 'string', value: 'N', help: 'rows shown by the terminal preview (default 20)' },
  },
  async run({ values, positionals }) {
    const table = positionals[0]!;
    const descriptor = readDescriptor(table, values.version as string | undefined, values.columns as string | undefined);
    const target = values.output as string | undefined;
    const limit = Number(values.limit ?? 20);
    if (!Number.isSafeInteger(limit) || limit < 0) throw new UsageError(`--limit must be a non-negative integer, got ${JSON.stringify(values.limit)}`);
    const preview = target === undefined && values.format === undefined && Boolean(process.stdout.isTTY);
    const format = target === undefined || target === '-' ? outputFormat('-.csv', values.format as string | undefined) : outputFormat(target, values.format as string | undefined);

    await withClient(values, async (client) => {
      const info = await client.getFlightInfo(descriptor);
      if (preview) {
        const batches: RecordBatch[] = [];
        let rows = 0;
        // Stops reading (cancelling the stream) once the preview is full.
        for await (const item of client.readBatches(info)) {
          if (!item.batch) continue;
          batches.push(item.batch);
          rows += item.batch.numRows;
          if (rows >= limit) break;
        }
        const schema = info.schema ?? batches[0]?.schema;
        if (!schema) throw new Error(`${table} has no schema`);
        console.log(previewTable(schema, batches, limit));
        const total = info.totalRecords >= 0 ? info.totalRecords : rows;
        console.log(`(${count(Math.min(limit, total))} of ${count(total)} rows; -o FILE saves them all)`);
        return;
      }
      let sink: OutputSink | null = null;
      let written = 0;
      try {
        for await (const item of client.readBatches(info)) {
          if (!item.batch) continue;
          written += item.batch.numRows;
          sink ??= await openOutput(target === undefined || target === '-' ? null : target, format, info.schema ?? item.batch.schema);
          await sink.write(item.batch);
        }
        if (!sink) {
          if (!info.schema) throw new Error(`${table} returned no schema and no rows`);
          sink = await openOutput(target === undefined || target === '-' ? null : target, format, info.schema);
        }
        await sink.finish();
      } catch (e) {
        await sink?.abort();
        throw e;
      }
      if (target !== undefined && target !== '-') console.error(`wrote ${count(written)} rows to ${target}`);
    });
  },
});

/** A PATH descriptor for the current version; quiver's CMD JSON for a version or projection. */
function readDescriptor(table: string, version?: string, columns?: string): DescriptorInput {
  if (version === undefined && columns === undefined) return table;
  const cmd: { table: string; version?: number; columns?: string[] } = { table };
  if (version !== undefined) {
    const v = Number(version);
    if (!Number.isSafeInteger(v) || v < 1) throw new UsageError(`--version must be a positive integer, got ${JSON.stringify(version)}`);
    cmd.version = v;
  }
  if (columns !== undefined) {
    const names = columns.split(',').map((c) => c.trim()).filter((c) => c.length > 0);
    if (names.length === 0) throw new UsageError('--columns needs at least one column name, e.g. --columns id,name');
    cmd.columns = names;
  }
  return { type: 'CMD', cmd: Buffer.from(JSON.stringify(cmd)) };
}
