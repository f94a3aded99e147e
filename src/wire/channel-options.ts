// The gRPC settings bulk Arrow data needs, defined once for every channel quiver opens (the
// client, a follower forwarding DoPut to its leader) and for the server's HTTP/2 windows.
import type * as grpc from '@grpc/grpc-js';

/**
 * The HTTP/2 flow-control window, per stream and per connection. A sender may have at most one
 * window of unacknowledged data in flight, so one stream moves at most window / round trip:
 * grpc-js's default 64 KiB over a 1 ms round trip is about 64 MB/s, well below what a DoGet or
 * DoPut of record batches can carry. 16 MiB lifts that bound to about 16 GB/s at 1 ms (800 MB/s
 * at 20 ms), so the network or the CPU limits a stream, not flow control, while it stays the
 * most a receiver buffers for one stream whose reader has fallen behind (HTTP/2 allows up to
 * 2 GiB).
 */
export const FLOW_CONTROL_WINDOW = 16 * 1024 * 1024;

/**
 * grpc-js defaults would cap messages at 4 MiB (C++, Java and pyarrow servers never split a
 * batch, so any large batch would fail) and keep a 64 KiB HTTP/2 window (see above).
 */
export const CHANNEL_DEFAULTS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': -1,
  'grpc.max_send_message_length': -1,
  'grpc-node.flow_control_window': FLOW_CONTROL_WINDOW,
};
