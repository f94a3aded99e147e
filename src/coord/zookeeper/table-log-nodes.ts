// The table log's two node kinds (layout in znode-layout.ts): a table's pointer node (its head,
// moved by compare-and-set) and its log nodes (one per committed version), encoded and decoded
// in one place. A node that does not decode is damaged state: DATA_LOSS naming its path.
import type { LogEntry, TableCatalog } from '../coordinator.ts';
import { damaged, decodeLogEntry, optionalCatalog, storedCount, storedObject, storedRelativePath } from '../stored-records.ts';
import type { ZkSession } from './session.ts';

export interface Pointer {
  name: string;
  generation: number;
  version: number;
  manifest: string | null;
  /** The table's catalog entry as of `version`; moves with the pointer in one compare-and-set. */
  catalog?: TableCatalog;
}

export interface PointerNode {
  pointer: Pointer;
  /** The znode version: the compare-and-set token. */
  zversion: number;
  raw: Buffer;
}

/**
 * Catalog entries larger than this are left out of the pointer (readers fall back to the
 * manifest): every head() reads the pointer, and ZooKeeper refuses nodes over jute.maxbuffer
 * (1 MiB by default). Only schemas of thousands of columns come near it.
 */
const CATALOG_MAX_BYTES = 256 * 1024;

export const fitsInPointer = (catalog: TableCatalog): boolean => JSON.stringify(catalog).length <= CATALOG_MAX_BYTES;

export const encodeNode = (value: Pointer | LogEntry): Buffer => Buffer.from(JSON.stringify(value));

export const headOf = (p: Pointer): LogEntry | null =>
  p.version === 0 || p.manifest === null ? null : { version: p.version, manifest: p.manifest, ...(p.catalog ? { catalog: p.catalog } : {}) };

export function decodePointer(data: Buffer, path: string): Pointer {
  const what = 'the table pointer node';
  const where = `ZooKeeper ${path}`;
  const o = storedObject(data, what, where);
  if (typeof o.name !== 'string' || o.name === '') throw damaged(what, where, 'it names no table');
  const generation = storedCount(o, 'generation', what, where);
  const version = storedCount(o, 'version', what, where);
  if (o.manifest !== null && typeof o.manifest !== 'string') throw damaged(what, where, 'its manifest is neither a path nor null');
  if ((version === 0) !== (o.manifest === null)) throw damaged(what, where, `version ${version} with manifest ${JSON.stringify(o.manifest)}`);
  if (o.manifest !== null) storedRelativePath(o.manifest, what, where);
  const catalog = optionalCatalog(o.catalog, what, where);
  return { name: o.name, generation, version, manifest: o.manifest, ...(catalog ? { catalog } : {}) };
}

export async function readPointer(session: ZkSession, path: string): Promise<PointerNode | null> {
  const node = await session.getData(path);
  if (!node) return null;
  return { pointer: decodePointer(node.data, path), zversion: node.stat.version, raw: node.data };
}

export async function readLogEntry(session: ZkSession, path: string, version: number): Promise<LogEntry | null> {
  const node = await session.getData(path);
  if (!node) return null;
  return decodeLogEntry(node.data, `ZooKeeper ${path}`, version);
}
