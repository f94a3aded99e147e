// The local coordinator's files on the data root, per table directory (named by tableDirName):
//
//   table.json                 {name}: the table's real name, written once when it is created
//   <version, 20 digits>.json  log entry {version, manifest, catalog?}, each published once
//   .tmp-*                     a publication a crash interrupted (durable-files.ts); ignored
//   .torn-*                    a torn file set aside (see below); kept for inspection
//
// Read back through the decoders in stored-records.ts: a file that does not decode is damaged
// (DATA_LOSS naming the file), never an INTERNAL error. Files are published complete or not at
// all, but data roots written before that (or on a disk that lost writes) can hold a torn file:
// empty, or a prefix of its JSON. Such a file is told apart from other damage (a complete record
// that says the wrong thing), because a torn file is one whose publication never finished, so
// nothing was acknowledged from it and the log may skip it.
import fs from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { isNotFound } from '../../durable-files.ts';
import { QuiverError } from '../../errors.ts';
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

/** A stored file that is empty or not (yet) a whole JSON text: what an unfinished write leaves. */
export function isTorn(bytes: Uint8Array): boolean {
  if (bytes.byteLength === 0) return true;
  try {
    JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return false;
  } catch {
    return true;
  }
}

/** What a log entry file holds: its entry, or the DATA_LOSS of a torn file. */
export type EntryFile = { entry: LogEntry } | { torn: QuiverError };

/** Log entry `version` from its file, or null when the file does not exist; complete damage throws DATA_LOSS. */
export async function readEntryFile(file: string, version: number): Promise<EntryFile | null> {
  const bytes = await readIfExists(file);
  if (bytes === null) return null;
  try {
    return { entry: decodeLogEntry(bytes, file, version) };
  } catch (e) {
    if (e instanceof QuiverError && isTorn(bytes)) return { torn: e };
    throw e;
  }
}

export function decodeTableName(bytes: Uint8Array, file: string): string {
  const o = storedObject(bytes, 'the table name record', file);
  if (typeof o.name !== 'string' || o.name === '') throw damaged('the table name record', file, 'it names no table');
  return o.name;
}

/** The table name recorded in a table directory, or null when it has none. */
export async function readTableName(dir: string): Promise<string | null> {
  const file = path.join(dir, TABLE_FILE);
  const bytes = await readIfExists(file);
  return bytes === null ? null : decodeTableName(bytes, file);
}

/**
 * Moves a damaged file out of the way under a name nothing reads (.torn-…), so that its name
 * can be published again; the caller holds the table's commit lock and fsyncs the directory.
 */
export async function setAside(file: string): Promise<string> {
  const aside = path.join(path.dirname(file), `.torn-${randomUUID()}-${path.basename(file)}`);
  await fs.rename(file, aside);
  return aside;
}

export async function readIfExists(file: string): Promise<Buffer | null> {
  try {
    return await fs.readFile(file);
  } catch (e) {
    if (isNotFound(e)) return null;
    throw e;
  }
}
