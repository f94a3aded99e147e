"""Flight SQL messages packed by hand (a few protobuf fields), so the pytest suites need no
generated Python code: shared by the Flight SQL and the roles suites."""

SQL_PACKAGE = "type.googleapis.com/arrow.flight.protocol.sql."


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _field(number: int, value: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(value)) + value


def sql_any(message: str, body: bytes = b"") -> bytes:
    """google.protobuf.Any of a Flight SQL message: type_url (1), value (2)."""
    return _field(1, (SQL_PACKAGE + message).encode()) + _field(2, body)
