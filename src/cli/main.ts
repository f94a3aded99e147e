// The quiver command line.
import { serve } from './serve.ts';

const USAGE = `Usage: quiver <command> [options]

Commands:
  serve     run a Flight server on a data directory (quiver serve --help)

Every command takes --help.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = { serve };

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    console.error(`quiver: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
    return 2;
  }
  try {
    return await run(rest);
  } catch (e) {
    console.error(`quiver ${command}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
