// Table names are arbitrary UTF-8; their directory names must stay one safe path component.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { tableDirName, validateTableName } from '../../src/table-names.ts';

const HOSTILE = ['..', '.', '../../etc', '/etc/passwd', 'a/b', 'a\\b', 'nul\u0000byte', ' ', '~', 'CON', 'ünïcödé ☃', 'x'.repeat(3000), '..'.repeat(200), 'a%2Fb', '.hidden'];

test('hostile names become one safe path component each', () => {
  const seen = new Map<string, string>();
  for (const name of HOSTILE) {
    const dir = tableDirName(name);
    assert.ok(!dir.includes('/') && !dir.includes('\\') && !dir.includes('\u0000'), `${JSON.stringify(dir)} has a separator`);
    assert.ok(dir !== '.' && dir !== '..' && !dir.startsWith('.'), `${JSON.stringify(dir)} is special`);
    assert.ok(Buffer.byteLength(dir) <= 200, `${dir.length} bytes is too long`);
    const root = '/data/tables';
    assert.equal(path.dirname(path.join(root, dir)), root);
    assert.ok(!seen.has(dir), `${JSON.stringify(name)} and ${JSON.stringify(seen.get(dir))} collide`);
    seen.set(dir, name);
  }
});

test('names that differ only in case or in a long tail stay distinct', () => {
  assert.notEqual(tableDirName('Table'), tableDirName('table'));
  assert.notEqual(tableDirName('x'.repeat(500) + 'a'), tableDirName('x'.repeat(500) + 'b'));
});

test('empty, oversized and ill-formed names are refused', () => {
  assert.throws(() => validateTableName(''), /empty/);
  assert.throws(() => validateTableName('x'.repeat(5000)), /limit/);
  assert.throws(() => validateTableName('\uD800'), /well-formed/);
});
