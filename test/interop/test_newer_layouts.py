"""Arrow's newer layouts -- string_view, binary_view, list_view, large_list_view and
run_end_encoded -- are accepted, validated and round-trip exactly, nested ones and projections
included (issue 9, item 2). quiver keeps them as Arrow IPC (Parquet cannot hold them) and
passes their bytes through without decoding their values."""

import pyarrow as pa
import pyarrow.flight as flight
import pytest


def list_view(large=False):
    cls = pa.LargeListViewArray if large else pa.ListViewArray
    width = pa.int64() if large else pa.int32()
    # Views may overlap and leave gaps: offsets 2, 0, 1 over five values.
    return cls.from_arrays(pa.array([2, 0, 1, 0], width), pa.array([2, 1, 3, 0], width),
                           pa.array([10, 20, 30, 40, 50]), mask=pa.array([False, False, False, True]))


def run_end_encoded():
    return pa.RunEndEncodedArray.from_arrays(pa.array([2, 3, 4], pa.int32()), pa.array(["a", None, "b"]))


COLUMNS = {
    "string_view": lambda: pa.array(["a", None, "a string longer than twelve bytes", ""], pa.string_view()),
    "binary_view": lambda: pa.array([b"\x00\xff", None, b"y" * 40, b""], pa.binary_view()),
    "list_view": lambda: list_view(),
    "large_list_view": lambda: list_view(large=True),
    "run_end_encoded": lambda: run_end_encoded(),
}


@pytest.mark.parametrize("layout", COLUMNS)
def test_a_newer_layout_round_trips_exactly(quiver, table_name, layout):
    column = COLUMNS[layout]()
    batch = pa.record_batch({"id": pa.array(range(len(column)), pa.int64()), "v": column})
    quiver.assert_roundtrip(table_name, [batch, batch.slice(1, 2)])


def test_newer_layouts_nested_and_together_round_trip(quiver, table_name):
    values = pa.array(["x", "yy", "zzz"], pa.string_view())
    nested = pa.StructArray.from_arrays([list_view(), pa.array([1, 2, 3, 4])], ["lv", "n"])
    lists_of_views = pa.array([["p", "q"], None, [], ["a string longer than twelve bytes"]], pa.list_(pa.string_view()))
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([1, 4], pa.int16()), values.slice(0, 2))
    batch = pa.record_batch({"s": nested, "l": lists_of_views, "r": ree})
    quiver.assert_roundtrip(table_name, [batch])


def test_newer_layouts_with_compressed_bodies_round_trip(quiver, table_name):
    batch = pa.record_batch({k: make() for k, make in COLUMNS.items()})
    quiver.assert_roundtrip(table_name, [batch], write_options=pa.ipc.IpcWriteOptions(compression="zstd"))


def test_a_projection_keeps_the_newer_types(quiver, table_name):
    batch = pa.record_batch({k: make() for k, make in COLUMNS.items()})
    quiver.put(table_name, [batch])
    wanted = ["string_view", "list_view", "run_end_encoded"]  # served in table order
    got = quiver.read(quiver.cmd(table=table_name, columns=wanted))
    assert got.table.equals(pa.Table.from_batches([batch]).select(wanted))
    got.table.validate(full=True)


def test_a_lookup_keyed_by_a_newer_layout_is_refused_with_a_reason(quiver, table_name, expect_status):
    keys = pa.record_batch({"id": pa.array([1], pa.int64()), "v": list_view().slice(0, 1)})
    quiver.put(table_name, [pa.record_batch({"id": pa.array([1, 2], pa.int64()), "n": pa.array(["a", "b"])})])
    with expect_status("INVALID_ARGUMENT", "ListView"):
        writer, reader = quiver.client.do_exchange(quiver.cmd(table=table_name, key="id"), options=quiver.options())
        writer.begin(keys.schema)
        writer.write_batch(keys)
        writer.done_writing()
        reader.read_all()
