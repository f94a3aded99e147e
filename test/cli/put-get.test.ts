// `quiver put` and `quiver get` against a real server, driven as a script would drive them:
// every input and output format, modes, versions and projections, and failed uploads that
// commit nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { tableToIPC } from 'apache-arrow';
import { runCli } from '../harness/cli-process.ts';
import { CORPUS, startQuiver, tempDir, type QuiverProcess } from '../harness/quiver-process.ts';
import { sampleTable } from '../harness/flight-tables.ts';

const PARQUET = path.join(CORPUS, 'parquet/alltypes_plain.parquet');

/** Reads files with pyarrow, the reference implementation: {file: rows as JSON}. */
function pyarrowRows(files: string[]): Record<string, unknown[]> {
  const script = `
import json, sys, pyarrow as pa, pyarrow.parquet as pq, pyarrow.csv as pc
def read(f):
    if f.endswith('.parquet'): return pq.read_table(f)
    if f.endswith('.arrow'): return pa.ipc.open_file(f).read_all()
    if f.endswith('.arrows'): return pa.ipc.open_stream(f).read_all()
    return pc.read_csv(f)
print(json.dumps({f: read(f).to_pylist() for f in sys.argv[1:]}, default=str))`;
  return JSON.parse(execFileSync('python3', ['-c', script, ...files], { encoding: 'utf8' })) as Record<string, unknown[]>;
}

describe('quiver put and get', () => {
  let server: QuiverProcess;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const cli = (...args: string[]) => runCli(args, { env, cwd: dir });
  const file = (name: string) => path.join(dir, name);

  before(async () => {
    server = await startQuiver();
    dir = tempDir('quiver-cli-');
    env = { QUIVER_SERVER: `grpc+tcp://${server.address}` };
    fs.writeFileSync(file('people.csv'), 'id,name,score,joined,active\n1,alice,1.5,2024-01-02,true\n2,"bob, jr",,2024-01-03T10:00:00Z,false\n3,"say ""hi""\nthere",3,,\n');
    fs.writeFileSync(file('sample.arrow'), tableToIPC(sampleTable(2, 3), 'file'));
    fs.writeFileSync(file('sample.arrows'), tableToIPC(sampleTable(3, 2), 'stream'));
  });
  after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('put a CSV file prints a one-line summary; get writes it back in every format', async () => {
    const put = await cli('put', 'people', 'people.csv');
    assert.equal(put.code, 0, put.stderr);
    assert.match(put.stdout, /^put people: 1 file, 3 rows, .* version 1 \(create\), table now 3 rows\n$/);
    assert.equal(put.stderr, '');
    const exts = ['csv', 'parquet', 'arrow', 'arrows'];
    const gets = await Promise.all(exts.map((ext) => cli('get', 'people', '-o', `people-out.${ext}`)));
    gets.forEach((r, i) => {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, `wrote 3 rows to people-out.${exts[i]}\n`);
    });
    const rows = pyarrowRows(['csv', 'parquet', 'arrow', 'arrows'].map((e) => file(`people-out.${e}`)));
    const expected = [
      { id: 1, name: 'alice', score: 1.5, joined: '2024-01-02 00:00:00', active: true },
      { id: 2, name: 'bob, jr', score: null, joined: '2024-01-03 10:00:00', active: false },
      { id: 3, name: 'say "hi"\nthere', score: 3, joined: 'null', active: null },
    ];
    for (const ext of ['parquet', 'arrow', 'arrows']) {
      const got = rows[file(`people-out.${ext}`)]!.map((r) => ({ ...(r as object), joined: String((r as { joined: unknown }).joined) }));
      assert.deepEqual(got, expected, ext);
    }
    assert.equal(rows[file('people-out.csv')]!.length, 3);
  });

  test('get with no -o and no terminal writes CSV to stdout', async () => {
    const r = await cli('get', 'people', '--columns', 'id,name');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'id,name\n1,alice\n2,"bob, jr"\n3,"say ""hi""\nthere"\n');
  });

  test('put Parquet, Arrow IPC file and stream; the Parquet data reads back as pyarrow reads it', async () => {
    const [r, both] = await Promise.all([cli('put', 'alltypes', PARQUET), cli('put', 'samples', 'sample.arrow', 'sample.arrows')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /8 rows/);
    assert.equal((await cli('get', 'alltypes', '-o', 'alltypes.parquet')).code, 0);
    const rows = pyarrowRows([PARQUET, file('alltypes.parquet')]);
    assert.deepEqual(rows[file('alltypes.parquet')], rows[PARQUET]);

    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /^put samples: 2 files, 12 rows,/);
    const back = await cli('get', 'samples', '--format', 'csv');
    assert.equal(back.stdout.trim().split('\n').length, 13);
  });

  test('put reads Arrow IPC files and streams written by pyarrow with zstd and LZ4 compressed bodies', async () => {
    execFileSync('python3', ['-c', `
import sys, pyarrow as pa
t = pa.table({"id": list(range(3000)), "name": [f"n{i % 10}" for i in range(3000)]})
for codec, ext, new in (("zstd", "arrow", pa.ipc.new_file), ("lz4", "arrows", pa.ipc.new_stream)):
    with new(f"{sys.argv[1]}/packed-{codec}.{ext}", t.schema, options=pa.ipc.IpcWriteOptions(compression=codec)) as w:
        w.write_table(t, max_chunksize=1000)`, dir]);
    const files = ['packed-zstd.arrow', 'packed-lz4.arrows'];
    const r = await cli('put', 'packed', ...files);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /6,000 rows/);
    assert.equal((await cli('get', 'packed', '-o', 'packed-back.arrows')).code, 0);
    const rows = pyarrowRows([...files.map(file), file('packed-back.arrows')]);
    assert.deepEqual(rows[file('packed-back.arrows')], [...rows[file(files[0]!)]!, ...rows[file(files[1]!)]!]);
  });

  test('--mode create refuses an existing table, overwrite replaces it, --version reads the past', async () => {
    const create = await cli('put', 'people', 'people.csv', '--mode', 'create');
    assert.equal(create.code, 1);
    assert.match(create.stderr, /already exists/);
    assert.match(create.stderr, /hint: use --mode append or --mode overwrite/);
    const append = await cli('put', 'people', 'people.csv');
    assert.match(append.stdout, /version 2 \(append\), table now 6 rows/);
    const overwrite = await cli('put', 'people', 'sample.arrow', '--mode', 'overwrite');
    assert.equal(overwrite.code, 0, overwrite.stderr);
    assert.match(overwrite.stdout, /version 3 \(overwrite\), table now 6 rows/);
    const v1 = await cli('get', 'people', '--version', '1', '--columns', 'name');
    assert.equal(v1.stdout, 'name\nalice\n"bob, jr"\n"say ""hi""\nthere"\n');
  });

  test('files with different schemas, a CSV value that breaks its column type, or a missing file commit nothing', async () => {
    const lines = ['n', ...Array.from({ length: 10 }, (_, i) => String(i)), 'eleven'];
    fs.writeFileSync(file('late-text.csv'), `${lines.join('\n')}\n`);
    const [mixed, late, missing] = await Promise.all([
      cli('put', 'mixed', 'people.csv', 'sample.arrow'),
      cli('put', 'late', 'late-text.csv', '--infer-rows', '3'),
      cli('put', 't', 'nope.parquet'),
    ]);
    assert.equal(mixed.code, 1);
    assert.match(mixed.stderr, /same schema/);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /nope\.parquet/);
    assert.equal(late.code, 1);
    assert.match(late.stderr, /late-text\.csv line 12: "eleven" in column "n" is not int64/);
    assert.match(late.stderr, /--infer-rows/);
    const ls = await cli('ls', '--json');
    const tables = ls.stdout.trim().split('\n').map((l) => JSON.parse(l).table);
    assert.ok(!tables.includes('mixed') && !tables.includes('late'), tables.join(','));
  });
});
