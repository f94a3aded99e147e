// Handshake: exchanges Basic credentials for a bearer token, returned both as the
// `authorization` response header (pyarrow, arrow-go, ADBC read it there) and as the payload.
import type * as grpc from '@grpc/grpc-js';
import { bearerHeader } from '../auth.ts';
import { bidiStream, type CallInfo, type KitContext } from '../handler-kit.ts';
import { DEFAULT_STALL_TIMEOUT_MS, withinStallTimeout } from '../limits-stall.ts';
import type { HandshakeRequestIn, HandshakeResponse } from '../../wire/protocol.ts';

type HandshakeCall = grpc.ServerDuplexStream<HandshakeRequestIn, HandshakeResponse>;

export function handshake(ctx: KitContext): grpc.handleBidiStreamingCall<HandshakeRequestIn, HandshakeResponse> {
  return bidiStream(ctx, 'Handshake', async (call: HandshakeCall, info: CallInfo) => {
    const payloads: Uint8Array[] = [];
    // Clients send one request and may wait for the answer before closing their side.
    // A caller that opens Handshake and sends nothing would hold the call (and its stream) forever.
    const first = await withinStallTimeout(nextRequest(call), ctx.stallTimeoutMs ?? DEFAULT_STALL_TIMEOUT_MS, 'Handshake received no request');
    if (first) payloads.push(first.payload);
    const result = await ctx.auth.handshake(call.metadata, payloads);
    if (result) info.response.set('authorization', bearerHeader(result.token));
    // Sent before the reply, not at end of stream: clients read the token as soon as the first
    // response arrives, without half-closing first (arrow-go's legacy auth reads exactly one).
    info.response.send(call);
    if (result) {
      call.write({ protocol_version: first?.protocol_version ?? 0, payload: Buffer.from(result.token) });
    } else {
      call.write({ protocol_version: first?.protocol_version ?? 0, payload: first?.payload ?? Buffer.alloc(0) });
    }
    call.end();
  }, { authenticate: false, handlerSendsHeaders: true });
}

function nextRequest(call: HandshakeCall): Promise<HandshakeRequestIn | null> {
  return new Promise((resolve, reject) => {
    const onData = (d: HandshakeRequestIn) => { cleanup(); resolve(d); };
    const onEnd = () => { cleanup(); resolve(null); };
    const onError = (e: Error) => { cleanup(); reject(e); };
    const cleanup = () => {
      call.off('data', onData);
      call.off('end', onEnd);
      call.off('error', onError);
    };
    call.on('data', onData);
    call.on('end', onEnd);
    call.on('error', onError);
  });
}
