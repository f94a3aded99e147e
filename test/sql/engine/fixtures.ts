// Real table files for the engine tests: Parquet written with quiver's own Parquet codec and Arrow
// IPC streams written with apache-arrow, laid out under <root>/tables/ as the storage does, and a
// resolver that pins them by name and version as the protocol layer will.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableToIPC, type Schema, type Table } from 'apache-arrow';
import { encode } from '../../../src/storage/parquet-codec.ts';
import { QuiverError } from '../../../src/errors.ts';
import type { PinnedTable, TableResolver } from '../../../src/sql/engine/sql-engine.ts';

export class TestTables implements TableResolver {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-sql-'));
  private readonly versions = new Map<string, PinnedTable[]>();
  private fileNo = 0;
  readonly resolved: { name: string; version?: number }[] = [];

  /** Adds version N+1 of `name` holding `parts`, each part one file in the given format. */
  add(name: string, parts: { table: Table; format: 'parquet' | 'arrow-stream' }[]): PinnedTable {
    const dir = path.join(this.root, 'tables', encodeURIComponent(name), 'data');
    fs.mkdirSync(dir, { recursive: true });
    const files = parts.map(({ table, format }) => {
      const file = path.join(dir, `f${++this.fileNo}.${format === 'parquet' ? 'parquet' : 'arrows'}`);
      const ipc = tableToIPC(table, 'stream');
      fs.writeFileSync(file, format === 'parquet' ? encode(ipc, table.numRows, 'zstd') : ipc);
      return { path: file, format, rows: table.numRows };
    });
    const list = this.versions.get(name) ?? [];
    const pinned: PinnedTable = { name, version: list.length + 1, files, schema: parts[0]!.table.schema };
    list.push(pinned);
    this.versions.set(name, list);
    return pinned;
  }

  /** Adds version N+1 of `name`: version N's files and one more per part (an append). */
  append(name: string, parts: { table: Table; format: 'parquet' | 'arrow-stream' }[]): PinnedTable {
    const list = this.versions.get(name)!;
    const previous = list[list.length - 1]!;
    const added = this.add(name, parts);
    added.files.unshift(...previous.files);
    added.schema = previous.schema;
    return added;
  }

  /** Adds version N+1 of `name` as a copy of an existing Arrow IPC stream file (a corpus file, byte for byte). */
  addIpcFile(name: string, source: string, schema: Schema, rows: number): PinnedTable {
    const dir = path.join(this.root, 'tables', encodeURIComponent(name), 'data');
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `f${++this.fileNo}.arrows`);
    fs.copyFileSync(source, file);
    const list = this.versions.get(name) ?? [];
    const pinned: PinnedTable = { name, version: list.length + 1, files: [{ path: file, format: 'arrow-stream', rows }], schema };
    list.push(pinned);
    this.versions.set(name, list);
    return pinned;
  }

  async resolve(name: string, version?: number): Promise<PinnedTable> {
    this.resolved.push({ name, version });
    const list = this.versions.get(name);
    if (!list) throw new QuiverError('NOT_FOUND', `table ${name} does not exist`);
    const v = version === undefined ? list[list.length - 1] : list[version - 1];
    if (!v) throw new QuiverError('NOT_FOUND', `table ${name} has no version ${version}`);
    return v;
  }

  cleanup(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

/** All rows of a statement's result, as arrow-js row objects turned to plain JSON-able values. */
export async function collect(batches: AsyncIterable<import('apache-arrow').RecordBatch>): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for await (const b of batches) for (const r of b.toArray()) rows.push(r.toJSON());
  return rows;
}
