// Arrow data for tests, as the IPC frames a Flight client would send.
import { tableFromArrays, tableToIPC, type Table } from 'apache-arrow';
import { decodeStream, type IpcFrame } from '../../src/arrow/ipc-framing.ts';
import type { FlightDataMessage } from '../../src/wire/flight-data.ts';

export function framesOf(table: Table): IpcFrame[] {
  return [...decodeStream(tableToIPC(table, 'stream'))];
}

export function pathDescriptor(name: string) {
  return { type: 'PATH' as const, cmd: new Uint8Array(0), path: [name] };
}

export function cmdDescriptor(json: unknown) {
  return { type: 'CMD' as const, cmd: Buffer.from(typeof json === 'string' ? json : JSON.stringify(json)), path: [] };
}

/** A DoPut message sequence: descriptor + schema first, then the batches. */
export function putMessages(descriptor: FlightDataMessage['descriptor'], frames: IpcFrame[]): FlightDataMessage[] {
  return frames.map((f, i) => ({ ...(i === 0 ? { descriptor } : {}), header: f.header, body: f.body }));
}

/** 1000 rows with a dictionary column, so a server stores it as an Arrow stream file at once. */
export function abandonedBatch(): Table {
  return tableFromArrays({ id: Int32Array.from({ length: 1000 }, (_, i) => i), tag: Array.from({ length: 1000 }, (_, i) => `t${i % 7}`) });
}
