// `quiver info TABLE`: what a table is: schema, current version, rows, size, files, storage.
import { command } from './command.ts';
import { withClient } from './connection.ts';
import { bytes, count } from './format.ts';
import { tableHistory } from './table-history.ts';

export const info = command({
  name: 'info',
  synopsis: 'TABLE [options]',
  description: 'Shows TABLE\'s schema, current version, retained versions, rows, size, data files and storage format.',
  positionals: [1, 1],
  options: {
    json: { type: 'boolean', help: 'one JSON object instead of text' },
  },
  async run({ values, positionals }) {
    const table = positionals[0]!;
    const { flight, versions } = await withClient(values, async (client) => ({
      flight: await client.getFlightInfo(table),
      versions: await tableHistory(client, table),
    }));
    const current = versions.at(-1);
    const fields = (flight.schema?.fields ?? []).map((f) => ({ name: f.name, type: String(f.type), nullable: f.nullable }));
    const summary = {
      table,
      version: current?.version ?? null,
      versions: versions.map((v) => v.version),
      rows: flight.totalRecords,
      bytes: flight.totalBytes,
      files: current?.files ?? null,
      formats: current?.formats ?? [],
      // Landed by DoPut as Arrow IPC, not yet converted to Parquet (the format of record).
      landed_files: current?.landed_files ?? 0,
      landed_bytes: current?.landed_bytes ?? 0,
      endpoints: flight.endpoints.length,
      locations: [...new Set(flight.endpoints.flatMap((e) => e.locations))],
      schema: fields,
    };
    if (values.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    const retained = versions.length > 1 ? ` (${versions.length} retained: ${versions[0]!.version}..${current!.version})` : '';
    const lines = [
      ['table', table],
      ['version', current ? `${current.version}${retained}, committed ${current.committed_at}` : '?'],
      ['rows', count(flight.totalRecords)],
      ['size', `${bytes(flight.totalBytes)} of Arrow data`],
      ['files', current ? String(current.files) : '?'],
      ['storage', summary.formats.length > 0 ? summary.formats.join(', ') : '?'],
      ['landed', summary.landed_files > 0 ? `${summary.landed_files} of ${current!.files} files (${bytes(summary.landed_bytes)} on disk) still Arrow IPC, to be converted to Parquet` : 'none: every convertible file is Parquet'],
      ['endpoints', `${flight.endpoints.length}${summary.locations.length > 0 ? ` at ${summary.locations.join(', ')}` : ''}`],
    ];
    for (const [k, v] of lines) console.log(`${k!.padEnd(10)} ${v}`);
    console.log('schema');
    for (const f of fields) console.log(`  ${f.name}: ${f.type}${f.nullable ? '' : ' not null'}`);
  },
});
