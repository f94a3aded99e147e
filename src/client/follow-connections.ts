// The connections a client's follow streams run on. A follow stream never ends by itself and
// holds one HTTP/2 stream of its connection for as long as it runs, and a server allows only so
// many streams on one connection (quiver: --max-streams-per-connection, default 100); grpc-js
// queues a call past that limit, without error or timeout, until a stream of the connection
// ends. grpc-js also puts every client of one address with the same channel options on one
// shared connection. So 100 follows from one process would take every stream of that one
// connection, and every other call to the server, a write included, would wait forever (what
// `npm run bench:follow` ran into at 100 followers).
//
// So follow streams run on connections of their own, never on the client's: at most
// FOLLOWS_PER_CONNECTION on each (below any sensible server limit), opened as follows need them
// and closed when the last follow on them ends.
import type * as grpc from '@grpc/grpc-js';

/** Follow streams one connection carries; another connection is opened for more. */
export const FOLLOWS_PER_CONNECTION = 32;

/** What a follow connection must be able to do: a client of one location that can be closed. */
export interface Closable {
  close(): void;
}

/**
 * Channel options that give a client a connection of its own: grpc-js shares one connection
 * between the clients of one address with equal options unless told to use a local pool.
 */
export const OWN_CONNECTION: grpc.ChannelOptions = { 'grpc.use_local_subchannel_pool': 1 };

interface Connection<C> {
  key: string;
  client: C;
  streams: number;
}

export class FollowConnections<C extends Closable> {
  private readonly open = new Set<Connection<C>>();

  constructor(private readonly perConnection = FOLLOWS_PER_CONNECTION) {}

  /**
   * A client with room for one more follow stream, among those made for `key` (a location and
   * the credentials sent there), or a new one from `connect()`, which must give it a connection
   * of its own (channel options OWN_CONNECTION). Give it back with the release function.
   */
  lease(key: string, connect: () => C): { client: C; release: () => void } {
    let conn = [...this.open].find((c) => c.key === key && c.streams < this.perConnection);
    if (!conn) {
      conn = { key, client: connect(), streams: 0 };
      this.open.add(conn);
    }
    conn.streams += 1;
    const leased = conn;
    let released = false;
    return {
      client: leased.client,
      release: () => {
        if (released) return;
        released = true;
        leased.streams -= 1;
        if (leased.streams > 0 || !this.open.has(leased)) return;
        this.open.delete(leased);
        leased.client.close();
      },
    };
  }

  /** Follow connections open now, and the streams on each (tests). */
  get connections(): Array<{ key: string; streams: number }> {
    return [...this.open].map((c) => ({ key: c.key, streams: c.streams }));
  }

  /** Closes every follow connection (the client is closing: its follows fail). */
  close(): void {
    for (const c of this.open) c.client.close();
    this.open.clear();
  }
}
