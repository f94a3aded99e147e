// `quiver drop TABLE`: removes a table and all its versions.
import { AdminClient } from '../client/index.ts';
import { command } from './command.ts';
import { withClient } from './connection.ts';

export const drop = command({
  name: 'drop',
  synopsis: 'TABLE [options]',
  description: 'Drops TABLE and all its versions. Readers holding its tickets get NOT_FOUND afterwards.',
  positionals: [1, 1],
  options: {},
  async run({ values, positionals }) {
    const table = positionals[0]!;
    await withClient(values, async (client) => {
      await new AdminClient(client).drop(table);
    });
    console.log(`dropped ${table}`);
  },
});
