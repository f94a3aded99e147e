// `quiver history TABLE`: the retained versions of a table.
import { command } from './command.ts';
import { withClient } from './connection.ts';
import { bytes, columns, count } from './format.ts';
import { tableHistory } from './table-history.ts';

export const history = command({
  name: 'history',
  synopsis: 'TABLE [options]',
  description: 'Lists the retained versions of TABLE, oldest first. `quiver get TABLE --version N` reads one.',
  positionals: [1, 1],
  options: {
    json: { type: 'boolean', help: 'one JSON object per version, as the server\'s history action returns it' },
  },
  async run({ values, positionals }) {
    const versions = await withClient(values, (client) => tableHistory(client, positionals[0]!));
    if (values.json) {
      for (const v of versions) console.log(JSON.stringify(v));
      return;
    }
    console.log(columns(
      ['VERSION', 'OPERATION', 'COMMITTED', 'ROWS', 'ADDED', 'FILES', 'SIZE'],
      versions.map((v) => [String(v.version), v.operation, v.committed_at, count(v.rows), count(v.added_rows), String(v.files), bytes(v.bytes)]),
      [true, false, false, true, true, true, true],
    ));
  },
});
