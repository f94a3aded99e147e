"""What pyarrow puts with DoPut comes back from DoGet exactly.

Exactly means: the same types, nullability, values (nulls included), field and schema metadata and
dictionaries, and the same record batch boundaries, zero-length batches included. A type Parquet
cannot hold may instead be refused with INVALID_ARGUMENT naming the column and type.
"""

import datetime
import decimal
import uuid

import pyarrow as pa
import pytest

UTC = datetime.timezone.utc


def column_batches(dtype: pa.DataType, *batches: list, nullable: bool = True) -> tuple[list[pa.RecordBatch], pa.Schema]:
    """One column named "col" of this type, one record batch per list of values."""
    schema = pa.schema([pa.field("col", dtype, nullable=nullable)])
    return [pa.record_batch([pa.array(values, type=dtype)], schema=schema) for values in batches], schema


def dictionary_batches(index_type, value_type, *batches: list, ordered=False, dictionary: list | None = None):
    """A dictionary column whose batches share one dictionary (the first-seen order of the values)."""
    if dictionary is None:
        dictionary = list(dict.fromkeys(v for values in batches for v in values if v is not None))
    dict_type = pa.dictionary(index_type, value_type, ordered=ordered)
    schema = pa.schema([pa.field("col", dict_type)])
    values = pa.array(dictionary, type=value_type)
    return [pa.record_batch([pa.DictionaryArray.from_arrays(
        pa.array([None if v is None else dictionary.index(v) for v in vals], type=index_type), values,
        ordered=ordered)], schema=schema) for vals in batches], schema


# Each case: id -> (type, batch values...). Three batches, the middle one empty, with nulls.
STORABLE = {
    "bool": (pa.bool_(), [True, None, False], [], [False, True]),
    "int8": (pa.int8(), [-128, None, 127], [], [0]),
    "int16": (pa.int16(), [-32768, None, 32767], [], [0]),
    "int32": (pa.int32(), [-2**31, None, 2**31 - 1], [], [0]),
    "int64": (pa.int64(), [-2**63, None, 2**63 - 1], [], [0]),
    "uint8": (pa.uint8(), [0, None, 255], [], [1]),
    "uint16": (pa.uint16(), [0, None, 65535], [], [1]),
    "uint32": (pa.uint32(), [0, None, 2**32 - 1], [], [1]),
    "uint64": (pa.uint64(), [0, None, 2**64 - 1], [], [1]),
    "float16": (pa.float16(), [0.5, None, -0.0], [], [65504.0]),
    "float32": (pa.float32(), [1.5, None, float("nan")], [], [float("-inf"), -0.0]),
    "float64": (pa.float64(), [1e308, None, float("nan")], [], [float("inf"), -0.0]),
    "string": (pa.string(), ["", None, "ünïcode ☃"], [], ["a" * 1000]),
    "large_string": (pa.large_string(), ["", None, "ünïcode"], [], ["b" * 1000]),
    "binary": (pa.binary(), [b"", None, b"\x00\xff"], [], [b"x" * 1000]),
    "large_binary": (pa.large_binary(), [b"", None, b"\x00\xff"], [], [b"y"]),
    "fixed_size_binary": (pa.binary(3), [b"abc", None, b"\x00\x00\x00"], [], [b"xyz"]),
    "date32": (pa.date32(), [datetime.date(1970, 1, 1), None, datetime.date(9999, 12, 31)], [], [datetime.date(1, 1, 1)]),
    "date64": (pa.date64(), [datetime.date(1970, 1, 1), None, datetime.date(2024, 2, 29)], [], [datetime.date(1900, 1, 1)]),
    "time32_s": (pa.time32("s"), [datetime.time(0, 0), None, datetime.time(23, 59, 59)], [], [datetime.time(12)]),
    "time32_ms": (pa.time32("ms"), [datetime.time(0, 0), None, datetime.time(23, 59, 59, 999000)], [], [datetime.time(1)]),
    "time64_us": (pa.time64("us"), [datetime.time(0, 0), None, datetime.time(23, 59, 59, 999999)], [], [datetime.time(2)]),
    "time64_ns": (pa.time64("ns"), [0, None, 86_399_999_999_999], [], [1]),
    "timestamp_s": (pa.timestamp("s"), [0, None, 253402300799], [], [-1]),
    "timestamp_ms": (pa.timestamp("ms"), [0, None, 1_700_000_000_123], [], [-1]),
    "timestamp_us": (pa.timestamp("us"), [0, None, 1_700_000_000_123_456], [], [-1]),
    "timestamp_ns": (pa.timestamp("ns"), [0, None, 1_700_000_000_123_456_789], [], [-1]),
    "timestamp_us_utc": (pa.timestamp("us", tz="UTC"), [datetime.datetime(2024, 1, 1, tzinfo=UTC), None], [], [0]),
    "timestamp_ms_paris": (pa.timestamp("ms", tz="Europe/Paris"), [datetime.datetime(2024, 7, 1, 12, tzinfo=UTC), None], [], [0]),
    "timestamp_ns_offset": (pa.timestamp("ns", tz="+05:30"), [1, None, 2**62], [], [0]),
    "decimal128_5_2": (pa.decimal128(5, 2), [decimal.Decimal("-999.99"), None, decimal.Decimal("0.01")], [], [decimal.Decimal("1")]),
    "decimal128_38_10": (pa.decimal128(38, 10), [decimal.Decimal("1234567890123456789012345678.0123456789"), None], [], [decimal.Decimal("-1")]),
    "decimal256_76_20": (pa.decimal256(76, 20), [decimal.Decimal("1" * 56 + "." + "2" * 20), None], [], [decimal.Decimal("0")]),
    "struct": (pa.struct([("x", pa.float64()), ("y", pa.string())]), [{"x": 1.0, "y": "a"}, None, {"x": None, "y": None}], [], [{"x": 2.0, "y": "b"}]),
    "list": (pa.list_(pa.int32()), [[1, None, 3], None, []], [], [[4]]),
    "list_non_null_element": (pa.list_(pa.field("element", pa.int64(), nullable=False)), [[1, 2], None, []], [], [[3]]),
    "large_list": (pa.large_list(pa.string()), [["a", None], None, []], [], [["b"]]),
    "fixed_size_list": (pa.list_(pa.int16(), 2), [[1, 2], None, [None, 4]], [], [[5, 6]]),
    "map": (pa.map_(pa.string(), pa.int64()), [[("a", 1), ("b", None)], None, []], [], [[("c", 3)]]),
    "list_of_struct_of_list": (pa.list_(pa.struct([("tags", pa.list_(pa.string())), ("n", pa.int8())])),
                               [[{"tags": ["x", None], "n": 1}, None], None, []], [], [[{"tags": [], "n": None}]]),
    "struct_of_map": (pa.struct([("m", pa.map_(pa.int32(), pa.list_(pa.string())))]), [{"m": [(1, ["a"])]}, None], [], [{"m": None}]),
    "null": (pa.null(), [None, None, None], [], [None]),
    "uuid_extension": (pa.uuid(), [uuid.UUID(int=1).bytes, None], [], [uuid.UUID(int=2**128 - 1).bytes]),
    "json_extension": (pa.json_(), ['{"a": 1}', None], [], ["[]"]),
    "bool8_extension": (pa.bool8(), [1, None, 0], [], [1]),
}

# Types outside what Parquet holds natively: round-trip exactly, or refused with INVALID_ARGUMENT.
EXOTIC = {
    "duration_s": (pa.duration("s"), [1, None, -1], [], [0]),
    "duration_ns": (pa.duration("ns"), [1, None, 2**62], [], [0]),
    "month_day_nano_interval": (pa.month_day_nano_interval(), [(1, 2, 3), None], [], [(-1, -2, -3)]),
    "string_view": (pa.string_view(), ["short", None, "a string longer than twelve bytes"], [], [""]),
    "binary_view": (pa.binary_view(), [b"short", None, b"a binary longer than twelve bytes"], [], [b""]),
    "list_view": (pa.list_view(pa.int32()), [[1, 2], None, []], [], [[3]]),
    "large_list_view": (pa.large_list_view(pa.int32()), [[1, 2], None, []], [], [[3]]),
    "decimal32": (pa.decimal32(7, 2), [decimal.Decimal("12345.67"), None], [], [decimal.Decimal("0")]),
    "decimal64": (pa.decimal64(18, 3), [decimal.Decimal("123456789012345.678"), None], [], [decimal.Decimal("0")]),
}


@pytest.mark.parametrize("case", STORABLE)
def test_type_roundtrips_exactly(quiver, table_name, case):
    dtype, *values = STORABLE[case]
    batches, schema = column_batches(dtype, *values)
    quiver.assert_roundtrip(table_name, batches, schema)


@pytest.mark.parametrize("case", EXOTIC)
def test_exotic_type_roundtrips_or_is_refused_by_name(quiver, table_name, case):
    dtype, *values = EXOTIC[case]
    batches, schema = column_batches(dtype, *values)
    quiver.put_exact_or_refused(table_name, batches, schema)


@pytest.mark.parametrize("case", ["sparse", "dense"])
def test_union_roundtrips_or_is_refused_by_name(quiver, table_name, case):
    children = [pa.array([1, None, 3], pa.int32()), pa.array(["a", "b", None])]
    if case == "sparse":
        array = pa.UnionArray.from_sparse(pa.array([0, 1, 0], pa.int8()), children, ["i", "s"])
    else:
        array = pa.UnionArray.from_dense(pa.array([0, 1, 0], pa.int8()), pa.array([0, 0, 1], pa.int32()),
                                         children, ["i", "s"])
    batch = pa.record_batch([pa.array([1, 2, 3]), array], names=["id", "u"])
    quiver.put_exact_or_refused(table_name, [batch], batch.schema)


def test_run_end_encoded_roundtrips_or_is_refused_by_name(quiver, table_name):
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([2, 5], pa.int32()), pa.array(["a", None]))
    batch = pa.record_batch([pa.array(range(5)), ree], names=["id", "runs"])
    quiver.put_exact_or_refused(table_name, [batch], batch.schema)


def test_non_nullable_columns_stay_non_nullable(quiver, table_name):
    batches, schema = column_batches(pa.int64(), [1, 2], [3], nullable=False)
    quiver.assert_roundtrip(table_name, batches, schema)


def test_many_columns_with_metadata_in_several_batches(quiver, table_name):
    schema = pa.schema([
        pa.field("id", pa.int64(), nullable=False, metadata={"comment": "primary key", "ünï": "☃"}),
        pa.field("name", pa.string()),
        pa.field("tag", pa.dictionary(pa.int32(), pa.string())),
        pa.field("point", pa.struct([pa.field("x", pa.float64(), metadata={"unit": "m"}), ("y", pa.float64())])),
        pa.field("scores", pa.list_(pa.int32())),
        pa.field("attrs", pa.map_(pa.string(), pa.int64())),
        pa.field("at", pa.timestamp("us", tz="America/New_York")),
        pa.field("amount", pa.decimal128(18, 4)),
        pa.field("note", pa.large_string()),
    ], metadata={"origin": "quiver interop test", "empty": ""})
    tags = pa.array(["red", "green", "blue"])

    def batch(start: int, n: int) -> pa.RecordBatch:
        rows = range(start, start + n)
        return pa.record_batch([
            pa.array(rows, pa.int64()),
            pa.array([None if i % 3 == 0 else f"name {i}" for i in rows]),
            pa.DictionaryArray.from_arrays(pa.array([None if i % 4 == 0 else i % 3 for i in rows], pa.int32()), tags),
            pa.array([None if i % 5 == 0 else {"x": i / 2, "y": -i} for i in rows], schema.field("point").type),
            pa.array([None if i % 2 else list(range(i % 4)) for i in rows], pa.list_(pa.int32())),
            pa.array([[(f"k{i}", i)] if i % 2 else [] for i in rows], pa.map_(pa.string(), pa.int64())),
            pa.array([None if i % 6 == 0 else i * 1_000_000 for i in rows], pa.timestamp("us", tz="America/New_York")),
            pa.array([decimal.Decimal(i).scaleb(-4) for i in rows], pa.decimal128(18, 4)),
            pa.array(["x" * i for i in rows], pa.large_string()),
        ], schema=schema)

    quiver.assert_roundtrip(table_name, [batch(0, 4), batch(4, 0), batch(4, 7), batch(11, 0), batch(11, 5)], schema)


def test_empty_table_is_its_schema_and_no_batches(quiver, table_name):
    schema = pa.schema([("a", pa.int64()), ("b", pa.string())], metadata={"k": "v"})
    quiver.put(table_name, [], schema)
    got = quiver.assert_table(table_name, [], schema)
    assert got.batch_rows == []


def test_zero_length_batches_keep_their_place(quiver, table_name):
    sizes = [0, 2, 0, 0, 3, 0]
    schema = pa.schema([("n", pa.int32())])
    batches = [pa.record_batch([pa.array(range(size), pa.int32())], schema=schema) for size in sizes]
    got = quiver.assert_roundtrip(table_name, batches, schema)
    assert got.batch_rows == sizes


def test_only_zero_length_batches(quiver, table_name):
    batches, schema = column_batches(pa.string(), [], [], [])
    quiver.assert_roundtrip(table_name, batches, schema)


def test_hundred_small_batches_keep_their_boundaries(quiver, table_name):
    batches, schema = column_batches(pa.int64(), *[list(range(i % 7)) for i in range(100)])
    quiver.assert_roundtrip(table_name, batches, schema)


def test_batch_larger_than_grpc_default_message_limit(quiver, table_name):
    """One 6 MiB batch: above grpc's default 4 MiB receive limit, and pyarrow does not split batches."""
    big = "q" * (1024 * 1024)
    batches, schema = column_batches(pa.string(), [big] * 6, ["small"])
    quiver.assert_roundtrip(table_name, batches, schema)


def test_dictionary_columns_keep_their_dictionary(quiver, table_name):
    batches, schema = dictionary_batches(pa.int8(), pa.string(), ["b", None, "a"], [], ["a", "c"],
                                         dictionary=["c", "b", "a", "unused"])
    quiver.assert_roundtrip(table_name, batches, schema)


@pytest.mark.parametrize("index_type", [pa.int8(), pa.uint16(), pa.int32(), pa.int64()], ids=str)
def test_dictionary_index_types(quiver, table_name, index_type):
    batches, schema = dictionary_batches(index_type, pa.string(), ["x", None, "y"], ["y"])
    quiver.assert_roundtrip(table_name, batches, schema)


def test_ordered_dictionary_of_integers(quiver, table_name):
    batches, schema = dictionary_batches(pa.int16(), pa.int64(), [30, 10, None], [20], ordered=True,
                                         dictionary=[10, 20, 30])
    quiver.assert_roundtrip(table_name, batches, schema)


def test_dictionary_replaced_between_batches(quiver, table_name):
    """Each batch brings its own dictionary (IPC dictionary replacement); each comes back as sent."""
    dict_type = pa.dictionary(pa.int8(), pa.string())
    schema = pa.schema([("col", dict_type)])
    batches = [pa.record_batch([pa.array(values, type=dict_type)], schema=schema)
               for values in (["a", "b", "a"], ["c", None], ["b", "d", "c", "b"])]
    assert batches[0].column(0).dictionary != batches[1].column(0).dictionary  # a real replacement
    quiver.assert_roundtrip(table_name, batches, schema)


@pytest.mark.parametrize("codec", ["lz4", "zstd"])
def test_compressed_bodies_from_the_client(quiver, table_name, codec):
    batches, schema = column_batches(pa.string(), ["compressible " * 50, None] * 50, [], ["x"])
    quiver.assert_roundtrip(table_name, batches, schema, write_options=pa.ipc.IpcWriteOptions(compression=codec))
