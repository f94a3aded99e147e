"""Every DoPut commits one new version; old versions stay readable (time travel), tickets stay
pinned to the version they were minted for, and CMD descriptors choose mode, version and columns.
"""

import pyarrow as pa
import pytest

SCHEMA = pa.schema([("a", pa.int64()), ("b", pa.string()), ("c", pa.float64())], metadata={"k": "v"})


def rows(start: int, n: int) -> pa.RecordBatch:
    values = range(start, start + n)
    return pa.record_batch([pa.array(values, pa.int64()), pa.array([f"s{i}" for i in values]),
                            pa.array([i / 4 for i in values], pa.float64())], schema=SCHEMA)


def test_append_adds_a_version_and_old_versions_stay_readable(quiver, table_name):
    first, second = [rows(0, 3), rows(3, 0)], [rows(3, 2)]
    quiver.put(table_name, first)
    quiver.put(table_name, second)

    quiver.assert_table(table_name, first + second, SCHEMA)
    quiver.assert_table(quiver.cmd(table=table_name, version=1), first, SCHEMA)
    quiver.assert_table(quiver.cmd(table=table_name, version=2), first + second, SCHEMA)


def test_cmd_append_mode_appends(quiver, table_name):
    quiver.put(table_name, [rows(0, 2)])
    quiver.put(quiver.cmd(table=table_name, mode="append"), [rows(2, 2)])
    quiver.assert_table(table_name, [rows(0, 2), rows(2, 2)], SCHEMA)


def test_ticket_stays_pinned_to_its_version(quiver, table_name):
    quiver.put(table_name, [rows(0, 3)])
    tickets = [endpoint.ticket for endpoint in quiver.info(table_name).endpoints]
    quiver.put(table_name, [rows(3, 3)])
    quiver.put(quiver.cmd(table=table_name, mode="overwrite"), [rows(100, 1)])

    batches = [batch for ticket in tickets for batch in quiver.read_ticket(ticket, SCHEMA)]
    assert pa.Table.from_batches(batches, schema=SCHEMA).equals(pa.Table.from_batches([rows(0, 3)]), check_metadata=True)
    assert [b.num_rows for b in batches] == [3]


def test_overwrite_replaces_the_data_and_keeps_the_old_version(quiver, table_name):
    quiver.put(table_name, [rows(0, 3), rows(3, 3)])
    quiver.put(quiver.cmd(table=table_name, mode="overwrite"), [rows(50, 2), rows(52, 0)])

    quiver.assert_table(table_name, [rows(50, 2), rows(52, 0)], SCHEMA)
    quiver.assert_table(quiver.cmd(table=table_name, version=1), [rows(0, 3), rows(3, 3)], SCHEMA)


def test_overwrite_with_no_batches_empties_the_table(quiver, table_name):
    quiver.put(table_name, [rows(0, 3)])
    quiver.put(quiver.cmd(table=table_name, mode="overwrite"), [], SCHEMA)
    quiver.assert_table(table_name, [], SCHEMA)


def test_create_mode_creates_a_new_table(quiver, table_name):
    quiver.put(quiver.cmd(table=table_name, mode="create"), [rows(0, 2)])
    quiver.assert_table(table_name, [rows(0, 2)], SCHEMA)


def test_create_mode_on_an_existing_table_fails_and_changes_nothing(quiver, table_name, expect_status):
    quiver.put(table_name, [rows(0, 2)])
    with expect_status("ALREADY_EXISTS", table_name):
        quiver.put(quiver.cmd(table=table_name, mode="create"), [rows(10, 5)])

    quiver.assert_table(table_name, [rows(0, 2)], SCHEMA)
    assert [entry["version"] for entry in quiver.history(table_name)] == [1]


def test_history_has_one_entry_per_version(quiver, table_name):
    quiver.put(table_name, [rows(0, 3)])
    quiver.put(table_name, [rows(3, 2), rows(5, 1)])
    quiver.put(quiver.cmd(table=table_name, mode="overwrite"), [rows(9, 4)])

    history = quiver.history(table_name)
    assert [entry["version"] for entry in history] == [1, 2, 3]
    assert [entry["rows"] for entry in history] == [3, 6, 4]
    operations = [entry["operation"] for entry in history]
    assert all(isinstance(op, str) and op for op in operations), operations
    assert operations[2] != operations[1], f"an overwrite is recorded like an append: {operations}"


def test_history_of_an_empty_table(quiver, table_name):
    quiver.put(table_name, [], SCHEMA)
    history = quiver.history(table_name)
    assert [(entry["version"], entry["rows"]) for entry in history] == [(1, 0)]


def test_projection_returns_only_the_named_columns(quiver, table_name):
    batches = [rows(0, 3), rows(3, 0), rows(3, 4)]
    quiver.put(table_name, batches)
    projected = [batch.select(["a", "c"]) for batch in batches]
    quiver.assert_table(quiver.cmd(table=table_name, columns=["a", "c"]), projected, projected[0].schema)
    assert quiver.schema(quiver.cmd(table=table_name, columns=["a", "c"])).equals(projected[0].schema, check_metadata=True)


def test_projection_of_an_old_version(quiver, table_name):
    quiver.put(table_name, [rows(0, 2)])
    quiver.put(table_name, [rows(2, 2)])
    projected = rows(0, 2).select(["b"])
    quiver.assert_table(quiver.cmd(table=table_name, version=1, columns=["b"]), [projected], projected.schema)


@pytest.mark.parametrize("version", [2, 999])
def test_a_version_that_does_not_exist_is_not_found(quiver, table_name, expect_status, version):
    quiver.put(table_name, [rows(0, 1)])
    with expect_status("NOT_FOUND"):
        quiver.info(quiver.cmd(table=table_name, version=version))


@pytest.mark.parametrize("compression", [None, "zstd"])
def test_projection_of_a_table_kept_as_arrow_ipc(quiver, table_name, compression):
    # Dictionary columns (and compressed bodies) keep a table in Arrow IPC files rather than
    # Parquet; projection must cut those messages down to the named columns too.
    schema = pa.schema([
        pa.field("id", pa.int64()),
        pa.field("tag", pa.dictionary(pa.int16(), pa.string())),
        pa.field("other", pa.dictionary(pa.int8(), pa.string())),
        pa.field("score", pa.float64()),
    ])
    batches = [
        pa.record_batch([pa.array([1, 2, 3]), pa.array(["x", "y", "x"]).dictionary_encode().cast(schema.field("tag").type),
                         pa.array(["p", None, "q"]).dictionary_encode().cast(schema.field("other").type), pa.array([0.5, None, 1.5])], schema=schema),
        pa.record_batch([pa.array([4]), pa.array(["z"]).dictionary_encode().cast(schema.field("tag").type),
                         pa.array(["p"]).dictionary_encode().cast(schema.field("other").type), pa.array([2.5])], schema=schema),
    ]
    options = pa.ipc.IpcWriteOptions(compression=compression) if compression else None
    quiver.put(table_name, batches, schema, write_options=options)
    projected = [b.select(["tag", "score"]) for b in batches]
    quiver.assert_table(quiver.cmd(table=table_name, columns=["tag", "score"]), projected, projected[0].schema)
