// Decoding what coordination keeps on disk or in ZooKeeper (log entries, pointers, table names,
// member and config nodes). Those bytes outlive the process that wrote them; when they do not
// parse, the record is damaged, which is DATA_LOSS naming the record and where it lives, not an
// INTERNAL "bug in the server".
import { QuiverError } from '../errors.ts';
import type { LogEntry, TableCatalog } from './coordinator.ts';

/** A stored record `what` at `where` is not what it must be. */
export function damaged(what: string, where: string, why: string, cause?: unknown): QuiverError {
  return new QuiverError('DATA_LOSS', `${what} at ${where} is damaged: ${why}`, { retriable: false, cause });
}

/** The bytes as strict UTF-8 text: a stored record is never invalid UTF-8 unless damaged. */
export function storedText(bytes: Uint8Array, what: string, where: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw damaged(what, where, 'it is not UTF-8 text', e);
  }
}

/** A JSON object, or DATA_LOSS. */
export function storedObject(bytes: Uint8Array | string, what: string, where: string): Record<string, unknown> {
  const text = typeof bytes === 'string' ? bytes : storedText(bytes, what, where);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw damaged(what, where, `it is not JSON (${(e as Error).message})`, e);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged(what, where, 'it is not a JSON object');
  return value as Record<string, unknown>;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * A log entry record {version, manifest, catalog?}: `version` must be the one its name says.
 * The catalog is checked for shape only as far as readers rely on it (an object); its fields
 * are opaque to coordination.
 */
export function decodeLogEntry(bytes: Uint8Array | string, where: string, version: number): LogEntry {
  const what = `the log entry for version ${version}`;
  const o = storedObject(bytes, what, where);
  if (o.version !== version) throw damaged(what, where, `it holds version ${JSON.stringify(o.version)}`);
  if (typeof o.manifest !== 'string' || o.manifest === '') throw damaged(what, where, 'it names no manifest');
  storedRelativePath(o.manifest, what, where);
  const catalog = optionalCatalog(o.catalog, what, where);
  return { version, manifest: o.manifest, ...(catalog ? { catalog } : {}) };
}

/**
 * A file name read from coordination state (a manifest named by a log entry or a pointer), which
 * storage joins to the table's directory: it must stay inside it, or reading or deleting "that
 * manifest" would reach any file the server can. DATA_LOSS before anything is read or deleted.
 */
export function storedRelativePath(rel: string, what: string, where: string): string {
  const why = pathEscape(rel);
  if (why) throw damaged(what, where, `its manifest ${JSON.stringify(rel)} ${why}; nothing was read or deleted`);
  return rel;
}

/** Why a path relative to a table directory does not stay inside it, or null when it does. */
export function pathEscape(rel: string): string | null {
  if (rel === '') return 'is empty';
  if (rel.includes('\\') || rel.includes('\0')) return 'holds a backslash or NUL';
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel)) return 'is an absolute path';
  if (rel.split('/').some((part) => part === '' || part === '.' || part === '..')) return 'leaves its table directory';
  return null;
}

export function optionalCatalog(value: unknown, what: string, where: string): TableCatalog | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw damaged(what, where, 'its catalog entry is not an object');
  return value as TableCatalog;
}

export function storedCount(o: Record<string, unknown>, key: string, what: string, where: string): number {
  const v = o[key];
  if (!isCount(v)) throw damaged(what, where, `its ${key} ${JSON.stringify(v)} is not a non-negative integer`);
  return v;
}
