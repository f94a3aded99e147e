"""`quiver serve` stops cleanly on SIGTERM (exit code 0) and a restarted server on the same data
dir serves the same tables and versions."""

import signal

import pyarrow as pa

SCHEMA = pa.schema([("k", pa.string()), ("v", pa.float64())], metadata={"kept": "across restarts"})
FIRST = [pa.record_batch([pa.array(["a", "b"]), pa.array([1.0, None])], schema=SCHEMA)]
SECOND = [pa.record_batch([pa.array([], pa.string()), pa.array([], pa.float64())], schema=SCHEMA),
          pa.record_batch([pa.array(["c"]), pa.array([3.5])], schema=SCHEMA)]


def test_sigterm_exits_zero_and_a_restart_keeps_every_version(launch_quiver, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("restart") / "outer" / "inner" / "data"
    with launch_quiver(data_dir=data_dir) as server:
        quiver = server.helper()
        quiver.put("kept", FIRST)
        quiver.put("kept", SECOND)
        quiver.close()
        assert server.stop() == 0, f"SIGTERM exit code {server.exit_code}\n{server.log_tail()}"

    with launch_quiver(data_dir=data_dir) as server:
        quiver = server.helper()
        quiver.assert_table("kept", FIRST + SECOND, SCHEMA)
        quiver.assert_table(quiver.cmd(table="kept", version=1), FIRST, SCHEMA)
        assert [entry["version"] for entry in quiver.history("kept")] == [1, 2]
        quiver.close()
        assert server.stop() == 0, f"SIGTERM exit code {server.exit_code}\n{server.log_tail()}"


def test_sigterm_lets_a_read_in_flight_finish(launch_quiver):
    # Enough batches that the DoGet is still streaming when SIGTERM arrives.
    big = [pa.record_batch([pa.array([f"row-{i}" for i in range(20_000)]), pa.array([float(i) for i in range(20_000)])], schema=SCHEMA)
           for _ in range(40)]
    with launch_quiver("--row-group-rows", "20000") as server:
        quiver = server.helper()
        quiver.put("big", big)
        info = quiver.info("big")
        reader = quiver.client.do_get(info.endpoints[0].ticket, options=quiver.options())
        first = reader.read_chunk()
        server.proc.send_signal(signal.SIGTERM)
        rest = [chunk.data for chunk in reader]
        assert 1 + len(rest) == len(big), "the read was cut short by SIGTERM"
        assert pa.Table.from_batches([first.data, *rest]).equals(pa.Table.from_batches(big))
        quiver.close()
        assert server.proc.wait(15) == 0, server.log_tail()
