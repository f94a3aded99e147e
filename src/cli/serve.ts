// `quiver serve`: runs the server until SIGTERM or SIGINT, then drains and exits 0.
import { helpText, resolveConfig } from '../server/config.ts';
import { stderrLogger } from '../server/logger.ts';
import { QuiverServer } from '../server/server.ts';

export async function serve(argv: string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(helpText());
    return 0;
  }
  const config = resolveConfig(argv);
  const log = stderrLogger(config.logLevel, config.logFormat);
  const server = await QuiverServer.start(config, log);
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info('shutting down', { signal });
      server.shutdown(config.shutdownGraceMs).then(() => resolve(0), (e) => {
        log.error('shutdown failed', e);
        resolve(1);
      });
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  // The first stdout line is the contract Arrow's integration runner (and our tests) read. It is
  // written after the signal handlers are in place: a runner may send SIGTERM as soon as it reads it.
  process.stdout.write(`Server listening on localhost:${server.port}\n`);
  return stopped;
}
