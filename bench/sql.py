"""quiver's Flight SQL against DuckDB in-process on the same Parquet files: `npm run bench:sql`.

    python3 bench/sql.py [--rows N] [--customers N] [--runs N] [--quick] [--queries a,b,...]
                         [--ipc] [--fresh-plans] [--out FILE] [--node-arg=--cpu-prof ...] [--quiver-arg=...]

Starts one quiver server (node bin/quiver.js serve, default settings, a fresh temporary data
directory, 127.0.0.1) and puts two generated tables into it with pyarrow.flight DoPut:
  sales      ROWS rows {id int64, ts timestamp[us], region utf8 (8 values), customer_id int64,
             product utf8 (10,000 values), qty int32, price float64, discount float64 (10% null)}
  customers  CUSTOMERS rows {customer_id int64, segment utf8, country utf8, since date32}
Deterministic (seeded) data. quiver lands them as Arrow IPC; the setup converts them to zstd Parquet
(the `maintenance` action; background conversion is paused) and in-process Python `duckdb`
reads exactly those files (the current version's files, from the manifest), so both engines scan
the same bytes with the same row groups.

Each query, in a fixed order: one untimed warm-up per side (the results are compared: same
rows, floats within 1e-9 relative), then --runs runs interleaved quiver, duckdb, quiver, ...
  quiver   ADBC Flight SQL driver (adbc-driver-flightsql): cursor.execute + fetch_arrow_table,
           i.e. GetFlightInfo (plan) + DoGet (execute, stream), over loopback gRPC
  duckdb   duckdb.connect() in this process (default threads, as quiver's engine):
           sql + to_arrow_table over views of the same Parquet files. By default the Python
           duckdb of the release quiver embeds (read from node_modules/@duckdb/node-bindings,
           pip-installed once under .cache/), so the ratio is quiver's overhead over its own
           engine; --duckdb installed compares with whatever duckdb is installed instead.
The figure is the median wall time; ratio = duckdb / quiver (speed of quiver relative to
DuckDB in-process; 1.00x = as fast, higher is better). Target: >= 0.8x on every query but
SELECT *.

SELECT * of `sales` is also compared with quiver's own DoGet of the table (pyarrow.flight,
read_all): interleaved SQL through ADBC, SQL through pyarrow.flight (the same GetFlightInfo +
DoGet calls: the server's share without the ADBC client's), DoGet cold (decoded-file cache cleared before each run, so both
decode the same Parquet files) and DoGet hot (from the cache). Throughput in MB/s of the table's
Arrow body (IPC bodies of 64Ki-row batches as put; MB = 10^6). Target: SQL >= 0.7x of DoGet cold.

--ipc also puts a second copy of both tables (sales_ipc, customers_ipc) and leaves it as DoPut
landed it, Arrow IPC (conversion stays paused), and times quiver on it too (quiver_ipc, the same
query with the table names swapped), interleaved with the other two: what a query over freshly
written data costs before conversion. DuckDB in-process still reads the Parquet copy.

quiver reuses the plan of a query it ran before over the same table versions (and parses a text
once), as a dashboard repeating its queries would find; DuckDB in-process re-plans every run.
--fresh-plans also times quiver on texts it has never seen (the query plus a unique comment per
run), interleaved too: what a query costs when nothing planned before can serve it.

The client shares the machine's cores with the server. Progress goes to stderr, the table to
stdout, the figures to --out (default bench-results-sql.json). Nothing is asserted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.flight as flight
from adbc_driver_flightsql import dbapi as adbc_flightsql

from run import ServerProcess, arrow_body_bytes, BenchError, _git_commit, _node_version, convert_to_parquet, progress

ROOT = Path(__file__).resolve().parents[1]


def engine_duckdb_version() -> str:
    """The DuckDB release inside quiver's @duckdb/node-bindings ("1.5.6-r.1" -> "1.5.6")."""
    pkg = json.loads((ROOT / "node_modules" / "@duckdb" / "node-bindings" / "package.json").read_text())
    return pkg["version"].split("-", 1)[0]


def use_python_duckdb(which: str):
    """Imports duckdb: the release quiver embeds (installed once under .cache/), or the installed one.

    DuckDB's own speed differs between releases (2.0 prunes Parquet pages 1.5 reads), so the
    baseline for "quiver's overhead over its engine" is the same release quiver runs."""
    if which == "same":
        version = engine_duckdb_version()
        target = ROOT / ".cache" / f"python-duckdb-{version}"
        if not (target / "duckdb").is_dir():
            progress(f"installing Python duckdb=={version} (quiver's engine release) into {target}")
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps",
                            "--target", str(target), f"duckdb=={version}"], check=True)
        sys.path.insert(0, str(target))
    import duckdb
    if which == "same" and not duckdb.__version__.startswith(engine_duckdb_version()):
        raise BenchError(f"imported duckdb {duckdb.__version__} from {duckdb.__file__}, wanted {engine_duckdb_version()}")
    return duckdb
MB = 1e6
REGIONS = ["EU", "US", "APAC", "LATAM", "MEA", "NA", "ANZ", "CN"]
SEGMENTS = ["consumer", "corporate", "home-office", "small-business", "public"]

# name, class ("agg": engine-bound, small or moderate result; "scan": the full SELECT *), SQL.
QUERIES: list[tuple[str, str, str]] = [
    ("filter-count", "agg", "SELECT count(*) AS n, sum(price * qty) AS revenue FROM sales WHERE region = 'EU' AND qty >= 5"),
    ("filter-rows", "agg", "SELECT id, ts, customer_id, price FROM sales WHERE product = 'product-42'"),
    ("filter-range", "agg", "SELECT * FROM sales WHERE ts >= TIMESTAMP '2026-03-01' AND ts < TIMESTAMP '2026-03-04'"),
    ("group-region", "agg", "SELECT region, count(*) AS n, sum(qty) AS qty, avg(price) AS avg_price, "
                            "count(discount) AS discounted FROM sales GROUP BY region"),
    ("group-day", "agg", "SELECT date_trunc('day', ts) AS day, region, sum(price * qty) AS revenue "
                         "FROM sales GROUP BY ALL ORDER BY ALL"),
    ("group-customer", "agg", "SELECT customer_id, count(*) AS n, sum(price * qty) AS revenue FROM sales GROUP BY customer_id"),
    ("join", "agg", "SELECT c.segment, c.country, count(*) AS n, sum(s.price * s.qty) AS revenue "
                    "FROM sales s JOIN customers c ON s.customer_id = c.customer_id GROUP BY ALL"),
    ("window", "agg", "SELECT customer_id, id, price FROM (SELECT customer_id, id, price, "
                      "row_number() OVER (PARTITION BY customer_id ORDER BY price DESC, id) AS rn FROM sales) WHERE rn = 1"),
    ("top-n", "agg", "SELECT id, customer_id, price, qty FROM sales ORDER BY price * qty DESC, id LIMIT 100"),
    ("select-star", "scan", "SELECT * FROM sales"),
]


# ------------------------------------------------------------------------------------------
# Data


def make_sales(rows: int, customers: int, chunk_rows: int) -> pa.Table:
    schema = pa.schema([("id", pa.int64()), ("ts", pa.timestamp("us")), ("region", pa.utf8()),
                        ("customer_id", pa.int64()), ("product", pa.utf8()), ("qty", pa.int32()),
                        ("price", pa.float64()), ("discount", pa.float64())])
    start_us = int(dt.datetime(2026, 1, 1).timestamp()) * 1_000_000
    year_us = 365 * 86_400 * 1_000_000
    regions = pa.array(REGIONS)
    products = pc.binary_join_element_wise("product-", pc.cast(pa.array(range(10_000)), pa.utf8()), "")
    batches = []
    for i, start in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - start)
        r = [pc.random(n, initializer=10 * i + k) for k in range(6)]
        ids = pa.array(range(start, start + n), type=pa.int64())
        # Time grows with id (as appended data does), with jitter.
        ts = pc.cast(pc.add(pc.multiply(pc.divide(pc.cast(ids, pa.float64()), float(rows)), float(year_us)),
                            float(start_us)), pa.int64()).cast(pa.timestamp("us"))
        region = pc.take(regions, pc.cast(pc.floor(pc.multiply(r[0], len(REGIONS))), pa.int32()))
        customer = pc.cast(pc.floor(pc.multiply(r[1], customers)), pa.int64())
        product = pc.take(products, pc.cast(pc.floor(pc.multiply(pc.multiply(r[2], r[2]), 10_000)), pa.int32()))
        qty = pc.cast(pc.add(pc.floor(pc.multiply(r[3], 10)), 1), pa.int32())
        price = pc.divide(pc.round(pc.multiply(r[4], 100_000)), 100.0)
        discount = pc.if_else(pc.less(r[5], 0.1), pa.scalar(None, pa.float64()), pc.multiply(r[5], 0.3))
        batches.append(pa.record_batch([ids, ts, region, customer, product, qty, price, discount], schema=schema))
    return pa.Table.from_batches(batches, schema=schema)


def make_customers(n: int) -> pa.Table:
    ids = pa.array(range(n), type=pa.int64())
    r = pc.random(n, initializer=99)
    segment = pc.take(pa.array(SEGMENTS), pc.cast(pc.floor(pc.multiply(r, len(SEGMENTS))), pa.int32()))
    country = pc.binary_join_element_wise("country-", pc.cast(pc.bit_wise_and(ids, 63), pa.utf8()), "")
    since = pc.cast(pc.add(pc.bit_wise_and(ids, 4095), 18_000), pa.int32()).cast(pa.date32())
    return pa.table({"customer_id": ids, "segment": segment, "country": country, "since": since})


def put(client: flight.FlightClient, name: str, table: pa.Table, chunk_rows: int) -> None:
    writer, reader = client.do_put(flight.FlightDescriptor.for_path(name), table.schema)
    for b in table.to_batches(max_chunksize=chunk_rows):
        writer.write_batch(b)
        reader.read()  # one PutResult per batch
    writer.done_writing()
    while reader.read() is not None:
        pass
    writer.close()


def table_files(data_dir: Path, table: str) -> list[str]:
    """The files of the table's newest version, as its manifest lists them."""
    tables = data_dir / "tables"
    candidates = [d for d in tables.iterdir() if d.is_dir() and any(
        json.loads(m.read_text())["table"] == table for m in (d / "manifests").glob("*.json"))]
    if len(candidates) != 1:
        raise BenchError(f"cannot find the table directory of {table!r} under {tables}")
    d = candidates[0]
    newest = max((d / "manifests").glob("*.json"), key=lambda m: int(m.name.split("-", 1)[0]))
    manifest = json.loads(newest.read_text())
    return [str(d / f["path"]) for f in manifest["files"]]


def stored_parquet_files(data_dir: Path, table: str) -> list[str]:
    """The table's newest version's files, which must all be Parquet (what DuckDB in-process reads)."""
    files = table_files(data_dir, table)
    if not files or not all(f.endswith(".parquet") for f in files):
        raise BenchError(f"{table}: expected Parquet files, the manifest lists {files}")
    return files


def on_ipc_tables(sql: str) -> str:
    """The query over the unconverted copies (--ipc): sales -> sales_ipc, customers -> customers_ipc."""
    return re.sub(r"\b(sales|customers)\b", r"\1_ipc", sql)


def _field(number: int, value: bytes) -> bytes:
    """A length-delimited protobuf field (enough to pack a Flight SQL command by hand)."""
    def varint(n: int) -> bytes:
        out = bytearray()
        while True:
            b, n = n & 0x7F, n >> 7
            out.append(b | (0x80 if n else 0))
            if not n:
                return bytes(out)
    return varint(number << 3 | 2) + varint(len(value)) + value


def _statement_query(sql: str) -> bytes:
    """Any-packed CommandStatementQuery{query}."""
    return _field(1, b"type.googleapis.com/arrow.flight.protocol.sql.CommandStatementQuery") + _field(2, _field(1, sql.encode()))


# ------------------------------------------------------------------------------------------
# Comparing results


def canonical(t: pa.Table) -> pa.Table:
    t = t.combine_chunks()
    return t.sort_by([(n, "ascending") for n in t.column_names]) if t.num_rows else t


def same_result(a: pa.Table, b: pa.Table) -> str | None:
    """None when a and b hold the same rows (floats within 1e-9 relative), else why not."""
    if a.num_rows != b.num_rows or a.column_names != b.column_names:
        return f"{a.num_rows} rows {a.column_names} vs {b.num_rows} rows {b.column_names}"
    a, b = canonical(a), canonical(b)
    for name in a.column_names:
        x, y = a[name], b[name]
        if pa.types.is_floating(x.type):
            x, y = x.cast(pa.float64()), y.cast(pa.float64())
            diff = pc.abs(pc.subtract(x, y))
            tol = pc.multiply(pc.max_element_wise(pc.abs(x), pc.abs(y)), 1e-9)
            bad = pc.sum(pc.cast(pc.greater(diff, pc.add(tol, 1e-12)), pa.int64())).as_py() or 0
            if bad or pc.sum(pc.cast(pc.not_equal(pc.is_null(x), pc.is_null(y)), pa.int64())).as_py():
                return f"column {name}: {bad} values differ"
        elif not x.cast(y.type).equals(y):
            return f"column {name} differs ({x.type} vs {y.type})"
    return None


# ------------------------------------------------------------------------------------------
# The sides


class Sides:
    def __init__(self, port: int, files: dict[str, list[str]], call_timeout: float):
        self.adbc = adbc_flightsql.connect(f"grpc://127.0.0.1:{port}", autocommit=True)
        self.duck = duckdb.connect()
        for table, paths in files.items():
            listed = ", ".join("'" + p.replace("'", "''") + "'" for p in paths)
            self.duck.execute(f'CREATE VIEW "{table}" AS SELECT * FROM read_parquet([{listed}])')
        self.flight = flight.FlightClient(f"grpc+tcp://127.0.0.1:{port}")
        self.opts = flight.FlightCallOptions(timeout=call_timeout)
        self.fresh_count = 0

    def fresh(self, sql: str) -> str:
        """`sql` with a comment no earlier query had: a text quiver has never planned, so nothing
        planned before (parse tree, prepared plan) can serve it."""
        self.fresh_count += 1
        return f"{sql} /* fresh {self.fresh_count} */"

    def quiver(self, sql: str) -> tuple[float, pa.Table]:
        t0 = time.perf_counter()
        with self.adbc.cursor() as cur:
            cur.execute(sql)
            table = cur.fetch_arrow_table()
        return time.perf_counter() - t0, table

    def duckdb(self, sql: str) -> tuple[float, pa.Table]:
        t0 = time.perf_counter()
        rel = self.duck.sql(sql)
        # duckdb 2.x: to_arrow_table(); 1.x: arrow() returns the Table.
        table = rel.to_arrow_table() if hasattr(rel, "to_arrow_table") else rel.arrow()
        return time.perf_counter() - t0, table

    def doget(self, table: str, cold: bool) -> tuple[float, pa.Table]:
        if cold:
            list(self.flight.do_action(flight.Action("cache-clear", b""), self.opts))
        t0 = time.perf_counter()
        info = self.flight.get_flight_info(flight.FlightDescriptor.for_path(table), self.opts)
        result = pa.concat_tables(self.flight.do_get(ep.ticket, self.opts).read_all() for ep in info.endpoints)
        return time.perf_counter() - t0, result

    def sql_by_flight(self, sql: str) -> tuple[float, pa.Table]:
        """The same Flight SQL calls ADBC makes (GetFlightInfo of CommandStatementQuery, DoGet),
        from pyarrow.flight: the server's side of SELECT * without the ADBC client's own costs."""
        t0 = time.perf_counter()
        info = self.flight.get_flight_info(flight.FlightDescriptor.for_command(_statement_query(sql)), self.opts)
        result = pa.concat_tables(self.flight.do_get(ep.ticket, self.opts).read_all() for ep in info.endpoints)
        return time.perf_counter() - t0, result

    def close(self) -> None:
        self.adbc.close()
        self.duck.close()
        self.flight.close()


def server_cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads) from /proc: immune to the machine's load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def interleaved(label: str, runs: int, sides: dict[str, callable], server_pid: int) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Wall seconds per side and run, and CPU seconds (server + this process's threads) per side and run."""
    out: dict[str, list[float]] = {name: [] for name in sides}
    cpu: dict[str, list[float]] = {name: [] for name in sides}
    for i in range(runs):
        for name, run_one in sides.items():
            s0, c0 = server_cpu_seconds(server_pid), time.process_time()
            secs, _ = run_one()
            cpu[name].append(server_cpu_seconds(server_pid) - s0 + time.process_time() - c0)
            out[name].append(secs)
        progress(f"{label}: run {i + 1}/{runs}: " + ", ".join(f"{n} {out[n][-1] * 1000:.0f} ms" for n in sides))
    return out, cpu


# ------------------------------------------------------------------------------------------
# Output


def render(meta: dict, results: list[dict], star: dict | None) -> str:
    lines = [
        f"quiver Flight SQL (ADBC {meta['adbc']}) vs DuckDB {meta['duckdb']} in-process on the same Parquet files: "
        f"sales {meta['rows']:,} rows ({meta['sales_mb']:.1f} MB Arrow), customers {meta['customers']:,} rows",
        f"median of {meta['runs']} interleaved runs per query (after one warm-up each); {meta['cpus']} CPUs shared by "
        f"client and server; node {meta['node']}, quiver {meta['quiver_commit']}",
        "",
    ]
    ipc = any("quiver_ipc_ms" in r for r in results)
    fresh = any("quiver_fresh_ms" in r for r in results)
    rows = [("query", "result rows", "quiver ms", "duckdb ms", "duckdb/quiver", "target", "CPU ms quiver/duckdb")
            + (("quiver IPC ms", "duckdb/quiver IPC", "CPU ms quiver IPC") if ipc else ())
            + (("fresh plan ms", "duckdb/fresh", "CPU ms fresh") if fresh else ())]
    for r in results:
        target = r["target"]
        ok = "ok" if r["ratio"] >= target else "MISSED"
        rows.append((r["query"], f"{r['rows']:,}", f"{r['quiver_ms']:,.1f}", f"{r['duckdb_ms']:,.1f}",
                     f"{r['ratio']:.2f}x", f">= {target:.1f}x {ok}" if r["class"] == "agg" else "-",
                     f"{r['cpu_ms']['quiver']:,.0f} / {r['cpu_ms']['duckdb']:,.0f}")
                    + ((f"{r['quiver_ipc_ms']:,.1f}", f"{r['ratio_ipc']:.2f}x", f"{r['cpu_ms']['quiver_ipc']:,.0f}") if "quiver_ipc_ms" in r
                       else ("-", "-", "-") if ipc else ())
                    + ((f"{r['quiver_fresh_ms']:,.1f}", f"{r['ratio_fresh']:.2f}x", f"{r['cpu_ms']['quiver_fresh']:,.0f}") if "quiver_fresh_ms" in r
                       else ("-", "-", "-") if fresh else ()))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    align = ["<", ">", ">", ">", ">", "<", ">", ">", ">", ">", ">", ">", ">"]
    for i, row in enumerate(rows):
        lines.append("  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    if star:
        lines += ["", f"SELECT * FROM sales ({meta['sales_mb']:.1f} MB of Arrow), MB/s (median):"]
        srows = [("path", "MB/s", "SQL / path", "CPU s")]
        for key, label in (("sql", "Flight SQL (ADBC fetch_arrow_table)"), ("sql_pyarrow", "Flight SQL (pyarrow.flight read_all)"),
                           ("doget_cold", "DoGet cold (pyarrow read_all, cache cleared)"),
                           ("doget_hot", "DoGet hot (pyarrow read_all, from cache)"), ("duckdb", "DuckDB in-process to_arrow_table")):
            cpu_key = {"sql": "quiver"}.get(key, key)
            srows.append((label, f"{star[key]:,.0f}", f"{star['sql'] / star[key]:.2f}x", f"{star['cpu_s'][cpu_key]:.2f}"))
        w = [max(len(r[i]) for r in srows) for i in range(4)]
        for i, row in enumerate(srows):
            lines.append("  ".join(f"{c:{a}{ww}}" for c, a, ww in zip(row, ["<", ">", ">", ">"], w)).rstrip())
            if i == 0:
                lines.append("  ".join("-" * ww for ww in w))
        for key, label in (("sql", "ADBC"), ("sql_pyarrow", "pyarrow.flight")):
            ratio = star[key] / star["doget_cold"]
            lines.append(f"target: Flight SQL ({label}) >= 0.7x of DoGet cold: {ratio:.2f}x {'ok' if ratio >= 0.7 else 'MISSED'}")
    lines.append("")
    lines.append("ratio = duckdb ms / quiver ms: quiver's speed relative to DuckDB in-process (higher is better).")
    lines.append("CPU = user + system seconds of the quiver server and of this process (client, in-process DuckDB) "
                 "during the run, median: unlike wall time, it does not grow with the machine's load.")
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------


def parse_args(argv: list[str]):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=None, help="rows of sales (default 4,000,000; --quick: 200,000)")
    ap.add_argument("--customers", type=int, default=None, help="rows of customers (default 100,000; --quick: 5,000)")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per side per query (default 7; --quick: 1)")
    ap.add_argument("--quick", action="store_true", help="small tables, 1 run: a smoke run, not a measurement")
    ap.add_argument("--fresh-plans", action="store_true",
                    help="also time quiver on a text it has never seen (a unique trailing comment per run): "
                         "what a query costs when no earlier plan of it can be reused")
    ap.add_argument("--ipc", action="store_true",
                    help="also time quiver on an Arrow IPC-stored copy of the tables (as DoPut lands them, unconverted)")
    ap.add_argument("--chunk-rows", type=int, default=1 << 16, help="rows per record batch put (65536)")
    ap.add_argument("--queries", default=None, help="comma-separated subset of: " + ",".join(q[0] for q in QUERIES))
    ap.add_argument("--duckdb", choices=("same", "installed"), default="same",
                    help="in-process baseline: the DuckDB release quiver embeds (default; pip-installed under .cache/) "
                         "or the Python duckdb already installed")
    ap.add_argument("--call-timeout", type=float, default=600.0, help="deadline of every Flight RPC in seconds")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results-sql.json", help="JSON results file")
    ap.add_argument("--keep-data", action="store_true", help="keep the server's data directory and log")
    ap.add_argument("--quiver", type=Path, default=ROOT, metavar="DIR",
                    help="quiver checkout whose server to benchmark (default: this one; it needs a build/)")
    ap.add_argument("--node-arg", action="append", default=[], metavar="ARG",
                    help="extra node option for the quiver process (repeatable), e.g. --node-arg=--cpu-prof")
    ap.add_argument("--quiver-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `quiver serve` (repeatable)")
    args = ap.parse_args(argv)
    if args.rows is None:
        args.rows = 200_000 if args.quick else 4_000_000
    if args.customers is None:
        args.customers = 5_000 if args.quick else 100_000
    if args.runs is None:
        args.runs = 1 if args.quick else 7
    names = [q[0] for q in QUERIES]
    args.queries = names if args.queries is None else [q.strip() for q in args.queries.split(",") if q.strip()]
    unknown = [q for q in args.queries if q not in names]
    if unknown or not args.queries:
        ap.error(f"--queries: unknown {unknown}; choose from {','.join(names)}")
    if args.rows < 1 or args.customers < 1 or args.runs < 1:
        ap.error("--rows, --customers and --runs must be positive")
    return args


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    global duckdb
    duckdb = use_python_duckdb(args.duckdb)
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    progress(f"generating sales ({args.rows:,} rows) and customers ({args.customers:,} rows)")
    sales = make_sales(args.rows, args.customers, args.chunk_rows)
    customers = make_customers(args.customers)
    sales_bytes = arrow_body_bytes(sales)
    work = Path(tempfile.mkdtemp(prefix="quiver-bench-sql-"))
    data_dir = work / "quiver-data"
    server = ServerProcess("quiver", ["node", *args.node_arg, str(args.quiver.resolve() / "bin" / "quiver.js"), "serve", "--port", "0",
                                      "--host", "127.0.0.1", "--data", str(data_dir), "--log-level", "warn", *args.quiver_arg],
                           work / "quiver.log",
                           # DoPut lands Arrow IPC; conversion is run below, before any timed query,
                           # never in the background during one. A variable, not the flag: a
                           # --quiver checkout from before landing ignores it (and stores Parquet).
                           env={"QUIVER_CONVERT_PAUSED": "true"})
    status = 1
    sides: Sides | None = None
    try:
        server.start()
        setup_client = flight.FlightClient(server.uri)
        for name, table in (("sales", sales), ("customers", customers)):
            t0 = time.perf_counter()
            put(setup_client, name, table, args.chunk_rows)
            progress(f"setup: put {name} ({table.num_rows:,} rows) in {time.perf_counter() - t0:.1f}s")
            if not all(f.endswith(".parquet") for f in table_files(data_dir, name)):
                progress(f"setup: converted {name} to Parquet in {convert_to_parquet(setup_client, name):.1f}s")
        setup_client.close()
        files = {name: stored_parquet_files(data_dir, name) for name in ("sales", "customers")}
        progress("setup: Parquet files " + ", ".join(f"{n} {len(f)}" for n, f in files.items()))
        if args.ipc:
            setup_client = flight.FlightClient(server.uri)
            for name, table in (("sales_ipc", sales), ("customers_ipc", customers)):
                put(setup_client, name, table, args.chunk_rows)
                if not all(f.endswith(".arrows") for f in table_files(data_dir, name)):
                    raise BenchError(f"{name}: expected Arrow IPC files (conversion paused), the manifest lists others")
            setup_client.close()
            progress("setup: put sales_ipc and customers_ipc, left Arrow IPC")
        sides = Sides(server.port, files, args.call_timeout)
        results: list[dict] = []
        star: dict | None = None
        for qname, qclass, sql in QUERIES:
            if qname not in args.queries:
                continue
            _, q_warm = sides.quiver(sql)
            _, d_warm = sides.duckdb(sql)
            why = same_result(q_warm, d_warm)
            if why:
                raise BenchError(f"{qname}: quiver and duckdb disagree: {why}")
            rows = q_warm.num_rows
            del q_warm, d_warm
            if qclass == "scan":
                if sides.doget("sales", cold=True)[1].num_rows != sales.num_rows:
                    raise BenchError("DoGet of sales returned a different row count")
                sides.doget("sales", cold=False)
                if sides.sql_by_flight(sql)[1].num_rows != sales.num_rows:
                    raise BenchError("Flight SQL by pyarrow.flight returned a different row count")
                runs, cpu = interleaved(qname, args.runs, {
                    "quiver": lambda: sides.quiver(sql), "sql_pyarrow": lambda: sides.sql_by_flight(sql), "duckdb": lambda: sides.duckdb(sql),
                    "doget_cold": lambda: sides.doget("sales", cold=True), "doget_hot": lambda: sides.doget("sales", cold=False),
                }, server.pid)
                star = {"sql": sales_bytes / MB / statistics.median(runs["quiver"]),
                        "sql_pyarrow": sales_bytes / MB / statistics.median(runs["sql_pyarrow"]),
                        "duckdb": sales_bytes / MB / statistics.median(runs["duckdb"]),
                        "doget_cold": sales_bytes / MB / statistics.median(runs["doget_cold"]),
                        "doget_hot": sales_bytes / MB / statistics.median(runs["doget_hot"]),
                        "cpu_s": {k: statistics.median(v) for k, v in cpu.items()}, "runs_s": runs}
            else:
                timed = {"quiver": lambda: sides.quiver(sql), "duckdb": lambda: sides.duckdb(sql)}
                if args.ipc:
                    ipc_sql = on_ipc_tables(sql)
                    why = same_result(sides.quiver(ipc_sql)[1], sides.duckdb(sql)[1])
                    if why:
                        raise BenchError(f"{qname}: quiver on the IPC copy and duckdb disagree: {why}")
                    timed["quiver_ipc"] = lambda: sides.quiver(ipc_sql)
                if args.fresh_plans:
                    timed["quiver_fresh"] = lambda: sides.quiver(sides.fresh(sql))
                runs, cpu = interleaved(qname, args.runs, timed, server.pid)
            q_ms = statistics.median(runs["quiver"]) * 1000
            d_ms = statistics.median(runs["duckdb"]) * 1000
            results.append({"query": qname, "class": qclass, "sql": sql, "rows": rows, "quiver_ms": q_ms, "duckdb_ms": d_ms,
                            "ratio": d_ms / q_ms, "target": 0.8 if qclass == "agg" else 0.0,
                            **({"quiver_ipc_ms": statistics.median(runs["quiver_ipc"]) * 1000,
                                "ratio_ipc": d_ms / (statistics.median(runs["quiver_ipc"]) * 1000)} if "quiver_ipc" in runs else {}),
                            **({"quiver_fresh_ms": statistics.median(runs["quiver_fresh"]) * 1000,
                                "ratio_fresh": d_ms / (statistics.median(runs["quiver_fresh"]) * 1000)} if "quiver_fresh" in runs else {}),
                            "cpu_ms": {k: statistics.median(v) * 1000 for k, v in cpu.items()},
                            "runs_ms": {k: [x * 1000 for x in v] for k, v in runs.items()}})
            if not server.alive():
                raise BenchError(f"quiver exited\n{server.log_tail()}")
        meta = {
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": "python3 bench/sql.py " + " ".join(argv),
            "rows": args.rows, "customers": args.customers, "runs": args.runs, "sales_mb": sales_bytes / MB,
            "cpus": os.cpu_count(), "machine": platform.platform(), "python": platform.python_version(),
            "pyarrow": pa.__version__, "duckdb": duckdb.__version__, "adbc": _adbc_version(), "node": _node_version(),
            "quiver_root": str(args.quiver.resolve()), "quiver_commit": _git_commit(args.quiver.resolve()), "node_args": args.node_arg, "quiver_args": args.quiver_arg,
        }
        args.out.write_text(json.dumps({"meta": meta, "results": results, "select_star_mb_s": star}, indent=2) + "\n")
        progress(f"wrote {args.out}")
        print(render(meta, results, star), flush=True)
        status = 0
    except BenchError as e:
        progress(f"FAILED: {e}")
    except KeyboardInterrupt:
        progress("interrupted")
        status = 130
    except Exception as e:
        import traceback
        traceback.print_exc()
        progress(f"FAILED: {type(e).__name__}: {e}")
        sys.stderr.write(server.log_tail() + "\n")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if sides is not None:
            try:
                sides.close()
            except Exception as e:
                progress(f"closing clients: {e}")
        server.stop()
        if args.keep_data:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


def _adbc_version() -> str:
    try:
        from importlib.metadata import version
        return version("adbc-driver-flightsql")
    except Exception:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
