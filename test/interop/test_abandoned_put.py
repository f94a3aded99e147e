"""A DoPut commits all of its stream or none of it: a stream that never finishes (the client dies,
or its deadline passes) or that fails part-way leaves the table as it was, and the next put works.

pyarrow cannot abort a DoPut in-process: leaving the writer's `with` block on an exception closes
the stream normally, which commits. So the client is killed in a subprocess, or the call runs
past its deadline.
"""

import subprocess
import sys
import time

import pyarrow as pa
import pyarrow.flight as flight
import pytest

SCHEMA = pa.schema([("amount", pa.int64(), False)])  # ABANDON builds the same schema
ORIGINAL = [pa.record_batch([pa.array([1, 2, 3], pa.int64())], schema=SCHEMA)]
LATER = [pa.record_batch([pa.array([4, 5], pa.int64())], schema=SCHEMA)]

# Puts batches, waits until each is acknowledged (staged on the server), then exits without
# done_writing or close: the connection just drops.
ABANDON = r"""
import os, sys
import pyarrow as pa, pyarrow.flight as flight
uri, name, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
schema = pa.schema([("amount", pa.int64(), False)])
client = flight.FlightClient(uri)
writer, acks = client.do_put(flight.FlightDescriptor.for_path(name), schema,
                             options=flight.FlightCallOptions(timeout=30))
for i in range(count):
    batch = pa.record_batch([pa.array(range(100 * i, 100 * i + 100), pa.int64())], schema=schema)
    writer.write_with_metadata(batch, pa.py_buffer(b"%d" % i))
    if acks.read() is None:
        sys.exit("no ack for batch %d" % i)
print("staged", count, flush=True)
os._exit(1)
"""


def put_then_kill_client(quiver, name: str, batches: int = 5) -> None:
    done = subprocess.run([sys.executable, "-c", ABANDON, quiver.server.uri, name, str(batches)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1 and f"staged {batches}" in done.stdout, \
        f"the abandoning client did not get its batches staged:\n{done.stdout}\n{done.stderr}"


def versions(quiver, name: str) -> list[int]:
    return [entry["version"] for entry in quiver.history(name)]


def test_killed_client_leaves_the_previous_version(quiver, table_name):
    quiver.put(table_name, ORIGINAL)
    put_then_kill_client(quiver, table_name)

    quiver.assert_table(table_name, ORIGINAL, SCHEMA)
    assert versions(quiver, table_name) == [1]
    quiver.put(table_name, LATER)  # no commit lock left behind
    quiver.assert_table(table_name, ORIGINAL + LATER, SCHEMA)
    assert versions(quiver, table_name) == [1, 2]


def test_killed_client_creates_no_table(quiver, table_name, expect_status):
    put_then_kill_client(quiver, table_name)

    with expect_status("NOT_FOUND"):
        quiver.info(table_name)
    assert table_name not in quiver.list(table_name)
    quiver.put(table_name, LATER)
    quiver.assert_table(table_name, LATER, SCHEMA)
    assert versions(quiver, table_name) == [1]


def test_put_past_its_deadline_commits_nothing(quiver, table_name):
    quiver.put(table_name, ORIGINAL)
    writer, acks = quiver.client.do_put(quiver.path(table_name), SCHEMA, options=quiver.options(timeout=2))
    for i in range(3):
        writer.write_with_metadata(LATER[0], pa.py_buffer(b"%d" % i))
        assert acks.read() is not None
    time.sleep(3)
    with pytest.raises((flight.FlightTimedOutError, flight.FlightCancelledError)):
        writer.done_writing()
        writer.close()

    quiver.assert_table(table_name, ORIGINAL, SCHEMA)
    assert versions(quiver, table_name) == [1]
    quiver.put(table_name, LATER)
    quiver.assert_table(table_name, ORIGINAL + LATER, SCHEMA)


def test_stream_refused_part_way_commits_nothing(quiver, table_name, expect_status):
    """The third batch puts nulls in a non-nullable column. pyarrow sends it as is; quiver may
    store it exactly or refuse it naming the column, but never keep only the first two batches."""
    quiver.put(table_name, ORIGINAL)
    bad = pa.record_batch([pa.array([None, 7], pa.int64())], schema=SCHEMA)
    try:
        quiver.put(table_name, LATER + LATER + [bad])
    except pa.ArrowException as error:
        quiver.assert_table(table_name, ORIGINAL, SCHEMA)
        assert versions(quiver, table_name) == [1]
        with expect_status("INVALID_ARGUMENT", "amount"):
            raise error
    else:
        quiver.assert_table(table_name, ORIGINAL + LATER + LATER + [bad], SCHEMA)
