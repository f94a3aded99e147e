"""The record batches of a pyarrow.flight stream reader, for the Python conformance clients."""


def record_batches(reader):
    """Yields (batch, app_metadata) per record batch; metadata-only messages carry no batch and
    are skipped, as arrow-go's and Arrow Java's readers skip them."""
    while True:
        try:
            chunk = reader.read_chunk()
        except StopIteration:
            return
        if chunk.data is not None:
            yield chunk.data, chunk.app_metadata
