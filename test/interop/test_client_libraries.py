"""pyarrow.flight as a client library against a real `quiver serve` over plain TCP, TLS and mutual
TLS, with Basic -> bearer authentication: the same checks the Go and Java programs in test/clients
run (see test/clients/README.md), so the three libraries are held to one contract.

Two ways in:
  * pytest (test:interop): starts one server per transport and runs every check as a test;
  * `python3 test/interop/test_client_libraries.py --location grpc+tls://localhost:PORT ...`:
    runs the checks against a server someone else started and prints one JSON line per check;
    test/clients/runner/run-clients.ts drives it that way, beside the Go and Java clients.

Certificates: ../shared/corpus/tls. root-ca.pem signs cert0 (the server's) and cert1 (the
client's); both say CN=localhost and carry no subjectAltName, so servers listen on localhost and
clients connect to localhost (gRPC core falls back to the CN when there is no SAN).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import traceback
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pyarrow as pa
import pyarrow.flight as flight

ROOT = Path(__file__).resolve().parents[2]
TLS_DIR = ROOT.parent / "shared" / "corpus" / "tls"
USER, PASSWORD = "alice", "secret"
TIMEOUT = 30.0
# Each file is its own endpoint, so two DoPuts give a table with several endpoints to read.
SERVER_ARGS = ["--host", "localhost", "--auth", f"basic:{USER}:{PASSWORD}", "--endpoint-bytes", "1"]
TRANSPORT_ARGS = {
    "tcp": [],
    "tls": ["--tls-cert", str(TLS_DIR / "cert0.pem"), "--tls-key", str(TLS_DIR / "cert0.key")],
    "mtls": ["--tls-cert", str(TLS_DIR / "cert0.pem"), "--tls-key", str(TLS_DIR / "cert0.key"),
             "--tls-client-ca", str(TLS_DIR / "root-ca.pem")],
}
CHECKS = ["handshake", "wrong_password", "put", "append", "list_flights", "read_endpoints",
          "not_found", "wrong_schema", "no_client_cert"]


class CheckFailed(Exception):
    pass


# --------------------------------------------------------------------------------------------
# The table every client writes: nulls everywhere, a dictionary-encoded column, list, struct, map.

CATEGORIES = pa.array(["red", "green", "blue"], pa.utf8())
SCHEMA = pa.schema([
    pa.field("id", pa.int64(), nullable=False),
    pa.field("name", pa.utf8()),
    pa.field("category", pa.dictionary(pa.int32(), pa.utf8())),
    pa.field("tags", pa.list_(pa.field("item", pa.utf8()))),
    pa.field("point", pa.struct([pa.field("x", pa.float64(), nullable=False), pa.field("y", pa.float64())])),
    pa.field("attrs", pa.map_(pa.utf8(), pa.int64())),
])


def rows_batch(start: int, count: int) -> pa.RecordBatch:
    """Rows start..start+count-1; the same formulas as the Go and Java clients."""
    ids = list(range(start, start + count))
    name = [None if i % 3 == 1 else f"name-{i}" for i in ids]
    category = pa.DictionaryArray.from_arrays(
        pa.array([None if i % 4 == 2 else i % 3 for i in ids], pa.int32()), CATEGORIES)
    tags = [None if i % 5 == 0 else [None if j == 1 else f"t{i}-{j}" for j in range(i % 3)] for i in ids]
    point = [None if i % 6 == 3 else {"x": i * 0.5, "y": None if i % 2 == 0 else -float(i)} for i in ids]
    attrs = [None if i % 7 == 4 else [("k0", i), ("k1", None if i % 2 == 0 else i * 10)][: 1 + i % 2] for i in ids]
    return pa.record_batch([
        pa.array(ids, pa.int64()),
        pa.array(name, pa.utf8()),
        category,
        pa.array(tags, SCHEMA.field("tags").type),
        pa.array(point, SCHEMA.field("point").type),
        pa.array(attrs, SCHEMA.field("attrs").type),
    ], schema=SCHEMA)


FIRST_PUT = [rows_batch(0, 7), rows_batch(7, 6)]
SECOND_PUT = [rows_batch(13, 8)]
WRONG_SCHEMA = pa.schema([pa.field("id", pa.utf8())])


# --------------------------------------------------------------------------------------------
# The checks


class Session:
    """One client library session against one server; each check is a method."""

    def __init__(self, location: str, table: str, ca: bytes | None, cert: bytes | None, key: bytes | None,
                 expect_locations: int = 1):
        self.location = location
        self.expect_locations = expect_locations
        self.table = table
        self.tls = {}
        if ca is not None:
            self.tls["tls_root_certs"] = ca
        if cert is not None:
            self.tls.update(cert_chain=cert, private_key=key)
        self.client = flight.FlightClient(location, **self.tls)
        self.token: tuple[bytes, bytes] | None = None
        self.peers: list[flight.FlightClient] = [self.client]

    def close(self) -> None:
        for c in self.peers:
            c.close()

    def options(self) -> flight.FlightCallOptions:
        return flight.FlightCallOptions(timeout=TIMEOUT, headers=[self.token] if self.token else [])

    def descriptor(self, name: str | None = None) -> flight.FlightDescriptor:
        return flight.FlightDescriptor.for_path(name or self.table)

    def handshake(self) -> str:
        self.token = self.client.authenticate_basic_token(USER, PASSWORD, options=flight.FlightCallOptions(timeout=TIMEOUT))
        key, value = self.token
        if key.lower() != b"authorization" or not value.startswith(b"Bearer ") or len(value) <= len(b"Bearer "):
            raise CheckFailed(f"Handshake returned {self.token!r}, not an authorization: Bearer header")
        return "Basic credentials exchanged for a bearer token"

    def wrong_password(self) -> str:
        expect_status("UNAUTHENTICATED", lambda: self.client.authenticate_basic_token(
            USER, PASSWORD + "-wrong", options=flight.FlightCallOptions(timeout=TIMEOUT)))
        return "Handshake with a wrong password -> UNAUTHENTICATED"

    def put(self, batches: list[pa.RecordBatch] = FIRST_PUT) -> str:
        writer, reader = self.client.do_put(self.descriptor(), SCHEMA, options=self.options())
        for b in batches:
            writer.write_batch(b)
        writer.done_writing()
        while reader.read() is not None:
            pass
        writer.close()
        return f"DoPut of {len(batches)} batches, {sum(b.num_rows for b in batches)} rows"

    def append(self) -> str:
        return self.put(SECOND_PUT)

    def list_flights(self) -> str:
        infos = list(self.client.list_flights(self.table.encode(), options=self.options()))
        mine = [i for i in infos if list(i.descriptor.path) == [self.table.encode()]]
        if len(mine) != 1:
            raise CheckFailed(f"ListFlights({self.table!r}) listed {[list(i.descriptor.path) for i in infos]}")
        if mine[0].total_records != expected_table().num_rows:
            raise CheckFailed(f"ListFlights says {mine[0].total_records} records, expected {expected_table().num_rows}")
        return f"listed with total_records={mine[0].total_records}"

    def read_endpoints(self) -> str:
        info = self.client.get_flight_info(self.descriptor(), options=self.options())
        if len(info.endpoints) < 2:
            raise CheckFailed(f"expected several endpoints (one per file), got {len(info.endpoints)}")
        if not info.schema.equals(SCHEMA):
            raise CheckFailed(f"FlightInfo schema differs:\n{info.schema}\nexpected\n{SCHEMA}")
        scheme = self.location.split("://")[0]
        batches = []
        reads = 0
        for n, endpoint in enumerate(info.endpoints):
            uris = [loc.uri.decode() for loc in endpoint.locations]
            if len(set(uris)) != self.expect_locations or any(not u.startswith(scheme + "://") for u in uris):
                raise CheckFailed(f"endpoint {n} has locations {uris}; expected {self.expect_locations} distinct {scheme}:// locations")
            per_location = []
            for uri in uris:
                client = self.peer(uri)
                per_location.append(client.do_get(endpoint.ticket, options=self.options()).read_all())
                reads += 1
            for uri, got in zip(uris[1:], per_location[1:]):
                if not got.equals(per_location[0]):
                    raise CheckFailed(f"endpoint {n}: {uri} returned other data than {uris[0]}")
            batches.extend(per_location[0].to_batches())
        got = pa.Table.from_batches(batches, schema=info.schema)
        want = expected_table()
        if not got.equals(want):
            raise CheckFailed(f"read back differs from what was written\n--- got ---\n{got.to_pydict()}\n--- want ---\n{want.to_pydict()}")
        return f"{len(info.endpoints)} endpoints, {reads} DoGets, {got.num_rows} rows equal to those written"

    def read_by_pyarrow(self) -> str:
        """Another client's table, written by the same formulas, reads back as pyarrow's own."""
        info = self.client.get_flight_info(self.descriptor(), options=self.options())
        parts = [self.client.do_get(e.ticket, options=self.options()).read_all() for e in info.endpoints]
        got = pa.concat_tables(parts)
        want = expected_table()
        if not got.schema.equals(want.schema):
            raise CheckFailed(f"schema differs from pyarrow's:\n{got.schema}\nexpected\n{want.schema}")
        if not got.equals(want):
            diff = [name for name in want.column_names if not got.column(name).equals(want.column(name))]
            raise CheckFailed(f"columns {diff} differ from pyarrow's\n--- got ---\n{got.select(diff).to_pydict()}\n"
                              f"--- want ---\n{want.select(diff).to_pydict()}")
        return f"{got.num_rows} rows equal to the table pyarrow writes"

    def peer(self, uri: str) -> flight.FlightClient:
        """A new connection to a location, as a client reading endpoints elsewhere would open."""
        client = flight.FlightClient(uri, **self.tls)
        self.peers.append(client)
        client.authenticate_basic_token(USER, PASSWORD, options=flight.FlightCallOptions(timeout=TIMEOUT))
        return client

    def not_found(self) -> str:
        missing = f"{self.table}-no-such-table"
        expect_status("NOT_FOUND", lambda: self.client.get_flight_info(self.descriptor(missing), options=self.options()))
        return "GetFlightInfo of an unknown table -> NOT_FOUND"

    def wrong_schema(self) -> str:
        def put_wrong():
            writer, reader = self.client.do_put(self.descriptor(), WRONG_SCHEMA, options=self.options())
            try:
                writer.write_batch(pa.record_batch([pa.array(["x"])], schema=WRONG_SCHEMA))
                writer.done_writing()
                while reader.read() is not None:
                    pass
            finally:
                writer.close()
        expect_status("INVALID_ARGUMENT", put_wrong)
        return "DoPut appending an incompatible schema -> INVALID_ARGUMENT"

    def no_client_cert(self) -> str:
        anonymous = {k: v for k, v in self.tls.items() if k == "tls_root_certs"}
        client = flight.FlightClient(self.location, **anonymous)
        try:
            # A unary call: pyarrow reports a failed Handshake stream as INTERNAL, whatever the cause.
            expect_status("UNAVAILABLE", lambda: client.get_flight_info(self.descriptor(), options=self.options()))
        finally:
            client.close()
        return "a client without a certificate is refused (UNAVAILABLE)"


def expected_table() -> pa.Table:
    return pa.Table.from_batches(FIRST_PUT + SECOND_PUT, schema=SCHEMA)


STATUS = {
    "UNAUTHENTICATED": "Flight returned unauthenticated error",
    "NOT_FOUND": "Flight returned not found error",
    "INVALID_ARGUMENT": "Flight returned invalid argument error",
    "UNAVAILABLE": "Flight returned unavailable error",
}


def expect_status(code: str, call: Callable[[], object]) -> None:
    """pyarrow maps gRPC codes to exception classes and says the code in its message."""
    try:
        call()
    except Exception as e:  # noqa: BLE001 - the message tells the code
        if STATUS[code] not in str(e):
            raise CheckFailed(f"expected {code}, got {type(e).__name__}: {e}") from e
        return
    raise CheckFailed(f"expected {code}, but the call succeeded")


def run_checks(location: str, table: str, mtls: bool, ca: bytes | None, cert: bytes | None,
               key: bytes | None, expect_locations: int = 1) -> Iterator[dict]:
    """Every check in order, as {check, ok, detail, ms}; a check that cannot run is skipped."""
    session = Session(location, table, ca, cert, key, expect_locations)
    done: dict[str, bool] = {}
    needs = {"wrong_password": [], "put": ["handshake"], "append": ["put"], "list_flights": ["append"],
             "read_endpoints": ["append"], "not_found": ["handshake"], "wrong_schema": ["put"]}
    try:
        for check in CHECKS:
            if check == "no_client_cert" and not mtls:
                continue
            missing = [n for n in needs.get(check, []) if not done.get(n)]
            if missing:
                done[check] = False
                yield {"check": check, "ok": False, "detail": f"not run: {', '.join(missing)} failed"}
                continue
            started = time.monotonic()
            try:
                detail = getattr(session, check)()
                done[check] = True
                yield {"check": check, "ok": True, "detail": detail, "ms": round((time.monotonic() - started) * 1000)}
            except Exception as e:  # noqa: BLE001 - reported, not swallowed
                done[check] = False
                text = str(e) if isinstance(e, CheckFailed) else "".join(traceback.format_exception_only(e)).strip()
                yield {"check": check, "ok": False, "detail": text, "ms": round((time.monotonic() - started) * 1000)}
    finally:
        session.close()


# --------------------------------------------------------------------------------------------
# pytest: one server per transport, one test per check

try:
    import pytest
except ImportError:  # the command-line mode needs only pyarrow
    pytest = None

if pytest is not None:
    @pytest.fixture(scope="module", params=list(TRANSPORT_ARGS))
    def transport_results(request, launch_quiver):
        transport = request.param
        with launch_quiver(*SERVER_ARGS, *TRANSPORT_ARGS[transport]) as server:
            scheme = "grpc+tcp" if transport == "tcp" else "grpc+tls"
            ca = (TLS_DIR / "root-ca.pem").read_bytes() if transport != "tcp" else None
            cert = (TLS_DIR / "cert1.pem").read_bytes() if transport == "mtls" else None
            key = (TLS_DIR / "cert1.key").read_bytes() if transport == "mtls" else None
            results = list(run_checks(f"{scheme}://localhost:{server.port}", f"pyarrow-{transport}-{uuid.uuid4().hex[:8]}",
                                      transport == "mtls", ca, cert, key))
            yield transport, {r["check"]: r for r in results}

    @pytest.mark.parametrize("check", CHECKS)
    def test_client_library(transport_results, check):
        transport, results = transport_results
        if check == "no_client_cert" and transport != "mtls":
            pytest.skip("only under mutual TLS")
        result = results[check]
        assert result["ok"], f"{transport} {check}: {result['detail']}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--location", required=True, help="grpc+tcp://host:port or grpc+tls://host:port")
    parser.add_argument("--table", default=f"pyarrow-{uuid.uuid4().hex[:8]}")
    parser.add_argument("--ca", help="PEM CA to trust (TLS)")
    parser.add_argument("--cert", help="PEM client certificate (mutual TLS)")
    parser.add_argument("--key", help="PEM key of --cert")
    parser.add_argument("--mtls", action="store_true", help="also check that a client without a certificate is refused")
    parser.add_argument("--expect-locations", type=int, default=1, help="locations every endpoint lists (replicas)")
    parser.add_argument("--read-only", action="store_true",
                        help="only read --table (another client's, written by the same formulas) and compare it with pyarrow's")
    args = parser.parse_args()
    read = lambda p: Path(p).read_bytes() if p else None  # noqa: E731
    if args.read_only:
        session = Session(args.location, args.table, read(args.ca), read(args.cert), read(args.key))
        try:
            session.handshake()
            result = {"check": "read_by_pyarrow", "ok": True, "detail": session.read_by_pyarrow()}
        except Exception as e:  # noqa: BLE001 - reported
            result = {"check": "read_by_pyarrow", "ok": False, "detail": str(e)}
        finally:
            session.close()
        print(json.dumps(result), flush=True)
        return 0 if result["ok"] else 1
    failed = 0
    for result in run_checks(args.location, args.table, args.mtls, read(args.ca), read(args.cert), read(args.key),
                             args.expect_locations):
        failed += not result["ok"]
        print(json.dumps(result), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
