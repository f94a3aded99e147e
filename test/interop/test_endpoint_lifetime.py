"""Endpoint expiration with real meaning: a superseded version stays readable for the
retention period, RenewFlightEndpoint extends that, CancelFlightInfo gives the tickets up.

pyarrow 26 has no client call for these standard actions, so they go through do_action with
the protobuf bodies the Flight spec defines (CancelFlightInfoRequest, RenewFlightEndpointRequest).
"""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.flight as flight


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field: the only shape these request messages need."""
    length, out = len(payload), bytearray([number << 3 | 2])
    while length >= 0x80:
        out.append(length & 0x7F | 0x80)
        length >>= 7
    out.append(length)
    return bytes(out) + payload


def _action(quiver, name: str, body: bytes) -> list[bytes]:
    results = quiver.client.do_action(flight.Action(name, body), options=quiver.options())
    return [r.body.to_pybytes() for r in results]


def _seconds(timestamp: pa.TimestampScalar) -> float:
    return timestamp.cast(pa.timestamp("ns", "UTC")).value / 1e9


def _batch(n: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(range(n))], names=["n"])


def test_endpoints_carry_an_expiration_one_retention_period_ahead(quiver, table_name):
    quiver.put(table_name, [_batch(3)])
    before = time.time()
    info = quiver.info(table_name)
    expires = info.endpoints[0].expiration_time
    assert expires is not None, "endpoint has no expiration_time"
    # The shared server runs with the default retention of 7 days.
    assert 6.9 * 86400 < _seconds(expires) - before < 7.1 * 86400


def test_a_superseded_version_expires_unless_renewed(launch_quiver, expect_status):
    with launch_quiver("--retention", "2s") as server:
        quiver = server.helper()
        try:
            old = {}
            for name in ("kept", "dropped"):
                quiver.put(name, [_batch(2)])
                old[name] = quiver.info(name).endpoints[0]
                quiver.put(name, [_batch(5)])  # version 1 is superseded from now on
            time.sleep(1.2)
            [renewed] = _action(quiver, "RenewFlightEndpoint", _field(1, old["kept"].serialize()))
            renewed = flight.FlightEndpoint.deserialize(renewed)
            assert renewed.ticket == old["kept"].ticket
            assert _seconds(renewed.expiration_time) > _seconds(old["kept"].expiration_time)
            time.sleep(1.3)  # past supersession + retention, within renewal + retention
            with expect_status("NOT_FOUND", "expired"):
                quiver.client.do_get(old["dropped"].ticket, options=quiver.options()).read_all()
            assert quiver.client.do_get(renewed.ticket, options=quiver.options()).read_all().num_rows == 2
            # The current version never expires.
            assert quiver.read("dropped").table.num_rows == 7
        finally:
            quiver.close()


def test_cancel_flight_info_gives_its_tickets_up(quiver, table_name):
    quiver.put(table_name, [_batch(4)])
    info = quiver.info(table_name)
    [result] = _action(quiver, "CancelFlightInfo", _field(1, info.serialize()))
    assert result == b"\x08\x01", f"expected CANCEL_STATUS_CANCELLED, got {result!r}"
    try:
        quiver.client.do_get(info.endpoints[0].ticket, options=quiver.options()).read_all()
    except flight.FlightCancelledError as error:
        assert "CancelFlightInfo" in str(error)
    else:
        raise AssertionError("a cancelled ticket was still served")
    # A fresh FlightInfo gets fresh tickets... which for an unchanged version are the same bytes,
    # so renewing one takes the cancellation back.
    fresh = quiver.info(table_name)
    _action(quiver, "RenewFlightEndpoint", _field(1, fresh.endpoints[0].serialize()))
    assert quiver.client.do_get(fresh.endpoints[0].ticket, options=quiver.options()).read_all().num_rows == 4
