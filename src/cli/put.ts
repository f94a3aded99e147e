// `quiver put TABLE FILE...`: uploads files as one DoPut, so they commit as one new version
// (all of them or none).
import type { RecordBatch, Schema } from 'apache-arrow';
import { compareSchemas } from 'apache-arrow/visitor/typecomparator';
import { command, UsageError } from './command.ts';
import { withClient } from './connection.ts';
import { bytes, count, rate, seconds } from './format.ts';
import type { InputFile } from './inputs/input-file.ts';
import { openInput } from './inputs/open-input.ts';
import { ProgressBar } from './progress.ts';

const MODES = ['append', 'overwrite', 'create'];

export const put = command({
  name: 'put',
  synopsis: 'TABLE FILE... [options]',
  description: [
    'Uploads .parquet, .arrow/.feather (Arrow IPC file), .arrows (Arrow IPC stream) and .csv files',
    'into TABLE as one new version: every file or none. Files are streamed, never read whole.',
    'All files must have the same schema. Shows a progress bar on a terminal and prints a',
    'one-line summary.',
  ].join('\n'),
  positionals: [2, Infinity],
  options: {
    mode: { type: 'string', value: 'MODE', help: 'append (default: creates the table if needed), overwrite, or create (fails if it exists)' },
    'infer-rows': { type: 'string', value: 'N', help: 'CSV: rows used to infer column types (default 1000)' },
    delimiter: { type: 'string', value: 'CHAR', help: 'CSV: field delimiter (default ,)' },
  },
  async run({ values, positionals }) {
    const [table, ...files] = positionals as [string, ...string[]];
    const mode = (values.mode as string | undefined) ?? 'append';
    if (!MODES.includes(mode)) throw new UsageError(`--mode must be one of ${MODES.join(', ')}, got ${JSON.stringify(mode)}`);
    const inferRows = Number(values['infer-rows'] ?? 1000);
    if (!Number.isSafeInteger(inferRows) || inferRows < 1) throw new UsageError(`--infer-rows must be a positive integer, got ${JSON.stringify(values['infer-rows'])}`);
    const delimiter = (values.delimiter as string | undefined) ?? ',';
    if (delimiter.length !== 1) throw new UsageError('--delimiter must be one character');

    const inputs: InputFile[] = [];
    for (const f of files) inputs.push(await openInput(f, { inferRows, delimiter }));
    const schema = await commonSchema(inputs);
    const totalSize = inputs.reduce((n, i) => n + i.sizeBytes, 0);
    const fraction = () => (totalSize > 0 ? inputs.reduce((n, i) => n + i.sizeBytes * i.progress(), 0) / totalSize : 1);
    const bar = new ProgressBar(process.stderr, Boolean(process.stderr.isTTY));
    const started = Date.now();

    const outcome = await withClient(values, (client) => {
      const controller = new AbortController();
      const onSignal = () => controller.abort(new Error('interrupted'));
      process.once('SIGINT', onSignal);
      return client.doPut({ type: 'CMD', cmd: Buffer.from(JSON.stringify({ table, mode })) }, allBatches(inputs), {
        schema,
        signal: controller.signal,
        onProgress: (p) => bar.update(fraction(), p.rows, p.bytes),
      }).finally(() => {
        process.off('SIGINT', onSignal);
        bar.clear();
      });
    });
    const ms = Date.now() - started;
    const commit = parseCommit(outcome.trailers.get('quiver-commit')[0] ?? outcome.commit);
    const version = commit ? `; version ${commit.version} (${commit.operation}), table now ${count(commit.rows)} rows` : '';
    console.log(`put ${table}: ${files.length} file${files.length === 1 ? '' : 's'}, ${count(outcome.rows)} rows, ${bytes(outcome.bytes)} in ${seconds(ms)} (${rate(outcome.bytes, ms)})${version}`);
  },
});

async function commonSchema(inputs: InputFile[]): Promise<Schema> {
  const first = await inputs[0]!.schema();
  for (const input of inputs.slice(1)) {
    const s = await input.schema();
    if (!compareSchemas(first, s)) {
      throw new Error(`${input.path} has columns {${describe(s)}}, but ${inputs[0]!.path} has {${describe(first)}}; files put together must have the same schema (put them one at a time to append with different files)`);
    }
  }
  return first;
}

const describe = (s: Schema) => s.fields.map((f) => `${f.name}: ${f.type}`).join(', ');

async function* allBatches(inputs: InputFile[]): AsyncGenerator<RecordBatch> {
  for (const input of inputs) yield* input.batches();
}

/** What the server committed: quiver sends it as JSON in the `quiver-commit` trailer. */
function parseCommit(json: string | Uint8Array | null): { version: number; rows: number; operation: string } | null {
  if (!json) return null;
  try {
    const c = JSON.parse(typeof json === 'string' ? json : Buffer.from(json).toString('utf8')) as { version?: unknown; rows?: unknown; operation?: unknown };
    return typeof c.version === 'number' && typeof c.rows === 'number' ? { version: c.version, rows: c.rows, operation: String(c.operation) } : null;
  } catch {
    return null;
  }
}
