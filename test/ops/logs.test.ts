// Structured logs: one JSON object per line on stderr, with time, level and msg first; a failed
// call's line names its status code and request id; --log-level filters; --log-format text
// keeps the line format for people. Against a real `quiver serve`, plus the formatter's edges.
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { formatLine } from '../../src/server/logger.ts';
import { startQuiver, type QuiverProcess } from '../harness/quiver-process.ts';

type Line = Record<string, unknown> & { time: string; level: string; msg: string };

function jsonLines(stderr: string): Line[] {
  return stderr.split('\n').filter((l) => l !== '').map((l) => {
    try {
      return JSON.parse(l) as Line;
    } catch {
      throw new Error(`not a JSON log line: ${l}`);
    }
  });
}

async function failingCall(proc: QuiverProcess, requestId: string): Promise<void> {
  const client = new FlightClient(`grpc+tcp://${proc.address}`);
  try {
    await assert.rejects(client.getFlightInfo('no such table', { headers: { 'x-request-id': requestId } }));
  } finally {
    client.close();
  }
}

const procs: QuiverProcess[] = [];
after(async () => {
  for (const p of procs) await p.stop('SIGKILL');
});

describe('logs', () => {
  test('every stderr line is one JSON object; a failed call logs its code and request id', async () => {
    const proc = await startQuiver();
    procs.push(proc);
    await failingCall(proc, 'ops-test/42');
    await new Promise((r) => setTimeout(r, 300));
    const lines = jsonLines(proc.stderr());
    for (const l of lines) {
      assert.deepEqual(Object.keys(l).slice(0, 3), ['time', 'level', 'msg']);
      assert.ok(!Number.isNaN(Date.parse(l.time)));
      assert.ok(['info', 'warn', 'error'].includes(l.level));
    }
    const serving = lines.find((l) => l.msg === 'serving');
    assert.equal(serving?.port, proc.port);
    const failed = lines.find((l) => l.msg === 'GetFlightInfo failed');
    assert.ok(failed, proc.stderr());
    assert.equal(failed.code, 'NOT_FOUND');
    assert.equal(failed.requestId, 'ops-test/42');
    assert.equal(failed.level, 'info');
  });

  test('--log-level warn drops info lines; --log-format text prints TIME LEVEL message', async () => {
    const quiet = await startQuiver(['--log-level', 'warn']);
    procs.push(quiet);
    await failingCall(quiet, 'ops-test/43');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(jsonLines(quiet.stderr()).filter((l) => l.level === 'info').length, 0);

    const text = await startQuiver(['--log-format', 'text']);
    procs.push(text);
    assert.match(text.stderr(), /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO serving \{/m);
  });

  test('fields cannot replace time, level or msg; errors, bigints and cycles are written, not thrown', () => {
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    const err = Object.assign(new Error('disk full'), { code: 'ENOSPC' });
    const line = JSON.parse(formatLine('json', 'error', 'commit failed', { msg: 'sneaky', level: 'debug', n: 10n, cyclic }, err, new Date(0))) as Record<string, any>;
    assert.equal(line.time, '1970-01-01T00:00:00.000Z');
    assert.equal(line.level, 'error');
    assert.equal(line.msg, 'commit failed');
    assert.equal(line.field_msg, 'sneaky');
    assert.equal(line.field_level, 'debug');
    assert.equal(line.n, '10');
    assert.equal(line.cyclic.self, '[cycle]');
    assert.equal(line.error.message, 'disk full');
    assert.equal(line.error.code, 'ENOSPC');
    assert.match(line.error.stack, /disk full/);
  });
});
