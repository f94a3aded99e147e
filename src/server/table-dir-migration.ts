// Data roots written before table directory names were case-safe (src/table-names.ts) name a
// table with upper-case letters by its older, case-preserving encoding: `tables/t_Sales`, and
// for the local coordinator `log/t_Sales`. At start, before anything reads or writes, each such
// directory is renamed to the current name (`t_.53ales`); names without upper-case letters are
// the same in both encodings and stay. A rename is atomic, so a crash leaves each directory
// under one name or the other, and the next start finishes the job. Replicas of a cluster share
// the data root: upgrade them together (stop all, start the new version), since a replica of
// the older version would look for the older names.
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger.ts';
import { decodeTableKey, isCaseSafeDirName, tableDirName } from '../table-names.ts';

export function migrateTableDirs(dataRoot: string, log: Logger): void {
  const tables = path.join(dataRoot, 'tables');
  const logs = path.join(dataRoot, 'log');
  const legacy = new Set([...list(tables), ...list(logs)].filter((d) => !d.startsWith('.') && !isCaseSafeDirName(d)));
  for (const old of legacy) {
    const name = decodeTableKey(old) ?? recordedName(tables, logs, old);
    if (name === null) {
      log.warn('table directory left under its old name: the table name it holds cannot be told', { dir: old });
      continue;
    }
    const current = tableDirName(name);
    for (const parent of [tables, logs]) {
      const from = path.join(parent, old);
      const to = path.join(parent, current);
      if (!fs.existsSync(from)) continue;
      if (fs.existsSync(to)) {
        log.warn('table directory left under its old name: its new name is taken', { table: name, dir: from, taken: to });
        continue;
      }
      try {
        fs.renameSync(from, to);
        log.info('table directory renamed to its case-safe name', { table: name, from: path.relative(dataRoot, from), to: path.relative(dataRoot, to) });
      } catch (e) {
        // Another replica of the cluster renamed it first.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
  }
}

function list(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

/** A shortened (hashed) name's table: from the local log's table.json, else from a manifest. */
function recordedName(tables: string, logs: string, dirName: string): string | null {
  const fromJson = (file: string, key: string): string | null => {
    try {
      const v = (JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>)[key];
      return typeof v === 'string' && v !== '' ? v : null;
    } catch {
      return null;
    }
  };
  const recorded = fromJson(path.join(logs, dirName, 'table.json'), 'name');
  if (recorded !== null) return recorded;
  for (const m of list(path.join(tables, dirName, 'manifests')).filter((f) => f.endsWith('.json'))) {
    const named = fromJson(path.join(tables, dirName, 'manifests', m), 'table');
    if (named !== null) return named;
  }
  return null;
}
