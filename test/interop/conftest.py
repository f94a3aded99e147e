"""Harness for the pyarrow interop tests: real `quiver serve` processes, one pyarrow client.

Every test talks to a real server over gRPC with pyarrow's Flight client, the way a user would.
One server runs for the whole session (fixture `quiver`); tests that need their own server
(auth, restarts) start one with `launch_quiver`. Each test gets a fresh table name, so tests do
not see each other's tables.

Status codes. quiver is a grpc-js server, so it sends plain gRPC statuses without Arrow's
`x-arrow-status` trailers, and pyarrow 26 maps them by code. Measured against a grpc-js stub:

    INVALID_ARGUMENT   pyarrow.ArrowInvalid          "Flight returned invalid argument error, ..."
    NOT_FOUND          pyarrow.ArrowKeyError         "Flight returned not found error, ..."
    ALREADY_EXISTS     pyarrow.ArrowException        "... Flight returned already exists error, ..."
    UNAUTHENTICATED    FlightUnauthenticatedError    "Flight returned unauthenticated error, ..."
    DEADLINE_EXCEEDED  FlightTimedOutError           "Flight returned timeout error, ..."

ArrowInvalid is also what RESOURCE_EXHAUSTED, FAILED_PRECONDITION and OUT_OF_RANGE become (with
other wording), and what pyarrow raises for its own client-side checks, so `expect_status`
checks the wording as well as the class. pyarrow's get_schema (alone) raises a plain OSError
instead of the Flight*Error classes (UNAUTHENTICATED, DEADLINE_EXCEEDED, UNAVAILABLE), with the
same wording; STATUS allows that. A DoPut refusal surfaces from whichever call comes next
(write, ack read, done_writing or close) with the same class and wording.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import re
import signal
import subprocess
import threading
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

import pyarrow as pa
import pyarrow.flight as flight
import pytest

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
QUIVER_BIN = ROOT / "bin" / "quiver.js"

CALL_TIMEOUT = 30.0  # seconds, every RPC
START_TIMEOUT = 60.0  # the first start may compile TypeScript
STOP_TIMEOUT = 15.0  # SIGTERM drains, then we kill
LISTENING = re.compile(r"^Server listening on localhost:(\d+)\s*$")
LOG_TAIL_LINES = 200

STATUS = {
    "INVALID_ARGUMENT": (pa.ArrowInvalid, "Flight returned invalid argument error"),
    "NOT_FOUND": (pa.ArrowKeyError, "Flight returned not found error"),
    "ALREADY_EXISTS": (pa.ArrowException, "Flight returned already exists error"),
    "UNAUTHENTICATED": ((flight.FlightUnauthenticatedError, OSError), "Flight returned unauthenticated error"),
    "DEADLINE_EXCEEDED": ((flight.FlightTimedOutError, OSError), "Flight returned timeout error"),
}


class QuiverRefusedWarning(UserWarning):
    """A stream the server refused (allowed only for types Parquet cannot hold); listed in the summary."""


# --------------------------------------------------------------------------------------------
# Server processes


class QuiverServer:
    """One `node bin/quiver.js serve --port 0 --data DIR` process; stderr goes to a log file."""

    def __init__(self, data_dir: Path, log_path: Path, extra_args: Iterable[str] = ()):
        self.data_dir = data_dir
        self.log_path = log_path
        self.args = ["node", str(QUIVER_BIN), "serve", "--port", "0", "--data", str(data_dir), *extra_args]
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None
        self.exit_code: int | None = None

    @property
    def uri(self) -> str:
        return f"grpc+tcp://127.0.0.1:{self.port}"

    def start(self) -> None:
        if not QUIVER_BIN.exists():
            pytest.fail(f"{QUIVER_BIN} does not exist yet: nothing to test against")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        try:
            # Background conversion to Parquet adds "convert" versions at moments of its own
            # choosing; the suites count versions, so it is paused unless a test's flags say
            # otherwise (test_conversion.py converts explicitly).
            env = {**os.environ, "QUIVER_CONVERT_PAUSED": os.environ.get("QUIVER_CONVERT_PAUSED", "true")}
            self.proc = subprocess.Popen(self.args, cwd=ROOT, stdin=subprocess.DEVNULL,
                                         stdout=subprocess.PIPE, stderr=log, env=env)
        finally:
            log.close()  # the child holds its own descriptor
        lines: queue.Queue[bytes] = queue.Queue()
        # Keep draining stdout for the life of the process so a chatty server never blocks on a
        # full pipe; only the first line matters.
        threading.Thread(target=_pump, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace")
        except queue.Empty:
            self.stop()
            pytest.fail(f"quiver printed nothing on stdout within {START_TIMEOUT}s\n{self.log_tail()}")
        match = LISTENING.match(first)
        if not match:
            self.stop()
            pytest.fail(f"unexpected first stdout line {first!r} (exit code {self.exit_code})\n{self.log_tail()}")
        self.port = int(match.group(1))

    def stop(self) -> int | None:
        """SIGTERM, then SIGKILL after STOP_TIMEOUT; returns the exit code (negative: killed by signal)."""
        if self.proc is None or self.exit_code is not None:
            return self.exit_code
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.exit_code = self.proc.returncode
        return self.exit_code

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def log_size(self) -> int:
        return self.log_path.stat().st_size if self.log_path.exists() else 0

    def log_tail(self, since: int = 0) -> str:
        if not self.log_path.exists():
            return ""
        with open(self.log_path, "rb") as f:
            f.seek(since)
            lines = f.read().decode("utf-8", "replace").splitlines()
        return "\n".join(lines[-LOG_TAIL_LINES:])

    def connect(self) -> flight.FlightClient:
        return flight.FlightClient(self.uri)

    def helper(self, headers=()) -> "Quiver":
        """A Quiver helper on a new client; close it when done."""
        return Quiver(self, self.connect(), headers)


def _pump(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)


_SERVERS: list[QuiverServer] = []  # every server of the session, for failure reports
_LOG_MARKS = pytest.StashKey[dict]()


@pytest.fixture(scope="session")
def launch_quiver(tmp_path_factory):
    """Context manager factory: `with launch_quiver("--auth", "basic:u:p") as server: ...`.

    The data dir is fresh unless given (pass the same one to test a restart). It sits three levels
    inside a sandbox directory that holds nothing else (`data_dir.parents[2]`), so a table name
    that escaped the data dir with `../` would show up inside the sandbox.
    """

    @contextlib.contextmanager
    def launch(*extra_args: str, data_dir: Path | None = None) -> Iterator[QuiverServer]:
        if data_dir is None:
            data_dir = tmp_path_factory.mktemp("sandbox") / "outer" / "inner" / "data"
        log_path = tmp_path_factory.mktemp("log") / "quiver.stderr"
        server = QuiverServer(data_dir, log_path, extra_args)
        _SERVERS.append(server)
        try:
            server.start()
            yield server
        finally:
            server.stop()

    return launch


@pytest.fixture(scope="session")
def quiver_server(launch_quiver) -> Iterator[QuiverServer]:
    with launch_quiver() as server:
        yield server


@pytest.fixture(scope="session")
def _session_quiver(quiver_server) -> Iterator["Quiver"]:
    helper = quiver_server.helper()
    yield helper
    helper.close()


@pytest.fixture
def quiver(_session_quiver) -> "Quiver":
    """The shared server's helper; fails the test up front if an earlier test killed the server."""
    _session_quiver.check_alive()
    return _session_quiver


@pytest.fixture
def table_name(request, _session_quiver) -> str:
    return _session_quiver.fresh_name(request.node.originalname)


@pytest.fixture(name="expect_status")
def _expect_status():
    """`with expect_status("NOT_FOUND", "name"):` -- see the module docstring for the mapping."""
    return expect_status


def pytest_generate_tests(metafunc):
    """One test per corpus file, for tests that take `ipc_stream_path` or `parquet_path`."""
    corpora = {"ipc_stream_path": sorted((CORPUS / "arrow-ipc").glob("*/*.stream")),
               "parquet_path": sorted(p for p in (CORPUS / "parquet").iterdir() if p.is_file())}
    for argname, paths in corpora.items():
        if argname in metafunc.fixturenames:
            assert paths, f"no corpus files for {argname} under {CORPUS}"
            metafunc.parametrize(argname, paths, ids=[str(p.relative_to(CORPUS)) for p in paths])


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    item.stash[_LOG_MARKS] = {id(s): s.log_size() for s in _SERVERS}


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """On failure, attach what each server wrote to stderr during this test."""
    report = yield
    if report.failed:
        marks = item.stash.get(_LOG_MARKS, {})
        for server in _SERVERS:
            text = server.log_tail(since=marks.get(id(server), 0))
            died = server.exit_code is None and server.proc is not None and server.proc.poll() is not None
            if text or died:
                state = f"DIED with exit code {server.proc.returncode}" if died else \
                    "running" if server.alive() else f"stopped, exit code {server.exit_code}"
                report.sections.append((f"quiver stderr ({server.log_path}, {state})", text))
    return report


# --------------------------------------------------------------------------------------------
# Client helper


@dataclass
class ReadResult:
    table: pa.Table
    batch_rows: list[int]  # row count of every batch, in stream order, across endpoints
    info: flight.FlightInfo


class Quiver:
    """pyarrow calls against one server, each with a deadline, plus the checks every test needs."""

    def __init__(self, server: QuiverServer, client: flight.FlightClient, headers=()):
        self.server = server
        self.client = client
        self.headers = list(headers)
        self._names = itertools.count(1)

    # -- plumbing ---------------------------------------------------------------------------

    def options(self, timeout: float = CALL_TIMEOUT, **kwargs) -> flight.FlightCallOptions:
        return flight.FlightCallOptions(timeout=timeout, headers=self.headers, **kwargs)

    def close(self) -> None:
        self.client.close()

    def check_alive(self) -> None:
        if not self.server.alive():
            pytest.fail(f"quiver exited with {self.server.proc.returncode}\n{self.server.log_tail()}")

    def fresh_name(self, label: str) -> str:
        return f"{label}-{next(self._names)}"

    @staticmethod
    def path(*elements: str) -> flight.FlightDescriptor:
        return flight.FlightDescriptor.for_path(*elements)

    @staticmethod
    def cmd(**fields) -> flight.FlightDescriptor:
        return flight.FlightDescriptor.for_command(json.dumps(fields).encode())

    @classmethod
    def descriptor(cls, target: str | flight.FlightDescriptor) -> flight.FlightDescriptor:
        return target if isinstance(target, flight.FlightDescriptor) else cls.path(target)

    # -- RPCs -------------------------------------------------------------------------------

    def put(self, target, batches: list[pa.RecordBatch], schema: pa.Schema | None = None,
            write_options: pa.ipc.IpcWriteOptions | None = None) -> list[bytes]:
        """DoPut the batches as given; check every batch's ack echoes its app_metadata.

        Returns any PutResults after the per-batch ones (e.g. a commit acknowledgement).
        """
        schema = schema if schema is not None else batches[0].schema
        options = self.options(write_options=write_options) if write_options else self.options()
        writer, acks = self.client.do_put(self.descriptor(target), schema, options=options)
        try:
            for i, batch in enumerate(batches):
                token = f"batch-{i}".encode()
                writer.write_with_metadata(batch, pa.py_buffer(token))
                ack = acks.read()
                if ack is None:  # the server ended the call; close() raises its status
                    writer.close()
                    pytest.fail(f"DoPut ended without a PutResult for batch {i}")
                assert ack.to_pybytes() == token, f"PutResult for batch {i} does not echo its app_metadata"
            writer.done_writing()
            extra = []
            while (ack := acks.read()) is not None:
                extra.append(ack.to_pybytes())
            writer.close()
        except BaseException:
            with contextlib.suppress(Exception):
                writer.close()
            raise
        return extra

    def info(self, target) -> flight.FlightInfo:
        return self.client.get_flight_info(self.descriptor(target), options=self.options())

    def read(self, target) -> ReadResult:
        """GetFlightInfo, then DoGet every endpoint's ticket in order."""
        info = self.info(target)
        assert len(info.endpoints) >= 1, "FlightInfo has no endpoints"
        batches = []
        for n, endpoint in enumerate(info.endpoints):
            uris = [location.uri.decode() for location in endpoint.locations]
            assert uris and all(uri.startswith("grpc+tcp://") for uri in uris), \
                f"endpoint {n} locations {uris!r}: expected grpc+tcp:// locations"
            batches.extend(self.read_ticket(endpoint.ticket, info.schema))
        table = pa.Table.from_batches(batches, schema=info.schema)
        return ReadResult(table, [b.num_rows for b in batches], info)

    def read_ticket(self, ticket: flight.Ticket, schema: pa.Schema | None = None) -> list[pa.RecordBatch]:
        reader = self.client.do_get(ticket, options=self.options())
        if schema is not None:
            assert_schema_identical(reader.schema, schema, "DoGet stream schema vs FlightInfo schema")
        batches = []
        while True:
            try:
                chunk = reader.read_chunk()
            except StopIteration:
                return batches
            batches.append(chunk.data)

    def schema(self, target) -> pa.Schema:
        return self.client.get_schema(self.descriptor(target), options=self.options()).schema

    def list(self, prefix: str | bytes = b"") -> dict[str, flight.FlightInfo]:
        criteria = prefix.encode() if isinstance(prefix, str) else prefix
        return {table_name_of(info.descriptor): info
                for info in self.client.list_flights(criteria, options=self.options())}

    def action(self, kind: str, body: dict | bytes = b"") -> list[bytes]:
        payload = json.dumps(body).encode() if isinstance(body, dict) else body
        results = self.client.do_action(flight.Action(kind, payload), options=self.options())
        return [result.body.to_pybytes() for result in results]

    def history(self, table: str) -> list[dict]:
        return [json.loads(body) for body in self.action("history", {"table": table})]

    def drop(self, table: str) -> None:
        self.action("drop", {"table": table})

    # -- checks -----------------------------------------------------------------------------

    def assert_roundtrip(self, name: str, batches: list[pa.RecordBatch], schema: pa.Schema | None = None,
                         write_options=None) -> ReadResult:
        """Put the batches into a new table and read them back identical, batch for batch."""
        schema = schema if schema is not None else batches[0].schema
        self.put(name, batches, schema, write_options=write_options)
        return self.assert_table(name, batches, schema)

    def assert_table(self, target, batches: list[pa.RecordBatch], schema: pa.Schema) -> ReadResult:
        """The target currently reads back as exactly these batches (as pyarrow's IPC reader sees them)."""
        batches, schema = through_ipc(batches, schema)
        expected = pa.Table.from_batches(batches, schema=schema)
        got = self.read(target)
        assert_schema_identical(got.info.schema, schema, "FlightInfo schema")
        assert_tables_identical(got.table, expected)
        assert got.batch_rows == [b.num_rows for b in batches], "record batch boundaries changed"
        assert got.info.total_records == expected.num_rows, "FlightInfo.total_records"
        assert got.info.total_bytes >= 0, "FlightInfo.total_bytes not set"
        return got

    def put_exact_or_refused(self, name: str, batches: list[pa.RecordBatch], schema: pa.Schema) -> str:
        """The contract for any Arrow stream: it round-trips exactly, or it is refused with
        INVALID_ARGUMENT naming a column and its type, and nothing is written.

        Returns "roundtrip" or "refused"; refusals also raise a QuiverRefusedWarning so they are
        listed in the session summary.
        """
        try:
            self.put(name, batches, schema)
        except pa.ArrowException as error:
            message = str(error)
            with expect_status("NOT_FOUND"):
                self.info(name)
            assert name not in self.list(name), "a refused stream left a table behind"
            assert STATUS["INVALID_ARGUMENT"][1] in message, f"refused with the wrong status: {message}"
            assert any(names_column_and_type(message, field) for field in schema), \
                f"refusal does not name a column and its type: {message}\nschema:\n{schema}"
            test = os.environ.get("PYTEST_CURRENT_TEST", name).rsplit(" ", 1)[0]
            warnings.warn(QuiverRefusedWarning(f"{test}: {message}"))
            return "refused"
        self.assert_table(name, batches, schema)
        return "roundtrip"


def table_name_of(descriptor: flight.FlightDescriptor) -> str:
    assert descriptor.descriptor_type == flight.DescriptorType.PATH, f"not a PATH descriptor: {descriptor}"
    return b"/".join(descriptor.path).decode()


@contextlib.contextmanager
def expect_status(code: str, *mentions: str):
    """The block fails with this gRPC status, and the message mentions each given string."""
    exc_types, wording = STATUS[code]
    with pytest.raises(Exception) as caught:
        yield caught
    message = str(caught.value)
    assert isinstance(caught.value, exc_types) and wording in message, \
        f"expected {code}, got {type(caught.value).__name__}: {message}"
    for mention in mentions:
        assert mention in message, f"{code} message does not mention {mention!r}: {message}"


def names_column_and_type(message: str, field: pa.Field) -> bool:
    """The message names this field (as a whole word) and its type or a non-primitive type inside it."""
    named = re.search(rf"(?<!\w){re.escape(field.name)}(?!\w)", message) if field.name else None
    lowered = message.lower()
    return bool(named) and any(word in lowered for word in type_words(field.type, top=True))


_FAMILIES = ("union", "interval", "run_end", "view", "dictionary", "duration", "list", "map", "struct",
             "decimal", "float16", "halffloat")


def type_words(dtype: pa.DataType, top: bool = False) -> set[str]:
    """Lower-case names a message may use for this type: "sparse_union", "union", "list_view", ...

    Primitive children are left out, so "int32" in an unrelated message does not count as naming
    a list<int32> column.
    """
    base = str(dtype).split("<")[0].split("[")[0].split("(")[0].lower()
    primitive = not (pa.types.is_nested(dtype) or pa.types.is_dictionary(dtype) or pa.types.is_union(dtype))
    words = ({base} | {family for family in _FAMILIES if family in base}) if top or not primitive else set()
    if pa.types.is_dictionary(dtype):
        words |= type_words(dtype.value_type)
    for i in range(dtype.num_fields):
        words |= type_words(dtype.field(i).type)
    return words


# --------------------------------------------------------------------------------------------
# Exact comparison


def through_ipc(batches: list[pa.RecordBatch], schema: pa.Schema) -> tuple[list[pa.RecordBatch], pa.Schema]:
    """The batches as pyarrow reads them back from its own IPC stream: the best any server can do.

    pyarrow's IPC reader renames a map's entries field to "entries" (parquet/map_no_value.parquet
    has one named "my_map"), so that is what every Flight client receives.
    """
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    with pa.ipc.open_stream(sink.getvalue()) as reader:
        return list(reader), reader.schema


def assert_schema_identical(got: pa.Schema, expected: pa.Schema, what: str = "schema") -> None:
    if not got.equals(expected, check_metadata=True):
        pytest.fail(f"{what} differs (types, nullability or metadata)\n"
                    f"--- got ---\n{_schema_text(got)}\n--- expected ---\n{_schema_text(expected)}")


def assert_tables_identical(got: pa.Table, expected: pa.Table) -> None:
    """Table.equals(check_metadata=True), except that float columns compare bit for bit.

    Table.equals treats NaN as unequal to itself, so a table holding NaN never equals its own copy;
    comparing the bits instead keeps the check exact (it also tells -0.0 from 0.0). This applies
    to top-level float columns, the only place NaN occurs in the corpus.
    """
    assert_schema_identical(got.schema, expected.schema)
    assert got.num_rows == expected.num_rows, f"{got.num_rows} rows, expected {expected.num_rows}"
    for i, field in enumerate(expected.schema):
        left, right = _float_bits(got.column(i)), _float_bits(expected.column(i))
        if not left.equals(right):
            pytest.fail(f"column {i} {field.name!r} ({field.type}) differs\n"
                        f"--- got ---\n{_preview(got.column(i))}\n--- expected ---\n{_preview(expected.column(i))}")


_FLOAT_BITS = {16: pa.uint16(), 32: pa.uint32(), 64: pa.uint64()}


def _float_bits(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if not pa.types.is_floating(column.type):
        return column
    bits = _FLOAT_BITS[column.type.bit_width]
    return pa.chunked_array([chunk.view(bits) for chunk in column.chunks], type=bits)


def _schema_text(schema: pa.Schema) -> str:
    return schema.to_string(show_field_metadata=True, show_schema_metadata=True, truncate_metadata=False)


def _preview(column: pa.ChunkedArray) -> str:
    return f"{len(column.chunks)} chunks of {[len(c) for c in column.chunks]} rows\n" + \
        column.to_string(window=5, skip_new_lines=True)
