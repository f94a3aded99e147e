// Logs go to stderr, one line each, so stdout stays free for the "Server listening" line that
// test runners read. The default format is one JSON object per line (what log shippers parse):
//   {"time":"2026-12-01T20:00:00.000Z","level":"info","msg":"GetFlightInfo failed","code":"NOT_FOUND","requestId":"…",…}
// time, level and msg come first and cannot be overridden by fields; an error becomes
// {"error":{"name","message","code"?,"stack"}}. `--log-format text` prints the older
// "TIME LEVEL message {fields}" lines for people at a terminal.
//
// pino was considered: its strength is throughput (asynchronous, buffered writes), which a
// server that logs lifecycle events and failed calls does not need, and synchronous writes keep
// the last lines before a crash. So: our own twenty lines, no dependency.
import type { Logger } from '../flight/context.ts';

/** The least severe level that is logged; `silent` logs nothing. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
/** How log lines look: one JSON object a line (the default), or the older `time LEVEL message {fields}` text. */
export type LogFormat = 'json' | 'text';
const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const CORE = new Set(['time', 'level', 'msg']);

function errorFields(e: unknown): Record<string, unknown> {
  if (!(e instanceof Error)) return { message: String(e) };
  const code = (e as { code?: unknown }).code;
  return { name: e.name, message: e.message, ...(code !== undefined ? { code } : {}), stack: e.stack };
}

/** JSON.stringify that survives what log fields may hold (bigints, errors, cycles). */
function stringify(value: unknown): string {
  const seen = new WeakSet<object>();
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Error) return errorFields(v);
    if (typeof v === 'object' && v !== null) {
      if (seen.has(v)) return '[cycle]';
      seen.add(v);
    }
    return v;
  });
}

export function formatLine(format: LogFormat, level: LogLevel, message: string, fields: Record<string, unknown> = {}, error?: unknown, now = new Date()): string {
  if (format === 'text') {
    const msg = error === undefined ? message : `${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    const extra = Object.keys(fields).length > 0 ? ' ' + stringify(fields) : '';
    return `${now.toISOString()} ${level.toUpperCase()} ${msg}${extra}\n`;
  }
  const line: Record<string, unknown> = { time: now.toISOString(), level, msg: message };
  for (const [k, v] of Object.entries(fields)) line[CORE.has(k) ? `field_${k}` : k] = v;
  if (error !== undefined) line.error = errorFields(error);
  return `${stringify(line)}\n`;
}

export function stderrLogger(level: LogLevel = 'info', format: LogFormat = 'json'): Logger {
  const min = ORDER.indexOf(level);
  const write = (lvl: LogLevel, message: string, fields?: Record<string, unknown>, error?: unknown) => {
    if (ORDER.indexOf(lvl) < min) return;
    process.stderr.write(formatLine(format, lvl, message, fields, error));
  };
  return {
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, e, f) => write('error', m, f, e),
  };
}
