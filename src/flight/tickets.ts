// Tickets are opaque to clients but plain JSON inside, so a ticket in a log is readable.
// A ticket pins a table incarnation and version, a range of its data files and a projection;
// it stays valid for as long as that version is retained.
import { invalidArgument } from '../errors.ts';

export interface TicketContent {
  table: string;
  tableId: string;
  version: number;
  /** Data files [first, end) of the version's manifest. */
  files: [number, number];
  columns?: string[];
}

const PREFIX = 'quiver1:';

export function encodeTicket(t: TicketContent): Buffer {
  return Buffer.from(PREFIX + JSON.stringify(t), 'utf8');
}

export function decodeTicket(bytes: Uint8Array): TicketContent {
  const text = Buffer.from(bytes).toString('utf8');
  if (!text.startsWith(PREFIX)) throw invalidArgument('not a quiver ticket: DoGet takes a ticket from an endpoint of GetFlightInfo');
  let t: TicketContent;
  try {
    t = JSON.parse(text.slice(PREFIX.length)) as TicketContent;
  } catch {
    throw invalidArgument('corrupt quiver ticket: get a fresh one from GetFlightInfo');
  }
  const ok = typeof t.table === 'string' && typeof t.tableId === 'string' && Number.isSafeInteger(t.version)
    && Array.isArray(t.files) && t.files.length === 2 && t.files.every((n) => Number.isSafeInteger(n) && n >= 0) && t.files[0] <= t.files[1]
    && (t.columns === undefined || (Array.isArray(t.columns) && t.columns.every((c) => typeof c === 'string')));
  if (!ok) throw invalidArgument('corrupt quiver ticket: get a fresh one from GetFlightInfo');
  return t;
}
