"""`quiver serve` stops cleanly on SIGTERM (exit code 0) and a restarted server on the same data
dir serves the same tables and versions."""

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
