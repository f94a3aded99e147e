"""Flight SQL through Arrow's JDBC driver (org.apache.arrow:flight-sql-jdbc-driver 18.3.0 from
Maven Central), the driver behind DBeaver, Tableau and Superset, against a real `quiver serve`.

test/sql/java/build.sh resolves the driver and compiles test/sql/java's JdbcChecks (cached under
.cache/sql-java). This file loads the tables (ADBC ingest into Parquet, a compressed pyarrow DoPut
that stays Arrow IPC), writes a plan of JDBC steps, runs JdbcChecks once per server, and checks
what JDBC answered. Every query's rows are compared with Python duckdb running the same SQL
(same parameters) over the same pyarrow tables in-process.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import shutil
import subprocess
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pytest

adbc_flightsql = pytest.importorskip("adbc_driver_flightsql.dbapi")
duckdb = pytest.importorskip("duckdb")

ROOT = Path(__file__).resolve().parents[2]
BUILD = ROOT / "test" / "sql" / "java" / "build.sh"
JAVA_TIMEOUT = 300

# Tables as quiver names them (slashes included) and as the DuckDB oracle names them.
SALES, REGIONS, EVENTS, COPY, TYPES = "jdbc/sales", "jdbc/regions", "jdbc/ipc events", "jdbc/copy/of sales", "jdbc/types"
UNTYPED = "jdbc/untyped insert"

SALES_DATA = pa.table({
    "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
    "region": ["EU", "US", "EU", "APAC", None, "US"],
    "amount": pa.array([10.5, 20.0, 7.25, 3.0, 99.0, 1.0], pa.float64()),
    "qty": pa.array([1, 2, None, 4, 5, 6], pa.int32()),
    "day": pa.array([dt.date(2024, 1, 1), dt.date(2024, 1, 1), dt.date(2024, 1, 2), dt.date(2024, 1, 3), None, dt.date(2024, 1, 4)]),
    "sold_at": pa.array([dt.datetime(2024, 1, 1, 8, 0, 0, 250000), dt.datetime(2024, 1, 1, 9, 30), None,
                    dt.datetime(2024, 1, 3, 12, 0, 0, 1000), dt.datetime(2024, 1, 4), dt.datetime(2024, 1, 4, 23, 59, 59)], pa.timestamp("us")),
    "price": pa.array([Decimal("1.25"), Decimal("-3.50"), Decimal("10.00"), None, Decimal("0.01"), Decimal("7.77")], pa.decimal128(10, 2)),
    "paid": pa.array([True, False, None, True, True, False]),
})
REGIONS_DATA = pa.table({"region": ["EU", "US", "APAC"], "name": ["Europe", "United States", "Asia-Pacific"]})
TYPES_DATA = pa.table({
    "k": pa.array([1, 2, 3], pa.int32()),
    "f32": pa.array([1.5, None, -2.25], pa.float32()),
    "bin": pa.array([b"ab", None, b"zz"], pa.binary()),
    "tz": pa.array([dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc), None, dt.datetime(2024, 6, 1, 12, 30, tzinfo=dt.timezone.utc)], pa.timestamp("us", "UTC")),
    "tm": pa.array([dt.time(1, 2, 3), None, dt.time(23, 59, 59)], pa.time64("us")),
    "u16": pa.array([1, None, 65535], pa.uint16()),
    "tags": pa.array([["a", "b"], None, []], pa.list_(pa.string())),
    "pt": pa.array([{"x": 1.0, "y": 2.0}, None, {"x": 3.0, "y": None}], pa.struct([("x", pa.float64()), ("y", pa.float64())])),
    "attrs": pa.array([[("k", 1)], None, []], pa.map_(pa.string(), pa.int64())),
})
EVENTS_DATA = pa.table({"id": pa.array([1, 2, 3, 6, 6], pa.int64()), "kind": ["view", "buy", "view", "buy", "view"]})

# What tools send: plain statements (compared with DuckDB).
QUERIES = {
    "filter": 'SELECT * FROM "{sales}" WHERE region = \'EU\' AND amount > 5',
    "group": 'SELECT region, sum(amount) AS total, count(*) AS n, sum(price) AS price_total, max(sold_at) AS last_at FROM "{sales}" GROUP BY region',
    "join": 'SELECT s.id, r.name, s.price FROM "{sales}" s JOIN "{regions}" r ON s.region = r.region',
    "join_ipc": 'SELECT e.kind, count(*) AS n, sum(s.amount) AS amount FROM "{events}" e LEFT JOIN "{sales}" s ON e.id = s.id GROUP BY e.kind',
    "window": 'SELECT id, amount, sum(amount) OVER (ORDER BY id) AS running FROM "{sales}" ORDER BY id',
    "top_n": 'SELECT id, day, sold_at FROM "{sales}" ORDER BY amount DESC LIMIT 3',
    "all_types": 'SELECT * FROM "{sales}" ORDER BY id',
    "qualified": 'SELECT count(*) AS c, sum(qty) AS q FROM quiver.main."{sales}" WHERE qty IS NOT NULL',
    "schema_qualified": 'SELECT day, max(qty) AS q FROM main."{sales}" GROUP BY day',
    "ipc_table": 'SELECT * FROM "{events}"',
    # More column types: JDBC reads FLOAT, BLOB, TIMESTAMP WITH TIME ZONE, TIME, an unsigned
    # integer (USMALLINT: the driver calls it SMALLINT), LIST (java.sql.Array) and STRUCT.
    "more_types": 'SELECT k, f32, bin, tz, tm, u16, tags, pt FROM "{types}" ORDER BY k',
}

# PreparedStatement with parameters: (SQL, [(JDBC setter, value)]), compared with DuckDB given the same values.
PREPARED = {
    "p_int_double": ('SELECT id FROM "{sales}" WHERE qty > ? AND amount < ?', [("int", "1"), ("double", "50")]),
    "p_long": ('SELECT id, region FROM "{sales}" WHERE id >= ?', [("long", "4")]),
    "p_string": ('SELECT id, amount FROM "{sales}" WHERE region = ?', [("string", "US")]),
    "p_date": ('SELECT id FROM "{sales}" WHERE day <= ?', [("date", "2024-01-02")]),
    "p_timestamp": ('SELECT id FROM "{sales}" WHERE sold_at < ?', [("timestamp", "2024-01-03 12:00:00")]),
    "p_decimal": ('SELECT id FROM "{sales}" WHERE price > ?', [("decimal", "1.25")]),
    "p_boolean": ('SELECT id FROM "{sales}" WHERE paid = ?', [("bool", "true")]),
    "p_null": ('SELECT id FROM "{sales}" WHERE region = ? OR paid = ?', [("null", "VARCHAR"), ("bool", "false")]),
    "p_many_types": ("SELECT ?::INTEGER AS i, ?::BIGINT AS l, ?::DOUBLE AS d, ?::VARCHAR AS s, ?::DATE AS day, ?::TIMESTAMP AS ts, "
                     "?::DECIMAL(12,3) AS x, ?::BOOLEAN AS b, ?::INTEGER AS n",
                     [("int", "-7"), ("long", "9000000000"), ("double", "2.5"), ("string", "grüße, \"quoted\""), ("date", "1999-12-31"),
                      ("timestamp", "2024-02-29 23:59:58.123"), ("decimal", "-12.345"), ("bool", "false"), ("null", "INTEGER")]),
    "p_join": ('SELECT r.name, sum(s.amount) AS total FROM "{sales}" s JOIN "{regions}" r ON s.region = r.region WHERE s.day >= ? GROUP BY r.name',
               [("date", "2024-01-02")]),
}

# One row of every sales column type, bound to untyped parameters (JDBC setter:value, as JdbcChecks reads them).
UNTYPED_ROW = ["long:41", "string:untyped", "double:2.5", "int:7", "date:2024-05-06", "timestamp:2024-05-06 07:08:09.5", "decimal:12.34", "bool:true"]

# Rows of one executeBatch (DBeaver's data import sends a few hundred at a time).
BATCH_ROWS = 300

# Statements that must fail with an SQLException naming the problem (substring of the message).
ERRORS = {
    "unknown_table": ('SELECT * FROM "jdbc/no such table"', "does not exist"),
    "attach": ("ATTACH '/tmp/quiver-jdbc-escape.db'", "ATTACH statements are not supported"),
    "copy": ("COPY (SELECT 1) TO '/tmp/quiver-jdbc-escape.csv'", "COPY statements are not supported"),
    "syntax": ('SELECT * FROM "{sales}" WHERE', "does not parse"),
    "update_statement": ('UPDATE "{sales}" SET qty = 0', "UPDATE statements are not supported"),
    "read_file": ("SELECT * FROM read_csv('/etc/passwd')", "read_csv"),
    "no_such_version": ('SELECT * FROM "{sales}" AT (VERSION => 99)', "has no version 99"),
    "dropped_table": ('SELECT * FROM "{copy}"', "does not exist"),
}

# Many record batches (results are streamed in batches of at most ~3.5 MiB).
SCAN = "SELECT i, repeat('x', 40) AS pad FROM range(900000) t(i) WHERE i % 3 <> 1"
SLOW = 'SELECT count(*) AS n FROM "{sales}" a, range(100000000) b, range(100000) c'

JDBC_TYPES = {"BOOLEAN": 16, "TINYINT": -6, "SMALLINT": 5, "INTEGER": 4, "BIGINT": -5, "FLOAT": 6, "DOUBLE": 8, "DECIMAL": 3,
              "VARCHAR": 12, "DATE": 91, "TIMESTAMP": 93, "BLOB": -3,
              "TIMESTAMP WITH TIME ZONE": 2014, "TIME": 92, "USMALLINT": 5, "STRUCT": 2000, "VARCHAR[]": 2003,
              "HUGEINT": 3}  # quiver answers HUGEINT as Decimal128(38, 0)


def names(sql: str) -> str:
    return sql.format(sales=SALES, regions=REGIONS, events=EVENTS, copy=COPY, types=TYPES)


def local_sql(sql: str) -> str:
    """The same SQL for the DuckDB oracle: quiver names (qualified or not) become the registered tables."""
    out = sql.format(sales="{sales}", regions="{regions}", events="{events}", types="{types}")
    for key, table in (("sales", "sales_t"), ("regions", "regions_t"), ("events", "events_t"), ("types", "types_t")):
        for prefix in ('quiver.main."', 'main."', '"'):
            out = out.replace(f'{prefix}{{{key}}}"', table)
    return out


def python_value(kind: str, text: str):
    return {
        "int": int, "long": int, "double": float, "string": str, "bool": lambda v: v == "true",
        "date": dt.date.fromisoformat, "timestamp": lambda v: dt.datetime.fromisoformat(v), "decimal": Decimal,
        "null": lambda v: None,
    }[kind](text)


def canonical(v):
    """A value as JdbcChecks prints it (see JdbcChecks.value), so rows compare across the two."""
    if isinstance(v, bool) or v is None or isinstance(v, (int, str)):
        return v
    if isinstance(v, float):
        return v
    if isinstance(v, Decimal):
        return Decimal(v)
    if isinstance(v, dt.datetime):
        # A zoned value as JDBC shows it in the JVM's zone, which the tests run at UTC.
        return (v.astimezone(dt.timezone.utc) if v.tzinfo else v).strftime("%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(v, dt.time):
        return v.isoformat()
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, list):
        return v
    if isinstance(v, dict):
        # The driver's text of a STRUCT leaves out its null fields.
        return {k: x for k, x in v.items() if x is not None}
    if isinstance(v, dt.date):
        return v.isoformat()
    raise TypeError(f"no canonical form for {type(v)}")


def jdbc_row(row: list, columns: list) -> tuple:
    """Decimals as Decimal; ARRAY (2003) and STRUCT (2000) values, which the driver prints as JSON, parsed."""
    def value(v, c):
        if v is None:
            return None
        if c["type"] == 3:
            return Decimal(v)
        if c["type"] in (2000, 2003):
            return json.loads(v)
        return v
    return tuple(value(v, c) for v, c in zip(row, columns))


def row_mismatch(got: list, want: list, ordered: bool):
    """None when the rows are the same (floats to 1e-12); else the first differing pair."""
    key = lambda r: repr(tuple((x is None, str(x)) for x in r))  # noqa: E731
    if not ordered:
        got, want = sorted(got, key=key), sorted(want, key=key)
    if len(got) != len(want):
        return (f"{len(got)} rows", f"{len(want)} rows")
    for g, w in zip(got, want):
        for a, b in zip(g, w):
            if isinstance(a, float) and isinstance(b, float):
                if not math.isclose(a, b, rel_tol=1e-12):
                    return (g, w)
            elif a != b:
                return (g, w)
    return None


def oracle():
    con = duckdb.connect()
    con.register("sales_t", SALES_DATA)
    con.register("regions_t", REGIONS_DATA)
    con.register("events_t", EVENTS_DATA)
    con.register("types_t", TYPES_DATA)
    return con


def duckdb_answer(sql: str, params=None) -> tuple[list[str], list[str], list[tuple]]:
    cur = oracle().execute(local_sql(sql), params or [])
    cols = [d[0] for d in cur.description]
    types = [str(d[1]) for d in cur.description]
    return cols, types, [tuple(canonical(v) for v in r) for r in cur.fetchall()]


# --------------------------------------------------------------------------------------------
# Running the JDBC program


def classpath() -> str:
    # Not a skip: `npm test` needs javac and mvn already (test/clients), so a missing one is a broken machine.
    missing = [tool for tool in ("java", "javac", "mvn") if shutil.which(tool) is None]
    assert not missing, f"{', '.join(missing)} not installed: the Flight SQL JDBC driver cannot be built and run"
    run = subprocess.run(["bash", str(BUILD)], capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip().splitlines()[-1]


def run_jdbc(cp: str, url: str, plan: list[list[str]], tmp: Path, *credentials: str) -> dict[str, dict]:
    plan_file = tmp / "plan.tsv"
    for step in plan:
        assert not any("\t" in f or "\n" in f for f in step), step
    plan_file.write_text("".join("\t".join(step) + "\n" for step in plan), encoding="utf-8")
    # user.timezone: the driver reads naive timestamps into java.sql.Timestamp in the JVM's zone.
    cmd = ["java", "-Duser.timezone=UTC", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp, "quiver.sql.JdbcChecks",
           url, str(plan_file), *credentials]
    started = time.monotonic()
    run = subprocess.run(cmd, capture_output=True, text=True, timeout=JAVA_TIMEOUT)
    assert run.returncode == 0, run.stdout + run.stderr
    results = {}
    for line in run.stdout.splitlines():
        step = json.loads(line)
        results[step["id"]] = step
    results["_stderr"] = {"text": run.stderr}
    results["_timing"] = {"seconds": time.monotonic() - started, "steps_ms": {k: v.get("ms") for k, v in results.items() if isinstance(v, dict) and "ms" in v}}
    print(json.dumps(results["_timing"]))
    return results


def cpu_seconds(server, over: float) -> float:
    """CPU time the server process used in the next `over` seconds (DuckDB's threads included)."""
    def used() -> float:
        fields = Path(f"/proc/{server.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    before = used()
    time.sleep(over)
    return used() - before


def load_tables(server) -> None:
    with adbc_flightsql.connect(f"grpc://127.0.0.1:{server.port}", autocommit=True) as conn, conn.cursor() as cur:
        cur.adbc_ingest(SALES, SALES_DATA, mode="create")
        cur.adbc_ingest(REGIONS, REGIONS_DATA, mode="create")
        cur.adbc_ingest(TYPES, TYPES_DATA, mode="create")
    client = flight.FlightClient(server.uri)
    # Ingest lands Arrow IPC; converting these three now makes them Parquet-stored, so the joins
    # below mix Parquet files with the IPC-stored table.
    for table in (SALES, REGIONS, TYPES):
        body = json.dumps({"table": table, "tasks": ["convert"]}).encode()
        list(client.do_action(flight.Action("maintenance", body)))
    # A column of an (unregistered) extension type is one Parquet cannot hold exactly: this table
    # is stored as Arrow IPC files. Sent compressed, as clients may.
    kind = EVENTS_DATA.schema.field("kind").with_metadata({"ARROW:extension:name": "quiver.test.label"})
    events = pa.Table.from_arrays(EVENTS_DATA.columns, schema=EVENTS_DATA.schema.set(1, kind))
    options = flight.FlightCallOptions(write_options=pa.ipc.IpcWriteOptions(compression="zstd"))
    writer, reader = client.do_put(flight.FlightDescriptor.for_path(*EVENTS.split("/")), events.schema, options=options)
    writer.write_table(events)
    writer.close()
    client.close()
    stored = [p.suffix for p in server.data_dir.rglob("*") if p.is_file() and p.suffix in (".arrows", ".parquet")]
    assert ".arrows" in stored and ".parquet" in stored, stored


def plan_steps() -> list[list[str]]:
    steps: list[list[str]] = []
    for id_, sql in QUERIES.items():
        steps.append(["query", id_, names(sql)])
    for id_, (sql, params) in PREPARED.items():
        steps.append(["prepared", id_, names(sql), *(f"{k}:{v}" for k, v in params)])
    # Writes, each a quiver commit with its count; then time travel over the versions they made.
    steps += [
        ["update", "ctas", names(f'CREATE TABLE "{COPY}" AS SELECT * FROM "{{sales}}" WHERE amount < 50')],
        ["prepared", "insert_select", names(f'INSERT INTO "{COPY}" SELECT * FROM "{{sales}}" WHERE id <= ?'), "int:2"],
        ["prepared_update", "insert_select_update", names(f'INSERT INTO "{COPY}" SELECT * FROM "{{sales}}" WHERE id > ?'), "long:3"],
        ["batch", "insert_batch", names(f'INSERT INTO "{COPY}" (id, region, amount) VALUES (?::BIGINT, ?::VARCHAR, ?::DOUBLE)'),
         *("\x1f".join([f"long:{1000 + i}", "null:VARCHAR" if i % 10 == 0 else f"string:batch {i}", f"double:{i / 4}"]) for i in range(BATCH_ROWS))],
        ["execute", "insert_values", names(f'INSERT INTO "{COPY}" (id, region) VALUES (200, \'literal\')')],
        ["transactions", "autocommit_off", names(f'INSERT INTO "{COPY}" (id) SELECT 300 WHERE false')],
        ["query", "after_writes", names(f'SELECT count(*) AS n, count(region) AS r, max(id) AS top FROM "{COPY}"')],
        ["query", "time_travel_v1", names(f'SELECT count(*) AS n FROM "{COPY}" AT (VERSION => 1)')],
        ["query", "time_travel_v2", names(f'SELECT id FROM "{COPY}" AT (VERSION => 2) EXCEPT SELECT id FROM "{COPY}" AT (VERSION => 1)')],
        # INSERT ... VALUES (?, ...) with no casts: each parameter has its column's type, so JDBC binds real values.
        ["update", "untyped_ctas", names(f'CREATE TABLE "{UNTYPED}" AS SELECT * FROM "{{sales}}" WHERE false')],
        ["prepared_update", "untyped_insert", names(f'INSERT INTO "{UNTYPED}" VALUES (?, ?, ?, ?, ?, ?, ?, ?)'), *UNTYPED_ROW],
        ["prepared_update", "untyped_insert_columns", names(f'INSERT INTO "{UNTYPED}" (paid, region, id) VALUES (?, ?, ?)'),
         "bool:false", "string:second", "long:42"],
        ["query", "untyped_rows", names(f'SELECT * FROM "{UNTYPED}" ORDER BY id')],
        ["metadata", "metadata", SALES],
        ["update", "drop", names(f'DROP TABLE "{COPY}"')],
        ["update", "drop_if_exists", names(f'DROP TABLE IF EXISTS "{COPY}"')],
    ]
    for id_, (sql, _) in ERRORS.items():
        steps.append(["error", id_, names(sql)])
    steps.append(["scan", "scan_large", SCAN])
    steps.append(["cancel", "cancel", names(SLOW)])
    return steps


@pytest.fixture(scope="module")
def jdbc(launch_quiver, tmp_path_factory):
    cp = classpath()
    with launch_quiver() as server:
        load_tables(server)
        results = run_jdbc(cp, f"jdbc:arrow-flight-sql://127.0.0.1:{server.port}?useEncryption=false", plan_steps(),
                           tmp_path_factory.mktemp("jdbc"))
        results["_cpu_after"] = {"seconds": cpu_seconds(server, over=3.0)}
        yield results


def ok(results: dict, id_: str) -> dict:
    step = results.get(id_)
    assert step is not None, f"JdbcChecks reported no step {id_}: {results.get('_stderr')}"
    assert step["ok"], step
    return step


def check_against_duckdb(step: dict, sql: str, params=None) -> None:
    """Same column names, JDBC types (and decimal precision/scale) and rows; row order only where the SQL fixes it."""
    cols, types, want = duckdb_answer(sql, params)
    assert [c["name"] for c in step["columns"]] == cols
    # ResultSetMetaData.getColumnType: the JDBC type of the SQL type DuckDB gives the column.
    assert [c["type"] for c in step["columns"]] == [JDBC_TYPES[t.split("(")[0]] for t in types], (step["columns"], types)
    for c, t in zip(step["columns"], types):
        if t.startswith("DECIMAL"):
            precision, scale = (int(x) for x in t[8:-1].split(","))
            assert (c["precision"], c["scale"]) == (precision, scale), (c, t)
    got = [jdbc_row(r, step["columns"]) for r in step["rows"]]
    ordered = re.search(r"ORDER BY [\w\s,]+(LIMIT \d+)?$", sql) is not None
    assert row_mismatch(got, want, ordered) is None, repr(row_mismatch(got, want, ordered))


# --------------------------------------------------------------------------------------------
# The checks


def test_connects_with_the_documented_url(jdbc):
    assert ok(jdbc, "connect")["driver"] == "Arrow Flight SQL JDBC Driver Core 18.3.0"


@pytest.mark.parametrize("id_", QUERIES)
def test_statement_query_matches_duckdb(jdbc, id_):
    check_against_duckdb(ok(jdbc, id_), QUERIES[id_])


def test_result_columns_name_their_table(jdbc):
    columns = ok(jdbc, "all_types")["columns"]
    assert {c["table"] for c in columns} == {SALES}
    assert [c["type_name"] for c in columns] == ["BIGINT", "VARCHAR", "DOUBLE", "INTEGER", "DATE", "TIMESTAMP", "DECIMAL", "BOOLEAN"]


@pytest.mark.parametrize("id_", PREPARED)
def test_prepared_statement_parameters_match_duckdb(jdbc, id_):
    sql, params = PREPARED[id_]
    step = ok(jdbc, id_)
    assert step["parameters"] == len(params)
    check_against_duckdb(step, sql, [python_value(k, v) for k, v in params])


def test_writes_answer_their_counts(jdbc):
    con = oracle()
    copied = con.execute("SELECT count(*) FROM sales_t WHERE amount < 50").fetchone()[0]
    again = con.execute("SELECT count(*) FROM sales_t WHERE id <= 2").fetchone()[0]
    assert ok(jdbc, "ctas")["count"] == copied
    # PreparedStatement.execute() of DML: driver 18.3.0 treats every prepared statement that has a
    # result schema as a query, so the count arrives as quiver's one-row `count` result (the write
    # ran once, when planned); executeUpdate() answers the count itself.
    assert ok(jdbc, "insert_select")["rows"] == [[again]]
    later = con.execute("SELECT count(*) FROM sales_t WHERE id > 3").fetchone()[0]
    assert ok(jdbc, "insert_select_update")["count"] == later
    # executeBatch sends every row as one parameter batch: one commit, one count for the batch.
    assert ok(jdbc, "insert_batch")["counts"] == [BATCH_ROWS]
    assert ok(jdbc, "insert_values")["count"] == 1
    regions = sum(con.execute(f"SELECT count(region) FROM sales_t WHERE {w}").fetchone()[0] for w in ("amount < 50", "id <= 2", "id > 3"))
    named = BATCH_ROWS - len(range(0, BATCH_ROWS, 10))
    assert ok(jdbc, "after_writes")["rows"] == [[copied + again + later + BATCH_ROWS + 1, regions + named + 1, 1000 + BATCH_ROWS - 1]]
    assert ok(jdbc, "drop")["count"] == 0
    assert ok(jdbc, "drop_if_exists")["count"] == 0


def test_untyped_insert_parameters_bind_values_of_the_column_types(jdbc):
    step = ok(jdbc, "untyped_insert")
    # BIGINT, VARCHAR, DOUBLE, INTEGER, DATE, TIMESTAMP, DECIMAL, BOOLEAN: not NULL (0), which binds only NULL.
    assert step["parameter_types"] == [-5, 12, 8, 4, 91, 93, 3, 16]
    assert step["count"] == 1
    columns = ok(jdbc, "untyped_insert_columns")
    assert columns["parameter_types"] == [16, 12, -5] and columns["count"] == 1
    rows = ok(jdbc, "untyped_rows")
    got = [jdbc_row(r, rows["columns"]) for r in rows["rows"]]
    want = [[python_value(*p.split(":", 1)) for p in UNTYPED_ROW], [42, "second", None, None, None, None, None, False]]
    assert got == [tuple(canonical(v) for v in row) for row in want]


def test_autocommit_off_commit_and_rollback_are_harmless(jdbc):
    # No transactions: the driver keeps these to itself, and the statement commits on its own.
    step = ok(jdbc, "autocommit_off")
    assert (step["autocommit_off"], step["count"], step["isolation"]) == (True, 0, 0)


def test_time_travel_reads_older_versions(jdbc):
    con = oracle()
    assert ok(jdbc, "time_travel_v1")["rows"] == [[con.execute("SELECT count(*) FROM sales_t WHERE amount < 50").fetchone()[0]]]
    # Version 2 added ids <= 2 again: as a set they were already there.
    assert ok(jdbc, "time_travel_v2")["rows"] == []


@pytest.mark.parametrize("id_", ERRORS)
def test_errors_are_sql_exceptions_with_the_reason(jdbc, id_):
    step = ok(jdbc, id_)
    assert ERRORS[id_][1] in step["message"], step["message"]
    assert step["message"].startswith("SQLException: "), step["message"]
    assert step["connection_usable"] is True


def test_large_result_streams_through(jdbc):
    step = ok(jdbc, "scan_large")
    n, total = oracle().execute(f"SELECT count(*), sum(i) FROM ({SCAN})").fetchone()
    assert (step["rows"], step["sum"]) == (n, total)


def test_cancel_stops_a_long_query(jdbc):
    step = ok(jdbc, "cancel")
    assert step["stopped"] and step["outcome"] == "exception", step
    assert step["seconds"] < 30, step
    assert step["connection_usable"] is True
    # DuckDB was interrupted, not left running the cross join: the server is idle afterwards.
    # (A query still running uses 0.8 s or more of CPU in those 3 s even on a busy 2-core machine; idle is ~0.)
    assert jdbc["_cpu_after"]["seconds"] < 0.3, jdbc["_cpu_after"]


def test_database_metadata(jdbc):
    md = ok(jdbc, "metadata")
    assert (md["product_name"], md["supports_transactions"], md["default_isolation"]) == ("quiver", False, 0)
    assert md["product_version"] == json.loads((ROOT / "package.json").read_text())["version"]
    assert md["identifier_quote"] == '"' and md["read_only"] is False
    assert "QUALIFY" in md["sql_keywords"].split(", ") and "abs" in md["numeric_functions"]
    assert md["nulls_sorted_at_end"] is True and md["supports_outer_joins"] is True and md["supports_batch_updates"] is True
    # SQL_OUTER_JOINS_SUPPORT_LEVEL is an ordinal (2: full outer joins) by the spec; the driver reads
    # it as a bitmask, so it reports limited outer joins only. Documented in docs/flight-sql.md.
    assert (md["supports_full_outer_joins"], md["supports_limited_outer_joins"]) == (False, True)
    assert md["catalogs"] == [{"TABLE_CAT": "quiver"}]
    assert md["schemas"] == md["schemas_of_quiver"] == [{"TABLE_SCHEM": "main", "TABLE_CATALOG": "quiver"}]
    assert md["table_types"] == [{"TABLE_TYPE": "TABLE"}]
    listed = {(t["TABLE_CAT"], t["TABLE_SCHEM"], t["TABLE_NAME"], t["TABLE_TYPE"]) for t in md["tables"]}
    assert {("quiver", "main", n, "TABLE") for n in (SALES, REGIONS, EVENTS, COPY)} <= listed
    assert [t["TABLE_NAME"] for t in md["tables_typed"]] == [SALES]
    assert md["tables_of_view_type"] == []
    columns = md["columns"]
    assert [c["COLUMN_NAME"] for c in columns] == SALES_DATA.column_names
    assert [c["DATA_TYPE"] for c in columns] == [-5, 12, 8, 4, 91, 93, 3, 16]
    assert all(c["NULLABLE"] == 1 and c["IS_NULLABLE"] == "YES" for c in columns)
    price = columns[SALES_DATA.column_names.index("price")]
    assert (price["TYPE_NAME"], price["COLUMN_SIZE"], price["DECIMAL_DIGITS"]) == ("DECIMAL(10,2)", 10, 2)
    assert md["primary_keys"] == md["imported_keys"] == md["exported_keys"] == []
    every = {(c["TABLE_NAME"], c["COLUMN_NAME"]): c for c in md["all_columns"]}
    assert {(SALES, n) for n in SALES_DATA.column_names} | {(TYPES, n) for n in TYPES_DATA.column_names} <= set(every)
    assert [every[(TYPES, n)]["DATA_TYPE"] for n in ("tags", "pt", "attrs", "tz", "u16")] == [2003, 2000, 2000, 2014, 5]


def test_basic_auth_user_and_password(launch_quiver, tmp_path):
    cp = classpath()
    with launch_quiver("--auth", "basic:ana:secret") as server:
        url = f"jdbc:arrow-flight-sql://127.0.0.1:{server.port}?useEncryption=false"
        read = 'SELECT v FROM "secured/t"'
        plan = [
            ["update", "create", 'CREATE TABLE "secured/t" AS SELECT 7 AS v'],
            ["query", "read", read],
            ["connect", "wrong_password", url, read, "ana", "wrong"],
            ["connect", "no_credentials", url, read],
            # The URL form of the credentials, as tools that take only a URL configure it.
            ["connect", "in_url", f"{url}&user=ana&password=secret", read],
        ]
        # The main connection passes user and password as connection properties (DBeaver's login fields).
        results = run_jdbc(cp, url, plan, tmp_path, "ana", "secret")
        assert ok(results, "create")["count"] == 1
        assert ok(results, "read")["rows"] == [[7]]
        assert "UNAUTHENTICATED" in ok(results, "wrong_password").get("connect_error", ""), results["wrong_password"]
        # Without credentials the driver skips the Handshake: the first call is refused, saying why.
        assert "requires authentication" in ok(results, "no_credentials").get("connect_error", ""), results["no_credentials"]
        assert ok(results, "in_url")["rows"] == [[7]]
