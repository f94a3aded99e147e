// Framing over the real Arrow IPC streams written by the C++ implementation: splitting a stream
// into messages and writing them back gives the same bytes, and message inspection reads every
// corpus message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { decodeStream, encodeStream, messageHeaderType, readBodyLength, MESSAGE_SCHEMA } from '../../src/arrow/ipc-framing.ts';
import { inspectMessage } from '../../src/arrow/ipc-message.ts';
import { CORPUS } from '../harness/quiver-process.ts';

const streams = fs.readdirSync(path.join(CORPUS, 'arrow-ipc'), { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.stream'))
  .map((f) => path.join(CORPUS, 'arrow-ipc', f));

test('the corpus is there', () => assert.ok(streams.length >= 20, `found ${streams.length} streams under ${CORPUS}`));

for (const file of streams) {
  test(`${path.basename(file)} splits and re-frames to identical bytes`, () => {
    const bytes = new Uint8Array(fs.readFileSync(file));
    const frames = [...decodeStream(bytes)];
    assert.equal(messageHeaderType(frames[0]!.header), MESSAGE_SCHEMA);
    for (const f of frames) {
      assert.equal(readBodyLength(f.header), f.body.byteLength);
      const info = inspectMessage(f.header);
      if (info.kind !== 'schema') assert.equal(info.bodyLength, f.body.byteLength);
    }
    assert.deepEqual(Buffer.from(encodeStream(frames)), Buffer.from(bytes));
  });
}

test('a truncated stream is an error, not a short read', () => {
  const bytes = new Uint8Array(fs.readFileSync(streams.find((f) => f.endsWith('generated_primitive.stream'))!));
  assert.throws(() => [...decodeStream(bytes.subarray(0, bytes.length - 100))], /truncated/);
});
