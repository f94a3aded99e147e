// Where a cluster keeps its state in ZooKeeper. Everything lives under /quiver/<cluster>/:
//
//   election/_c_<uuid>-n_<seq>        ephemeral-sequential leader candidates, one per replica;
//                                     data = the member JSON {id, location}; lowest seq leads.
//                                     Every replica is a candidate, so this is also the list of
//                                     live members.
//   locks/<table key>/_c_<uuid>-lock-<seq>
//                                     per-table commit lock contenders (ephemeral-sequential)
//   tables/<table key>                the table's pointer: JSON {name, generation, version,
//                                     manifest, catalog?}; its znode version is the compare-and-set
//                                     token. version 0 (manifest null) = no head: never written or
//                                     dropped. `catalog` is the table's catalog entry as of that
//                                     version (tableId, createdAt, committedAt, schema as a base64
//                                     Arrow Schema message, formats, files, rows, arrowBytes), moved
//                                     by the same fenced multi as the version, so ListFlights and
//                                     GetSchema need no manifest; left out when over 256 KiB (readers
//                                     then read the manifest). Manifests on the data root stay the
//                                     only record of a version's files.
//   tables/<table key>/<generation>-<version>
//                                     the version log: JSON {version, manifest}, one persistent
//                                     node per commit, created in the same multi that moves the
//                                     pointer. Dropping a table bumps the generation (one CAS on
//                                     the pointer) so that a re-created table starts a new log
//                                     while the old generation's nodes are deleted afterwards.
//                                     The pointer is never deleted, so its znode version only grows:
//                                     a stale compare-and-set can never match again.
//   config                            the cluster config: a JSON object of settings every replica
//                                     applies live, overriding its own flags key by key (keys and
//                                     parsers in src/server/cluster-settings.ts). Written by any
//                                     replica (the cluster-config action) by compare-and-set on its
//                                     znode version; each replica keeps a watch on it, re-armed
//                                     after every event and re-read on every (re)connection.
//
// Reserved for later: members/ (advertised locations apart from the election).
// <table key> is tableKey (src/table-names.ts): the case-preserving encoding, since ZooKeeper's
// names are case-sensitive (directory names on disk escape upper case too).
import { invalidArgument } from '../../errors.ts';
import { tableKey } from '../../table-names.ts';

const CLUSTER_NAME = /^[A-Za-z0-9_-]{1,100}$/;

export class ZnodeLayout {
  readonly root: string;

  constructor(readonly cluster: string) {
    if (!CLUSTER_NAME.test(cluster)) throw invalidArgument(`cluster name ${JSON.stringify(cluster)} must be 1-100 letters, digits, '-' or '_'`);
    this.root = `/quiver/${cluster}`;
  }

  get election(): string {
    return `${this.root}/election`;
  }

  get config(): string {
    return `${this.root}/config`;
  }

  get tables(): string {
    return `${this.root}/tables`;
  }

  lock(table: string): string {
    return `${this.root}/locks/${tableKey(table)}`;
  }

  pointer(table: string): string {
    return `${this.tables}/${tableKey(table)}`;
  }

  logEntry(table: string, generation: number, version: number): string {
    return `${this.pointer(table)}/${logEntryName(generation, version)}`;
  }
}

export const logEntryName = (generation: number, version: number) => `${String(generation).padStart(10, '0')}-${String(version).padStart(20, '0')}`;

export function parseLogEntryName(name: string): { generation: number; version: number } | null {
  const m = /^(\d{10})-(\d{20})$/.exec(name);
  return m ? { generation: Number(m[1]), version: Number(m[2]) } : null;
}
