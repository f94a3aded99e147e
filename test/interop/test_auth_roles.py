"""Users and roles with pyarrow clients: a users file written by `quiver users add` (scrypt
hashes), roles read < write < admin. Reads need read; DoPut, SQL ingest and SQL writes (updates
and DDL sent as queries) need write; drop, import, maintenance, cluster-config and cache-clear
need admin. A refusal is PERMISSION_DENIED naming the role required, and changes nothing."""

import json
import subprocess

import pyarrow as pa
import pyarrow.flight as flight
import pytest

from conftest import QUIVER_BIN, ROOT
from flight_sql_packing import _field, sql_any

BATCH = pa.record_batch([pa.array([1, 2, 3], pa.int64())], names=["x"])
USERS = {"reader": "read", "writer": "write", "boss": "admin"}
PASSWORD = "correct horse battery staple"
def sql_command(message: str, body: bytes) -> flight.FlightDescriptor:
    return flight.FlightDescriptor.for_command(sql_any(message, body))


def query(sql):
    return sql_command("CommandStatementQuery", _field(1, sql.encode()))


def update(sql):
    return sql_command("CommandStatementUpdate", _field(1, sql.encode()))


def ingest(table):
    return sql_command("CommandStatementIngest", _field(2, table.encode()))


def denied(role):
    """PERMISSION_DENIED naming `role`."""
    return pytest.raises(flight.FlightUnauthorizedError, match=f"needs the {role} role")


@pytest.fixture(scope="module")
def users_file(tmp_path_factory):
    file = tmp_path_factory.mktemp("users") / "users"
    for name, role in USERS.items():
        subprocess.run(["node", str(QUIVER_BIN), "users", "add", name, "--role", role, "--file", str(file), "--password-stdin"],
                       input=PASSWORD.encode(), cwd=ROOT, check=True, capture_output=True)
    return file


@pytest.fixture(scope="module")
def server(launch_quiver, users_file, tmp_path_factory):
    imports = tmp_path_factory.mktemp("imports")
    with launch_quiver("--users-file", str(users_file), "--import-dir", str(imports)) as s:
        yield s


@pytest.fixture(scope="module")
def clients(server):
    made = {}
    for name in USERS:
        client = server.connect()
        token = client.authenticate_basic_token(name, PASSWORD)
        made[name] = (client, flight.FlightCallOptions(headers=[token], timeout=60))
    yield made
    for client, _ in made.values():
        client.close()


def put(clients, who, descriptor, batches=(BATCH,)):
    client, options = clients[who]
    writer, reader = client.do_put(descriptor, BATCH.schema, options=options)
    for b in batches:
        writer.write_batch(b)
    writer.done_writing()
    while reader.read() is not None:
        pass
    writer.close()


def action(clients, who, kind, body=b""):
    client, options = clients[who]
    payload = json.dumps(body).encode() if isinstance(body, dict) else body
    return [r.body.to_pybytes() for r in client.do_action(flight.Action(kind, payload), options=options)]


def tables(clients, who):
    client, options = clients[who]
    return {"/".join(p.decode() for p in i.descriptor.path) for i in client.list_flights(options=options)}


def test_the_users_file_holds_no_password(users_file):
    text = users_file.read_text()
    assert PASSWORD not in text
    assert text.count("$scrypt$") == len(USERS)
    assert users_file.stat().st_mode & 0o077 == 0


def test_every_role_reads(clients):
    put(clients, "writer", flight.FlightDescriptor.for_path("shared"))
    for who in USERS:
        client, options = clients[who]
        info = client.get_flight_info(flight.FlightDescriptor.for_path("shared"), options=options)
        assert client.do_get(info.endpoints[0].ticket, options=options).read_all().num_rows >= 3
        assert "shared" in tables(clients, who)
        assert action(clients, who, "history", {"table": "shared"})


def test_a_reader_cannot_write(clients):
    with denied("write"):
        put(clients, "reader", flight.FlightDescriptor.for_path("by-reader"))
    with denied("write"):
        put(clients, "reader", ingest("by-reader"))
    client, options = clients["reader"]
    with denied("write"):
        client.get_flight_info(query("CREATE TABLE by_reader AS SELECT 1 AS x"), options=options)
    put(clients, "writer", flight.FlightDescriptor.for_path("target"))
    with denied("write"):
        put(clients, "reader", update("INSERT INTO target VALUES (7)"), batches=())
    assert not {"by-reader", "by_reader"} & tables(clients, "boss")
    assert action(clients, "boss", "history", {"table": "target"}) and len(action(clients, "boss", "history", {"table": "target"})) == 1


def test_a_writer_writes_but_cannot_administer(clients):
    put(clients, "writer", flight.FlightDescriptor.for_path("w1"))
    put(clients, "writer", ingest("w2"))
    client, options = clients["writer"]
    client.get_flight_info(query("CREATE TABLE w3 AS SELECT 1 AS x"), options=options)
    put(clients, "writer", update("INSERT INTO w3 VALUES (2)"), batches=())
    assert {"w1", "w2", "w3"} <= tables(clients, "writer")
    with denied("admin"):
        action(clients, "writer", "drop", {"table": "w1"})
    with denied("admin"):
        client.get_flight_info(query("DROP TABLE w3"), options=options)
    with denied("admin"):
        action(clients, "writer", "cache-clear")
    with denied("admin"):
        action(clients, "writer", "maintenance")
    with denied("admin"):
        action(clients, "writer", "cluster-config")
    with denied("admin"):
        action(clients, "writer", "import", {"table": "w4", "files": ["x.parquet"]})
    assert {"w1", "w2", "w3"} <= tables(clients, "writer")


def test_an_admin_does_everything(clients):
    put(clients, "boss", flight.FlightDescriptor.for_path("b1"))
    assert json.loads(action(clients, "boss", "cache-clear")[0])["freed_bytes"] >= 0
    action(clients, "boss", "maintenance", {"table": "b1", "tasks": ["expire"]})
    action(clients, "boss", "drop", {"table": "b1"})
    assert "b1" not in tables(clients, "boss")


def test_a_users_file_with_a_plain_password_is_refused(tmp_path):
    file = tmp_path / "users"
    file.write_text("mallory:admin:hunter2\n")
    run = subprocess.run(["node", str(QUIVER_BIN), "serve", "--port", "0", "--data", str(tmp_path / "data"), "--users-file", str(file)],
                         cwd=ROOT, capture_output=True, timeout=120, stdin=subprocess.DEVNULL)
    assert run.returncode != 0
    assert b"not hashed" in run.stderr, run.stderr
