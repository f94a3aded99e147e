"""Requests quiver must refuse, with the right status and a message naming the problem, after
which the server keeps serving and the table is unchanged.

(Raw malformed IPC frames cannot be expressed with pyarrow's client; the TypeScript tests send
them.)
"""

import pyarrow as pa
import pyarrow.flight as flight
import pytest

SCHEMA = pa.schema([("id", pa.int64()), ("name", pa.string())])
ORIGINAL = [pa.record_batch([pa.array([1, 2, 3]), pa.array(["a", None, "c"])], schema=SCHEMA)]


@pytest.fixture
def existing_table(quiver, table_name):
    quiver.put(table_name, ORIGINAL)
    yield table_name
    # Whatever the test did, the table still holds exactly its one original version.
    quiver.assert_table(table_name, ORIGINAL, SCHEMA)
    assert [entry["version"] for entry in quiver.history(table_name)] == [1]


# -- unknown tables ------------------------------------------------------------------------------


def test_flight_info_of_an_unknown_table_is_not_found(quiver, table_name, expect_status):
    with expect_status("NOT_FOUND", table_name):
        quiver.info(table_name)


def test_schema_of_an_unknown_table_is_not_found(quiver, table_name, expect_status):
    with expect_status("NOT_FOUND", table_name):
        quiver.schema(table_name)


def test_time_travel_on_an_unknown_table_is_not_found(quiver, table_name, expect_status):
    with expect_status("NOT_FOUND", table_name):
        quiver.info(quiver.cmd(table=table_name, version=1))


@pytest.mark.parametrize("action", ["history", "drop"])
def test_actions_on_an_unknown_table_are_not_found(quiver, table_name, expect_status, action):
    with expect_status("NOT_FOUND", table_name):
        quiver.action(action, {"table": table_name})


def test_a_ticket_that_quiver_never_minted_is_refused(quiver):
    with pytest.raises((pa.ArrowInvalid, pa.ArrowKeyError)) as caught:
        quiver.read_ticket(flight.Ticket(b"\x00not a quiver ticket\xff"))
    assert "invalid argument" in str(caught.value) or "not found" in str(caught.value), str(caught.value)


# -- schema mismatch on append -------------------------------------------------------------------

MISMATCHES = {
    "changed_type": (pa.schema([("id", pa.int32()), ("name", pa.string())]), "id"),
    "extra_column": (pa.schema([("id", pa.int64()), ("name", pa.string()), ("extra", pa.bool_())]), "extra"),
    "missing_column": (pa.schema([("id", pa.int64())]), "name"),
    "renamed_column": (pa.schema([("id", pa.int64()), ("label", pa.string())]), "label"),
    "dictionary_instead_of_plain": (pa.schema([("id", pa.int64()), ("name", pa.dictionary(pa.int8(), pa.string()))]), "name"),
}


@pytest.mark.parametrize("case", MISMATCHES)
def test_append_with_another_schema_is_invalid(quiver, existing_table, expect_status, case):
    schema, column = MISMATCHES[case]
    batch = pa.RecordBatch.from_pylist([{"id": 9, "name": "z", "extra": True, "label": "z"}], schema=schema)
    with expect_status("INVALID_ARGUMENT", column):
        quiver.put(existing_table, [batch, batch])


def test_append_with_another_schema_and_no_batches_is_invalid(quiver, existing_table, expect_status):
    with expect_status("INVALID_ARGUMENT", "id"):
        quiver.put(existing_table, [], pa.schema([("id", pa.string()), ("name", pa.string())]))


def test_cmd_append_with_another_schema_is_invalid(quiver, existing_table, expect_status):
    schema, column = MISMATCHES["changed_type"]
    batch = pa.RecordBatch.from_pylist([{"id": 9, "name": "z"}], schema=schema)
    with expect_status("INVALID_ARGUMENT", column):
        quiver.put(quiver.cmd(table=existing_table, mode="append"), [batch])


# -- bad descriptors -----------------------------------------------------------------------------

BAD_DESCRIPTORS = {
    "cmd_not_json": flight.FlightDescriptor.for_command(b"{not json"),
    "cmd_not_utf8": flight.FlightDescriptor.for_command(b"\xff\xfe"),
    "cmd_empty": flight.FlightDescriptor.for_command(b""),
    "cmd_json_array": flight.FlightDescriptor.for_command(b'["t"]'),
    "cmd_without_table": flight.FlightDescriptor.for_command(b'{"mode": "append"}'),
    "cmd_table_not_a_string": flight.FlightDescriptor.for_command(b'{"table": 7}'),
    "cmd_empty_table_name": flight.FlightDescriptor.for_command(b'{"table": ""}'),
    "empty_path": flight.FlightDescriptor.for_path(),
    "empty_name": flight.FlightDescriptor.for_path(""),
}


@pytest.mark.parametrize("case", BAD_DESCRIPTORS)
def test_flight_info_with_a_bad_descriptor_is_invalid(quiver, expect_status, case):
    with expect_status("INVALID_ARGUMENT"):
        quiver.info(BAD_DESCRIPTORS[case])


@pytest.mark.parametrize("case", BAD_DESCRIPTORS)
def test_put_with_a_bad_descriptor_is_invalid(quiver, expect_status, case):
    with expect_status("INVALID_ARGUMENT"):
        quiver.put(BAD_DESCRIPTORS[case], ORIGINAL)


@pytest.mark.parametrize("case", BAD_DESCRIPTORS)
def test_schema_with_a_bad_descriptor_is_invalid(quiver, expect_status, case):
    with expect_status("INVALID_ARGUMENT"):
        quiver.schema(BAD_DESCRIPTORS[case])


@pytest.mark.parametrize("fields", [
    {"mode": "upsert"},
    {"mode": 1},
    {"version": "one"},
    {"version": 1.5},
    {"columns": "id"},
    {"columns": [1]},
], ids=str)
def test_cmd_with_a_bad_field_is_invalid(quiver, existing_table, expect_status, fields):
    descriptor = quiver.cmd(table=existing_table, **fields)
    with expect_status("INVALID_ARGUMENT"):
        if "mode" in fields:
            quiver.put(descriptor, ORIGINAL)
        else:
            quiver.info(descriptor)


def test_projection_of_an_unknown_column_is_refused(quiver, existing_table):
    with pytest.raises((pa.ArrowInvalid, pa.ArrowKeyError)) as caught:
        quiver.info(quiver.cmd(table=existing_table, columns=["id", "no_such_column"]))
    assert "no_such_column" in str(caught.value)


@pytest.mark.parametrize("body", [b"", b"{not json", b'{"name": "x"}', b'{"table": 5}'], ids=repr)
@pytest.mark.parametrize("action", ["history", "drop"])
def test_action_with_a_bad_body_is_invalid(quiver, expect_status, action, body):
    with expect_status("INVALID_ARGUMENT"):
        quiver.action(action, body)
