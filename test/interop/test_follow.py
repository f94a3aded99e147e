"""The change feed from plain pyarrow (docs/follow.md): the do_get loop of the docs on a follow
ticket gets each version's marker (a metadata-only message with the documented JSON) and then its
batches, as commits land. (pyarrow has no PollFlightInfo; test/feed covers the long poll.)
"""

import json
import threading

import pyarrow as pa
import pyarrow.flight as flight

SCHEMA = pa.schema([("id", pa.int64())])


def batch(*ids: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(ids, pa.int64())], schema=SCHEMA)


def follow_cmd(table: str, **extra) -> flight.FlightDescriptor:
    return flight.FlightDescriptor.for_command(json.dumps({"table": table, "follow": True, **extra}).encode())


def test_do_get_on_a_follow_ticket_sends_markers_then_batches_as_commits_land(quiver, table_name):
    quiver.put(table_name, [batch(1, 2)])
    client = quiver.client
    info = client.get_flight_info(follow_cmd(table_name, from_version=1))
    assert json.loads(info.endpoints[0].ticket.ticket[len("quiver-follow1:"):]) ["from"] == 1
    reader = client.do_get(info.endpoints[0].ticket)
    assert reader.schema == SCHEMA
    later = threading.Timer(0.2, lambda: quiver.put(table_name, [batch(3), batch(4, 5)]))
    later.start()
    seen = []
    while len(seen) < 5:
        chunk = reader.read_chunk()
        if chunk.data is None:
            marker = json.loads(chunk.app_metadata.to_pybytes())
            assert list(marker) == ["table", "version", "operation", "committed_at", "rows"]
            seen.append((marker["version"], marker["operation"], marker["rows"]))
        else:
            seen.append(chunk.data.column(0).to_pylist())
    later.join()
    reader.cancel()
    assert seen == [(1, "create", 2), [1, 2], (2, "append", 3), [3], [4, 5]]
