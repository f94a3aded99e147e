"""quiver against pyarrow's own Flight server: `npm run bench`.

    python3 bench/run.py [--rows N] [--runs N] [--quick] [--out FILE] [--gfi-seconds S]
                                 [--workloads gfi-1,...] [--quiver DIR] [--node-arg=--cpu-prof ...]

Starts two servers on 127.0.0.1 with fresh temporary data directories:
  quiver   node bin/quiver.js serve (default settings: zstd, 1Mi-row row groups, log level info)
  pyarrow  bench/ref_server.py, a pyarrow.flight (C++) server (see its docstring)
and drives both from this process, one pyarrow FlightClient per server, with the same code.

The table: ROWS rows of {id int64, value float64, name utf8 ("key-" + 1..12 digits)}, no nulls,
generated deterministically and written as record batches of --chunk-rows rows (64Ki). Its
Arrow body size (IPC message bodies, buffers padded to 8 bytes, headers excluded) is computed
once here and used for every MB/s figure of both servers; MB = 10^6 bytes.

Setup (untimed for the figures): the table is put to both servers as `bench` and read back
once; the script stops if either returns a different table or row count.

Workloads, in this order, each: one untimed warm-up per server, then --runs runs interleaved
quiver, pyarrow, quiver, pyarrow, ...; the figure is the median of the runs.
  GetFlightInfo on `bench`, concurrency 1 and 16 (threads sharing one FlightClient):
              p50 and p99 latency and calls/s over --gfi-seconds per run.
  DoGet hot   quiver: decoded files from its cache (--cache-bytes, warmed by the warm-up run);
              pyarrow: the Table kept in memory at DoPut.
  DoGet cold  decoded from the Parquet file on every call on both sides (quiver's cache is
              emptied with its cache-clear action before each run): quiver's `bench` has been
              converted to Parquet in setup.
  DoGet cold, just written   the same on `bench-ipc`, which quiver keeps as the Arrow IPC files
              its DoPut landed (pyarrow reads its `bench` Parquet file: it stores every table alike).
  Conversion  quiver is started with --convert-paused true, so that no background conversion
              ever runs during a timed run of either server; the script converts each table
              itself with the `maintenance` action (task convert) at the points named here, and
              times it: after each quiver DoPut run, "DoPut acknowledged -> entirely Parquet" is
              the time until the converted version is committed.
  DoPut       the whole table to a fresh table name, timed until the server ends the call, that
              is after its commit (quiver: its landed Arrow IPC files fsynced and the version
              committed; pyarrow: Parquet file written and fsync'd). Each run's table is then
              converted (quiver, timed separately) and dropped.
  Peak RSS    VmHWM of each server process: for the whole run, and per workload (reset through
              /proc/PID/clear_refs before each workload when the kernel allows it).
The GetFlightInfo call that yields the DoGet ticket(s) is outside the DoGet timing.

The client runs on the same machine as both servers and competes with them for CPU; both
servers stay up for the whole run, but only one is under load at any moment. Progress goes to stderr, the table to stdout, the figures
to --out (default bench-results.json at the project root). No figure is checked against a
threshold: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import ctypes
import datetime as dt
import json
import os
import platform
import queue
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.flight as flight

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
REF_SERVER = HERE / "ref_server.py"

START_TIMEOUT = 90.0  # seconds for a server to print its listening line (tsx compiles on first start)
STOP_TIMEOUT = 20.0  # SIGTERM, then SIGKILL
LISTENING = re.compile(r"^Server listening on localhost:(\d+)\s*$")
SERVERS = ("quiver", "pyarrow")
# What each slot is called in the table; --store s3 puts quiver on the Ceph gateway in the first
# slot and quiver on local disk in the second (the ratio is then bucket / local disk).
LABELS = {"quiver": "quiver", "pyarrow": "pyarrow"}
CEPH_GATEWAY = HERE / "ceph-gateway.ts"
MB = 1e6
# In this order: the lightest first, so that memory a server retains after a workload inflates
# the peak RSS of as few later workloads as possible.
WORKLOADS = ("gfi-1", "gfi-16", "doget-hot", "doget-cold", "doget-cold-ipc", "doput")
T0 = time.monotonic()


def progress(msg: str) -> None:
    sys.stderr.write(f"[bench {time.monotonic() - T0:7.1f}s] {msg}\n")
    sys.stderr.flush()


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------
# Server processes


def _die_with_parent() -> None:
    """In the child before exec: get SIGTERM if this script dies (even by SIGKILL)."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def convert_to_parquet(client: flight.FlightClient, table_name: str, opts: flight.FlightCallOptions | None = None) -> float:
    """Converts a quiver table's landed Arrow IPC files to Parquet now (the `maintenance` action,
    task convert, repeated until no file remains); returns seconds. Servers started by these
    benchmarks run with conversion paused, so that it never overlaps a timed run."""
    body = json.dumps({"table": table_name, "tasks": ["convert"]}).encode()
    t0 = time.perf_counter()
    for _ in range(100):
        remaining = None
        for r in client.do_action(flight.Action("maintenance", body), opts):
            doc = json.loads(r.body.to_pybytes())
            step = doc.get("step")
            if step and step.get("task") == "convert":
                if "error" in step:
                    raise BenchError(f"conversion of {table_name}: {step['error']}")
                remaining = step["result"]["remaining_files"]
        if remaining == 0:
            return time.perf_counter() - t0
    raise BenchError(f"conversion of {table_name} did not finish")


class ServerProcess:
    def __init__(self, name: str, argv: list[str], log_path: Path, cwd: Path = ROOT, env: dict[str, str] | None = None):
        self.cwd = cwd
        self.env = None if env is None else {**os.environ, **env}
        self.name = name
        self.argv = argv
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.port: int | None = None

    @property
    def uri(self) -> str:
        return f"grpc+tcp://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def start(self) -> None:
        with open(self.log_path, "ab") as log:
            # Own session: a Ctrl-C in the terminal reaches only this script, whose finally
            # stops the servers in order.
            self.proc = subprocess.Popen(self.argv, cwd=self.cwd, env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=log, start_new_session=True, preexec_fn=_die_with_parent)
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=START_TIMEOUT).decode("utf-8", "replace")
        except queue.Empty:
            raise BenchError(f"{self.name} printed nothing on stdout within {START_TIMEOUT:.0f}s\n{self.log_tail()}")
        m = LISTENING.match(first)
        if not m:
            raise BenchError(f"{self.name}: unexpected first stdout line {first!r}\n{self.log_tail()}")
        self.port = int(m.group(1))
        progress(f"{self.name} listening on 127.0.0.1:{self.port} (pid {self.proc.pid})")

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            progress(f"{self.name} did not exit within {STOP_TIMEOUT:.0f}s of SIGTERM: killing it")
            self.proc.kill()
            self.proc.wait(STOP_TIMEOUT)
        progress(f"{self.name} stopped (exit code {self.proc.returncode})")

    def log_tail(self, lines: int = 40) -> str:
        try:
            text = self.log_path.read_text("utf-8", "replace").splitlines()
        except OSError:
            return ""
        return f"--- last lines of {self.name}'s log ({self.log_path}) ---\n" + "\n".join(text[-lines:])

    # peak RSS ------------------------------------------------------------------------------

    def _status(self, key: str) -> int | None:
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(key + ":"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return None
        return None

    def peak_rss(self) -> int | None:
        return self._status("VmHWM")

    def rss(self) -> int | None:
        return self._status("VmRSS")

    def reset_peak(self) -> bool:
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")
            return True
        except OSError:
            return False


class CephGatewayProcess:
    """bench/ceph-gateway.ts: a Ceph RADOS Gateway with one bucket for --store s3. It stops the
    gateway when its stdin closes, so it goes with this script even if this script is killed."""

    def __init__(self, work: Path):
        self.work = work
        self.proc: subprocess.Popen | None = None

    def start(self) -> dict:
        progress("starting a Ceph RADOS Gateway (bench/ceph-gateway.ts, about 15-30 s)")
        log = open(self.work / "ceph-gateway.log", "ab")
        self.proc = subprocess.Popen(["node", "--import", "tsx", str(CEPH_GATEWAY), str(self.work / "s3-secret")], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, start_new_session=True,
                                     preexec_fn=_die_with_parent)
        lines: queue.Queue[bytes] = queue.Queue()
        threading.Thread(target=_pump, args=(self.proc.stdout, lines), daemon=True).start()
        try:
            first = lines.get(timeout=180).decode("utf-8", "replace")
        except queue.Empty:
            raise BenchError("the Ceph gateway did not start within 180 s; see ceph-gateway.log")
        try:
            g = json.loads(first)
        except json.JSONDecodeError:
            raise BenchError(f"ceph-gateway.ts printed {first!r}")
        progress(f"Ceph RGW on {g['endpoint']}, bucket {g['bucket']}")
        return g

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout=30)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def _pump(stream, lines: queue.Queue) -> None:
    for line in iter(stream.readline, b""):
        lines.put(line)
    stream.close()


# ------------------------------------------------------------------------------------------
# The table


SCHEMA = pa.schema([("id", pa.int64()), ("value", pa.float64()), ("name", pa.utf8())])


def make_table(rows: int, chunk_rows: int) -> pa.Table:
    batches = []
    for i, start in enumerate(range(0, rows, chunk_rows)):
        n = min(chunk_rows, rows - start)
        ids = pa.array(range(start, start + n), type=pa.int64())
        values = pc.random(n, initializer=2 * i + 1)
        keys = pc.cast(pc.floor(pc.multiply(pc.random(n, initializer=2 * i + 2), 1e12)), pa.int64())
        names = pc.binary_join_element_wise("key-", pc.cast(keys, pa.utf8()), "")
        batches.append(pa.record_batch([ids, values, names], schema=SCHEMA))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def arrow_body_bytes(table: pa.Table) -> int:
    """Sum of the IPC message body sizes of the batches as the client writes them."""
    return sum(pa.ipc.read_message(b.serialize()).body.size for b in table.to_batches())


# ------------------------------------------------------------------------------------------
# Client side: the same code for both servers, apart from how each names a cold read


class Target:
    def __init__(self, name: str, server: ServerProcess, call_timeout: float, quiver: bool | None = None):
        self.name = name
        # A quiver server (either slot with --store s3): actions, cache-clear, its own table names.
        self.quiver = (name == "quiver") if quiver is None else quiver
        self.server = server
        self.client = flight.FlightClient(server.uri)
        self.opts = flight.FlightCallOptions(timeout=call_timeout)

    def descriptor(self, table: str, cold: bool) -> flight.FlightDescriptor:
        if cold and not self.quiver:
            return flight.FlightDescriptor.for_command(json.dumps({"table": table, "source": "parquet"}))
        # quiver's cold reads clear its decoded-file cache first (see Bench.doget).
        return flight.FlightDescriptor.for_path(table)

    def info(self, table: str, cold: bool = False) -> flight.FlightInfo:
        return self.client.get_flight_info(self.descriptor(table, cold), self.opts)

    def do_get(self, info: flight.FlightInfo) -> tuple[int, float]:
        """Reads every endpoint of info; returns (rows, seconds)."""
        rows = 0
        t0 = time.perf_counter()
        for ep in info.endpoints:
            reader = self.client.do_get(ep.ticket, self.opts)
            while True:
                try:
                    chunk = reader.read_chunk()
                except StopIteration:
                    break
                if chunk.data is not None:
                    rows += chunk.data.num_rows
        return rows, time.perf_counter() - t0

    def read_all(self, table: str) -> pa.Table:
        info = self.info(table)
        return pa.concat_tables(self.client.do_get(ep.ticket, self.opts).read_all() for ep in info.endpoints)

    def do_put(self, table_name: str, table: pa.Table) -> tuple[float, list[bytes]]:
        """Writes table to table_name and waits until the server ends the call; returns (seconds, acks)."""
        acks: list[bytes] = []
        t0 = time.perf_counter()
        writer, reader = self.client.do_put(flight.FlightDescriptor.for_path(table_name), table.schema, self.opts)
        # The server acknowledges each batch; drain those acks while writing so that neither side
        # ever waits on a full flow-control window.
        errors: list[BaseException] = []

        def drain():
            try:
                while True:
                    buf = reader.read()
                    if buf is None:
                        return
                    acks.append(buf.to_pybytes())
            except BaseException as e:  # surfaced below, after close()
                errors.append(e)

        t = threading.Thread(target=drain, daemon=True)
        t.start()
        try:
            writer.write_table(table)
            writer.done_writing()
            t.join()
            writer.close()
        except BaseException:
            try:
                writer.close()
            except Exception:
                pass
            raise
        elapsed = time.perf_counter() - t0
        if errors:
            raise errors[0]
        return elapsed, acks

    def convert(self, table_name: str) -> float:
        """quiver: converts the table's landed Arrow IPC files to Parquet now; returns seconds."""
        return convert_to_parquet(self.client, table_name, self.opts)

    def drop(self, table_name: str) -> None:
        body = json.dumps({"table": table_name}).encode()
        list(self.client.do_action(flight.Action("drop", body), self.opts))

    def gfi_run(self, table: str, concurrency: int, seconds: float) -> dict:
        """GetFlightInfo from `concurrency` threads for `seconds`; latencies in seconds."""
        desc = self.descriptor(table, cold=False)
        barrier = threading.Barrier(concurrency + 1)
        lat: list[list[int]] = [[] for _ in range(concurrency)]
        errors: list[BaseException] = []
        stop_at = [0]

        def worker(out: list[int]) -> None:
            try:
                barrier.wait()
                end = stop_at[0]
                while True:
                    a = time.perf_counter_ns()
                    self.client.get_flight_info(desc, self.opts)
                    b = time.perf_counter_ns()
                    out.append(b - a)
                    if b >= end:
                        return
            except BaseException as e:
                errors.append(e)

        threads = [threading.Thread(target=worker, args=(lat[i],), daemon=True) for i in range(concurrency)]
        for th in threads:
            th.start()
        start = time.perf_counter_ns()
        stop_at[0] = start + int(seconds * 1e9)
        barrier.wait()
        for th in threads:
            # bounded: each call has the call timeout
            while th.is_alive():
                th.join(1.0)
        wall = (time.perf_counter_ns() - start) / 1e9
        if errors:
            raise errors[0]
        all_lat = sorted(x for xs in lat for x in xs)
        return {
            "calls": len(all_lat),
            "seconds": wall,
            "calls_per_s": len(all_lat) / wall,
            "p50_ms": _percentile(all_lat, 50) / 1e6,
            "p99_ms": _percentile(all_lat, 99) / 1e6,
        }


def _percentile(sorted_values: list[int], p: float) -> float:
    if not sorted_values:
        return float("nan")
    k = (len(sorted_values) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


# ------------------------------------------------------------------------------------------
# The benchmark


class Bench:
    def __init__(self, args, targets: dict[str, Target], table: pa.Table, body_bytes: int):
        self.args = args
        self.targets = targets
        self.table = table
        self.body_bytes = body_bytes
        self.results: list[dict] = []
        self.rss: dict[str, dict] = {name: {} for name in SERVERS}
        self.peak_reset_ok = True
        self.put_seq = 0
        self.conversions: list[float] = []
        self.doput_peaks: list[int] = []
        self.rss_setup: dict[str, int | None] = {}
        self.rss_start: dict[str, dict[str, int | None]] = {}

    # helpers --------------------------------------------------------------------------------

    def check_alive(self) -> None:
        for t in self.targets.values():
            if not t.server.alive():
                raise BenchError(f"{t.name} exited (code {t.server.proc.returncode})\n{t.server.log_tail()}")

    def begin_workload(self, key: str) -> None:
        for t in self.targets.values():
            self.rss_start.setdefault(t.name, {})[key] = t.server.rss()
            self.peak_reset_ok = t.server.reset_peak() and self.peak_reset_ok

    def end_workload(self, key: str) -> None:
        for t in self.targets.values():
            self.rss[t.name][key] = t.server.peak_rss()

    def interleaved(self, label: str, run_one) -> dict[str, list]:
        """Warm-up per server, then runs interleaved; returns {server: [figure, ...]}."""
        out: dict[str, list] = {name: [] for name in SERVERS}
        for name in SERVERS:
            progress(f"{label}: {LABELS[name]} warm-up")
            run_one(self.targets[name], warmup=True)
            self.check_alive()
        for i in range(self.args.runs):
            for name in SERVERS:
                fig = run_one(self.targets[name], warmup=False)
                self.check_alive()
                out[name].append(fig)
                progress(f"{label}: run {i + 1}/{self.args.runs} {LABELS[name]}: {_fmt_fig(fig)}")
        return out

    def add(self, workload: str, metric: str, unit: str, higher_is_better: bool, runs: dict[str, list[float]], note: str = ""):
        q = statistics.median(runs["quiver"])
        p = statistics.median(runs["pyarrow"])
        self.results.append({
            "workload": workload, "metric": metric, "unit": unit, "higher_is_better": higher_is_better,
            "quiver": q, "pyarrow": p, "ratio": (q / p) if p else None,
            "runs": {"quiver": runs["quiver"], "pyarrow": runs["pyarrow"]},
            **({"note": note} if note else {}),
        })

    # setup ----------------------------------------------------------------------------------

    def setup(self) -> None:
        for t in self.targets.values():
            progress(f"setup: DoPut of the {self.table.num_rows:,}-row table 'bench' to {t.name}")
            secs, acks = t.do_put("bench", self.table)
            if t.quiver:
                progress(f"setup: {t.name} converted 'bench' to Parquet in {t.convert('bench'):.2f}s")
            if "doget-cold-ipc" in self.args.workloads and t.quiver:
                # pyarrow reads its own `bench` for this workload: it stores every table the same way.
                t.do_put("bench-ipc", self.table)
            progress(f"setup: {t.name} committed in {secs:.2f}s ({self.body_bytes / MB / secs:.0f} MB/s), {len(acks)} acks")
            info = t.info("bench")
            progress(f"setup: {t.name} FlightInfo: {info.total_records:,} records, total_bytes {info.total_bytes:,}, "
                     f"{len(info.endpoints)} endpoint(s)")
            if info.total_records != self.table.num_rows:
                raise BenchError(f"{t.name} reports {info.total_records} records, expected {self.table.num_rows}")
            back = t.read_all("bench")
            if not back.equals(self.table):
                raise BenchError(f"{t.name} returned a table different from the one put")
            progress(f"setup: {t.name} read back equal ({back.num_rows:,} rows, {back.num_columns} columns, "
                     f"{len(back.to_batches())} batches)")
            del back
            self.check_alive()

    # workloads ------------------------------------------------------------------------------

    def doget(self, cold: bool, table: str = "bench") -> None:
        label = ("DoGet cold" if cold else "DoGet hot") + (", just written" if table != "bench" else "")
        key = ("doget_cold" if cold else "doget_hot") + ("_ipc" if table != "bench" else "")

        def run_one(t: Target, warmup: bool) -> float:
            if cold and t.quiver:
                # quiver caches decoded files for DoGet; a cold read starts from an empty cache.
                list(t.client.do_action(flight.Action("cache-clear", b""), t.opts))
            info = t.info(table if t.quiver else "bench", cold=cold)
            rows, secs = t.do_get(info)
            if rows != self.table.num_rows:
                raise BenchError(f"{label} on {t.name}: {rows} rows, expected {self.table.num_rows}")
            return self.body_bytes / MB / secs

        self.begin_workload(key)
        runs = self.interleaved(label, run_one)
        self.end_workload(key)
        note = ("quiver serves decoded files from its cache (--cache-bytes, 512 MiB by default); "
                "pyarrow serves the Table kept in memory") if not cold else \
               ("Parquet decoded on every call on both sides (files in the OS page cache)" if table == "bench" else
                "quiver: the Arrow IPC files its DoPut landed (not converted); pyarrow: its Parquet file")
        self.add(label, "throughput", "MB/s", True, runs, note)

    def doput(self) -> None:
        label = "DoPut"

        def run_one(t: Target, warmup: bool) -> float:
            self.put_seq += 1
            name = f"put-{self.put_seq}"
            if t.name == "quiver":
                t.server.reset_peak()
            secs, _ = t.do_put(name, self.table)
            info = t.info(name)
            if info.total_records != self.table.num_rows:
                raise BenchError(f"DoPut on {t.name}: {info.total_records} records committed, expected {self.table.num_rows}")
            if t.name == "quiver":
                # Outside the timed DoPut and before pyarrow's next run: conversion never overlaps it.
                peak = t.server.peak_rss()
                conv = t.convert(name)
                if not warmup:
                    self.conversions.append(conv)
                    self.doput_peaks.append(peak)
                progress(f"DoPut: quiver converted {name} to Parquet in {conv:.2f}s")
            t.drop(name)
            return self.body_bytes / MB / secs

        self.begin_workload("doput")
        runs = self.interleaved(label, run_one)
        self.end_workload("doput")
        if self.doput_peaks:
            # The DoPut peak is read before each conversion, which is measured on its own below.
            self.rss["quiver"]["doput"] = max(self.doput_peaks)
        self.add(label, "throughput", "MB/s", True, runs,
                 "whole table to a fresh table name, until the server ends the call after committing it "
                 "(quiver: Arrow IPC files fsynced + commit; pyarrow: zstd Parquet write_table + fsync); dropped after each run")
        if self.conversions:
            c = statistics.median(self.conversions)
            self.results.append({
                "workload": "DoPut acknowledged -> entirely Parquet", "metric": "seconds", "unit": "s",
                "higher_is_better": False, "quiver": c, "pyarrow": 0.0, "ratio": None,
                "runs": {"quiver": self.conversions, "pyarrow": []},
                "note": "quiver: the maintenance action's conversion of the just-put table, timed after each DoPut run "
                        f"({self.body_bytes / MB / c:.0f} MB/s of Arrow); pyarrow writes Parquet within its DoPut",
            })

    def gfi(self, concurrency: int) -> None:
        label = f"GetFlightInfo c={concurrency}"
        seconds = self.args.gfi_seconds

        def run_one(t: Target, warmup: bool) -> dict:
            return t.gfi_run("bench", concurrency, seconds / 2 if warmup else seconds)

        self.begin_workload(f"gfi_c{concurrency}")
        runs = self.interleaved(label, run_one)
        self.end_workload(f"gfi_c{concurrency}")
        for metric, unit, hib in (("calls_per_s", "calls/s", True), ("p50_ms", "ms", False), ("p99_ms", "ms", False)):
            self.add(label, metric.replace("_ms", "").replace("_per_s", "/s"), unit, hib,
                     {n: [r[metric] for r in runs[n]] for n in SERVERS})
        self.results[-3]["calls_per_run"] = {n: [r["calls"] for r in runs[n]] for n in SERVERS}

    def peak_rss_rows(self) -> None:
        for key, label in (("gfi_c1", "Peak RSS during GetFlightInfo c=1"),
                           ("gfi_c16", "Peak RSS during GetFlightInfo c=16"),
                           ("doget_hot", "Peak RSS during DoGet hot"), ("doget_cold", "Peak RSS during DoGet cold"),
                           ("doget_cold_ipc", "Peak RSS during DoGet cold, just written"),
                           ("doput", "Peak RSS during DoPut")):
            if not self.peak_reset_ok:
                break
            if all(self.rss[n].get(key) for n in SERVERS):
                self.add(label, "VmHWM", "MB", False, {n: [self.rss[n][key] / MB] for n in SERVERS},
                         "VmHWM reset at the workload's start, so it includes memory still held from earlier "
                         "workloads; rss_at_start in meta")
        if all(self.rss[n].get("whole_run") for n in SERVERS):
            self.add("Peak RSS, whole run", "VmHWM", "MB", False, {n: [self.rss[n]["whole_run"] / MB] for n in SERVERS},
                     "max of VmHWM over setup and every workload" if self.peak_reset_ok else "VmHWM at the end")


def _fmt_fig(fig) -> str:
    if isinstance(fig, dict):
        return f"{fig['calls']} calls, {fig['calls_per_s']:.0f} calls/s, p50 {fig['p50_ms']:.3f} ms, p99 {fig['p99_ms']:.3f} ms"
    return f"{fig:.1f} MB/s"


# ------------------------------------------------------------------------------------------
# Output


def render(meta: dict, results: list[dict]) -> str:
    first, second = LABELS["quiver"], LABELS["pyarrow"]
    rows = [("workload", "metric", first, second, f"{first}/{second}", "unit")]
    for r in results:
        fmt = (lambda v: f"{v:,.0f}") if r["unit"] in ("calls/s", "MB/s", "MB") else (lambda v: f"{v:.3f}")
        ratio = f"{r['ratio']:.2f}x" if r["ratio"] is not None else "-"
        unit = f"{r['unit']} ({'higher' if r['higher_is_better'] else 'lower'} is better)"
        rows.append((r["workload"], r["metric"], fmt(r["quiver"]), fmt(r["pyarrow"]), ratio, unit))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    align = ["<", "<", ">", ">", ">", "<"]
    versus = f"quiver, tables in a Ceph RGW bucket ({first}), vs quiver on local disk ({second})" if meta.get("store") == "s3" else \
        f"quiver vs pyarrow.flight {meta['pyarrow']}"
    lines = [
        f"{versus}: {meta['rows']:,} rows {{id int64, value float64, name utf8}}, "
        f"Arrow body {meta['body_bytes'] / MB:,.1f} MB (10^6), client batches of {meta['chunk_rows']:,} rows "
        f"({meta['batches']} batches)",
        f"median of {meta['runs']} interleaved runs per workload (after one warm-up each); "
        f"GetFlightInfo {meta['gfi_seconds']:g}s per run; {meta['cpus']} CPUs shared by client and server; "
        f"node {meta['node']}, quiver {meta['quiver_commit']}",
        "",
    ]
    for i, row in enumerate(rows):
        lines.append("  ".join(f"{c:{a}{w}}" for c, a, w in zip(row, align, widths)).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    lines.append("")
    if meta.get("store") != "s3":
        lines.append("DoGet hot: quiver serves decoded files from its cache; pyarrow serves its in-memory Table.")
        lines.append("pyarrow keeps every stored table in memory; quiver keeps up to --cache-bytes of decoded files.")
    lines.append("Peak RSS during a workload: VmHWM reset at its start, so it includes what the process still "
                 "holds from earlier ones.")
    if meta.get("store") == "s3":
        lines.append(f"--store s3: both are quiver; {first} keeps its tables in the bucket behind its disk cache "
                     f"(--cache-disk-bytes {meta.get('s3_cache_disk_bytes') or 'default'}); cache-clear empties the decoded-file cache only, "
                     "so DoGet cold reads the disk cache's local copy after the first read.")
        lines.append(f"ratio = {first} / {second} for every row; read it with the unit's direction.")
    else:
        lines.append("ratio = quiver / pyarrow for every row; read it with the unit's direction.")
    return "\n".join(lines)


def _git_commit(root: Path) -> str:
    if not (root / ".git").exists():
        return f"{root} (not a git checkout)"
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True,
                               text=True, timeout=10).stdout.strip()
        return (head or "unknown") + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _node_version() -> str:
    try:
        return subprocess.run(["node", "--version"], capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


# ------------------------------------------------------------------------------------------


def parse_args(argv: list[str]):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, default=None, help="rows in the table (default 10,000,000; --quick: 1,000,000)")
    ap.add_argument("--runs", type=int, default=None, help="timed runs per server per workload (default 5; --quick: 3)")
    ap.add_argument("--quick", action="store_true", help="1M rows, 3 runs, 1s GetFlightInfo runs: for development")
    ap.add_argument("--chunk-rows", type=int, default=1 << 16, help="rows per record batch the client writes (65536)")
    ap.add_argument("--gfi-seconds", type=float, default=None, help="seconds per GetFlightInfo run (default 3; --quick: 1)")
    ap.add_argument("--call-timeout", type=float, default=600.0, help="deadline of every RPC in seconds (600)")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results.json", help="JSON results file")
    ap.add_argument("--keep-data", action="store_true", help="keep the servers' data directories and logs")
    ap.add_argument("--quiver", type=Path, default=ROOT, metavar="DIR",
                    help="quiver checkout to benchmark (default: this one), e.g. a `git archive` of another commit "
                         "with node_modules linked in")
    ap.add_argument("--node-arg", action="append", default=[], metavar="ARG",
                    help="extra node option for the quiver process (repeatable), e.g. --node-arg=--cpu-prof "
                         "--node-arg=--cpu-prof-dir=/tmp/prof")
    ap.add_argument("--workloads", default=",".join(WORKLOADS),
                    help=f"comma-separated subset of {','.join(WORKLOADS)} (default: all)")
    ap.add_argument("--store", choices=("local", "s3"), default="local",
                    help="s3: quiver with its tables in a Ceph RADOS Gateway bucket (started here through "
                         "bench/ceph-gateway.ts) against quiver on local disk, instead of quiver against pyarrow")
    ap.add_argument("--s3-cache-disk-bytes", default=None, metavar="BYTES",
                    help="--cache-disk-bytes of the quiver on the bucket (default: quiver's own default; 0 turns the disk cache off)")
    ap.add_argument("--quiver-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for `quiver serve` (repeatable), e.g. --quiver-arg=--log-level=warn")
    args = ap.parse_args(argv)
    if args.rows is None:
        args.rows = 1_000_000 if args.quick else 10_000_000
    if args.runs is None:
        args.runs = 3 if args.quick else 5
    if args.gfi_seconds is None:
        args.gfi_seconds = 1.0 if args.quick else 3.0
    args.workloads = [w.strip() for w in args.workloads.split(",") if w.strip()]
    unknown = [w for w in args.workloads if w not in WORKLOADS]
    if unknown or not args.workloads:
        ap.error(f"--workloads: unknown {unknown}; choose from {','.join(WORKLOADS)}")
    if args.rows < 1 or args.runs < 1 or args.chunk_rows < 1 or args.gfi_seconds <= 0:
        ap.error("--rows, --runs, --chunk-rows and --gfi-seconds must be positive")
    return args


def _raise_interrupt(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    # Explicit: a shell starts background jobs with SIGINT ignored, and Python keeps that.
    signal.signal(signal.SIGINT, _raise_interrupt)
    signal.signal(signal.SIGTERM, _raise_interrupt)
    signal.signal(signal.SIGHUP, _raise_interrupt)
    quiver_root = args.quiver.resolve()
    quiver_bin = quiver_root / "bin" / "quiver.js"
    if not quiver_bin.exists():
        progress(f"{quiver_bin} is missing")
        return 2

    progress(f"generating {args.rows:,} rows in batches of {args.chunk_rows:,}")
    table = make_table(args.rows, args.chunk_rows)
    body_bytes = arrow_body_bytes(table)
    progress(f"table: {table.num_rows:,} rows, {table.num_columns} columns, {len(table.to_batches())} batches, "
             f"Arrow body {body_bytes:,} bytes ({body_bytes / MB:.1f} MB)")

    work = Path(tempfile.mkdtemp(prefix="quiver-bench-"))
    quiver_serve = ["node", *args.node_arg, str(quiver_bin), "serve", "--port", "0", "--host", "127.0.0.1", "--convert-paused", "true"]
    gateway: CephGatewayProcess | None = None
    servers = {
        "quiver": ServerProcess("quiver", [*quiver_serve, "--data", str(work / "quiver-data"), *args.quiver_arg],
                                work / "quiver.log", cwd=quiver_root),
        "pyarrow": ServerProcess("pyarrow", [sys.executable, "-u", str(REF_SERVER), "--port", "0", "--host", "127.0.0.1",
                                             "--data", str(work / "pyarrow-data")],
                                 work / "pyarrow.log"),
    }
    progress(f"working directory {work}")
    bench: Bench | None = None
    status = 1
    try:
        if args.store == "s3":
            LABELS.update({"quiver": "s3", "pyarrow": "local"})
            gateway = CephGatewayProcess(work)
            g = gateway.start()
            s3_flags = ["--data", f"s3://{g['bucket']}/bench", "--s3-endpoint", g["endpoint"], "--s3-access-key-id", g["accessKeyId"],
                        "--s3-secret-access-key-file", str(work / "s3-secret"), "--cache-dir", str(work / "s3-cache")]
            if args.s3_cache_disk_bytes is not None:
                s3_flags += ["--cache-disk-bytes", str(args.s3_cache_disk_bytes)]
            servers = {
                "quiver": ServerProcess("s3", [*quiver_serve, *s3_flags, *args.quiver_arg], work / "quiver-s3.log", cwd=quiver_root),
                "pyarrow": ServerProcess("local", [*quiver_serve, "--data", str(work / "quiver-data"), *args.quiver_arg],
                                         work / "quiver.log", cwd=quiver_root),
            }
        for s in servers.values():
            s.start()
        targets = {name: Target(name, servers[name], args.call_timeout, quiver=args.store == "s3" or name == "quiver") for name in SERVERS}
        start_rss = {name: servers[name].rss() for name in SERVERS}
        progress("RSS after start: " + ", ".join(f"{n} {start_rss[n] / MB:.0f} MB" for n in SERVERS if start_rss[n]))
        bench = Bench(args, targets, table, body_bytes)
        bench.setup()
        bench.rss_setup = {n: servers[n].peak_rss() for n in SERVERS}
        steps = {"doget-hot": lambda: bench.doget(cold=False), "doget-cold": lambda: bench.doget(cold=True),
                 "doget-cold-ipc": lambda: bench.doget(cold=True, table="bench-ipc"),
                 "doput": bench.doput, "gfi-1": lambda: bench.gfi(1), "gfi-16": lambda: bench.gfi(16)}
        for w in WORKLOADS:
            if w in args.workloads:
                steps[w]()
        for n in SERVERS:
            peaks = [v for v in bench.rss[n].values() if v] + [bench.rss_setup[n] or 0]
            bench.rss[n]["whole_run"] = max(peaks) if bench.peak_reset_ok else servers[n].peak_rss()
        bench.peak_rss_rows()
        meta = {
            "store": args.store, "s3_cache_disk_bytes": args.s3_cache_disk_bytes, "labels": dict(LABELS),
            "load_average": os.getloadavg(),
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "command": "python3 bench/run.py " + " ".join(argv),
            "rows": args.rows, "runs": args.runs, "chunk_rows": args.chunk_rows,
            "batches": len(table.to_batches()), "body_bytes": body_bytes, "mb": "10^6 bytes",
            "gfi_seconds": args.gfi_seconds, "cpus": os.cpu_count(), "machine": platform.platform(),
            "python": platform.python_version(), "pyarrow": pa.__version__, "node": _node_version(),
            "quiver_root": str(quiver_root), "quiver_commit": _git_commit(quiver_root), "quiver_args": args.quiver_arg, "node_args": args.node_arg,
            "workloads": args.workloads,
            "rss_after_start": start_rss, "rss_peak_after_setup": bench.rss_setup,
            "rss_at_start_of_workload": bench.rss_start,
            "peak_rss_per_workload": bench.peak_reset_ok,
            "quiver_hot_note": "quiver DoGet hot is served from its decoded-file cache; cold clears it first",
        }
        doc = {"meta": meta, "results": bench.results}
        args.out.write_text(json.dumps(doc, indent=2) + "\n")
        progress(f"wrote {args.out}")
        print(render(meta, bench.results), flush=True)
        status = 0
    except BenchError as e:
        progress(f"FAILED: {e}")
        status = 1
    except KeyboardInterrupt:
        progress("interrupted")
        status = 130
    except Exception as e:  # a refused call, a dead server: say which, with the servers' logs
        import traceback
        traceback.print_exc()
        progress(f"FAILED: {type(e).__name__}: {e}")
        for s in servers.values():
            if s.proc is not None:
                sys.stderr.write(s.log_tail() + "\n")
        status = 1
    finally:
        # Ignore further Ctrl-C while stopping the servers.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        for s in servers.values():
            try:
                s.stop()
            except Exception as e:  # keep stopping the others
                progress(f"stopping {s.name}: {e}")
        if gateway is not None:
            gateway.stop()
        if args.keep_data:
            progress(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
