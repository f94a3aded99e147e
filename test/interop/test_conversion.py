"""DoPut lands Arrow IPC; conversion to Parquet (the maintenance action's task "convert", which the
server also runs in the background) commits a version whose DoGet, read by pyarrow, sends what the
landed version sent: the same schema, batch boundaries, values and app_metadata of every batch.
"""

import json

import pyarrow as pa
import pytest

SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.string()), ("c", pa.float64()), ("t", pa.timestamp("us", "UTC"))],
                   metadata={"k": "v"})


def rows(start: int, n: int) -> pa.RecordBatch:
    values = range(start, start + n)
    return pa.record_batch([pa.array(values, pa.int64()), pa.array([None if i % 3 == 0 else f"s{i}" for i in values]),
                            pa.array([i / 4 for i in values], pa.float64()),
                            pa.array([i * 1_000_000 for i in values], pa.timestamp("us", "UTC"))], schema=SCHEMA)


def read_with_metadata(quiver, table: str):
    """Every batch of a DoGet of `table` with its app_metadata, as pyarrow reads them."""
    out = []
    for endpoint in quiver.info(table).endpoints:
        reader = quiver.client.do_get(endpoint.ticket, options=quiver.options())
        while True:
            try:
                chunk = reader.read_chunk()
            except StopIteration:
                break
            out.append((chunk.data, chunk.app_metadata.to_pybytes() if chunk.app_metadata is not None else None))
    return out


def convert(quiver, table: str) -> dict:
    results = [json.loads(r) for r in quiver.action("maintenance", {"table": table, "tasks": ["convert"]})]
    steps = [r["step"] for r in results if "step" in r and r["step"]["task"] == "convert"]
    assert len(steps) == 1 and "result" in steps[0], results
    return steps[0]["result"]


@pytest.fixture(scope="module")
def paused(launch_quiver):
    """A server of its own whose background conversion is paused: the test converts when it says."""
    with launch_quiver("--convert-paused", "true") as server:
        helper = server.helper()
        yield helper
        helper.close()


def test_converted_version_sends_what_the_landed_version_sent(paused):
    quiver, table_name = paused, "converted"
    batches = [rows(0, 5), rows(5, 0), rows(5, 7), rows(12, 1)]
    quiver.put(table_name, batches)
    quiver.put(table_name, [rows(13, 4)])
    landed = quiver.history(table_name)[-1]
    assert landed["formats"] == ["arrow-stream"]
    before = read_with_metadata(quiver, table_name)

    result = convert(quiver, table_name)
    assert result["converted"] is True and result["remaining_files"] == 0, result
    history = quiver.history(table_name)
    assert [h["operation"] for h in history] == ["create", "append", "convert"]
    assert history[-1]["formats"] == ["parquet"] and "landed_files" not in history[-1]

    after = read_with_metadata(quiver, table_name)
    assert [b.num_rows for b, _ in after] == [b.num_rows for b, _ in before] == [5, 0, 7, 1, 4]
    assert [m for _, m in after] == [m for _, m in before] == [b"batch-0", b"batch-1", b"batch-2", b"batch-3", b"batch-0"]
    for (got, _), (expected, _) in zip(after, before):
        assert got.schema.equals(expected.schema, check_metadata=True)
        assert got.equals(expected)
    # The landed version stays readable as it was.
    quiver.assert_table(quiver.cmd(table=table_name, version=landed["version"]), batches + [rows(13, 4)], SCHEMA)
