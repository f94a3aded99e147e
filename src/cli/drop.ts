// `quiver drop TABLE`: removes a table and all its versions.
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
      for await (const _ of client.doAction('drop', JSON.stringify({ table }))) void _;
    });
    console.log(`dropped ${table}`);
  },
});
