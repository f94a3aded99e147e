// One znode followed for as long as it is wanted: its content is read with a watch, and every
// watch event, reconnection and new session leads to a fresh read that arms the next watch.
//
// Why read again on every 'connected': a watch is one-shot and lives in the session. A new
// session (after an expiry, or after the session layer declared the old one LOST) starts with
// no watches at all, and changes made while this replica was cut off fire nothing. Reading on
// each (re)connection closes both gaps; listeners see the same content more than once and must
// treat a repeat as a no-op.
//
// Reads are coalesced (at most one in flight, and one more queued), and a read sets a watch only
// when none is armed: within one session the library re-registers its watches on reconnection
// (and would keep every extra callback, as it cannot tell two closures apart), so a re-read after
// a reconnection reads without one; a new session starts with none armed.
import type { SessionChange, ZkSession } from './session.ts';
import { ConnectionLossError } from './zk-errors.ts';

export interface NodeContent {
  /** The node's data as text, or null when the node does not exist. */
  text: string | null;
  /** The znode version (the compare-and-set token), or -1 when the node does not exist. */
  version: number;
}

export class WatchedNode {
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  /** A watch of ours is registered with the current session and has not fired yet. */
  private armed = false;
  private readonly onState = (c: SessionChange) => {
    if (c.state !== 'connected') return;
    if (c.newSession) this.armed = false;
    void this.refresh();
  };

  constructor(
    private readonly session: ZkSession,
    readonly path: string,
    private readonly listener: (content: NodeContent) => void,
    private readonly onError: (e: unknown) => void,
  ) {}

  /** Resolves after the first read has been delivered (or failed). */
  async start(): Promise<void> {
    this.session.on('state', this.onState);
    await this.refresh();
  }

  stop(): void {
    this.stopped = true;
    this.session.off('state', this.onState);
  }

  refresh(): Promise<void> {
    if (this.reading) {
      this.again = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.again = false;
          if (this.stopped) return;
          const content = await this.read();
          if (content && !this.stopped) this.listener(content);
        } while (this.again);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }

  private async read(): Promise<NodeContent | null> {
    // The notification can be handled before this read's continuation runs (both in one
    // packet), so "armed" is only set by a read whose watch has not fired yet.
    let fired = false;
    const watch = () => {
      fired = true;
      this.armed = false;
      void this.refresh();
    };
    try {
      const withWatch = !this.armed;
      const node = await this.session.getData(this.path, withWatch ? watch : undefined);
      if (node) {
        if (withWatch && !fired) this.armed = true;
        return { text: node.data.toString('utf8'), version: node.stat.version };
      }
      // getData sets no watch on a missing node; exists does, and fires on its creation.
      const existsWatch = !this.armed;
      const exists = await this.session.exists(this.path, existsWatch ? watch : undefined);
      if (existsWatch && !fired) this.armed = true;
      if (exists) {
        this.again = true;
        return null;
      }
      return { text: null, version: -1 };
    } catch (e) {
      // The next 'connected' reads again; until then the last content stays in force.
      if (!(e instanceof ConnectionLossError)) this.onError(e);
      return null;
    }
  }
}
