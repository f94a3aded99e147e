// The quiver command line.
import { EXIT_CODES_HELP } from './usage.ts';

const USAGE = `Usage: quiver <command> [options]

Commands:
  serve     run a Flight server on a data directory
  put       upload .parquet, .arrow/.feather, .arrows or .csv files into a table
  get       download a table (or a version, or some columns) to a file, or show its first rows
  ls        list tables
  info      show a table's schema, version, rows, size, files and storage format
  history   list a table's versions
  drop      drop a table and all its versions
  cluster   show the server's cluster (leader, members, session, settings); cluster config [set K=V]
  maintain  expire old versions, compact small files, delete orphaned files (on the leader)
  users     add, remove or list the users of a users file (--users-file of serve)

Client commands talk to --server (env QUIVER_SERVER; default grpc+tcp://localhost:8815).
Every command takes --help.
${EXIT_CODES_HELP}`;

type Command = (argv: string[]) => Promise<number>;

// Loaded on demand: a client command need not load the server, and `ls` need not load Parquet.
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.ts')).serve,
  put: async () => (await import('./put.ts')).put,
  get: async () => (await import('./get.ts')).get,
  ls: async () => (await import('./ls.ts')).ls,
  info: async () => (await import('./info.ts')).info,
  history: async () => (await import('./history.ts')).history,
  drop: async () => (await import('./drop.ts')).drop,
  cluster: async () => (await import('./cluster.ts')).cluster,
  maintain: async () => (await import('./maintain.ts')).maintain,
  users: async () => (await import('./users.ts')).users,
};

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const load = COMMANDS[command];
  if (!load) {
    console.error(`quiver: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await (await load())(rest);
  } catch (e) {
    console.error(`quiver ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
