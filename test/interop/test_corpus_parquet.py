"""Every Parquet file of the shared corpus that pyarrow can read, sent as Arrow with DoPut,
reads back exactly (types, values, metadata, batch boundaries)."""

import pyarrow.parquet as pq
import pytest


def test_corpus_parquet_file_roundtrips(quiver, table_name, parquet_path):
    try:
        table = pq.read_table(parquet_path)
    except Exception as error:  # not a Parquet file, or one pyarrow cannot read: nothing to send
        pytest.skip(f"pyarrow cannot read it: {type(error).__name__}: {error}")
    quiver.assert_roundtrip(table_name, table.to_batches(), table.schema)
