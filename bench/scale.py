"""How quiver holds up as tables grow: `npm run bench:scale`. Prints tables; asserts nothing.

    python3 bench/scale.py [--gb 20] [--versions 10,100,1000,10000,100000] [--files 10,100,1000,10000]
                           [--tables 10,1000,10000,100000] [--commits 500] [--writers 8] [--sections ...]

Sections (--sections big,versions,files,list,commits; all by default), each on a fresh quiver
server (node bin/quiver.js serve, the default settings unless said) and data directory under
--work (default: the system's temporary directory), removed afterwards:
  big       a table of --gb GB of Arrow body ({id int64, value float64, name utf8}, batches of
            65,536 rows, generated here) put with one DoPut and read back with one DoGet; the
            server's RSS (VmRSS, /proc) sampled every 0.25 s during each. GB = 10^9 bytes.
  versions  GetFlightInfo on one table after it reaches each count of versions (each version an
            overwrite of one row, so every version has one file): median latency of 200 calls
            and calls/s over 1 s, one call in flight.
  files     GetFlightInfo on a table whose current version has each count of files (one DoPut
            of that many one-row batches to a server started with --row-group-rows 1: files are
            cut at batch boundaries, so one file per batch).
  list      ListFlights (all tables) after the server holds each count of tables: the first
            listing, then the median of --list-runs more (default 3). --list-put N makes only
            the first N tables by DoPut and clones the rest on disk (as the local coordinator
            and table store lay a table out), then restarts the server on that data: 100,000
            DoPuts take about an hour here. The server runs with --convert-paused true.
  commits   bench/cluster-commits.ts (commits per second on one table: local mode and a
            3-replica cluster on a 3-node ZooKeeper ensemble), its output as it prints it.
Versions, files and tables are made through DoPut from this process (four writers for tables),
so making 100,000 of them takes a while: the counts are arguments. The client shares the
machine's CPUs with the server; the load average is printed with every section.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as flight

ROOT = Path(__file__).resolve().parents[1]
LISTENING = re.compile(r"^Server listening on localhost:(\d+)\s*$")
BATCH_ROWS = 65_536
T0 = time.monotonic()
# The checkout whose bin/quiver.js serves (--quiver-root: a build to compare side by side).
QUIVER_ROOT = ROOT
# Arguments of node itself (--node-arg, e.g. --cpu-prof).
NODE_ARGS: list[str] = []


def progress(msg: str) -> None:
    sys.stderr.write(f"[scale {time.monotonic() - T0:7.1f}s] {msg}\n")
    sys.stderr.flush()


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def table_out(headers: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = lambda cells: "  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths)))
    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])


class Server:
    """One quiver server on 127.0.0.1 with its own data directory."""

    def __init__(self, work: Path, name: str, args: list[str], keep: bool = False):
        """keep: the data directory is one a stopped server left (stop(keep_data=True))."""
        self.data = work / name
        self.log = open(work / f"{name}.log", "a" if keep else "w")
        self.proc = subprocess.Popen(["node", *NODE_ARGS, str(QUIVER_ROOT / "bin" / "quiver.js"), "serve", "--port", "0", "--host", "127.0.0.1",
                                      "--data", str(self.data), *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=self.log, text=True)
        line = self.proc.stdout.readline()
        m = LISTENING.match(line)
        if not m:
            self.stop()
            raise RuntimeError(f"quiver did not start: {line!r} (log {work / f'{name}.log'})")
        self.port = int(m.group(1))
        self.client = flight.FlightClient(f"grpc+tcp://127.0.0.1:{self.port}")

    def rss(self) -> int:
        with open(f"/proc/{self.proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
        return 0

    def cpu_seconds(self) -> float:
        with open(f"/proc/{self.proc.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self, keep_data: bool = False) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        if not keep_data:
            shutil.rmtree(self.data, ignore_errors=True)


class RssSampler:
    """VmRSS of a server every `every` seconds while in a `with` block."""

    def __init__(self, server: Server, every: float = 0.25):
        self.server, self.every, self.samples = server, every, []
        self._stop = threading.Event()

    def __enter__(self):
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.is_set():
            try:
                self.samples.append(self.server.rss())
            except OSError:
                return
            self._stop.wait(self.every)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def summary(self) -> list[str]:
        s = sorted(self.samples) or [0]
        mb = lambda b: f"{b / 1e6:,.0f}"
        return [mb(self.samples[0] if self.samples else 0), mb(s[len(s) // 2]), mb(s[-1]), mb(self.samples[-1] if self.samples else 0)]


def descriptor(table: str, mode: str | None = None) -> flight.FlightDescriptor:
    if mode is None:
        return flight.FlightDescriptor.for_path(table)
    return flight.FlightDescriptor.for_command(json.dumps({"table": table, "mode": mode}))


def put(client: flight.FlightClient, table: str, batches, schema: pa.Schema, mode: str | None = None) -> None:
    writer, reader = client.do_put(descriptor(table, mode), schema)
    for b in batches:
        writer.write_batch(b)
    writer.done_writing()
    reader.read()
    writer.close()


# --- big table --------------------------------------------------------------------------------

def big_batches(total_bytes: int):
    """Batches of 65,536 rows until their Arrow body reaches total_bytes: ids run on, values and names vary."""
    import pyarrow.compute as pc
    names = pa.array([f"key-{i * 7919 % 10**12}" for i in range(BATCH_ROWS)])
    base_ids = pa.array(range(BATCH_ROWS), pa.int64())
    values = pa.array([i * 0.5 for i in range(BATCH_ROWS)], pa.float64())
    first = pa.record_batch([base_ids, values, names], names=["id", "value", "name"])
    per_batch = sum(b.size for b in first.columns[0].buffers() if b) + sum(b.size for b in first.columns[1].buffers() if b) \
        + sum(b.size for b in first.columns[2].buffers() if b)
    n = max(1, total_bytes // per_batch)
    def gen():
        for k in range(n):
            ids = pc.add(base_ids, pa.scalar(k * BATCH_ROWS, pa.int64()))
            yield pa.record_batch([ids, pc.add(values, pa.scalar(float(k))), names], names=["id", "value", "name"])
    return first.schema, n, per_batch, gen()


def section_big(args, work: Path) -> str:
    total = int(args.gb * 1e9)
    server = Server(work, "big", args.quiver_arg)
    try:
        schema, n, per_batch, batches = big_batches(total)
        body = n * per_batch
        progress(f"big: putting {n:,} batches, {body / 1e9:.2f} GB of Arrow body (load {load()})")
        cpu0 = server.cpu_seconds()
        with RssSampler(server) as put_rss:
            t = time.monotonic()
            put(server.client, "big", batches, schema)
            put_s = time.monotonic() - t
        cpu1 = server.cpu_seconds()
        progress(f"big: put in {put_s:.1f} s; reading back (load {load()})")
        info = server.client.get_flight_info(descriptor("big"))
        rows = 0
        with RssSampler(server) as get_rss:
            t = time.monotonic()
            for ep in info.endpoints:
                for chunk in server.client.do_get(ep.ticket):
                    rows += chunk.data.num_rows
            get_s = time.monotonic() - t
        cpu2 = server.cpu_seconds()
        if rows != n * BATCH_ROWS:
            raise RuntimeError(f"big: read back {rows:,} rows of {n * BATCH_ROWS:,}")
        files = len(list(Path(server.data).rglob("*.parquet"))) + len(list(Path(server.data).rglob("*.arrows")))
        head = ["step", "GB", "seconds", "MB/s", "server CPU s", "RSS MB first", "median", "peak", "last"]
        out = [["DoPut", f"{body / 1e9:.2f}", f"{put_s:.1f}", f"{body / 1e6 / put_s:,.0f}", f"{cpu1 - cpu0:.1f}", *put_rss.summary()],
               ["DoGet (cold)", f"{body / 1e9:.2f}", f"{get_s:.1f}", f"{body / 1e6 / get_s:,.0f}", f"{cpu2 - cpu1:.1f}", *get_rss.summary()]]
        return (f"A {body / 1e9:.2f} GB table (10^9 bytes of Arrow body, {n * BATCH_ROWS:,} rows, {n:,} batches, {files} data files), "
                f"server RSS sampled every 0.25 s (target: flat, under 1 GB); load {load()}\n" + table_out(head, out))
    finally:
        server.stop()


# --- GetFlightInfo against versions and files --------------------------------------------------

def gfi_figures(client: flight.FlightClient, table: str) -> tuple[float, float, float]:
    d = descriptor(table)
    t = time.monotonic()
    client.get_flight_info(d)
    first = (time.monotonic() - t) * 1000
    lat = []
    for _ in range(200):
        t = time.monotonic()
        client.get_flight_info(d)
        lat.append((time.monotonic() - t) * 1000)
    calls, t = 0, time.monotonic()
    while time.monotonic() - t < 1.0:
        client.get_flight_info(d)
        calls += 1
    return first, statistics.median(lat), calls / (time.monotonic() - t)


def section_versions(args, work: Path) -> str:
    server = Server(work, "versions", args.quiver_arg)
    one = pa.table({"n": pa.array([1], pa.int32())})
    rows, made = [], 0
    try:
        for target in args.versions:
            t = time.monotonic()
            while made < target:
                put(server.client, "versions", one.to_batches(), one.schema, "overwrite" if made else "create")
                made += 1
            progress(f"versions: {made:,} made ({time.monotonic() - t:.1f} s); load {load()}")
            cpu = server.cpu_seconds()
            first, p50, rate = gfi_figures(server.client, "versions")
            rows.append([f"{target:,}", f"{first:.2f}", f"{p50:.3f}", f"{rate:,.0f}", f"{(server.cpu_seconds() - cpu) * 1000 / (201 + rate):.3f}", f"{server.rss() / 1e6:,.0f}"])
        return (f"GetFlightInfo on a table of N versions (one file each), one call in flight; load {load()}\n"
                + table_out(["versions", "first ms", "p50 ms", "calls/s", "server CPU ms/call", "RSS MB"], rows))
    finally:
        server.stop()


def section_files(args, work: Path) -> str:
    server = Server(work, "files", [*args.quiver_arg, "--row-group-rows", "1"])
    rows = []
    try:
        for target in args.files:
            t = time.monotonic()
            tbl = pa.table({"n": pa.array(range(target), pa.int32())})
            put(server.client, f"files-{target}", tbl.to_batches(max_chunksize=1), tbl.schema)
            info = server.client.get_flight_info(descriptor(f"files-{target}"))
            if info.total_records != target:
                raise RuntimeError(f"files: the table holds {info.total_records} rows, not {target}")
            progress(f"files: a version of {target:,} files made ({time.monotonic() - t:.1f} s); load {load()}")
            cpu = server.cpu_seconds()
            first, p50, rate = gfi_figures(server.client, f"files-{target}")
            rows.append([f"{target:,}", f"{first:.2f}", f"{p50:.3f}", f"{rate:,.0f}", f"{(server.cpu_seconds() - cpu) * 1000 / (201 + rate):.3f}", f"{server.rss() / 1e6:,.0f}"])
        return (f"GetFlightInfo on a version of N files (one DoPut of N one-row batches, --row-group-rows 1: one file each), one call in flight; load {load()}\n"
                + table_out(["files", "first ms", "p50 ms", "calls/s", "server CPU ms/call", "RSS MB"], rows))
    finally:
        server.stop()


# --- ListFlights over many tables --------------------------------------------------------------

def dir_name(table: str) -> str:
    """src/table-names.ts tableDirName, for the short names this section makes."""
    keep = set(b"abcdefghijklmnopqrstuvwxyz0123456789_-")
    return "t_" + "".join(chr(b) if b in keep else f".{b:02x}" for b in table.encode())


def clone_tables(data: Path, source: str, names: list[str]) -> None:
    """Copies of table `source` under each name, written as the local coordinator and the table
    store lay a table out (log/<dir>/table.json and its one log entry; tables/<dir>/ with the
    manifest and data file), each with a table id of its own. For counts DoPut cannot make in
    the time: 100,000 DoPuts take about an hour on a loaded 2-core machine."""
    import uuid
    src_log, src_tab = data / "log" / dir_name(source), data / "tables" / dir_name(source)
    entry = json.loads((src_log / "00000000000000000001.json").read_text())
    manifest_rel = entry["manifest"]
    manifest = json.loads((src_tab / manifest_rel).read_text())
    data_files = [(f["path"], (src_tab / f["path"]).read_bytes()) for f in manifest["files"]]
    for name in names:
        d = dir_name(name)
        table_id = str(uuid.uuid4())
        (data / "tables" / d / "data").mkdir(parents=True)
        (data / "tables" / d / "manifests").mkdir()
        for rel, body in data_files:
            (data / "tables" / d / rel).write_bytes(body)
        (data / "tables" / d / manifest_rel).write_text(json.dumps({**manifest, "table": name, "tableId": table_id}))
        (data / "log" / d).mkdir()
        (data / "log" / d / "table.json").write_text(json.dumps({"name": name}))
        (data / "log" / d / "00000000000000000001.json").write_text(json.dumps({**entry, "catalog": {**entry["catalog"], "tableId": table_id}}))


def section_list(args, work: Path) -> str:
    # No background conversion of the tables' landed files while they are listed.
    server_args = [*args.quiver_arg, "--convert-paused", "true"]
    server = Server(work, "list", server_args)
    one = pa.table({"n": pa.array([1], pa.int32())})
    rows, made = [], 0
    clients = lambda: [flight.FlightClient(f"grpc+tcp://127.0.0.1:{server.port}") for _ in range(4)]
    writers = clients()
    try:
        for target in args.tables:
            t = time.monotonic()
            put_to = max(made, min(target, args.list_put))
            with ThreadPoolExecutor(4) as pool:
                list(pool.map(lambda i: put(writers[i % 4], f"t/{i:07d}", one.to_batches(), one.schema), range(made, put_to)))
            how = "DoPut"
            if put_to < target:
                # The rest cloned on disk with the server stopped, then a new server on the same data.
                server.stop(keep_data=True)
                clone_tables(server.data, "t/0000000", [f"t/{i:07d}" for i in range(put_to, target)])
                server = Server(work, "list", server_args, keep=True)
                writers = clients()
                how = f"{min(put_to, args.list_put):,} by DoPut, the rest cloned on disk, server restarted"
            made = target
            progress(f"list: {made:,} tables made ({how}; {time.monotonic() - t:.1f} s); load {load()}")
            times, warm_cpu, client_cpu, count = [], [], [], 0
            for _ in range(1 + args.list_runs):
                cpu, own = server.cpu_seconds(), time.process_time()
                t = time.monotonic()
                count = sum(1 for _ in server.client.list_flights())
                times.append(time.monotonic() - t)
                warm_cpu.append(server.cpu_seconds() - cpu)
                client_cpu.append(time.process_time() - own)
                if count != target:
                    raise RuntimeError(f"list: ListFlights returned {count:,} of {target:,} tables")
            rows.append([f"{target:,}", f"{times[0]:.3f}", f"{statistics.median(times[1:]):.3f}", f"{min(times[1:]):.3f}",
                         f"{warm_cpu[0]:.3f}", f"{statistics.median(warm_cpu[1:]):.3f}", f"{statistics.median(client_cpu[1:]):.3f}",
                         f"{server.rss() / 1e6:,.0f}"])
            progress(f"list: {target:,} tables: first, median, best s, server CPU first, next, client CPU s, RSS MB: {' '.join(rows[-1][1:])}; load {load()}")
        return (f"ListFlights of every table (target: 100,000 in under 1 s): the first listing, then the median and best of "
                f"{args.list_runs} more; CPU s of the server (first listing, median of the rest) and of this client (pyarrow, "
                f"median of the rest); load {load()}\n"
                + table_out(["tables", "first s", "median s", "best s", "server CPU s first", "server CPU s next", "client CPU s",
                             "RSS MB"], rows))
    finally:
        server.stop()


def section_commits(args, work: Path) -> str:
    cmd = ["npx", "tsx", str(ROOT / "bench" / "cluster-commits.ts"), "--commits", str(args.commits), "--runs", "3",
           "--writers", str(args.writers), "--failovers", "1"]
    progress("commits: " + " ".join(cmd))
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    text = done.stdout.strip()
    if done.returncode != 0:
        text += f"\n(bench/cluster-commits.ts exited with {done.returncode}: {done.stderr.strip()[-600:]})"
    return f"Commits per second on one table (bench/cluster-commits.ts, target 500/s with concurrent writers); load {load()}\n{text}"


SECTIONS = {"big": section_big, "versions": section_versions, "files": section_files, "list": section_list, "commits": section_commits}


def counts(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gb", type=float, default=20.0, help="size of the big table, GB of Arrow body (default 20)")
    ap.add_argument("--versions", type=counts, default=counts("10,100,1000,10000,100000"))
    ap.add_argument("--files", type=counts, default=counts("10,100,1000,10000"))
    ap.add_argument("--tables", type=counts, default=counts("10,1000,10000,100000"))
    ap.add_argument("--list-put", type=int, default=10**9, metavar="N",
                    help="list: make at most N tables by DoPut, clone the rest on disk (default: all by DoPut)")
    ap.add_argument("--list-runs", type=int, default=3, help="list: listings timed after the first (default 3)")
    ap.add_argument("--commits", type=int, default=500, help="commits per cluster-commits run")
    ap.add_argument("--writers", type=int, default=8)
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--quiver-arg", action="append", default=[], metavar="ARG", help="passed to every quiver serve")
    ap.add_argument("--quiver-root", type=Path, default=ROOT, help="the checkout (bin/ and build/) whose server is measured; default this one")
    ap.add_argument("--node-arg", action="append", default=[], metavar="ARG", help="passed to node for every server, e.g. --cpu-prof")
    args = ap.parse_args(argv)
    global QUIVER_ROOT, NODE_ARGS
    QUIVER_ROOT = args.quiver_root.resolve()
    NODE_ARGS = args.node_arg
    wanted = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = [s for s in wanted if s not in SECTIONS]
    if unknown:
        ap.error(f"--sections: unknown {unknown}; choose from {','.join(SECTIONS)}")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    print(f"quiver scale benchmark, commit {commit or '?'}, {os.cpu_count()} CPUs, load average at start {load()}\n", flush=True)
    work = Path(tempfile.mkdtemp(prefix="quiver-scale-", dir=args.work))
    try:
        for name in wanted:
            progress(f"section {name}")
            print(SECTIONS[name](args, work) + "\n", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
