// The on-disk layout of a data root, named in one place so that writers, readers, drops and
// maintenance agree on where everything is:
//   <root>/tables/<encoded name>/data/<uuid>.parquet|.arrows         data files, written once
//   <root>/tables/<encoded name>/manifests/<version>-<uuid>.json     one manifest per commit
//   <root>/tables/.dropped-<uuid>/                                   a drop's leftovers
//   <root>/log/                                                      the local coordinator's version logs
// Paths in manifests and version logs are relative to the table directory ("data/…",
// "manifests/…"), so a data root can be moved as a whole. Those paths are read back from
// coordination state and manifests, which outlive the process that wrote them and may be
// damaged or planted: a path is joined to its table directory only when it names one file of one
// of the table's subdirectories (tablePath), so no reading or deleting ever reaches further.
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { tableDirName } from '../table-names.ts';
import type { FileFormat } from './manifest.ts';
import { TABLE_SUBDIRS, tablePath, type TableSubdir } from './table-paths.ts';

export { TABLE_SUBDIRS, tablePath, type TableSubdir } from './table-paths.ts';

const DROPPED_PREFIX = '.dropped-';
const EXTENSIONS: Record<FileFormat, string> = { parquet: 'parquet', 'arrow-stream': 'arrows' };

export class StorageLayout {
  constructor(readonly root: string) {}

  /** Where every table directory sits. */
  get tablesRoot(): string {
    return path.join(this.root, 'tables');
  }

  /** Where the local coordinator keeps its version logs (a cluster keeps them in ZooKeeper). */
  get logRoot(): string {
    return path.join(this.root, 'log');
  }

  tableDir(name: string): string {
    return this.tableDirNamed(tableDirName(name));
  }

  /** A table directory by its encoded name (as a listing of the tables root shows it). */
  tableDirNamed(dirName: string): string {
    return path.join(this.tablesRoot, dirName);
  }

  /** A file of a table directory known by its encoded name, from its path relative to it. */
  fileNamed(dirName: string, rel: string): string {
    return path.join(this.tableDirNamed(dirName), rel);
  }

  /** The local coordinator's log directory of the table directory `dirName` (or a drop's leftovers there). */
  logDirNamed(dirName: string): string {
    return path.join(this.logRoot, dirName);
  }

  subdir(name: string, sub: TableSubdir): string {
    return path.join(this.tableDir(name), sub);
  }

  /** A file of a table, from its path relative to the table directory (checked: tablePath). */
  file(name: string, rel: string): string {
    return path.join(this.tableDir(name), tablePath(rel, TABLE_SUBDIRS, `a file of table ${JSON.stringify(name)}`));
  }

  /** A manifest of a table, from the path a log entry names (checked: tablePath). */
  manifestFile(name: string, rel: string): string {
    return path.join(this.tableDir(name), tablePath(rel, ['manifests'], `the manifest of a version of table ${JSON.stringify(name)}`));
  }

  /** A fresh directory name under the tables root for a drop's leftovers. */
  newDroppedDir(): string {
    return path.join(this.tablesRoot, `${DROPPED_PREFIX}${randomUUID()}`);
  }

  /** A data root's file's path relative to the root, as reports show it. */
  relative(file: string): string {
    return path.relative(this.root, file);
  }
}

/** True for a directory that holds a drop's leftovers (under the tables root or the log root). */
export const isDroppedDir = (dirName: string) => dirName.startsWith(DROPPED_PREFIX);

/** A new data file's path relative to its table directory. */
export const newDataFilePath = (format: FileFormat) => `data/${randomUUID()}.${EXTENSIONS[format]}`;

/** A new manifest's path relative to its table directory; names sort by version. */
export const newManifestPath = (version: number) => `manifests/${String(version).padStart(20, '0')}-${randomUUID()}.json`;
