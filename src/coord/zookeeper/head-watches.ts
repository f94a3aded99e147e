// Who in this process hears of a table's commits, from ZooKeeper: one WatchedNode (one watch,
// re-armed after every event, re-read after every reconnection and new session) on the table's
// pointer node, however many listeners the table has. The change feed (src/feed) is the
// listener; it reads the log entries between two heads itself, so a notification that covers
// several commits, or repeats one, loses nothing and sends nothing twice.
//
// A table's watch outlives its last listener by LINGER_MS: a follower that reconnects at once
// (a resume, a CLI restarted in a loop) finds it armed, and the library is not left holding one
// stale callback per subscribe/unsubscribe cycle (it keeps every watcher closure until it fires).
import type { LogEntry } from '../coordinator.ts';
import type { ZkSession } from './session.ts';
import { decodePointer, headOf } from './table-log-nodes.ts';
import { WatchedNode, type NodeContent } from './watched-node.ts';
import type { ZnodeLayout } from './znode-layout.ts';

const LINGER_MS = 30_000;

type Listener = (head: LogEntry | null) => void;

interface TableWatch {
  node: WatchedNode;
  listeners: Set<Listener>;
  /** The newest head delivered, for listeners that join after the first read. */
  last: { head: LogEntry | null } | null;
  linger: NodeJS.Timeout | undefined;
}

export class HeadWatches {
  private readonly tables = new Map<string, TableWatch>();
  private closed = false;

  constructor(
    private readonly session: ZkSession,
    private readonly layout: ZnodeLayout,
    private readonly log: (message: string, fields?: Record<string, unknown>) => void = () => {},
  ) {}

  watch(table: string, listener: Listener): () => void {
    let w = this.tables.get(table);
    if (!w) {
      const path = this.layout.pointer(table);
      const created: TableWatch = {
        listeners: new Set(),
        last: null,
        linger: undefined,
        node: new WatchedNode(this.session, path, (c) => this.deliver(created, c), (e) => this.log('table watch read failed', { table, error: String(e) })),
      };
      w = created;
      this.tables.set(table, w);
      if (!this.closed) void w.node.start();
    }
    clearTimeout(w.linger);
    w.linger = undefined;
    w.listeners.add(listener);
    // A listener joining a running watch hears the head it already knows, like the first one did.
    const known = w.last;
    if (known) setImmediate(() => w.listeners.has(listener) && listener(known.head));
    const watch = w;
    return () => {
      watch.listeners.delete(listener);
      if (watch.listeners.size > 0 || watch.linger) return;
      watch.linger = setTimeout(() => {
        if (watch.listeners.size > 0 || this.tables.get(table) !== watch) return;
        watch.node.stop();
        this.tables.delete(table);
      }, LINGER_MS);
      watch.linger.unref();
    };
  }

  /** Stops every watch (the coordinator is closing). */
  close(): void {
    this.closed = true;
    for (const w of this.tables.values()) {
      clearTimeout(w.linger);
      w.node.stop();
    }
    this.tables.clear();
  }

  private deliver(w: TableWatch, content: NodeContent): void {
    let head: LogEntry | null = null;
    if (content.text !== null) {
      try {
        head = headOf(decodePointer(Buffer.from(content.text, 'utf8'), w.node.path));
      } catch (e) {
        // A damaged pointer is reported by every read of it; listeners keep what they had.
        this.log('table pointer does not decode', { path: w.node.path, error: String(e) });
        return;
      }
    }
    w.last = { head };
    for (const listener of [...w.listeners]) {
      try {
        listener(head);
      } catch {
        // A listener's failure is its own: the others still hear.
      }
    }
  }
}
