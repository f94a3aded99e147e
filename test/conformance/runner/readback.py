#!/usr/bin/env python3
"""Read-back check for the arrow-go integration client (harness side).

arrow-go's JSON-mode client (arrow/internal/flight_integration/scenario.go, RunClient) calls
consumeFlightLocation for every endpoint location but discards the error it returns, so a wrong
DoGet never fails that client. This script makes the same checks that function makes, against the
table the Go client just uploaded, so that the harness does not silently lose them:

  * GetFlightInfo(PATH [json_path]) has at least one endpoint, each with at least one location;
  * for every location, DoGet(ticket) returns exactly the uploaded batches, in order, each equal
    to the corresponding batch of the corpus' .stream twin of the JSON file;
  * batch i carries app_metadata == str(i) (the Go client's expectation, scenario.go).

Usage: readback.py HOST PORT JSON_PATH STREAM_PATH
Exit 0 on success; otherwise prints the first mismatch and exits 1.
"""
import sys

import pyarrow as pa
import pyarrow.flight as flight

from flight_batches import record_batches


def main() -> int:
    host, port, json_path, stream_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    with pa.OSFile(stream_path, "rb") as f:
        expected = list(pa.ipc.open_stream(f))
    client = flight.connect(f"grpc+tcp://{host}:{port}")
    info = client.get_flight_info(flight.FlightDescriptor.for_path(json_path))
    if not info.endpoints:
        print("GetFlightInfo returned no endpoints")
        return 1
    for e_idx, ep in enumerate(info.endpoints):
        if not ep.locations:
            print(f"endpoint {e_idx} has no locations (arrow-go: 'no locations returned from flight server')")
            return 1
        for loc in ep.locations:
            reader = flight.connect(loc).do_get(ep.ticket)
            i = 0
            for batch, app_metadata in record_batches(reader):
                if i >= len(expected):
                    print(f"{loc.uri.decode()}: got more batches than the expected: {len(expected)}")
                    return 1
                if not batch.equals(expected[i]):
                    print(f"{loc.uri.decode()}: batch {i} doesn't match the corpus")
                    return 1
                meta = app_metadata.to_pybytes().decode("utf-8", "replace") if app_metadata else ""
                if meta != str(i):
                    print(f"{loc.uri.decode()}: batch {i}: expected app_metadata '{i}', but got '{meta}'")
                    return 1
                i += 1
            if i < len(expected):
                print(f"{loc.uri.decode()}: got fewer batches than expected: {i} of {len(expected)}")
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
