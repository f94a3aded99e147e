// SessionOptionsStore: a session starts with the first SetSessionOptions and is named by the
// cookie it sets; options are stored, replaced, removed (no value) or refused by the policy;
// GetSessionOptions without a session is empty; CloseSession forgets the session.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { decodeMessage, encodeMessage } from '../../src/wire/protocol.ts';
import { ResponseHeaders } from '../../src/flight/response-headers.ts';
import { SESSION_COOKIE, SessionOptionsStore } from '../../src/flight/session-options.ts';

function call(cookie?: string) {
  const metadata = new grpc.Metadata();
  if (cookie) metadata.set('cookie', `other=1; ${cookie}`);
  return { metadata, response: new ResponseHeaders() };
}

function setCookie(c: { response: ResponseHeaders }): string | undefined {
  const md = c.response.trailersForError(undefined);
  return md.get('set-cookie')[0]?.toString();
}

const set = (store: SessionOptionsStore, c: ReturnType<typeof call>, options: object) =>
  decodeMessage<{ errors: Record<string, { value: string }> }>('SetSessionOptionsResult', store.set(encodeMessage('SetSessionOptionsRequest', { session_options: options }), c));
const get = (store: SessionOptionsStore, c: ReturnType<typeof call>) =>
  decodeMessage<{ session_options: Record<string, Record<string, unknown>> }>('GetSessionOptionsResult', store.get(Buffer.alloc(0), c)).session_options;

test('options live in the cookie-named session; the policy refuses; an empty value removes', () => {
  const store = new SessionOptionsStore((name) => (name === 'bad' ? 'INVALID_NAME' : null));
  assert.deepEqual(get(store, call()), {});
  const first = call();
  const result = set(store, first, { n: { int64_value: 123 }, d: { double_value: 4.5 }, bad: { string_value: 'x' }, l: { string_list_value: { values: ['a', 'b'] } } });
  assert.deepEqual(result.errors, { bad: { value: 'INVALID_NAME' } });
  const cookie = setCookie(first)!;
  assert.match(cookie, new RegExp(`^${SESSION_COOKIE}=[\\w-]+$`));
  const options = get(store, call(cookie));
  assert.deepEqual(Object.keys(options).sort(), ['d', 'l', 'n']);
  assert.equal(options.n!.int64_value, 123);
  assert.deepEqual((options.l!.string_list_value as { values: string[] }).values, ['a', 'b']);
  assert.deepEqual(get(store, call()), {}, 'another caller sees nothing');

  const again = call(cookie);
  set(store, again, { n: {}, d: { string_value: 'now a string' } });
  assert.equal(setCookie(again), undefined, 'an existing session gets no new cookie');
  const after = get(store, call(cookie));
  assert.deepEqual(Object.keys(after).sort(), ['d', 'l']);
  assert.equal(after.d!.string_value, 'now a string');
});

test('CloseSession forgets the session and expires the cookie', () => {
  const store = new SessionOptionsStore();
  const first = call();
  set(store, first, { a: { bool_value: true } });
  const cookie = setCookie(first)!;
  const closing = call(cookie);
  const closed = decodeMessage<{ status: string }>('CloseSessionResult', store.close(Buffer.alloc(0), closing));
  assert.equal(closed.status, 'CLOSED');
  assert.match(setCookie(closing)!, /Max-Age=0/);
  assert.deepEqual(get(store, call(cookie)), {});
});
