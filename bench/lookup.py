"""DoExchange key lookups against quiver: prints keys looked up per second.

    python3 bench/lookup.py [--rows 1000000] [--seconds 5] [--runs 3] [--batches 1,100,10000]

Starts `node bin/quiver.js serve` on a free port with a fresh data directory, puts a table of
ROWS rows {id int64 (unique, shuffled), name utf8, value float64, tags list<int32>} as 64Ki-row
batches, then drives one pyarrow DoExchange per run from this process: batches of B keys (90%
present, 10% absent), each written and its answer read before the next is sent (one batch in
flight, the way an interactive enricher works). Reported per batch size: the median over runs
of keys/s and answer batches/s, and the rows returned. The first lookup's time (decoding the
table and building the index) is reported separately. Client and server share the machine.
No figure is checked against anything: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"^Server listening on localhost:(\d+)\s*$")


def make_table(rows: int) -> pa.Table:
    rng = random.Random(1)
    ids = list(range(rows))
    rng.shuffle(ids)
    batches = []
    for start in range(0, rows, 65_536):
        part = ids[start:start + 65_536]
        batches.append(pa.record_batch({
            "id": pa.array(part, pa.int64()),
            "name": pa.array([f"customer-{i}" for i in part]),
            "value": pa.array([i / 3 for i in part], pa.float64()),
            "tags": pa.array([[i % 7] * (i % 3) for i in part], pa.list_(pa.int32())),
        }))
    return pa.Table.from_batches(batches)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each run")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batches", default="1,100,10000", help="keys per input batch, comma-separated")
    args = parser.parse_args()
    sizes = [int(s) for s in args.batches.split(",")]

    data = tempfile.mkdtemp(prefix="quiver-lookup-bench-")
    server = subprocess.Popen(["node", str(ROOT / "bin" / "quiver.js"), "serve", "--port", "0", "--data", data,
                               "--log-level", "warn"], cwd=ROOT, stdout=subprocess.PIPE)
    try:
        match = LISTENING.match(server.stdout.readline().decode())
        if not match:
            raise SystemExit("quiver did not start")
        client = flight.FlightClient(f"grpc+tcp://127.0.0.1:{match.group(1)}")
        table = make_table(args.rows)
        writer, _ = client.do_put(flight.FlightDescriptor.for_path("bench"), table.schema)
        writer.write_table(table)
        writer.close()
        sys.stderr.write(f"put {table.num_rows:,} rows\n")

        descriptor = flight.FlightDescriptor.for_command(json.dumps({"table": "bench", "key": "id"}).encode())
        rng = random.Random(2)

        def keys(n: int) -> pa.RecordBatch:
            return pa.record_batch({"id": pa.array([rng.randrange(0, args.rows * 10 // 9) for _ in range(n)], pa.int64())})

        start = time.perf_counter()
        writer, reader = client.do_exchange(descriptor)
        writer.begin(pa.schema([("id", pa.int64())]))
        writer.write_batch(keys(1))
        reader.read_chunk()
        writer.done_writing()
        writer.close()
        first = time.perf_counter() - start

        results = []
        for size in sizes:
            prepared = [keys(size) for _ in range(64)]
            runs = []
            for _ in range(args.runs):
                writer, reader = client.do_exchange(descriptor)
                writer.begin(pa.schema([("id", pa.int64())]))
                batches = returned = 0
                start = time.perf_counter()
                while time.perf_counter() - start < args.seconds:
                    writer.write_batch(prepared[batches % len(prepared)])
                    returned += reader.read_chunk().data.num_rows
                    batches += 1
                elapsed = time.perf_counter() - start
                writer.done_writing()
                writer.close()
                runs.append((batches * size / elapsed, batches / elapsed, returned / max(batches, 1)))
            results.append((size, statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs),
                            statistics.median(r[2] for r in runs)))

        print(f"quiver DoExchange lookups: table of {args.rows:,} rows {{id int64, name utf8, value float64, tags list<int32>}}, "
              f"key id; median of {args.runs} runs of {args.seconds:g} s; one batch in flight; client and server on one machine")
        print(f"first lookup (decode table + build index): {first:.2f} s")
        print(f"{'keys/batch':>10}  {'keys/s':>12}  {'batches/s':>10}  {'rows/answer':>11}")
        for size, keys_per_s, batches_per_s, rows in results:
            print(f"{size:>10,}  {keys_per_s:>12,.0f}  {batches_per_s:>10,.1f}  {rows:>11,.1f}")
        return 0
    finally:
        server.terminate()
        server.wait(20)
        subprocess.run(["rm", "-rf", data], check=False)


if __name__ == "__main__":
    sys.exit(main())
