// quiver's `history` action: one JSON result per retained version of a table.
import type { FlightClient } from '../client/index.ts';

export interface VersionEntry {
  version: number;
  operation: string;
  committed_at: string;
  rows: number;
  added_rows: number;
  files: number;
  /** Arrow IPC body bytes of the version's data. */
  bytes: number;
  formats?: string[];
}

export async function tableHistory(client: FlightClient, table: string): Promise<VersionEntry[]> {
  const out: VersionEntry[] = [];
  for await (const body of client.doAction('history', JSON.stringify({ table }))) out.push(JSON.parse(Buffer.from(body).toString('utf8')) as VersionEntry);
  return out;
}
