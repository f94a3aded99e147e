// The local coordinator's files on the data root, per table directory (named by tableDirName):
//
//   table.json                 {name}: the table's real name, written once when it is created
//   <version, 20 digits>.json  log entry {version, manifest, catalog?}, each created exclusively
//
// Read back through the decoders in stored-records.ts: a file that does not decode is damaged
// (DATA_LOSS naming the file), never an INTERNAL error.
import fs from 'node:fs/promises';
import path from 'node:path';
import { isNotFound } from '../../durable-files.ts';
import type { LogEntry } from '../coordinator.ts';
import { damaged, decodeLogEntry, storedObject } from '../stored-records.ts';

const ENTRY = /^(\d{20})\.json$/;
export const TABLE_FILE = 'table.json';

export const entryFileName = (version: number) => `${String(version).padStart(20, '0')}.json`;

/** The versions a table directory's listing holds, oldest first. */
export const entryVersions = (names: string[]): number[] =>
  names.map((n) => ENTRY.exec(n)?.[1]).filter((v): v is string => v !== undefined).map(Number).sort((a, b) => a - b);

export const encodeLogEntry = (entry: LogEntry): string => JSON.stringify(entry);

export const encodeTableName = (name: string): string => JSON.stringify({ name });

/** Log entry `version` from its file, or null when the file does not exist. */
export async function readEntryFile(file: string, version: number): Promise<LogEntry | null> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  return decodeLogEntry(bytes, file, version);
}

export function decodeTableName(bytes: Uint8Array, file: string): string {
  const o = storedObject(bytes, 'the table name record', file);
  if (typeof o.name !== 'string' || o.name === '') throw damaged('the table name record', file, 'it names no table');
  return o.name;
}

/** The table name recorded in a table directory, or null when it has none. */
export async function readTableName(dir: string): Promise<string | null> {
  const file = path.join(dir, TABLE_FILE);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
  return decodeTableName(bytes, file);
}
