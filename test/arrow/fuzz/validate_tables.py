"""Reads tables back from a quiver server with pyarrow and validates them fully.

Usage: python3 validate_tables.py PORT < names (one table name per line). Prints one JSON line
per table that fails: {"table": ..., "error": ...}; exit status 0 either way, so the caller
reports every failure at once.
"""

import json
import sys

import pyarrow.flight as flight


def main(port: int) -> None:
    client = flight.connect(f"grpc://127.0.0.1:{port}")
    for line in sys.stdin:
        name = line.rstrip("\n")
        if not name:
            continue
        try:
            info = client.get_flight_info(flight.FlightDescriptor.for_path(name))
            for endpoint in info.endpoints:
                table = client.do_get(endpoint.ticket).read_all()
                table.validate(full=True)
        except Exception as error:  # every failure is reported, whatever its kind
            print(json.dumps({"table": name, "error": f"{type(error).__name__}: {error}"}), flush=True)
    client.close()


if __name__ == "__main__":
    main(int(sys.argv[1]))
