#!/usr/bin/env python3
"""pyarrow.flight doing what the Arrow integration clients do in JSON mode, with the corpus case's
Arrow IPC stream instead of its integration JSON (which pyarrow cannot read).

For each case: DoPut into its own table, batch i written with app_metadata "i"; every PutResult
must be the ack "i" of batch i (Arrow Java's check). Then GetFlightInfo, and DoGet of every
endpoint at each of its locations (this connection when it has none): the same number of
batches, each equal to the corpus batch (schema metadata included) and carrying app_metadata
"i" (arrow-go's check).

Usage: py_stream_client.py -host HOST -port PORT -cases CASES.json
CASES.json: [{"name": "<dir>/<case>", "stream": "<path of the .stream>"}, ...]. Prints one JSON
line per case ({"case", "outcome": "pass" | "fail", "reason"?}); exit 0 when all passed.
"""
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


def read_location(client, endpoint, location, expected):
    where = location.uri.decode() if location is not None else "this connection"
    peer = client if location is None else flight.connect(location)
    try:
        reader = peer.do_get(endpoint.ticket)
        i = 0
        for batch, app_metadata in record_batches(reader):
            check(i < len(expected), f"{where}: more batches than the corpus's {len(expected)}")
            check(batch.schema.equals(expected[i].schema, check_metadata=True),
                  f"{where}: batch {i}: schema {batch.schema} differs from the corpus's {expected[i].schema}")
            check(batch.equals(expected[i]), f"{where}: batch {i} differs from the corpus")
            md = app_metadata.to_pybytes().decode("utf-8", "replace") if app_metadata is not None else ""
            check(md == str(i), f"{where}: batch {i}: expected app_metadata '{i}', got '{md}'")
            i += 1
        check(i == len(expected), f"{where}: {i} batches, the corpus has {len(expected)}")
    finally:
        if peer is not client:
            peer.close()


def run_case(location, name, stream_path):
    with pa.OSFile(stream_path, "rb") as f:
        stream = pa.ipc.open_stream(f)
        schema = stream.schema
        expected = list(stream)
    client = flight.connect(location)
    try:
        descriptor = flight.FlightDescriptor.for_path(f"conformance/{name}")
        writer, acks_reader = client.do_put(descriptor, schema)
        acks = []
        with writer:
            for i, batch in enumerate(expected):
                writer.write_with_metadata(batch, str(i).encode())
                # As arrow-go does: wait for this batch's ack before sending the next.
                ack = acks_reader.read()
                acks.append(ack.to_pybytes().decode("utf-8", "replace") if ack is not None else None)
            writer.done_writing()
            while True:
                extra = acks_reader.read()
                if extra is None:
                    break
                acks.append(extra.to_pybytes().decode("utf-8", "replace"))
        want = [str(i) for i in range(len(expected))]
        check(acks == want, f"DoPut: expected one ack per batch {want}, got {acks}")
        info = client.get_flight_info(descriptor)
        check(info.endpoints, "GetFlightInfo returned no endpoints")
        for e in info.endpoints:
            for loc in e.locations or [None]:
                read_location(client, e, loc, expected)
    finally:
        client.close()


def main(argv):
    args = dict(zip(argv[::2], argv[1::2]))
    location = f"grpc+tcp://{args['-host']}:{args['-port']}"
    with open(args["-cases"]) as f:
        cases = json.load(f)
    failed = 0
    for c in cases:
        try:
            run_case(location, c["name"], c["stream"])
            print(json.dumps({"case": c["name"], "outcome": "pass"}), flush=True)
        except CheckFailed as e:
            failed += 1
            print(json.dumps({"case": c["name"], "outcome": "fail", "reason": str(e)}), flush=True)
        except (flight.FlightError, pa.ArrowException, OSError) as e:
            failed += 1
            print(json.dumps({"case": c["name"], "outcome": "fail", "reason": f"{type(e).__name__}: {e}"}), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
