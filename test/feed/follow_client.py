"""A pyarrow follower of quiver's change feed, for test/feed/follow-cluster.test.ts.

Follows TABLE from FROM to UNTIL over the given replicas with plain pyarrow.flight do_get on
the follow ticket, printing one line per version marker ("M version operation rows") and per
record batch ("B version id,id,..."). After a lost stream it follows again from another
replica, from the version it was in, skipping that version's batches it already printed (a
version's batches come in the same order every time); after an overwrite that replaced the
schema (FAILED_PRECONDITION naming the version), from that version.

    python3 follow_client.py LOCATIONS TABLE FROM UNTIL   (LOCATIONS: grpc://host:port,...)
"""
import json
import re
import sys
import time

import pyarrow.flight as flight


def main() -> int:
    locations, table, start, until = sys.argv[1].split(","), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    state = {"from": start, "current": None, "batches": 0, "rows": 0, "seen": 0}

    def done() -> bool:
        m = state["current"]
        return m is not None and m["version"] == until and state["rows"] >= m["rows"]

    def once(location: str) -> None:
        client = flight.FlightClient(location)
        try:
            cmd = json.dumps({"table": table, "follow": True, "from_version": state["from"]}).encode()
            info = client.get_flight_info(flight.FlightDescriptor.for_command(cmd))
            reader = client.do_get(info.endpoints[0].ticket)
            current = state["current"]
            skip = state["batches"] if current is not None and current["version"] == state["from"] else 0
            while not done():
                try:
                    chunk = reader.read_chunk()
                except StopIteration:
                    raise ConnectionError("the follow stream ended")
                if chunk.data is None:
                    marker = json.loads(chunk.app_metadata.to_pybytes())
                    if state["current"] is not None and state["current"]["version"] == marker["version"]:
                        continue
                    state.update(current=marker, batches=0, rows=0, **{"from": marker["version"]})
                    print(f"M {marker['version']} {marker['operation']} {marker['rows']}", flush=True)
                    state["seen"] += 1
                    continue
                if skip > 0:
                    skip -= 1
                    continue
                ids = chunk.data.column(0).to_pylist()
                print(f"B {state['current']['version']} {','.join(map(str, ids))}", flush=True)
                state["batches"] += 1
                state["rows"] += chunk.data.num_rows
                state["seen"] += 1
        finally:
            client.close()

    last_progress = time.monotonic()
    at = 0
    while not done():
        seen = state["seen"]
        try:
            once(locations[at % len(locations)])
        except Exception as e:  # noqa: BLE001 - any lost stream is followed again
            # FAILED_PRECONDITION (pyarrow raises ArrowInvalid for it): an overwrite replaced the
            # schema; one Arrow stream has one schema, so follow again from the version named.
            m = re.search(r'"from_version": (\d+)', str(e))
            if m and "replaced the table's schema" in str(e) and int(m.group(1)) >= state["from"]:
                state.update(current=None, batches=0, rows=0, **{"from": int(m.group(1))})
                continue
            if state["seen"] != seen:
                last_progress = time.monotonic()
            print(f"following again after: {e}", file=sys.stderr, flush=True)
            at += 1
            if time.monotonic() - last_progress > 90:
                print("no progress for 90 s", file=sys.stderr)
                return 1
            time.sleep(0.2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
