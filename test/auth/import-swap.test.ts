// An import commits exactly the file it checked: while another process keeps swapping the
// source between two valid Parquet files (8 rows and 2 rows), every import that succeeds reads
// back with the row count its own manifest states. Checking one file and copying another (the
// path opened twice) commits a manifest that disagrees with its data.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { AdminClient, FlightClient, FlightError } from '../../src/client/index.ts';
import { startServer } from '../../src/server/index.ts';
import { CORPUS } from '../harness/quiver-process.ts';

const IMPORTS = 40;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-import-swap-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

test('a source swapped during imports never makes a manifest disagree with its data', { timeout: 300_000 }, async () => {
  const importDir = path.join(dir, 'imports');
  fs.mkdirSync(importDir);
  const eight = path.join(CORPUS, 'parquet/alltypes_plain.parquet');
  const two = path.join(CORPUS, 'parquet/alltypes_plain.snappy.parquet');
  fs.copyFileSync(eight, path.join(importDir, 'source.parquet'));
  // Replaces source.parquet whole (rename), alternating the two files, as fast as it can.
  const swapper = spawn(process.execPath, ['-e', `
    const fs = require('node:fs');
    const [a, b, target] = process.argv.slice(1);
    for (let i = 0; ; i++) {
      const tmp = target + '.tmp';
      fs.copyFileSync(i % 2 ? b : a, tmp);
      fs.renameSync(tmp, target);
    }`, eight, two, path.join(importDir, 'source.parquet')], { stdio: 'ignore' });
  const server = await startServer({ importDir, data: path.join(dir, 'data') });
  const client = new FlightClient(server.location);
  try {
    const outcomes = { accepted: 0, refused: 0 };
    for (let i = 0; i < IMPORTS; i++) {
      const table = `swap-${i}`;
      try {
        await new AdminClient(client).import({ table, files: ['source.parquet'] });
      } catch (e) {
        // Opening while the file is replaced may be refused; nothing is committed then.
        assert.ok(e instanceof FlightError, String(e));
        if (process.env.DEBUG_SWAP) console.log(e.details);
        outcomes.refused++;
        continue;
      }
      outcomes.accepted++;
      const info = await client.getFlightInfo(table);
      const data = await client.readTable(info);
      assert.equal(data.numRows, Number(info.totalRecords), `import ${i}: the manifest says ${info.totalRecords} rows, the committed file holds ${data.numRows}`);
      assert.ok([2, 8].includes(data.numRows));
    }
    assert.ok(outcomes.accepted >= IMPORTS / 2, `only ${outcomes.accepted} of ${IMPORTS} imports went through`);
  } finally {
    swapper.kill('SIGKILL');
    client.close();
    await server.close();
  }
});
