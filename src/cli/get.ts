// `quiver get TABLE`: downloads a table (or a version, or some columns) to a file, to stdout,
// or, on a terminal with no -o, shows its first rows. With --follow it keeps going: the rows of
// every later commit, as CSV on stdout or appended to an Arrow stream file, until interrupted.
import type { RecordBatch } from 'apache-arrow';
import type { DescriptorInput } from '../client/index.ts';
import { command, UsageError } from './command.ts';
import { withClient } from './connection.ts';
import { count } from './format.ts';
import { openOutput } from './outputs/open-output.ts';
import { outputFormat, type OutputSink } from './outputs/output-file.ts';
import { previewTable } from './table-preview.ts';
import { openAppendedStream } from './outputs/appended-stream.ts';
import { csvSink } from './outputs/csv-output.ts';
import { openByteOutput } from './outputs/byte-output.ts';
import type { FlightClient } from '../client/index.ts';

export const get = command({
  name: 'get',
  synopsis: 'TABLE [options]',
  description: [
    'Downloads TABLE. With -o, writes a file whose extension picks the format: .parquet,',
    '.arrow/.feather (Arrow IPC file), .arrows (Arrow IPC stream) or .csv. Without -o, shows the',
    'first rows on a terminal, and writes CSV (or --format) to stdout otherwise.',
    'With --follow, prints the rows of each new commit as CSV as it is acknowledged (one line per',
    'version on stderr), or appends them to the Arrow stream file -o FILE.arrows, until',
    'interrupted (Ctrl-C); --from-version N starts with version N instead of the next commit.',
    'An overwrite sends the whole new version (stderr says so); docs/follow.md has the details.',
  ].join('\n'),
  positionals: [1, 1],
  options: {
    version: { type: 'string', value: 'N', help: 'read this version instead of the current one (see quiver history)' },
    columns: { type: 'string', value: 'A,B', help: 'only these columns' },
    output: { type: 'string', short: 'o', value: 'FILE', help: 'write to FILE (- for stdout)' },
    format: { type: 'string', value: 'FORMAT', help: 'parquet, arrow, arrows or csv, whatever FILE is named' },
    limit: { type: 'string', value: 'N', help: 'rows shown by the terminal preview (default 20)' },
    follow: { type: 'boolean', help: 'keep following the table\'s commits until interrupted' },
    'from-version': { type: 'string', value: 'N', help: 'with --follow: start with version N (default: the next commit)' },
  },
  async run({ values, positionals }) {
    const table = positionals[0]!;
    if (values.follow) return follow(values, table);
    if (values['from-version'] !== undefined) throw new UsageError('--from-version goes with --follow (for one version, use --version)');
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

/** `get --follow`: every commit's rows from --from-version (or the next commit) on, until SIGINT/SIGTERM. */
async function follow(values: Record<string, unknown>, table: string): Promise<void> {
  if (values.version !== undefined) throw new UsageError('--version and --follow do not go together: use --from-version N to start the follow at version N');
  const target = values.output as string | undefined;
  const file = target !== undefined && target !== '-' ? target : null;
  if (file && outputFormat(file, values.format as string | undefined) !== 'arrows') throw new UsageError('--follow appends to an Arrow stream file: name it .arrows (or write CSV to stdout without -o)');
  if (!file && values.format !== undefined && values.format !== 'csv') throw new UsageError('--follow writes CSV to stdout; to keep Arrow data, append to a file with -o FILE.arrows');
  let fromVersion: number | undefined;
  if (values['from-version'] !== undefined) {
    fromVersion = Number(values['from-version']);
    if (!Number.isSafeInteger(fromVersion) || fromVersion < 1) throw new UsageError(`--from-version must be a positive integer, got ${JSON.stringify(values['from-version'])}`);
  }
  const columns = values.columns === undefined ? undefined : String(values.columns).split(',').map((c) => c.trim()).filter((c) => c.length > 0);
  const controller = new AbortController();
  const stop = () => controller.abort(new Error('interrupted'));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    await withClient(values as Parameters<typeof withClient>[0], (client: FlightClient) => followInto(client, table, file, { fromVersion, columns, signal: controller.signal }));
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

async function followInto(client: FlightClient, table: string, file: string | null, options: { fromVersion?: number; columns?: string[]; signal: AbortSignal }): Promise<void> {
  let sink: { write(b: RecordBatch): Promise<void>; end(): Promise<void> } | null = null;
  let schemaText = '';
  let rows = 0;
  try {
    for await (const item of client.follow(table, { ...options, ...(options.columns && options.columns.length > 0 ? { columns: options.columns } : {}) })) {
      if (!item.batch) {
        const what = item.operation === 'overwrite' ? 'overwrite: the table was replaced, its new rows follow' : item.operation === 'compact' ? 'compaction: no rows changed' : item.operation;
        console.error(`version ${item.version} (${what}; ${count(item.rows)} rows; committed ${item.committedAt})`);
        continue;
      }
      const text = item.batch.schema.fields.map((f) => `${f.name}:${f.type}`).join(',');
      if (sink && text !== schemaText) {
        // An overwrite replaced the schema: a CSV gets a new header; a stream file cannot change schema.
        if (file) throw new Error(`version ${item.version} replaced the table's schema; ${file} holds the versions before it. Follow into a new file with --from-version ${item.version}`);
        await sink.end();
        sink = null;
      }
      schemaText = text;
      if (!sink) {
        if (file) sink = await openAppendedStream(file, item.batch.schema);
        else {
          const csv = csvSink(openByteOutput(null), item.batch.schema);
          sink = { write: (b) => csv.write(b), end: () => csv.finish() };
        }
      }
      await sink.write(item.batch);
      rows += item.batch.numRows;
    }
  } catch (e) {
    if (!options.signal.aborted) throw e;
  } finally {
    await sink?.end();
  }
  if (file) console.error(`appended ${count(rows)} rows to ${file}`);
}
