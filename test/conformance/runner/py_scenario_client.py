#!/usr/bin/env python3
"""pyarrow.flight as an Arrow Flight integration client in scenario mode.

Each scenario makes the calls and the checks arrow-go's and Arrow Java's clients make
(test/conformance/SCENARIOS.md), through pyarrow.flight's public API. Scenarios that API cannot
express are in CANNOT_EXPRESS (with the reason); the runner reports them as not applicable.

Usage: py_scenario_client.py -host HOST -port PORT -scenario NAME
Exit 0 when every check held; otherwise the first failed check is printed and the exit is 1.
`py_scenario_client.py --cannot-express` prints CANNOT_EXPRESS as JSON.
"""
import datetime
import json
import sys

import pyarrow as pa
import pyarrow.flight as flight

from flight_batches import record_batches


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def cmd(text):
    return flight.FlightDescriptor.for_command(text.encode())


# pyarrow raises a status as FlightError subclasses for Flight-specific codes and as the general
# Arrow exceptions for others (INVALID_ARGUMENT is ArrowInvalid); both mean "the call failed".
ANY_CALL_FAILURE = (flight.FlightError, pa.ArrowException)


def expect_failure(what, call, error_type=ANY_CALL_FAILURE):
    try:
        call()
    except error_type as e:
        return e
    except Exception as e:  # noqa: BLE001 - reported as the wrong kind of failure
        raise CheckFailed(f"{what}: expected {getattr(error_type, '__name__', 'a failed call')}, got {type(e).__name__}: {e}")
    raise CheckFailed(f"{what}: expected the call to fail, but it succeeded")


def one_column_schema(name, type_):
    return pa.schema([pa.field(name, type_, nullable=False)])


# --- Protobuf wrappers pyarrow has no API for --------------------------------------------------
# pyarrow serializes FlightInfo and FlightEndpoint (.serialize()/.deserialize()) but has no
# CancelFlightInfo/RenewFlightEndpoint methods; their request messages wrap exactly one of those
# as field 1, and CancelFlightInfoResult is one enum field. These helpers write and read that
# one field (protobuf wire format: tag, varint length, bytes).

def _varint(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def wrap_field1(payload):
    return b"\x0a" + _varint(len(payload)) + payload


def cancel_status(body):
    # CancelFlightInfoResult { CancelStatus status = 1; }: absent means 0 (UNSPECIFIED).
    if not body:
        return 0
    check(body[0] == 0x08, f"CancelFlightInfoResult: unexpected bytes {body!r}")
    return body[1]


def do_action_results(client, action_type, body=b""):
    return [r.body.to_pybytes() for r in client.do_action(flight.Action(action_type, body))]


# --- Scenarios ---------------------------------------------------------------------------------

class BasicProtoAuth(flight.ClientAuthHandler):
    """The legacy handshake: BasicAuth payload out, token payload back, token as auth-token-bin."""

    def __init__(self, username, password):
        super().__init__()
        self.basic = flight.BasicAuth(username, password)
        self.token = b""

    def authenticate(self, outgoing, incoming):
        outgoing.write(self.basic.serialize())
        self.token = incoming.read()

    def get_token(self):
        return self.token


def auth_basic_proto(location):
    client = flight.connect(location)
    expect_failure("DoAction without credentials", lambda: list(client.do_action(flight.Action("", b""))),
                   flight.FlightUnauthenticatedError)
    client.authenticate(BasicProtoAuth("arrow", "flight"))
    results = do_action_results(client, "")
    check(len(results) == 1, f"expected exactly one Result, got {len(results)}")
    check(results[0] == b"arrow", f"expected the Result body 'arrow' (the user), got {results[0]!r}")


class EchoCheckFactory(flight.ClientMiddlewareFactory):
    def __init__(self):
        self.received = []

    def start_call(self, info):
        return EchoCheck(self)


class EchoCheck(flight.ClientMiddleware):
    """Records, per call, the x-middleware values of every header block pyarrow reports (it
    calls received_headers for the headers and again for the trailers)."""

    def __init__(self, factory):
        self.factory = factory
        self.values = []

    def sending_headers(self):
        return {"x-middleware": "expected value"}

    def received_headers(self, headers):
        self.values += headers.get("x-middleware", [])

    def call_completed(self, exception):
        self.factory.received.append("expected value" if "expected value" in self.values else self.values)


def middleware(location):
    factory = EchoCheckFactory()
    client = flight.connect(location, middleware=[factory])
    expect_failure('GetFlightInfo(CMD "")', lambda: client.get_flight_info(cmd("")))
    check(factory.received[-1:] == ["expected value"],
          f"failed call: expected response header x-middleware 'expected value', got {factory.received}")
    factory.received.clear()
    client.get_flight_info(cmd("success"))
    check(factory.received[-1:] == ["expected value"],
          f"successful call: expected response header x-middleware 'expected value', got {factory.received}")


def read_endpoint(client, endpoint):
    reader = client.do_get(endpoint.ticket)
    batches = [batch for batch, _ in record_batches(reader)]
    return reader.schema, batches


def ordered(location):
    client = flight.connect(location)
    info = client.get_flight_info(cmd("ordered"))
    check(info.ordered, "FlightInfo.ordered must be true")
    check(len(info.endpoints) == 3, f"expected 3 endpoints, got {len(info.endpoints)}")
    expected = [[1, 2, 3], [10, 20, 30], [100, 200, 300]]
    want_schema = one_column_schema("number", pa.int32())
    for i, e in enumerate(info.endpoints):
        check(not e.locations, f"endpoint {i}: locations must be empty, got {e.locations}")
        schema, batches = read_endpoint(client, e)
        check(schema.equals(want_schema), f"endpoint {i}: expected schema {want_schema}, got {schema}")
        check(len(batches) == 1, f"endpoint {i}: expected one batch, got {len(batches)}")
        got = batches[0].column(0).to_pylist()
        check(got == expected[i], f"endpoint {i}: expected {expected[i]}, got {got}")


def expiring_info(client, command):
    info = client.get_flight_info(cmd(command))
    check(len(info.endpoints) == 3, f"expected 3 endpoints, got {len(info.endpoints)}")
    for i, e in enumerate(info.endpoints):
        check(not e.locations, f"endpoint {i}: expected no locations, got {e.locations}")
        if i == 0:
            check(e.expiration_time is None, f"endpoint 0 must not have an expiration time, got {e.expiration_time}")
        else:
            check(e.expiration_time is not None, f"endpoint {i} must have an expiration time")
    return info


def expiration_do_get(location):
    client = flight.connect(location)
    info = expiring_info(client, "expiration_time")
    want_schema = one_column_schema("number", pa.uint32())
    values, count = [], 0
    for i, e in enumerate(info.endpoints):
        schema, batches = read_endpoint(client, e)
        check(schema.equals(want_schema), f"endpoint {i}: expected schema {want_schema}, got {schema}")
        for b in batches:
            check(b.num_rows == 1, f"endpoint {i}: expected batches of one row, got {b.num_rows}")
            values += b.column(0).to_pylist()
        count += len(batches)
    check(count == 3, f"expected 3 batches in all, got {count}")
    check(values == [0, 1, 2], f"expected the values [0, 1, 2], got {values}")


def expiration_list_actions(location):
    client = flight.connect(location)
    types = [a.type for a in client.list_actions()]
    check(types == ["CancelFlightInfo", "RenewFlightEndpoint"],
          f"expected the actions [CancelFlightInfo, RenewFlightEndpoint], got {types}")


def expiration_cancel(location):
    client = flight.connect(location)
    info = expiring_info(client, "expiration")
    results = do_action_results(client, "CancelFlightInfo", wrap_field1(info.serialize()))
    check(len(results) == 1, f"CancelFlightInfo: expected one Result, got {len(results)}")
    status = cancel_status(results[0])
    check(status == 1, f"CancelFlightInfo: expected CANCEL_STATUS_CANCELLED (1), got {status}")
    for i, e in enumerate(info.endpoints):
        # As arrow-go requires: the failure comes instead of the stream's schema.
        expect_failure(f"DoGet of cancelled endpoint {i}", lambda: client.do_get(e.ticket).read_all())


def expiration_renew(location):
    client = flight.connect(location)
    info = expiring_info(client, "expiration")
    for i, e in enumerate(info.endpoints):
        if e.expiration_time is None:
            continue
        results = do_action_results(client, "RenewFlightEndpoint", wrap_field1(e.serialize()))
        check(len(results) == 1, f"RenewFlightEndpoint: expected one Result, got {len(results)}")
        renewed = flight.FlightEndpoint.deserialize(results[0])
        check(renewed.expiration_time is not None, f"endpoint {i}: the renewed endpoint has no expiration time")
        check(renewed.expiration_time.value > e.expiration_time.value,
              f"endpoint {i}: renewed expiration {renewed.expiration_time} is not after {e.expiration_time}")


def location_reuse_connection(location):
    client = flight.connect(location)
    info = client.get_flight_info(cmd("reuse"))
    check(len(info.endpoints) == 1, f"expected 1 endpoint, got {len(info.endpoints)}")
    locations = info.endpoints[0].locations
    check(len(locations) == 1, f"expected 1 location, got {locations}")
    uri = locations[0].uri.decode()
    check(uri == "arrow-flight-reuse-connection://?", f"expected arrow-flight-reuse-connection://?, got {uri}")


def app_metadata_flight_info_endpoint(location):
    client = flight.connect(location)
    info = client.get_flight_info(cmd("foobar"))
    check(info.app_metadata == b"foobar", f"FlightInfo.app_metadata: expected b'foobar', got {info.app_metadata!r}")
    check(len(info.endpoints) == 1, f"expected 1 endpoint, got {len(info.endpoints)}")
    md = info.endpoints[0].app_metadata
    check(md == b"foobar", f"endpoint app_metadata: expected b'foobar', got {md!r}")


def do_exchange_echo(location):
    client = flight.connect(location)
    schema = one_column_schema("x", pa.int32())
    writer, reader = client.do_exchange(cmd("echo"))
    with writer:
        writer.begin(schema)
        for b in range(4):
            batch = pa.record_batch([pa.array(range(b, b + 10), pa.int32())], schema=schema)
            metadata = str(b).encode() if b % 2 == 0 else None
            if metadata is not None:
                writer.write_with_metadata(batch, metadata)
            else:
                writer.write_batch(batch)
            chunk = reader.read_chunk()
            check(chunk.data is not None, f"batch {b}: the echo is app_metadata without data")
            got_md = chunk.app_metadata.to_pybytes() if chunk.app_metadata is not None else None
            check(got_md == metadata, f"batch {b}: expected app_metadata {metadata!r}, got {got_md!r}")
            check(chunk.data.schema.equals(schema), f"batch {b}: expected schema {schema}, got {chunk.data.schema}")
            check(chunk.data.equals(batch), f"batch {b}: the echo differs from what was sent")
        writer.done_writing()
        try:
            extra = reader.read_chunk()
            raise CheckFailed(f"expected the end of the stream after the client finished writing, got {extra}")
        except StopIteration:
            pass


SCENARIOS = {
    "auth:basic_proto": auth_basic_proto,
    "middleware": middleware,
    "ordered": ordered,
    "expiration_time:do_get": expiration_do_get,
    "expiration_time:list_actions": expiration_list_actions,
    "expiration_time:cancel_flight_info": expiration_cancel,
    "expiration_time:renew_flight_endpoint": expiration_renew,
    "location:reuse_connection": location_reuse_connection,
    "app_metadata_flight_info_endpoint": app_metadata_flight_info_endpoint,
    "do_exchange:echo": do_exchange_echo,
}

CANNOT_EXPRESS = {
    "session_options": "pyarrow.flight has no session option API (no SetSessionOptions/GetSessionOptions/"
                       "CloseSession, no cookie middleware in Python): the C++ client's are not bound",
    "poll_flight_info": "pyarrow.flight.FlightClient has no poll_flight_info (the C++ PollFlightInfo is not bound)",
    **{name: "pyarrow.flight has no Flight SQL client (the C++ arrow::flight::sql::FlightSqlClient is not bound in pyarrow); "
             "Python reaches Flight SQL through the ADBC driver, which cannot make the scenario's calls one by one"
       for name in ("flight_sql", "flight_sql:extension", "flight_sql:ingestion")},
}


def main(argv):
    if argv == ["--cannot-express"]:
        print(json.dumps(CANNOT_EXPRESS))
        return 0
    args = dict(zip(argv[::2], argv[1::2]))
    name = args.get("-scenario")
    if name in CANNOT_EXPRESS:
        print(f"{name}: cannot run: {CANNOT_EXPRESS[name]}")
        return 2
    scenario = SCENARIOS.get(name)
    if scenario is None:
        print(f"unknown scenario {name!r}; known: {', '.join(SCENARIOS)}")
        return 2
    try:
        scenario(f"grpc+tcp://{args['-host']}:{args['-port']}")
    except CheckFailed as e:
        print(f"{name}: check failed: {e}")
        return 1
    except ANY_CALL_FAILURE as e:
        print(f"{name}: {type(e).__name__}: {e}")
        return 1
    print(f"{name}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
