// What a follow stream sends when the head moves by several versions at once, and for versions
// of an operation it does not know. Group commit publishes several versions in one ZooKeeper
// multi, so a watch sees the pointer jump; here the table's notifications reach the feed only
// for every third commit (the coordinator's contract allows it: a hint, never the log), and the
// stream must still send every version in between, each once, in order. A maintenance operation
// added later (landing's "convert" rewrites files under the same rows) is committed through the
// real commit path: its marker comes alone, as a compaction's does, and the client passes it on.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import { encodeStream } from '../../src/arrow/ipc-framing.ts';
import type { Coordinator, LogEntry } from '../../src/coord/coordinator.ts';
import { FeedHub } from '../../src/feed/feed-hub.ts';
import { followStream, versionChange } from '../../src/feed/follow-stream.ts';
import type { FlightContext } from '../../src/flight/context.ts';
import type { CallInfo } from '../../src/flight/handler-kit.ts';
import { schemaBytes, type Manifest, type Operation } from '../../src/storage/manifest.ts';
import type { TableStore } from '../../src/storage/table-store.ts';
import { decodeVersionMarker } from '../../src/wire/follow-marker.ts';
import { closeStore, part, put, tempStore } from '../storage/maintenance-fixtures.ts';

const store = tempStore();
after(() => closeStore(store));

/**
 * The store, with its coordinator's notifications held back until `release()`, which tells
 * listeners of the head as it is then: a group of commits heard as one jump, as a watch hears
 * a group commit. Drops still go through at once.
 */
function grouped(table: string): { store: TableStore; release: () => Promise<void> } {
  const real = store.coordinator;
  const listeners = new Set<(head: LogEntry | null) => void>();
  const watchHead = (watched: string, listener: (head: LogEntry | null) => void) => {
    listeners.add(listener);
    const unwatch = real.watchHead(watched, (head) => head === null && listener(head));
    return () => {
      listeners.delete(listener);
      unwatch();
    };
  };
  // Everything else is the real coordinator's and store's, called on themselves.
  const through = <T extends object>(target: T, own: Record<string | symbol, unknown>): T => new Proxy(target, {
    get: (t, key) => (key in own ? own[key] : ((v) => (typeof v === 'function' ? v.bind(t) : v))(Reflect.get(t, key, t))),
  });
  const coordinator = through<Coordinator>(real, { watchHead });
  const release = async () => {
    const head = await real.head(table);
    for (const l of listeners) l(head);
  };
  return { store: through<TableStore>(store, { coordinator }), release };
}

/** Commits a version of `operation` with the head's files and rows unchanged (what convert and compact do). */
async function maintenanceVersion(table: string, operation: string): Promise<Manifest> {
  const pending = await store.commits.begin(table);
  const outcome = await pending.commit((head) => ({ operation: operation as Operation, schema: schemaBytes(head!), files: head!.files, added: { files: 0, rows: 0 } }), 'fail');
  assert.ok(outcome.committed);
  return outcome.manifest;
}

/** Markers ("version:operation:rows") and row ids a follow stream sends until it has sent `until`'s rows. */
async function follow(s: TableStore, table: string, tableId: string, from: number, until: number, signal: AbortSignal): Promise<{ markers: string[]; ids: number[] }> {
  const hub = new FeedHub(() => s);
  const ctx = { store: s } as unknown as FlightContext;
  const markers: string[] = [];
  const ids: number[] = [];
  let left = -1;
  let version = 0;
  let schema: Uint8Array | null = null;
  for await (const m of followStream(ctx, hub, { table, tableId, from }, { signal } as CallInfo)) {
    if (m.header.byteLength === 0) {
      const marker = decodeVersionMarker(m.appMetadata!)!;
      markers.push(`${marker.version}:${marker.operation}:${marker.rows}`);
      version = marker.version;
      left = marker.rows;
    } else if (!schema) {
      schema = m.header;
    } else {
      const batch = tableFromIPC(encodeStream([{ header: schema, body: new Uint8Array(0) }, m]));
      ids.push(...[...batch.getChild('id')!.toArray()].map(Number));
      left -= batch.numRows;
    }
    if (version === until && left === 0) break;
  }
  return { markers, ids };
}

test('versions committed between two notifications are all sent, once each, in order', async () => {
  const first = await put(store, 'jumps', part(0, [2]));
  const ctl = new AbortController();
  const feed = grouped('jumps');
  const following = follow(feed.store, 'jumps', first.tableId, 2, 11, ctl.signal);
  // Groups of 3, 4 and 3 commits, each heard as one notification.
  for (const [from, to] of [[2, 4], [5, 8], [9, 11]] as const) {
    for (let v = from; v <= to; v++) await put(store, 'jumps', part(v, [1 + (v % 2)]));
    await feed.release();
  }
  const { markers, ids } = await following;
  ctl.abort();
  assert.deepEqual(markers, Array.from({ length: 10 }, (_, i) => `${i + 2}:append:${1 + ((i + 2) % 2)}`));
  assert.deepEqual(ids, Array.from({ length: 10 }, (_, i) => i + 2).flatMap((v) => Array.from({ length: 1 + (v % 2) }, (_, k) => v * 1000 + k)));
});

test('a maintenance operation the feed does not know (convert, or a later one) sends its marker alone', async () => {
  const first = await put(store, 'converted', part(0, [3]));
  const ctl = new AbortController();
  const following = follow(store, 'converted', first.tableId, 2, 5, ctl.signal);
  await put(store, 'converted', part(2, [2]));
  const converted = await maintenanceVersion('converted', 'convert');
  await maintenanceVersion('converted', 'reorganize');
  await put(store, 'converted', part(5, [1]));
  const { markers, ids } = await following;
  ctl.abort();
  assert.deepEqual(markers, ['2:append:2', '3:convert:0', '4:reorganize:0', '5:append:1']);
  assert.deepEqual(ids, [2000, 2001, 5000]);
  // The version itself still holds every row; only its change is empty.
  assert.equal(converted.rows, 5);
  assert.deepEqual(versionChange(converted), { files: [], rows: 0 });
  assert.equal(decodeVersionMarker(Buffer.from(JSON.stringify({ table: 't', version: 3, operation: 'convert', committed_at: converted.committedAt, rows: 0 })))?.operation, 'convert');
});
