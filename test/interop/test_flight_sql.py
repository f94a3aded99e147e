"""Flight SQL against a real `quiver serve`, with the ADBC Flight SQL driver from PyPI (Go driver
under Python's DB-API) and, where the exact wire matters (result schemas, ticket pinning,
cancellation), pyarrow's plain Flight client sending hand-packed Flight SQL commands.

Every query's result is compared with Python duckdb running the same SQL over the same
pyarrow tables in-process: quiver must answer what DuckDB itself answers.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import sys
import threading
import time
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight
import pytest

adbc_flightsql = pytest.importorskip("adbc_driver_flightsql.dbapi")
adbc_manager = pytest.importorskip("adbc_driver_manager")
adbc_driver_flightsql = pytest.importorskip("adbc_driver_flightsql")
duckdb = pytest.importorskip("duckdb")

from adbc_driver_manager import AdbcStatusCode  # noqa: E402

# Hand-packed Flight SQL messages (a few protobuf fields; no generated Python code needed)
from flight_sql_packing import _field, _varint, sql_any  # noqa: E402


def statement_query(sql: str) -> flight.FlightDescriptor:
    return flight.FlightDescriptor.for_command(sql_any("CommandStatementQuery", _field(1, sql.encode())))


def _read_fields(buf: bytes) -> dict[int, list]:
    fields: dict[int, list] = {}
    pos = 0
    while pos < len(buf):
        tag, shift = 0, 0
        while True:
            b = buf[pos]; pos += 1
            tag |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                break
        number, wire = tag >> 3, tag & 7
        value, shift = 0, 0
        while True:
            b = buf[pos]; pos += 1
            value |= (b & 0x7F) << shift; shift += 7
            if not b & 0x80:
                break
        if wire == 2:
            fields.setdefault(number, []).append(buf[pos:pos + value]); pos += value
        else:
            fields.setdefault(number, []).append(value)
    return fields


# --------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture(scope="module")
def sql_server(launch_quiver):
    """A server of its own: these tests create and drop tables by SQL name."""
    with launch_quiver() as server:
        yield server


@pytest.fixture
def conn(sql_server):
    c = adbc_flightsql.connect(f"grpc://127.0.0.1:{sql_server.port}", autocommit=True)
    yield c
    c.close()


@pytest.fixture
def client(sql_server):
    c = flight.FlightClient(sql_server.uri)
    yield c
    c.close()


_names = iter(range(1_000_000))


@pytest.fixture
def name(request) -> str:
    return f"{request.node.originalname}_{next(_names)}"


def ingest(conn, table: str, data: pa.Table, mode: str = "create") -> int:
    with conn.cursor() as cur:
        return cur.adbc_ingest(table, data, mode=mode)


def query(conn, sql: str, params=None) -> pa.Table:
    with conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetch_arrow_table()


def sorted_rows(t: pa.Table) -> list:
    return sorted((tuple(r.values()) for r in t.to_pylist()), key=repr)


def adbc_error(excinfo) -> AdbcStatusCode:
    return excinfo.value.status_code


def history(client, table: str) -> list[dict]:
    import json
    return [json.loads(r.body.to_pybytes()) for r in client.do_action(flight.Action("history", json.dumps({"table": table}).encode()))]


SALES = pa.table({
    "id": pa.array([1, 2, 3, 4, 5, 6], pa.int64()),
    "region": ["EU", "US", "EU", "APAC", None, "US"],
    "amount": pa.array([10.5, 20.0, 7.25, 3.0, 99.0, 1.0], pa.float64()),
    "qty": pa.array([1, 2, None, 4, 5, 6], pa.int32()),
    "day": pa.array([19000, 19000, 19001, 19002, 19002, 19003], pa.date32()),
})
REGIONS = pa.table({"region": ["EU", "US", "APAC"], "name": ["Europe", "United States", "Asia-Pacific"]})


# --------------------------------------------------------------------------------------------
# Queries, compared with DuckDB in-process


QUERIES = [
    'SELECT * FROM "{sales}" WHERE region = \'EU\'',
    'SELECT region, sum(amount) AS total, count(*) AS n FROM "{sales}" GROUP BY region',
    'SELECT s.id, r.name FROM "{sales}" s JOIN "{regions}" r ON s.region = r.region',
    'SELECT id, amount, sum(amount) OVER (ORDER BY id) AS running FROM "{sales}"',
    'SELECT * FROM "{sales}" ORDER BY amount DESC LIMIT 2',
    'SELECT day, max(qty) AS q FROM main."{sales}" GROUP BY day',
    'SELECT count(*) AS c FROM quiver.main."{sales}" WHERE qty IS NULL',
]


@pytest.mark.parametrize("sql", QUERIES)
def test_query_matches_duckdb(conn, name, sql):
    sales, regions = f"sales/{name}", f"regions/{name}"
    ingest(conn, sales, SALES)
    ingest(conn, regions, REGIONS)
    got = query(conn, sql.format(sales=sales, regions=regions))
    oracle = duckdb.connect()
    oracle.register("sales_t", SALES)
    oracle.register("regions_t", REGIONS)
    local = sql.replace('quiver.main."{sales}"', "sales_t").replace('main."{sales}"', "sales_t").replace('"{sales}"', "sales_t").replace('"{regions}"', "regions_t")
    result = oracle.execute(local)
    want = result.to_arrow_table() if hasattr(result, "to_arrow_table") else result.fetch_arrow_table()
    assert got.column_names == want.column_names
    assert sorted_rows(got) == sorted_rows(want)
    if "ORDER BY amount DESC" in sql:
        assert got.to_pylist() == want.to_pylist()


def test_result_columns_carry_flight_sql_metadata(conn, name):
    ingest(conn, name, SALES)
    with conn.cursor() as cur:
        cur.execute(f'SELECT id, region FROM "{name}"')
        schema = cur.fetch_arrow_table().schema
    assert schema.field("id").metadata[b"ARROW:FLIGHT:SQL:TYPE_NAME"] == b"BIGINT"
    assert schema.field("region").metadata[b"ARROW:FLIGHT:SQL:TYPE_NAME"] == b"VARCHAR"
    assert schema.field("region").type == pa.string()  # plain Utf8, never a view type


def test_execute_with_parameters(conn, name):
    ingest(conn, name, SALES)
    got = query(conn, f'SELECT id FROM "{name}" WHERE amount > ? AND region = ? ORDER BY id', (5.0, "EU"))
    assert got.column("id").to_pylist() == [1, 3]
    # A null parameter compares as SQL NULL does: nothing is equal to it.
    assert query(conn, f'SELECT id FROM "{name}" WHERE region = ?', (None,)).num_rows == 0
    assert query(conn, "SELECT ?::INTEGER + 1 AS x", (41,)).column("x").to_pylist() == [42]
    # A parameter DuckDB cannot type at plan time takes the type of the bound value (int64 here).
    with conn.cursor() as cur:
        cur.execute("SELECT ? + 1", (41,))
        got = cur.fetch_arrow_table()
    assert got.column(0).to_pylist() == [42]
    assert got.schema.field(0).type == pa.int64()


def test_executemany_inserts_every_row_in_one_commit(conn, client, name):
    ingest(conn, name, pa.table({"id": pa.array([1], pa.int64()), "label": ["a"]}))
    with conn.cursor() as cur:
        # No casts: a row binding None keeps the types the other rows' values give the parameters.
        cur.executemany(f'INSERT INTO "{name}" VALUES (?, ?)', [(2, "b"), (3, None), (4, "d")])
        assert cur.rowcount == 3
    assert sorted_rows(query(conn, f'SELECT * FROM "{name}"')) == sorted_rows(pa.table({"id": [1, 2, 3, 4], "label": ["a", "b", None, "d"]}))
    assert [h["operation"] for h in history(client, name)] == ["create", "append"]


def test_untyped_insert_parameters_have_the_column_types(conn, name):
    # INSERT ... VALUES (?, ...) with no casts: the prepared statement's parameter schema gives each
    # parameter its target column's type (a client such as JDBC binds by it), not Null.
    data = pa.table({
        "id": pa.array([1], pa.int64()), "label": ["a"], "x": pa.array([0.5], pa.float64()), "n": pa.array([1], pa.int32()),
        "day": pa.array([dt.date(2024, 1, 1)]), "at": pa.array([dt.datetime(2024, 1, 1)], pa.timestamp("us")),
        "price": pa.array([Decimal("1.25")], pa.decimal128(10, 2)), "ok": [True],
    })
    ingest(conn, name, data)
    with conn.cursor() as cur:
        # (Timestamp parameters are advertised in milliseconds, for the JDBC driver: docs/flight-sql.md.)
        advertised = [pa.timestamp("ms") if t == pa.timestamp("us") else t for t in data.schema.types]
        assert cur.adbc_prepare(f'INSERT INTO "{name}" VALUES (?, ?, ?, ?, ?, ?, ?, ?)').types == advertised
        assert cur.adbc_prepare(f'INSERT INTO "{name}" (ok, label) VALUES (?, ?)').types == [pa.bool_(), pa.string()]
        row = (2, "b", 1.5, 7, dt.date(2024, 5, 6), dt.datetime(2024, 5, 6, 7, 8, 9), Decimal("12.34"), False)
        cur.execute(f'INSERT INTO "{name}" VALUES (?, ?, ?, ?, ?, ?, ?, ?)', pa.table({f"p{i}": pa.array([v], t) for i, (v, t) in enumerate(zip(row, data.schema.types))}))
        cur.execute(f'INSERT INTO "{name}" (ok, label) VALUES (?, ?)', (True, "c"))
    got = query(conn, f'SELECT * FROM "{name}" ORDER BY label')
    assert got.schema.types == data.schema.types
    assert [tuple(r.values()) for r in got.to_pylist()] == [tuple(data.to_pylist()[0].values()), row, (None, "c", None, None, None, None, None, True)]


# --------------------------------------------------------------------------------------------
# Writes: ingest, DDL and DML are quiver commits


def test_ingest_modes(conn, client, name):
    t = pa.table({"a": pa.array([1, 2], pa.int64()), "b": ["x", None]})
    assert ingest(conn, name, t, "create") == 2
    with pytest.raises(adbc_manager.Error) as e:
        ingest(conn, name, t, "create")
    assert adbc_error(e) == AdbcStatusCode.ALREADY_EXISTS
    assert ingest(conn, name, t, "append") == 2
    assert ingest(conn, name, t, "create_append") == 2
    assert query(conn, f'SELECT count(*) AS n FROM "{name}"').column("n").to_pylist() == [6]
    assert ingest(conn, name, pa.table({"z": [1.5]}), "replace") == 1
    assert query(conn, f'SELECT * FROM "{name}"').to_pylist() == [{"z": 1.5}]
    assert ingest(conn, f"{name}-new", t, "create_append") == 2
    assert ingest(conn, f"{name}-replaced", t, "replace") == 2
    with pytest.raises(adbc_manager.Error) as e:
        ingest(conn, f"{name}-missing", t, "append")
    assert adbc_error(e) == AdbcStatusCode.NOT_FOUND
    # Each ingest is exactly one version.
    assert [h["operation"] for h in history(client, name)] == ["create", "append", "append", "overwrite"]


def test_ingest_into_a_name_with_slashes_reads_back_by_flight(conn, client, name):
    table = f"warehouse/{name}/2026"
    ingest(conn, table, SALES)
    got = client.do_get(client.get_flight_info(flight.FlightDescriptor.for_path(*table.split("/"))).endpoints[0].ticket).read_all()
    assert got.equals(SALES)


def test_ddl_through_cursor_execute_runs_once(conn, client, name):
    ingest(conn, name, SALES)
    copy = f"{name}_copy"
    with conn.cursor() as cur:
        cur.execute(f'CREATE TABLE "{copy}" AS SELECT id, region FROM "{name}" WHERE id <= 3')
        cur.execute(f'INSERT INTO "{copy}" VALUES (100, \'XX\')')
        cur.execute(f'INSERT INTO "{copy}" SELECT id + 1000, region FROM "{name}"')
    assert [h["operation"] for h in history(client, copy)] == ["create", "append", "append"]
    assert query(conn, f'SELECT count(*) AS n FROM "{copy}"').column("n").to_pylist() == [3 + 1 + 6]
    with conn.cursor() as cur:
        cur.execute(f'DROP TABLE "{copy}"')
    with pytest.raises(adbc_manager.Error) as e:
        query(conn, f'SELECT * FROM "{copy}"')
    assert adbc_error(e) == AdbcStatusCode.NOT_FOUND


def test_ddl_sent_as_a_plain_statement_query_runs_at_get_flight_info(client, conn, name):
    """ADBC without prepare, and any client: CommandStatementQuery of DDL runs once, when planned."""
    ingest(conn, name, SALES)
    info = client.get_flight_info(statement_query(f'CREATE TABLE "{name}_ctas" AS SELECT * FROM "{name}"'))
    # Ran already, with no DoGet; the ticket answers the count.
    assert [h["operation"] for h in history(client, f"{name}_ctas")] == ["create"]
    assert client.do_get(info.endpoints[0].ticket).read_all().to_pylist() == [{"count": 6}]
    client.do_get(info.endpoints[0].ticket).read_all()  # reading the count again writes nothing
    assert len(history(client, f"{name}_ctas")) == 1


def test_statement_update_by_do_put(client, conn, name):
    ingest(conn, name, SALES)
    descriptor = flight.FlightDescriptor.for_command(sql_any("CommandStatementUpdate", _field(1, f'INSERT INTO "{name}" SELECT * FROM "{name}"'.encode())))
    writer, reader = client.do_put(descriptor, pa.schema([]))
    writer.done_writing()
    answer = _read_fields(reader.read().to_pybytes())  # DoPutUpdateResult
    writer.close()
    assert answer[1] == [6]
    assert query(conn, f'SELECT count(*) AS n FROM "{name}"').column("n").to_pylist() == [12]


def test_insert_checks_the_table_schema(conn, name):
    ingest(conn, name, pa.table({"id": pa.array([1], pa.int64())}))
    with pytest.raises(adbc_manager.Error) as e:
        query(conn, f'INSERT INTO "{name}" VALUES (\'not a number\')')
    assert adbc_error(e) == AdbcStatusCode.INVALID_ARGUMENT


# --------------------------------------------------------------------------------------------
# Snapshots: pinning and time travel


def test_query_planned_before_a_commit_returns_what_the_plan_saw(client, conn, name):
    ingest(conn, name, pa.table({"v": pa.array([1, 2], pa.int64())}))
    info = client.get_flight_info(statement_query(f'SELECT sum(v) AS s FROM "{name}"'))
    ingest(conn, name, pa.table({"v": pa.array([100], pa.int64())}), "append")
    assert client.do_get(info.endpoints[0].ticket).read_all().to_pylist() == [{"s": 3}]
    # A new plan sees the new version.
    assert query(conn, f'SELECT sum(v) AS s FROM "{name}"').to_pylist() == [{"s": 103}]


def test_time_travel_names_a_version(conn, name):
    ingest(conn, name, pa.table({"v": pa.array([1], pa.int64())}))
    ingest(conn, name, pa.table({"v": pa.array([2], pa.int64())}), "append")
    assert query(conn, f'SELECT v FROM "{name}" AT (VERSION => 1)').to_pylist() == [{"v": 1}]
    assert sorted(query(conn, f'SELECT v FROM "{name}"').column("v").to_pylist()) == [1, 2]
    with pytest.raises(adbc_manager.Error) as e:
        query(conn, f'SELECT v FROM "{name}" AT (VERSION => 9)')
    assert adbc_error(e) == AdbcStatusCode.NOT_FOUND


def test_session_as_of_applies_to_sql(sql_server, conn, name):
    ingest(conn, name, pa.table({"v": pa.array([1], pa.int64())}))
    time.sleep(0.05)
    instant = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + f".{int(time.time() * 1000) % 1000:03d}Z"
    time.sleep(0.05)
    ingest(conn, name, pa.table({"v": pa.array([2], pa.int64())}), "append")
    options = {
        adbc_driver_flightsql.ConnectionOptions.OPTION_SESSION_OPTION_PREFIX.value + "quiver.as_of": instant,
    }
    with adbc_flightsql.connect(f"grpc://127.0.0.1:{sql_server.port}", db_kwargs={"adbc.flight.sql.rpc.with_cookie_middleware": "true"}, conn_kwargs=options, autocommit=True) as c:
        assert query(c, f'SELECT v FROM "{name}"').to_pylist() == [{"v": 1}]


def test_expired_version_is_not_found(launch_quiver):
    with launch_quiver("--retention", "1s") as server:
        client = flight.FlightClient(server.uri)
        with adbc_flightsql.connect(f"grpc://127.0.0.1:{server.port}", autocommit=True) as c:
            ingest(c, "t", pa.table({"v": pa.array([1], pa.int64())}))
            info = client.get_flight_info(statement_query('SELECT * FROM "t"'))
            ingest(c, "t", pa.table({"v": pa.array([2], pa.int64())}), "append")
            time.sleep(1.5)
            with pytest.raises(pa.ArrowKeyError, match="expired"):
                client.do_get(info.endpoints[0].ticket).read_all()
            with pytest.raises(adbc_manager.Error) as e:
                query(c, 'SELECT * FROM "t" AT (VERSION => 1)')
            assert adbc_error(e) == AdbcStatusCode.NOT_FOUND
        client.close()


# --------------------------------------------------------------------------------------------
# Metadata


def test_get_objects_at_every_depth(conn, name):
    table = f"obj/{name}"
    ingest(conn, table, pa.table({"k": pa.array([1], pa.int64()), "s": ["x"]}))
    catalogs = conn.adbc_get_objects(depth="catalogs").read_all().to_pylist()
    assert [c["catalog_name"] for c in catalogs] == ["quiver"]
    schemas = conn.adbc_get_objects(depth="db_schemas").read_all().to_pylist()
    assert [s["db_schema_name"] for s in schemas[0]["catalog_db_schemas"]] == ["main"]
    tables = conn.adbc_get_objects(depth="tables", table_name_filter=f"obj/{name[:-1]}%").read_all().to_pylist()
    listed = [t["table_name"] for t in tables[0]["catalog_db_schemas"][0]["db_schema_tables"]]
    assert listed == [table]
    columns = conn.adbc_get_objects(depth="all", table_name_filter=table, column_name_filter="%").read_all().to_pylist()
    t = columns[0]["catalog_db_schemas"][0]["db_schema_tables"][0]
    assert t["table_type"] == "TABLE"
    assert [(c["column_name"], c["xdbc_type_name"]) for c in t["table_columns"]] == [("k", "BIGINT"), ("s", "VARCHAR")]
    assert conn.adbc_get_objects(depth="tables", catalog_filter="other").read_all().to_pylist() == []


def test_get_table_schema_has_real_nullability(conn, name):
    schema = pa.schema([pa.field("k", pa.int64(), nullable=False), pa.field("s", pa.string())])
    ingest(conn, name, pa.table({"k": [1], "s": ["x"]}, schema=schema))
    got = conn.adbc_get_table_schema(name)
    assert got.remove_metadata() == schema.remove_metadata()
    assert [f.nullable for f in got] == [False, True]
    assert got.field("k").metadata[b"ARROW:FLIGHT:SQL:TABLE_NAME"] == name.encode()
    assert got.field("k").metadata[b"ARROW:FLIGHT:SQL:TYPE_NAME"] == b"BIGINT"


def test_get_info_and_table_types(conn):
    info = conn.adbc_get_info()
    assert info["vendor_name"] == "quiver"
    assert info["vendor_arrow_version"]
    assert conn.adbc_get_table_types() == ["TABLE"]


def _do_get_command(client, message: str, body: bytes = b"") -> pa.Table:
    info = client.get_flight_info(flight.FlightDescriptor.for_command(sql_any(message, body)))
    table = client.do_get(info.endpoints[0].ticket).read_all()
    assert info.schema == table.schema
    return table


def test_metadata_result_schemas_are_the_protocols(client):
    utf8, nn = pa.utf8(), False
    expected = {
        "CommandGetCatalogs": pa.schema([pa.field("catalog_name", utf8, nn)]),
        "CommandGetDbSchemas": pa.schema([pa.field("catalog_name", utf8), pa.field("db_schema_name", utf8, nn)]),
        "CommandGetTableTypes": pa.schema([pa.field("table_type", utf8, nn)]),
        "CommandGetTables": pa.schema([pa.field("catalog_name", utf8), pa.field("db_schema_name", utf8),
                                       pa.field("table_name", utf8, nn), pa.field("table_type", utf8, nn)]),
        "CommandGetPrimaryKeys": pa.schema([pa.field("catalog_name", utf8), pa.field("db_schema_name", utf8),
                                            pa.field("table_name", utf8, nn), pa.field("column_name", utf8, nn),
                                            pa.field("key_sequence", pa.int32(), nn), pa.field("key_name", utf8)]),
    }
    keys = pa.schema([pa.field("pk_catalog_name", utf8), pa.field("pk_db_schema_name", utf8), pa.field("pk_table_name", utf8, nn),
                      pa.field("pk_column_name", utf8, nn), pa.field("fk_catalog_name", utf8), pa.field("fk_db_schema_name", utf8),
                      pa.field("fk_table_name", utf8, nn), pa.field("fk_column_name", utf8, nn), pa.field("key_sequence", pa.int32(), nn),
                      pa.field("fk_key_name", utf8), pa.field("pk_key_name", utf8), pa.field("update_rule", pa.uint8(), nn),
                      pa.field("delete_rule", pa.uint8(), nn)])
    for message in ["CommandGetExportedKeys", "CommandGetImportedKeys", "CommandGetCrossReference"]:
        expected[message] = keys
    for message, schema in expected.items():
        body = _field(3, b"t") if "Keys" in message else _field(3, b"t") + _field(6, b"u") if "Cross" in message else b""
        got = _do_get_command(client, message, body)
        assert got.schema.equals(schema, check_metadata=True), message
    assert _do_get_command(client, "CommandGetCatalogs").to_pylist() == [{"catalog_name": "quiver"}]
    assert _do_get_command(client, "CommandGetPrimaryKeys", _field(3, b"t")).num_rows == 0


def test_sql_info_union_is_exactly_the_protocols(client):
    got = _do_get_command(client, "CommandGetSqlInfo", _field(1, _varint(0) + _varint(8) + _varint(508) + _varint(517)))
    value = pa.dense_union([
        pa.field("string_value", pa.utf8(), False), pa.field("bool_value", pa.bool_(), False),
        pa.field("bigint_value", pa.int64(), False), pa.field("int32_bitmask", pa.int32(), False),
        pa.field("string_list", pa.list_(pa.utf8()), False),
        pa.field("int32_to_int32_list_map", pa.map_(pa.int32(), pa.list_(pa.int32())), False),
    ])
    assert got.schema.equals(pa.schema([pa.field("info_name", pa.uint32(), False), pa.field("value", value, False)]), check_metadata=True)
    rows = {r["info_name"]: r["value"] for r in got.to_pylist()}
    assert rows[0] == "quiver"
    assert rows[8] == 0  # FLIGHT_SQL_SERVER_TRANSACTION: none
    assert "PRAGMA" in rows[508]
    assert rows[517]  # SQL_SUPPORTS_CONVERT map
    everything = _do_get_command(client, "CommandGetSqlInfo")
    assert everything.num_rows >= 80


def test_xdbc_type_info_has_19_columns_and_our_types(client):
    got = _do_get_command(client, "CommandGetXdbcTypeInfo")
    assert got.num_columns == 19
    assert {"BIGINT", "VARCHAR", "DOUBLE", "DECIMAL", "TIMESTAMP", "DATE", "BOOLEAN", "BLOB"} <= set(got.column("type_name").to_pylist())
    only_bigint = _do_get_command(client, "CommandGetXdbcTypeInfo", _varint(1 << 3) + _varint((-5) & 0xFFFFFFFFFFFFFFFF))
    assert only_bigint.column("type_name").to_pylist() == ["BIGINT"]


def test_session_catalog_and_schema(client):
    def session_option(name: str, value: str) -> bytes:
        # SetSessionOptionsRequest{map<string, SessionOptionValue{string_value=1}> session_options = 1}
        return _field(1, _field(1, name.encode()) + _field(2, _field(1, value.encode())))
    ok = list(client.do_action(flight.Action("SetSessionOptions", session_option("catalog", "quiver") + session_option("schema", "main"))))
    assert _read_fields(ok[0].body.to_pybytes()) == {}  # no errors
    refused = list(client.do_action(flight.Action("SetSessionOptions", session_option("catalog", "elsewhere"))))
    errors = _read_fields(refused[0].body.to_pybytes())[1]
    assert _read_fields(errors[0])[1] == [b"catalog"]


# --------------------------------------------------------------------------------------------
# Refusals and cancellation


@pytest.mark.parametrize("sql", [
    "COPY (SELECT 1) TO '/tmp/quiver-escape.csv'",
    "ATTACH '/tmp/quiver-escape.db'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "INSTALL httpfs",
    "SET memory_limit = '1TB'",
])
def test_refused_statements_are_invalid_argument(conn, sql):
    with pytest.raises(adbc_manager.Error) as e:
        query(conn, sql)
    assert adbc_error(e) == AdbcStatusCode.INVALID_ARGUMENT, str(e.value)


def test_transactions_are_unimplemented_with_a_message(client):
    with pytest.raises(pa.ArrowNotImplementedError, match="no transactions"):
        list(client.do_action(flight.Action("BeginTransaction", sql_any("ActionBeginTransactionRequest"))))
    with pytest.raises(pa.ArrowNotImplementedError, match="no transactions"):
        list(client.do_action(flight.Action("EndTransaction", sql_any("ActionEndTransactionRequest"))))


def _slow_query(name: str) -> str:
    return f'SELECT count(*) AS n FROM "{name}" a, "{name}" b, "{name}" c, "{name}" d'


# pyarrow turns a CANCELLED stream into KeyboardInterrupt of the main thread (it assumes its own
# signal handler cancelled it), so the cancelled reader runs in a process of its own.
_READ_TICKET = """
import sys, pyarrow.flight as flight
client = flight.FlightClient(sys.argv[1])
try:
    client.do_get(flight.Ticket(bytes.fromhex(sys.argv[2]))).read_all()
    print("finished")
except BaseException as e:
    print(type(e).__name__, e)
"""


def test_cancel_flight_info_interrupts_a_running_do_get(sql_server, client, conn, name):
    ingest(conn, name, pa.table({"v": pa.array(range(2000), pa.int64())}))
    info = client.get_flight_info(statement_query(_slow_query(name)))
    started = time.monotonic()
    reader = subprocess.Popen([sys.executable, "-c", _READ_TICKET, sql_server.uri, info.endpoints[0].ticket.ticket.hex()],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(1.5)
    # CancelFlightInfoRequest{info = 1: FlightInfo}
    result = list(client.do_action(flight.Action("CancelFlightInfo", _field(1, info.serialize()))))
    assert _read_fields(result[0].body.to_pybytes())[1] == [1]  # CANCEL_STATUS_CANCELLED
    out, _ = reader.communicate(timeout=60)
    # pyarrow reports the CANCELLED status as KeyboardInterrupt (or FlightCancelledError).
    assert out.startswith(("KeyboardInterrupt", "FlightCancelledError")), out
    assert time.monotonic() - started < 30
    # The text log line or, since logs can be JSON, the JSON one.
    assert re.search(r'DoGet failed(?: \{|",)"code":"CANCELLED"', sql_server.log_tail())
    # The ticket stays refused, and the server goes on serving queries.
    again = subprocess.run([sys.executable, "-c", _READ_TICKET, sql_server.uri, info.endpoints[0].ticket.ticket.hex()],
                           capture_output=True, text=True, timeout=60)
    assert again.stdout.startswith(("KeyboardInterrupt", "FlightCancelledError")), again.stdout
    assert query(conn, f'SELECT count(*) AS n FROM "{name}"').to_pylist() == [{"n": 2000}]


def test_client_cancellation_aborts_the_engine(conn, name):
    ingest(conn, name, pa.table({"v": pa.array(range(2000), pa.int64())}))
    cur = conn.cursor()
    outcome: dict = {}

    def run():
        try:
            cur.execute(_slow_query(name))
            cur.fetch_arrow_table()
            outcome["result"] = "finished"
        except Exception as e:  # noqa: BLE001
            outcome["result"] = e

    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(1.0)
    cur.adbc_cancel()
    runner.join(30)
    assert not runner.is_alive()
    assert outcome["result"] != "finished"
    cur.close()
    assert query(conn, "SELECT 1 AS one").to_pylist() == [{"one": 1}]


def test_same_auth_as_flight(launch_quiver):
    """Basic credentials through ADBC's Handshake, then the bearer token on every Flight SQL call."""
    with launch_quiver("--auth", "basic:ana:secret") as server:
        uri = f"grpc://127.0.0.1:{server.port}"
        with adbc_flightsql.connect(uri, db_kwargs={"username": "ana", "password": "secret"}, autocommit=True) as c:
            ingest(c, "secured", pa.table({"v": pa.array([7], pa.int64())}))
            assert query(c, 'SELECT v FROM "secured"').to_pylist() == [{"v": 7}]
        with pytest.raises(adbc_manager.Error) as e:
            with adbc_flightsql.connect(uri, db_kwargs={"username": "ana", "password": "wrong"}, autocommit=True) as c:
                query(c, 'SELECT v FROM "secured"')
        assert adbc_error(e) == AdbcStatusCode.UNAUTHENTICATED


GO_CLIENT = Path(__file__).resolve().parents[2] / "test" / "sql" / "go"


def test_arrow_go_flight_sql_client_and_database_sql_driver(sql_server, tmp_path):
    """test/sql/go: arrow-go v18's flightsql client (ingest, query, GetTables, prepared with a
    parameter, update) and its database/sql driver, built here and run against the server."""
    go = shutil.which("go")
    if go is None:
        pytest.skip("go is not installed: the arrow-go client is not run")
    binary = tmp_path / "flight-sql-go"
    subprocess.run([go, "build", "-o", str(binary), "."], cwd=GO_CLIENT, check=True, timeout=900)
    run = subprocess.run([str(binary), f"127.0.0.1:{sql_server.port}", "go/ingested"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and run.stdout.strip().endswith("all ok"), run.stdout + run.stderr
