"""DoExchange key lookups, driven by pyarrow.flight the way a user would drive them.

The client opens DoExchange with a CMD descriptor {"table", "key", ["version"], ["columns"]},
begins its stream with a schema holding the key column(s), and writes batches of keys; for every
batch it reads back one batch: for each input row in order, every table row with an equal key,
in table order (nulls match nothing), with the input batch's app_metadata. Expected answers are
computed independently with pyarrow (a hash join and a sort, or `take` by row number).
"""

import json
import random

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.flight as flight
import pyarrow.ipc
import pytest

from conftest import _float_bits, assert_schema_identical

RESOURCE_EXHAUSTED = "gRPC returned resource exhausted error"  # pyarrow 26 wording for this status


def lookup(quiver, request, batches, schema=None, descriptor=None, write_options=None):
    """One DoExchange: the answer schema, and the (batch, app_metadata) answering each input batch."""
    schema = schema if schema is not None else batches[0].schema
    target = descriptor if descriptor is not None else quiver.cmd(**request)
    writer, reader = quiver.client.do_exchange(target, options=quiver.options())
    answers = []
    try:
        writer.begin(schema, options=write_options)
        for i, batch in enumerate(batches):
            writer.write_with_metadata(batch, pa.py_buffer(f"keys-{i}".encode()))
            chunk = reader.read_chunk()  # the answer comes before the next batch is sent
            answers.append((chunk.data, chunk.app_metadata.to_pybytes() if chunk.app_metadata else None))
        writer.done_writing()
        with pytest.raises(StopIteration):
            reader.read_chunk()
        answer_schema = reader.schema
    finally:
        writer.close()
    return answer_schema, answers


def expected_lookup(table: pa.Table, keys: pa.RecordBatch, key: list[str], columns: list[str]) -> pa.Table:
    """For each key row in order, the table rows with equal keys in table order: a join, sorted."""
    numbered = table.select(key).append_column("__row", pa.array(range(table.num_rows), pa.int64()))
    probes = pa.Table.from_batches([keys]).select(key).append_column("__in", pa.array(range(keys.num_rows), pa.int64()))
    joined = probes.join(numbered, keys=key, join_type="inner").sort_by([("__in", "ascending"), ("__row", "ascending")])
    return table.select(columns).take(joined["__row"])


def has_dictionary(dtype: pa.DataType) -> bool:
    return pa.types.is_dictionary(dtype) or any(has_dictionary(dtype.field(i).type) for i in range(dtype.num_fields))


def assert_same_rows(got: pa.Table, expected: pa.Table) -> None:
    """Exact per column (float bits included); dictionary columns by value, since the server sends
    each answer a dictionary of just the entries it uses."""
    assert got.num_rows == expected.num_rows, f"{got.num_rows} rows, expected {expected.num_rows}"
    for i, field in enumerate(expected.schema):
        left, right = got.column(i), expected.column(i)
        if has_dictionary(field.type):
            assert left.to_pylist() == right.to_pylist(), f"column {field.name!r} ({field.type}) differs"
        else:
            assert _float_bits(left).equals(_float_bits(right)), \
                f"column {field.name!r} ({field.type}) differs\n{left.to_string(window=4)}\nexpected\n{right.to_string(window=4)}"


def answers_table(schema: pa.Schema, answers) -> pa.Table:
    return pa.Table.from_batches([batch for batch, _ in answers], schema=schema)


# --------------------------------------------------------------------------------------------
# Answers


CUSTOMERS = pa.schema([
    ("id", pa.int64()),
    ("name", pa.string()),
    ("score", pa.float64()),
    ("tags", pa.list_(pa.int32())),
    ("address", pa.struct([("city", pa.string()), ("zip", pa.int32())])),
], metadata={"owner": "sales"})


def customers(start: int, n: int) -> pa.RecordBatch:
    """Rows start..start+n: id repeats every 150,000 rows (so some keys have two rows), and every
    97th id is null; every 13th name and every 11th address is null."""
    rows = range(start, start + n)
    return pa.record_batch([
        pa.array([None if i % 97 == 0 else i % 150_000 for i in rows], pa.int64()),
        pa.array([None if i % 13 == 0 else f"customer-{i}" for i in rows]),
        pa.array([i / 8 for i in rows], pa.float64()),
        pa.array([list(range(i % 4)) if i % 5 else None for i in rows], pa.list_(pa.int32())),
        pa.array([None if i % 11 == 0 else {"city": f"c{i % 50}", "zip": i % 10_000} for i in rows],
                 CUSTOMERS.field("address").type),
    ], schema=CUSTOMERS)


@pytest.fixture(scope="module")
def customers_table(_session_quiver):
    """200,000 rows put as four appends (four data files, four versions)."""
    quiver = _session_quiver
    name = quiver.fresh_name("customers")
    parts = [customers(i * 50_000, 50_000) for i in range(4)]
    for part in parts:
        quiver.put(name, [part.slice(0, 25_000), part.slice(25_000)])
    return name, pa.Table.from_batches(parts, schema=CUSTOMERS)


def key_batch(values, dtype=pa.int64(), name="id") -> pa.RecordBatch:
    return pa.record_batch([pa.array(values, dtype)], names=[name])


def test_each_batch_is_answered_with_the_matching_rows_in_input_order(quiver, customers_table):
    name, table = customers_table
    rng = random.Random(7)
    batches = [
        key_batch([rng.randrange(0, 160_000) for _ in range(1_000)] + [None, 10_000_000, 3, 3]),
        key_batch([], pa.int64()),
        key_batch([rng.randrange(0, 50_000) for _ in range(5_000)]),  # every one of these has two rows
    ]
    schema, answers = lookup(quiver, {"table": name, "key": "id"}, batches)

    assert_schema_identical(schema, CUSTOMERS, "answer schema")
    assert [meta for _, meta in answers] == [b"keys-0", b"keys-1", b"keys-2"], "app_metadata not echoed per batch"
    for (got, _), keys in zip(answers, batches):
        assert_same_rows(pa.Table.from_batches([got]), expected_lookup(table, keys, ["id"], CUSTOMERS.names))
    assert answers[1][0].num_rows == 0
    assert answers[2][0].num_rows > 9_500  # two rows per key, less the null ids


def test_columns_choose_what_comes_back_in_table_order(quiver, customers_table):
    name, table = customers_table
    keys = key_batch([5, 1, 149_999, 7])
    schema, answers = lookup(quiver, {"table": name, "key": "id", "columns": ["tags", "id"]}, [keys])
    assert schema.names == ["id", "tags"]
    assert_same_rows(answers_table(schema, answers), expected_lookup(table, keys, ["id"], ["id", "tags"]))


def test_version_looks_up_in_an_older_version(quiver, customers_table):
    name, table = customers_table
    keys = key_batch([1, 60_000, 149_000])
    schema, current = lookup(quiver, {"table": name, "key": "id"}, [keys])
    _, first = lookup(quiver, {"table": name, "key": "id", "version": 1}, [keys])
    assert_same_rows(answers_table(schema, current), expected_lookup(table, keys, ["id"], CUSTOMERS.names))
    assert_same_rows(answers_table(schema, first), expected_lookup(table.slice(0, 50_000), keys, ["id"], CUSTOMERS.names))
    assert first[0][0].num_rows == 1 and current[0][0].num_rows == 4


def test_null_keys_match_nothing(quiver, table_name):
    quiver.put(table_name, [pa.record_batch({"k": pa.array([None, 1, None], pa.int32()), "v": ["a", "b", "c"]})])
    _, answers = lookup(quiver, {"table": table_name, "key": "k"}, [key_batch([None, 1, None], pa.int32(), "k")])
    assert answers[0][0].to_pydict() == {"k": [1], "v": ["b"]}


def test_string_keys_and_a_dictionary_column_from_several_files(quiver, table_name):
    """Each append is its own Arrow stream file with its own dictionary: an answer mixing rows of
    several files carries one dictionary holding what it uses."""
    schema = pa.schema([("sku", pa.string()), ("color", pa.dictionary(pa.int8(), pa.string())), ("qty", pa.int16())])
    parts = [
        pa.record_batch([pa.array(["a", "b", "c"]), pa.array(["red", "blue", None]).dictionary_encode().cast(schema.field("color").type),
                         pa.array([1, 2, 3], pa.int16())], schema=schema),
        pa.record_batch([pa.array(["b", "d", None]), pa.array(["green", "red", "teal"]).dictionary_encode().cast(schema.field("color").type),
                         pa.array([4, None, 6], pa.int16())], schema=schema),
    ]
    for part in parts:
        quiver.put(table_name, [part])
    keys = pa.record_batch({"sku": pa.array(["d", "b", "zz", None, "a", "c"])})
    nothing = pa.record_batch({"sku": pa.array(["zz"])})
    got_schema, answers = lookup(quiver, {"table": table_name, "key": "sku"}, [keys, nothing])
    assert_schema_identical(got_schema, schema, "answer schema")
    assert answers[1][0].num_rows == 0 and answers[1][1] == b"keys-1", "no match is an empty answer"
    got = answers_table(got_schema, answers[:1])
    assert got.to_pydict() == {"sku": ["d", "b", "b", "a", "c"], "color": ["red", "blue", "green", "red", None],
                               "qty": [None, 2, 4, 1, 3]}
    assert sorted(got.column("color").chunk(0).dictionary.to_pylist()) == ["blue", "green", "red"], \
        "the answer's dictionary holds the values it uses, once each"


def test_dictionary_encoded_input_keys_match_plain_table_keys(quiver, table_name):
    quiver.put(table_name, [pa.record_batch({"code": ["x", "y", "z"], "n": pa.array([1, 2, 3], pa.int64())})])
    keys = pa.record_batch({"code": pa.array(["z", "x", "z"]).dictionary_encode()})
    _, answers = lookup(quiver, {"table": table_name, "key": "code"}, [keys])
    assert answers[0][0].to_pydict() == {"code": ["z", "x", "z"], "n": [3, 1, 3]}


def test_a_key_of_several_columns(quiver, table_name):
    table = pa.table({"region": ["eu", "us", "eu", "us", None], "n": pa.array([1, 1, 2, 1, 1], pa.int32()),
                      "value": [10.0, 20.0, 30.0, 40.0, 50.0]})
    quiver.put(table_name, table.to_batches())
    keys = pa.record_batch({"n": pa.array([1, 2, 1, 1], pa.int32()), "region": ["us", "eu", None, "eu"], "extra": [1, 2, 3, 4]})
    schema, answers = lookup(quiver, {"table": table_name, "key": ["region", "n"]}, [keys])
    assert_same_rows(answers_table(schema, answers), expected_lookup(table, keys, ["region", "n"], table.column_names))
    assert answers_table(schema, answers).column("value").to_pylist() == [20.0, 40.0, 30.0, 10.0]


KEY_TYPES = {
    "int64 extremes": (pa.int64(), [2**63 - 1, -2**63, 2**53, 2**53 + 1, -(2**53) - 1, -1, 0, None],
                       [2**53 + 1, -2**63, 2**53, 7, None, -(2**53) - 1, 2**63 - 1]),
    "uint64": (pa.uint64(), [2**64 - 1, 2**53 + 1, 0, 5], [2**64 - 1, 2**53 + 1, 2**53, 0]),
    "uint8": (pa.uint8(), [255, 0, 7, None], [7, 255, 3]),
    "timestamp[ns, tz]": (pa.timestamp("ns", "Europe/Paris"), [1, 2, 1_700_000_000_123_456_789, None],
                          [1_700_000_000_123_456_789, 2, 3]),
    "date32": (pa.date32(), [0, 19_000, -5], [19_000, -5, 1]),
    "time64[us]": (pa.time64("us"), [1, 86_399_999_999], [86_399_999_999, 2]),
    "duration[s]": (pa.duration("s"), [60, -60], [-60, 0]),
    "decimal128(20, 3)": (pa.decimal128(20, 3), ["1.500", "-2.000", "12345678901234567.891"],
                          ["12345678901234567.891", "1.5", "2.000"]),
    "bool": (pa.bool_(), [True, False, None, True], [True, None, False]),
    "float64": (pa.float64(), [1.5, float("nan"), 0.0, -0.0, None], [float("nan"), -0.0, 1.5, 2.0]),
    "binary": (pa.binary(), [b"\x00\xff", b"", b"ab"], [b"", b"\x00\xff", b"\x00"]),
    "fixed_size_binary[3]": (pa.binary(3), [b"abc", b"\x00\x00\x01"], [b"\x00\x00\x01", b"abd"]),
    "large_string": (pa.large_string(), ["é", "e", ""], ["", "é", "E"]),
}


def _typed(dtype, values):
    if pa.types.is_decimal(dtype):
        import decimal
        values = [None if v is None else decimal.Decimal(v) for v in values]
    if pa.types.is_timestamp(dtype) or pa.types.is_time(dtype) or pa.types.is_duration(dtype) or pa.types.is_date(dtype):
        storage = pa.int32() if dtype.bit_width == 32 else pa.int64()
        return pa.array(values, storage).view(dtype)
    return pa.array(values, dtype)


@pytest.mark.parametrize("case", KEY_TYPES, ids=list(KEY_TYPES))
def test_keys_of_every_comparable_type_match_exactly(quiver, table_name, case):
    """Equal as pyarrow's `equal` kernel says (so NaN matches nothing and -0.0 matches 0.0)."""
    dtype, stored, probes = KEY_TYPES[case]
    column, probe = _typed(dtype, stored), _typed(dtype, probes)
    table = pa.table({"k": column, "row": pa.array(range(len(column)), pa.int32())})
    quiver.put(table_name, table.to_batches())
    _, answers = lookup(quiver, {"table": table_name, "key": "k"}, [pa.record_batch({"k": probe})])
    expected = [r for p in probe for r in range(len(column))
                if p.is_valid and pc.equal(column[r], p).as_py()]
    assert answers[0][0].column("row").to_pylist() == expected


def test_every_corpus_type_comes_back_exactly(quiver, table_name, ipc_stream_path):
    """Each Arrow C++ integration stream, with an int64 key column added (every key on two rows),
    is put and then looked up: the answers equal pyarrow's `take` of the same rows."""
    with pa.ipc.open_stream(ipc_stream_path) as reader:
        source = reader.read_all()  # batch boundaries kept as chunks
    # At table level: pyarrow cannot wrap some corpus arrays (day_time intervals) in Python objects.
    lengths = [len(chunk) for chunk in source.column(0).chunks] if source.num_columns else []
    starts = [sum(lengths[:i]) for i in range(len(lengths))]
    keys = pa.chunked_array([pa.array([i // 2 for i in range(s, s + n)], pa.int64()) for s, n in zip(starts, lengths)],
                            type=pa.int64())
    table = source.append_column("__key", keys)
    schema, batches = table.schema, table.to_batches()
    if quiver.put_exact_or_refused(table_name, batches, schema) == "refused":
        pytest.skip("the server refuses this stream's types (listed in the warnings summary)")
    stored = quiver.read(table_name).table
    rows = stored.num_rows
    probe = [rows // 2 - 1, 0, None, rows + 10, 0] + list(range((rows + 1) // 2))
    wanted = [r for k in probe if k is not None for r in (2 * k, 2 * k + 1) if 0 <= r < rows]
    answer_schema, answers = lookup(quiver, {"table": table_name, "key": "__key"}, [key_batch(probe, name="__key")])
    assert_schema_identical(answer_schema, stored.schema, "answer schema")
    assert_same_rows(answers_table(answer_schema, answers), stored.take(pa.array(wanted, pa.int64())))


def test_metadata_only_messages_are_answered_in_turn(quiver, table_name):
    quiver.put(table_name, [pa.record_batch({"id": pa.array([1, 2], pa.int64())})])
    writer, reader = quiver.client.do_exchange(quiver.cmd(table=table_name, key="id"), options=quiver.options())
    try:
        writer.begin(pa.schema([("id", pa.int64())]))
        writer.write_metadata(pa.py_buffer(b"ping"))
        chunk = reader.read_chunk()
        assert chunk.data is None and chunk.app_metadata.to_pybytes() == b"ping"
        writer.write_batch(key_batch([2]))
        chunk = reader.read_chunk()
        assert chunk.data.to_pydict() == {"id": [2]} and chunk.app_metadata is None
        writer.done_writing()
    finally:
        writer.close()


# --------------------------------------------------------------------------------------------
# Refusals


def refused(quiver, request=None, keys=None, descriptor=None):
    lookup(quiver, request, [keys if keys is not None else key_batch([1])], descriptor=descriptor)


def test_unknown_table_is_not_found(quiver, table_name, expect_status):
    with expect_status("NOT_FOUND", table_name):
        refused(quiver, {"table": table_name, "key": "id"})


def test_unknown_version_is_not_found(quiver, table_name, expect_status):
    quiver.put(table_name, [key_batch([1])])
    with expect_status("NOT_FOUND", "version 5"):
        refused(quiver, {"table": table_name, "key": "id", "version": 5})


def test_a_path_descriptor_is_refused_with_what_to_send(quiver, table_name, expect_status):
    quiver.put(table_name, [key_batch([1])])
    with expect_status("INVALID_ARGUMENT", "CMD descriptor", '"key"'):
        refused(quiver, descriptor=flight.FlightDescriptor.for_path(table_name))


def test_a_descriptor_that_is_not_json_is_refused(quiver, expect_status):
    with expect_status("INVALID_ARGUMENT", "not valid JSON", '"key"'):
        refused(quiver, descriptor=flight.FlightDescriptor.for_command(b"customers by id"))


def test_a_key_the_table_does_not_have_is_refused(quiver, table_name, expect_status):
    quiver.put(table_name, [key_batch([1])])
    with expect_status("INVALID_ARGUMENT", '"customer_id"', "its columns are id"):
        refused(quiver, {"table": table_name, "key": "customer_id"})


def test_input_without_the_key_column_is_refused(quiver, table_name, expect_status):
    quiver.put(table_name, [key_batch([1])])
    with expect_status("INVALID_ARGUMENT", "input has no key column", '"id"'):
        refused(quiver, {"table": table_name, "key": "id"}, key_batch([1], name="ident"))


def test_a_key_of_another_type_is_refused_naming_both_types(quiver, table_name, expect_status):
    quiver.put(table_name, [key_batch([1])])
    with expect_status("INVALID_ARGUMENT", "int32 in the input", "int64 in table"):
        refused(quiver, {"table": table_name, "key": "id"}, key_batch([1], pa.int32()))


def test_a_list_column_cannot_be_a_key(quiver, table_name, expect_status):
    quiver.put(table_name, [pa.record_batch({"l": pa.array([[1]], pa.list_(pa.int64()))})])
    with expect_status("INVALID_ARGUMENT", "list<int64>", "cannot be compared"):
        refused(quiver, {"table": table_name, "key": "l"}, pa.record_batch({"l": pa.array([[1]], pa.list_(pa.int64()))}))


def test_a_table_too_large_for_the_index_memory_is_refused_with_the_remedy(launch_quiver):
    with launch_quiver("--lookup-index-bytes", "256KiB") as server:
        quiver = server.helper()
        try:
            quiver.put("small", [key_batch(range(100))])
            quiver.put("large", [key_batch(range(20_000))])
            with pytest.raises(pa.ArrowException) as caught:
                refused(quiver, {"table": "large", "key": "id"})
            message = str(caught.value)
            assert RESOURCE_EXHAUSTED in message and "--lookup-index-bytes" in message and "20000 rows" in message, message
            _, answers = lookup(quiver, {"table": "small", "key": "id"}, [key_batch([99, 3])])
            assert answers[0][0].to_pydict() == {"id": [99, 3]}, "the server keeps serving lookups that fit"
        finally:
            quiver.close()


@pytest.mark.parametrize("codec", ["lz4", "zstd"])
def test_a_table_stored_compressed_answers_compressed_keys(quiver, table_name, codec):
    """Compressed uploads are stored as the client's own IPC messages, bodies still compressed:
    the index decodes them, and keys sent compressed are decoded too (pyarrow compresses
    each buffer on its own, and leaves one uncompressed where that is no smaller)."""
    compressed = pa.ipc.IpcWriteOptions(compression=codec)
    parts = [customers(0, 30_000), customers(30_000, 30_000)]
    quiver.put(table_name, parts, write_options=compressed)
    table = pa.Table.from_batches(parts, schema=CUSTOMERS)
    rng = random.Random(11)
    batches = [key_batch([rng.randrange(0, 70_000) for _ in range(3_000)] + [None, 5]), key_batch([7, 7, 29_999])]
    schema, answers = lookup(quiver, {"table": table_name, "key": "id"}, batches, write_options=compressed)
    assert_schema_identical(schema, CUSTOMERS, "answer schema")
    for (got, _), keys in zip(answers, batches):
        assert_same_rows(pa.Table.from_batches([got]), expected_lookup(table, keys, ["id"], CUSTOMERS.names))
    assert answers[0][0].num_rows > 2_000
