"""Finding tables and their shape: ListFlights, GetSchema, GetFlightInfo endpoints, the drop
action, ListActions."""

import pyarrow as pa
import pyarrow.flight as flight

SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False, metadata={"m": "1"}), ("s", pa.string())],
                   metadata={"table": "yes"})


def batch(n: int) -> pa.RecordBatch:
    return pa.record_batch([pa.array(range(n), pa.int64()), pa.array([str(i) for i in range(n)])], schema=SCHEMA)


def test_list_flights_filters_by_name_prefix(quiver, table_name):
    quiver.put(f"{table_name}/a", [batch(2)])
    quiver.put(f"{table_name}/b", [batch(3), batch(1)])
    quiver.put(f"{table_name}x", [batch(1)])

    listed = quiver.list(f"{table_name}/")
    assert sorted(listed) == [f"{table_name}/a", f"{table_name}/b"]
    assert listed[f"{table_name}/b"].total_records == 4
    assert listed[f"{table_name}/b"].schema.equals(SCHEMA, check_metadata=True)
    assert sorted(quiver.list(table_name)) == [f"{table_name}/a", f"{table_name}/b", f"{table_name}x"]


def test_list_flights_without_criteria_lists_every_table(quiver, table_name):
    quiver.put(table_name, [batch(1)])
    assert table_name in quiver.list()


def test_list_flights_with_an_unmatched_prefix_is_empty(quiver, table_name):
    assert quiver.list(f"{table_name}-no-such-prefix") == {}


def test_get_schema_is_the_put_schema(quiver, table_name):
    quiver.put(table_name, [batch(2)])
    assert quiver.schema(table_name).equals(SCHEMA, check_metadata=True)


def test_flight_info_counts_rows_and_bytes(quiver, table_name):
    quiver.put(table_name, [batch(5), batch(0), batch(7)])
    info = quiver.info(table_name)
    assert info.total_records == 12
    assert info.total_bytes > 0


def test_every_endpoint_location_serves_its_ticket(quiver, table_name):
    """A client that follows the advertised locations (as a cluster client must) gets the data."""
    batches = [batch(3), batch(4)]
    quiver.put(table_name, batches)
    pieces = []
    for n, endpoint in enumerate(quiver.info(table_name).endpoints):
        assert endpoint.locations, f"endpoint {n} has no location"
        tables = []
        for location in endpoint.locations:
            with flight.FlightClient(location.uri.decode()) as client:
                tables.append(client.do_get(endpoint.ticket, options=quiver.options()).read_all())
        assert all(t.equals(tables[0], check_metadata=True) for t in tables), f"locations of endpoint {n} disagree"
        pieces.append(tables[0])
    assert pa.concat_tables(pieces).equals(pa.Table.from_batches(batches), check_metadata=True)


def test_drop_removes_the_table(quiver, table_name, expect_status):
    quiver.put(table_name, [batch(2)])
    quiver.drop(table_name)

    with expect_status("NOT_FOUND", table_name):
        quiver.info(table_name)
    assert table_name not in quiver.list(table_name)


def test_a_dropped_name_can_be_used_again(quiver, table_name):
    quiver.put(table_name, [batch(5)])
    quiver.drop(table_name)
    other = pa.schema([("other", pa.int8())])
    fresh = pa.record_batch([pa.array([1, 2], pa.int8())], schema=other)
    quiver.put(table_name, [fresh])
    quiver.assert_table(table_name, [fresh], other)


def test_list_actions_names_quiver_and_standard_actions(quiver):
    types = {action.type for action in quiver.client.list_actions(options=quiver.options())}
    assert {"drop", "history", "CancelFlightInfo", "RenewFlightEndpoint"} <= types, types
