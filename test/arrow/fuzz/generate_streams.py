"""Writes valid Arrow IPC streams, one per layout family, for the IPC fuzzer to mutate.

Usage: python3 generate_streams.py OUT_DIR. Each file is a complete stream written by pyarrow
(Arrow C++), so the fuzzer starts from what real clients send: nested types, unions,
dictionaries with deltas, decimals, the newer view and run-end layouts, and LZ4/zstd bodies.
"""

import decimal
import pathlib
import sys

import pyarrow as pa
import pyarrow.ipc as ipc


def batches():
    yield "primitive", [pa.record_batch({
        "i": pa.array([1, None, 3, 4], pa.int32()),
        "f": pa.array([1.5, 2.5, None, 4.0]),
        "b": pa.array([True, False, None, True]),
        "ts": pa.array([1, 2, 3, None], pa.timestamp("us", tz="UTC")),
    })]
    yield "strings", [pa.record_batch({
        "s": pa.array(["a", "bé", None, "ünïcode string longer than twelve"]),
        "ls": pa.array(["x", None, "yy", "zzz"], pa.large_string()),
        "bin": pa.array([b"\x00", b"", None, b"\xff\xfe"]),
        "fsb": pa.array([b"ab", b"cd", None, b"ef"], pa.binary(2)),
    })]
    yield "views", [pa.record_batch({
        "sv": pa.array(["short", None, "a string that does not fit inline", ""], pa.string_view()),
        "bv": pa.array([b"x" * 20, b"y", None, b""], pa.binary_view()),
    })]
    yield "nested", [pa.record_batch({
        "l": pa.array([[1, 2], None, [], [3]], pa.list_(pa.int64())),
        "fl": pa.array([[1, 2], [3, 4], None, [5, 6]], pa.list_(pa.int16(), 2)),
        "st": pa.array([{"a": 1, "b": "x"}, None, {"a": None, "b": "z"}, {"a": 4, "b": None}],
                       pa.struct([("a", pa.int8()), ("b", pa.string())])),
        "m": pa.array([[("k", 1)], None, [], [("a", 2), ("b", 3)]], pa.map_(pa.string(), pa.int32())),
    })]
    lv = pa.ListViewArray.from_arrays(pa.array([0, 2, 1, 0], pa.int32()), pa.array([2, 1, 2, 0], pa.int32()),
                                     pa.array([1, 2, 3]))
    llv = pa.LargeListViewArray.from_arrays(pa.array([0, 1, 0, 2], pa.int64()), pa.array([1, 2, 0, 1], pa.int64()),
                                           pa.array(["a", "b", "c"]))
    ree = pa.RunEndEncodedArray.from_arrays(pa.array([1, 3, 4], pa.int32()), pa.array(["p", None, "q"]))
    yield "newer_layouts", [pa.record_batch({"lv": lv, "llv": llv, "ree": ree})]
    sparse = pa.UnionArray.from_sparse(pa.array([0, 1, 0, 1], pa.int8()),
                                       [pa.array([1, 2, 3, 4]), pa.array(["a", "b", "c", "d"])])
    dense = pa.UnionArray.from_dense(pa.array([5, 7, 5, 5], pa.int8()), pa.array([0, 0, 1, 2], pa.int32()),
                                     [pa.array([1.0, 2.0, 3.0]), pa.array([True])], ["f", "b"], [5, 7])
    yield "unions", [pa.record_batch({"su": sparse, "du": dense})]
    yield "decimals", [pa.record_batch({
        "d": pa.array([decimal.Decimal("1.23"), None, decimal.Decimal("-99.99"), decimal.Decimal("0.01")], pa.decimal128(4, 2)),
        "d256": pa.array([decimal.Decimal("123456789012345678901234567890.5"), None, decimal.Decimal("1"), decimal.Decimal("-2")], pa.decimal256(40, 1)),
    })]
    dictionary = pa.array(["red", "green", "blue"])
    yield "dictionary", [
        pa.record_batch({"c": pa.DictionaryArray.from_arrays(pa.array([0, 1, None, 2], pa.int8()), dictionary)}),
        pa.record_batch({"c": pa.DictionaryArray.from_arrays(pa.array([2, 2, 0, 1], pa.int8()), dictionary)}),
    ]


def write(path, batch_list, **options):
    with ipc.new_stream(str(path), batch_list[0].schema, options=ipc.IpcWriteOptions(**options)) as writer:
        for batch in batch_list:
            writer.write_batch(batch)


def main(out_dir: str) -> None:
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    for name, batch_list in batches():
        write(out / f"{name}.stream", batch_list)
        if name in ("strings", "nested", "views"):
            write(out / f"{name}_lz4.stream", batch_list, compression="lz4")
            write(out / f"{name}_zstd.stream", batch_list, compression="zstd")
    # A dictionary delta: the second batch adds values to the first's dictionary.
    schema = pa.schema([("c", pa.dictionary(pa.int16(), pa.string()))])
    with ipc.new_stream(str(out / "dictionary_delta.stream"), schema,
                        options=ipc.IpcWriteOptions(emit_dictionary_deltas=True)) as writer:
        writer.write_batch(pa.record_batch({"c": pa.DictionaryArray.from_arrays(pa.array([0, 1], pa.int16()), pa.array(["a", "b"]))}))
        writer.write_batch(pa.record_batch({"c": pa.DictionaryArray.from_arrays(pa.array([2, 0], pa.int16()), pa.array(["a", "b", "c"]))}))


if __name__ == "__main__":
    main(sys.argv[1])
