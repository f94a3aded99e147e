// What every quiver client command shares: option parsing, --help, and the exit codes scripts
// rely on (0 success, 1 server or data error, 2 usage error), with errors that say what to do.
import { parseArgs } from 'node:util';
import { FlightError, GrpcStatus } from '../client/index.ts';
import { CONNECTION_HELP, CONNECTION_OPTIONS } from './connection.ts';
import { EXIT_CODES_HELP, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, optionHelp, type OptionSpec, type ParsedArgs } from './usage.ts';

export { UsageError, type ParsedArgs } from './usage.ts';

export interface CommandSpec {
  name: string;
  /** Arguments after the command name, e.g. "TABLE FILE...". */
  synopsis: string;
  description: string;
  options: Record<string, OptionSpec>;
  /** Positional argument count range. */
  positionals: [min: number, max: number];
  run(args: ParsedArgs): Promise<void>;
}

export function helpText(spec: CommandSpec): string {
  return [
    `Usage: quiver ${spec.name} ${spec.synopsis}`.trimEnd(),
    '',
    spec.description,
    '',
    ...(Object.keys(spec.options).length > 0 ? ['Options:', ...optionHelp(spec.options), ''] : []),
    'Connection (every client command):',
    ...CONNECTION_HELP,
    `  ${'-h, --help'.padEnd(26)} show this help`,
    '',
    EXIT_CODES_HELP,
  ].join('\n');
}

export function command(spec: CommandSpec): (argv: string[]) => Promise<number> {
  return async (argv) => {
    let args: ParsedArgs;
    try {
      args = parse(spec, argv);
    } catch (e) {
      return usageFailure(spec, e);
    }
    if (args.values.help) {
      console.log(helpText(spec));
      return EXIT_OK;
    }
    try {
      await spec.run(args);
      return EXIT_OK;
    } catch (e) {
      if (e instanceof UsageError) return usageFailure(spec, e);
      console.error(`quiver ${spec.name}: ${describeFailure(e, args)}`);
      return EXIT_FAILURE;
    }
  };
}

function parse(spec: CommandSpec, argv: string[]): ParsedArgs {
  const options = { ...CONNECTION_OPTIONS, ...spec.options, help: { type: 'boolean' as const, short: 'h', help: '' } };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: argv,
      options: Object.fromEntries(Object.entries(options).map(([k, o]) => [k, { type: o.type, ...(o.short ? { short: o.short } : {}) }])),
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const args = { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
  if (args.values.help) return args;
  const [min, max] = spec.positionals;
  if (args.positionals.length < min) throw new UsageError(`missing arguments: quiver ${spec.name} ${spec.synopsis}`);
  if (args.positionals.length > max) throw new UsageError(`unexpected argument ${JSON.stringify(args.positionals[max])}`);
  return args;
}

function usageFailure(spec: CommandSpec, e: unknown): number {
  console.error(`quiver ${spec.name}: ${(e as Error).message}\nRun \`quiver ${spec.name} --help\` for usage.`);
  return EXIT_USAGE;
}

const HINTS: Partial<Record<GrpcStatus, (server: string) => string>> = {
  [GrpcStatus.UNAVAILABLE]: (server) => `cannot reach ${server}: start a server with \`quiver serve\`, or point --server (or QUIVER_SERVER) at a running one`,
  [GrpcStatus.UNAUTHENTICATED]: () => 'pass --user and --password (or QUIVER_USER and QUIVER_PASSWORD), or --token',
  [GrpcStatus.PERMISSION_DENIED]: () => 'these credentials may not do this; ask the server\'s operator for access',
  [GrpcStatus.NOT_FOUND]: () => '`quiver ls` lists the tables, `quiver history TABLE` the versions of one',
  [GrpcStatus.ALREADY_EXISTS]: () => 'use --mode append or --mode overwrite, or `quiver drop` the table first',
  [GrpcStatus.ABORTED]: () => 'nothing was changed; run the command again',
  [GrpcStatus.DEADLINE_EXCEEDED]: () => 'the server did not answer in time; run the command again',
};

function describeFailure(e: unknown, args: ParsedArgs): string {
  if (!(e instanceof FlightError)) return e instanceof Error ? e.message : String(e);
  const hint = HINTS[e.code]?.(String(args.values.server ?? process.env.QUIVER_SERVER ?? 'the server'));
  return `${e.details} (${e.codeName})${hint ? `\nhint: ${hint}` : ''}`;
}
