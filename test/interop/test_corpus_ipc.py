"""Every Arrow IPC stream of the shared corpus (written by Arrow C++) survives DoPut -> DoGet.

The stream's batches are sent with their original boundaries and the reader's schema, then read
back through GetFlightInfo and every endpoint. The target is that all of them round-trip exactly;
the contract also allows a stream with a type Parquet cannot hold to be refused with
INVALID_ARGUMENT naming the column and type (such refusals are listed as warnings in the summary).
"""

import pyarrow as pa
import pyarrow.ipc


def test_corpus_stream_roundtrips(quiver, table_name, ipc_stream_path):
    with pa.ipc.open_stream(ipc_stream_path) as reader:
        schema = reader.schema
        batches = list(reader)
    quiver.put_exact_or_refused(table_name, batches, schema)
