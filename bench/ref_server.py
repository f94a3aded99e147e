"""Reference Arrow Flight server for the benchmark, written with pyarrow.flight (C++ underneath).

    python3 bench/ref_server.py --data DIR [--host 127.0.0.1] [--port 0]

Prints `Server listening on localhost:PORT` as its first stdout line (as quiver does) and logs to
stderr. SIGTERM or SIGINT shuts it down.

What it does, deliberately the simplest thing a pyarrow user would write:

- DoPut (PATH descriptor = table name): reads the whole stream, keeps the table in memory and
  commits it to DIR/<n>.parquet with pyarrow.parquet: zstd (Arrow's default level, as quiver's
  parquet-wasm default), row groups of 1Mi rows (quiver's --row-group-rows default), written to a
  temporary file, fsync'd, renamed into place, directory fsync'd (quiver also fsyncs its commits).
- GetFlightInfo: a PATH descriptor names a table served hot from memory; a CMD descriptor
  JSON {"table": "t", "source": "parquet"} asks for the same table read cold from its Parquet file.
  One endpoint, no locations (= this server), total_records and total_bytes.
- DoGet: ticket JSON {"table": "t", "source": "memory" | "parquet"}. memory: the stored Table
  (the client's batches as put). parquet: the Parquet file opened and decoded on every call,
  streamed in batches of 64Ki rows (ParquetFile.iter_batches), so nothing is cached.
- DoAction "drop" (body JSON {"table": "t"}): forgets the table and deletes its file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
import time

import pyarrow as pa
import pyarrow.flight as flight
import pyarrow.parquet as pq

ROW_GROUP_ROWS = 1 << 20
READ_BATCH_ROWS = 1 << 16


def log(msg: str) -> None:
    sys.stderr.write(f"ref-server: {msg}\n")
    sys.stderr.flush()


class ReferenceServer(flight.FlightServerBase):
    def __init__(self, location: str, data_dir: str):
        super().__init__(location)
        self.data_dir = data_dir
        self.lock = threading.Lock()
        # name -> (table, parquet path, nbytes): Table.nbytes walks every buffer (about 1.3 ms for
        # 10M rows), so it is computed once at DoPut rather than on every GetFlightInfo.
        self.tables: dict[str, tuple[pa.Table, str, int]] = {}
        self.counter = 0

    # -- helpers ----------------------------------------------------------------------------

    def _lookup(self, name: str) -> tuple[pa.Table, str, int]:
        with self.lock:
            entry = self.tables.get(name)
        if entry is None:
            raise KeyError(f"no table {name!r}")
        return entry

    @staticmethod
    def _name(descriptor: flight.FlightDescriptor) -> tuple[str, str]:
        if descriptor.descriptor_type == flight.DescriptorType.PATH:
            return "/".join(p.decode() if isinstance(p, bytes) else p for p in descriptor.path), "memory"
        cmd = json.loads(descriptor.command)
        source = cmd.get("source", "memory")
        if source not in ("memory", "parquet"):
            raise pa.ArrowInvalid(f"unknown source {source!r}")
        return cmd["table"], source

    # -- Flight RPCs ------------------------------------------------------------------------

    def get_flight_info(self, context, descriptor):
        name, source = self._name(descriptor)
        table, _, nbytes = self._lookup(name)
        ticket = flight.Ticket(json.dumps({"table": name, "source": source}).encode())
        return flight.FlightInfo(table.schema, descriptor, [flight.FlightEndpoint(ticket, [])],
                                 table.num_rows, nbytes)

    def do_get(self, context, ticket):
        req = json.loads(ticket.ticket)
        table, path, _ = self._lookup(req["table"])
        if req.get("source") == "parquet":
            def batches():
                with pq.ParquetFile(path) as pf:
                    yield from pf.iter_batches(batch_size=READ_BATCH_ROWS)
            return flight.GeneratorStream(table.schema, batches())
        return flight.RecordBatchStream(table)

    def do_put(self, context, descriptor, reader, writer):
        name, _ = self._name(descriptor)
        table = reader.read_all()
        nbytes = table.nbytes
        with self.lock:
            self.counter += 1
            n = self.counter
        path = os.path.join(self.data_dir, f"{n}.parquet")
        tmp = path + ".tmp"
        with open(tmp, "wb") as f:
            pq.write_table(table, f, compression="zstd", row_group_size=ROW_GROUP_ROWS)
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, path)
        dir_fd = os.open(self.data_dir, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        with self.lock:
            old = self.tables.get(name)
            self.tables[name] = (table, path, nbytes)
        if old is not None:
            _unlink(old[1])

    def do_action(self, context, action):
        if action.type != "drop":
            raise NotImplementedError(f"unknown action {action.type!r}")
        name = json.loads(action.body.to_pybytes())["table"]
        with self.lock:
            entry = self.tables.pop(name, None)
        if entry is not None:
            _unlink(entry[1])
        return [json.dumps({"dropped": name}).encode()]

    def list_actions(self, context):
        return [("drop", 'Drop a table. Body: JSON {"table": "name"}.')]


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--data", required=True)
    args = ap.parse_args()
    os.makedirs(args.data, exist_ok=True)

    server = ReferenceServer(f"grpc+tcp://{args.host}:{args.port}", args.data)

    def stop(signum, _frame):
        log(f"signal {signum}: shutting down")
        # shutdown() waits for serve() to return; call it off the signal handler's thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write(f"Server listening on localhost:{server.port}\n")
    sys.stdout.flush()
    log(f"pyarrow {pa.__version__} serving {args.data} on {args.host}:{server.port}")
    started = time.monotonic()
    server.serve()
    log(f"stopped after {time.monotonic() - started:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
