// `quiver ls [PREFIX]`: the tables a server has.
import { command } from './command.ts';
import { withClient } from './connection.ts';
import { bytes, columns, count, tableName } from './format.ts';

export const ls = command({
  name: 'ls',
  synopsis: '[PREFIX] [options]',
  description: 'Lists the tables on the server (those whose names start with PREFIX), with rows and size.',
  positionals: [0, 1],
  options: {
    json: { type: 'boolean', help: 'one JSON object per table: {"table", "rows", "bytes", "endpoints"}' },
  },
  async run({ values, positionals }) {
    const rows = await withClient(values, async (client) => {
      const out: { table: string; rows: number; bytes: number; endpoints: number }[] = [];
      for await (const info of client.listFlights(positionals[0] ?? '')) {
        const d = info.descriptor;
        const table = d?.type === 'PATH' ? tableName(d.path) : d ? Buffer.from(d.cmd).toString('utf8') : '?';
        out.push({ table, rows: info.totalRecords, bytes: info.totalBytes, endpoints: info.endpoints.length });
      }
      return out;
    });
    if (values.json) {
      for (const r of rows) console.log(JSON.stringify(r));
      return;
    }
    if (rows.length === 0) {
      console.log(positionals[0] ? `no tables start with ${JSON.stringify(positionals[0])}` : 'no tables yet; `quiver put TABLE FILE` creates one');
      return;
    }
    const known = (n: number, f: (n: number) => string) => (n >= 0 ? f(n) : '?');
    console.log(columns(['TABLE', 'ROWS', 'SIZE'], rows.map((r) => [r.table, known(r.rows, count), known(r.bytes, bytes)]), [false, true, true]));
  },
});
