// quiver's `history` action, as the CLI's history and info commands read it.
import { AdminClient, type FlightClient, type HistoryEntry } from '../client/index.ts';

export type VersionEntry = HistoryEntry;

export async function tableHistory(client: FlightClient, table: string): Promise<VersionEntry[]> {
  return new AdminClient(client).history(table);
}
