"""Summarizes V8 .cpuprofile files: where a quiver process spent its time.

    python3 bench/run.py --quick --workloads doput --node-arg=--cpu-prof --node-arg=--cpu-prof-dir=/tmp/prof
    python3 bench/profile_summary.py /tmp/prof/*.cpuprofile [--top 25] [--match .ts,parquet]

Prints, per profile: self time by module (a node_modules package, a source file, node
internals, wasm code shown as the module's hash), self time by function, and inclusive time
(a function counted once per sample however deep it recurses). --match keeps only the inclusive
rows whose name contains one of the comma-separated words.
"""

from __future__ import annotations

import argparse
import collections
import json


def frame_key(cf: dict) -> str:
    return f"{cf['functionName'] or '(anonymous)'} {cf['url'].rsplit('/', 1)[-1]}:{cf['lineNumber'] + 1}"


def module_key(cf: dict) -> str:
    url = cf["url"]
    if "node_modules/" in url:
        return url.split("node_modules/")[-1].split("/")[0]
    if url.startswith("node:"):
        return "(node internals)"
    if url:
        return url.rsplit("/", 1)[-1]
    return cf["functionName"] or "(unknown)"


def summarize(path: str, top: int, match: list[str]) -> None:
    with open(path) as f:
        prof = json.load(f)
    nodes = {n["id"]: n for n in prof["nodes"]}
    parent = {c: n["id"] for n in prof["nodes"] for c in n.get("children", [])}
    self_time: collections.Counter = collections.Counter()
    for node_id, delta in zip(prof["samples"], prof["timeDeltas"]):
        self_time[node_id] += delta
    total = sum(self_time.values()) or 1
    by_module: collections.Counter = collections.Counter()
    by_function: collections.Counter = collections.Counter()
    inclusive: collections.Counter = collections.Counter()
    for node_id, t in self_time.items():
        cf = nodes[node_id]["callFrame"]
        by_module[module_key(cf)] += t
        by_function[frame_key(cf)] += t
        seen = set()
        x = node_id
        while x is not None:
            key = frame_key(nodes[x]["callFrame"])
            if key not in seen:
                inclusive[key] += t
                seen.add(key)
            x = parent.get(x)

    def show(title: str, counter: collections.Counter, keep=lambda k: True) -> None:
        print(f"-- {title}")
        rows = [(k, t) for k, t in counter.most_common() if keep(k)][:top]
        for k, t in rows:
            print(f"{t / 1e6:8.2f}s {t / total * 100:5.1f}%  {k}")

    print(f"== {path}: {total / 1e6:.2f}s sampled")
    show("self time by module", by_module)
    show("self time by function", by_function)
    show("inclusive time", inclusive, (lambda k: any(m in k for m in match)) if match else (lambda k: True))
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("profiles", nargs="+")
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--match", default="", help="comma-separated words the inclusive rows must contain")
    args = ap.parse_args()
    match = [m for m in args.match.split(",") if m]
    for p in args.profiles:
        summarize(p, args.top, match)


if __name__ == "__main__":
    main()
