// Table names on case-insensitive filesystems: two names that differ only in case never map to
// directory names that differ only in case, and a data root written with the older,
// case-preserving directory names is renamed at start and keeps every table readable.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { FlightClient } from '../../src/client/index.ts';
import { startServer } from '../../src/server/index.ts';
import { decodeTableKey, tableDirName, tableKey } from '../../src/table-names.ts';
import { sampleTable } from '../harness/flight-tables.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

const NAMES = ['Sales', 'sales', 'SALES', 'sAlEs', 'Straße', 'STRASSE', 'ÄRGER', 'ärger', 'A/b', 'a/B', 'X'.repeat(300), 'x'.repeat(300), `${'Q'.repeat(250)}z`, `${'q'.repeat(250)}Z`];

test('names differing only in case never share a directory name, whatever the case folding', () => {
  const folded = new Map<string, string>();
  for (const name of NAMES) {
    const dir = tableDirName(name);
    assert.equal(dir, dir.toLowerCase(), `${JSON.stringify(name)} -> ${dir} has upper-case letters`);
    const key = dir.toLowerCase();
    assert.ok(!folded.has(key), `${JSON.stringify(name)} and ${JSON.stringify(folded.get(key))} share ${dir} on a case-insensitive filesystem`);
    folded.set(key, name);
  }
});

test('the older encoding decodes back to its name (unless shortened)', () => {
  for (const name of ['Sales', 'a/B', 'ünï Cödé', 't_x.y']) assert.equal(decodeTableKey(tableKey(name)), name);
  assert.equal(decodeTableKey(tableKey('Y'.repeat(300))), null);
});

test('Sales and sales are two tables with two directories', async () => {
  const server = await startServer();
  const client = new FlightClient(server.location);
  try {
    await client.doPut('Sales', sampleTable(1, 2));
    await client.doPut('sales', sampleTable(1, 5));
    assert.equal((await client.readTable('Sales')).numRows, 2);
    assert.equal((await client.readTable('sales')).numRows, 5);
    const onDisk = fs.readdirSync(path.join(server.dataDir, 'tables')).filter((d) => !d.startsWith('.'));
    assert.equal(new Set(onDisk.map((d) => d.toLowerCase())).size, 2, onDisk.join(', '));
  } finally {
    client.close();
    await server.close();
  }
});

test('a data root with the older directory names is renamed at start and reads back', async () => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-case-'));
  dirs.push(data);
  const names = ['Sales', 'lower', `Long${'N'.repeat(250)}`];
  const first = await startServer({ data });
  let client = new FlightClient(first.location);
  for (const [i, name] of names.entries()) await client.doPut(name, sampleTable(1, i + 1));
  client.close();
  await first.close();
  // What an older quiver left: the same files under the case-preserving names.
  for (const name of names) {
    for (const parent of ['tables', 'log']) {
      const from = path.join(data, parent, tableDirName(name));
      if (fs.existsSync(from) && tableKey(name) !== tableDirName(name)) fs.renameSync(from, path.join(data, parent, tableKey(name)));
    }
  }
  assert.ok(fs.existsSync(path.join(data, 'tables', 't_Sales')));
  const second = await startServer({ data });
  client = new FlightClient(second.location);
  try {
    for (const [i, name] of names.entries()) assert.equal((await client.readTable(name)).numRows, i + 1, name);
    for (const parent of ['tables', 'log']) {
      for (const d of fs.readdirSync(path.join(data, parent))) assert.equal(d, d.toLowerCase(), `${parent}/${d} kept its older name`);
    }
  } finally {
    client.close();
    await second.close();
  }
});
