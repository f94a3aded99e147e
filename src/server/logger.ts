// Logs go to stderr, one line each, so stdout stays free for the "Server listening" line that
// test runners read.
import type { Logger } from '../flight/context.ts';

/** The least severe level that is logged; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

export function stderrLogger(level: LogLevel = 'info'): Logger {
  const min = ORDER.indexOf(level);
  const line = (lvl: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER.indexOf(lvl) < min) return;
    const extra = fields && Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
    process.stderr.write(`${new Date().toISOString()} ${lvl.toUpperCase()} ${message}${extra}\n`);
  };
  return {
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, e, f) => line('error', `${m}${e ? `: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}` : ''}`, f),
  };
}
