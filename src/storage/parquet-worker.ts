// Worker thread entry: runs parquet-codec operations for the pool in parquet-pool.ts.
import { parentPort } from 'node:worker_threads';
import { encode, heapBytes, ownBuffer, readFooter, readRowGroup, rowGroups, verifyReadable } from './parquet-codec.ts';
import type { PoolRequest, PoolResponse } from './parquet-pool.ts';

const port = parentPort!;

port.on('message', (req: PoolRequest) => {
  run(req).then(
    ({ value, transfer }) => port.postMessage({ id: req.id, ok: true, value, heapBytes: heapBytes() } satisfies PoolResponse, transfer),
    (e: unknown) => {
      port.postMessage({ id: req.id, ok: false, error: e instanceof Error ? e.message : String(e), heapBytes: heapBytes() } satisfies PoolResponse);
      // After a trap the wasm instance's state is undefined: end this worker so the pool
      // replaces it with a fresh one.
      if (e instanceof Error && e.name === 'RuntimeError') setImmediate(() => process.exit(1));
    },
  );
});

async function run(req: PoolRequest): Promise<{ value: unknown; transfer: ArrayBuffer[] }> {
  switch (req.op) {
    case 'encode': {
      const buffer = ownBuffer(encode(new Uint8Array(req.ipc), req.rows, req.compression));
      return { value: new Uint8Array(buffer), transfer: [buffer] };
    }
    case 'readFooter':
      return { value: await readFooter(req.file), transfer: [] };
    case 'verifyReadable':
      return { value: await verifyReadable(req.file), transfer: [] };
    case 'rowGroups':
      return { value: await rowGroups(req.file), transfer: [] };
    case 'readRowGroup': {
      const packed = await readRowGroup(req.file, req.group, req.batches, req.columns);
      return { value: packed, transfer: packed.buffers };
    }
  }
}
