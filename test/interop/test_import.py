"""The import action adds Parquet files from the server's --import-dir as one commit. Every file
in the parquet-testing corpus either imports and reads back as pyarrow reads it, or is refused
with INVALID_ARGUMENT naming the file and the reason."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, assert_tables_identical, through_ipc

PARQUET = CORPUS / "parquet"
FILES = sorted(p.name for p in PARQUET.glob("*.parquet"))


@pytest.fixture(scope="module")
def importer(launch_quiver):
    with launch_quiver("--import-dir", str(PARQUET)) as server:
        helper = server.helper()
        yield helper
        helper.close()


def _comparable(table: pa.Table) -> pa.Table:
    # Field-level Parquet ids and the writer's schema metadata depend on the reader library;
    # types, names, nullability and values must not.
    schema = pa.schema([f.remove_metadata() for f in table.schema])
    batches, schema = through_ipc(table.cast(schema).to_batches(), schema)
    return pa.Table.from_batches(batches, schema=schema)


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_imports_exactly_or_is_refused_by_name(importer, name):
    table = f"import/{name}"
    try:
        [result] = importer.action("import", {"table": table, "files": [name]})
    except pa.ArrowInvalid as error:
        assert name in str(error) and "cannot import" in str(error), f"refusal does not name the file: {error}"
        assert table not in importer.list(table), "a refused import left a table behind"
        print(f"refused: {error}")
        return
    try:
        expected = pq.read_table(PARQUET / name)
    except pa.ArrowException as error:
        pytest.skip(f"imported, but pyarrow itself cannot read it to compare: {error}")
    got = importer.read(table).table
    assert_tables_identical(_comparable(got), _comparable(expected))
    assert importer.info(table).total_records == expected.num_rows


@pytest.mark.parametrize("path", ["../arrow-ipc/1.0.0-littleendian/generated_primitive.stream", "/etc/hostname"])
def test_files_outside_the_import_directory_are_refused(importer, path):
    with pytest.raises(flight.FlightUnauthorizedError, match="only files inside the server's import directory"):
        importer.action("import", {"table": "import/outside", "files": [path]})
    assert "import/outside" not in importer.list("import/outside")


def test_import_without_an_import_directory_is_refused(quiver, table_name):
    with pytest.raises(pa.ArrowInvalid, match="--import-dir"):
        quiver.action("import", {"table": table_name, "files": ["x.parquet"]})


def test_several_files_commit_as_one_version(importer):
    [result] = importer.action("import", {"table": "import/two", "files": ["alltypes_plain.parquet", "alltypes_plain.snappy.parquet"]})
    history = importer.history("import/two")
    assert [h["version"] for h in history] == [1]
    expected = pa.concat_tables([pq.read_table(PARQUET / "alltypes_plain.parquet"), pq.read_table(PARQUET / "alltypes_plain.snappy.parquet")])
    assert importer.read("import/two").table.num_rows == expected.num_rows
