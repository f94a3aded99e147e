# The oracle for the engine's type tests: Python duckdb computes the same SQL (with table names
# replaced by read_parquet of the same files, or naming Arrow IPC files read with pyarrow) and its
# Arrow result is compared value by value with the Arrow IPC stream quiver's engine produced.
# Prints one JSON line.
import json
import sys

import duckdb
import pyarrow as pa


def main() -> None:
    req = json.loads(sys.argv[1])
    con = duckdb.connect()
    con.execute("SET TimeZone='UTC'")
    # Tables given as Arrow IPC stream files are read by pyarrow and handed to duckdb as Arrow.
    arrow_tables = {name: pa.ipc.open_stream(path).read_all() for name, path in req.get("arrow", {}).items()}
    for name, table in arrow_tables.items():
        con.register(name, table)
    theirs = con.sql(req["sql"]).to_arrow_table()
    with pa.ipc.open_stream(req["ipc"]) as reader:
        ours = reader.read_all()
    mismatches = []
    for i, name in enumerate(theirs.column_names):
        a = ours.column(i).to_pylist()
        b = theirs.column(i).to_pylist()
        if a != b:
            first = next(k for k in range(min(len(a), len(b))) if a[k] != b[k]) if len(a) == len(b) else -1
            mismatches.append({"column": name, "row": first, "ours": repr(a[first] if first >= 0 else len(a)),
                               "theirs": repr(b[first] if first >= 0 else len(b))})
    print(json.dumps({
        "rows": [ours.num_rows, theirs.num_rows],
        "ours": [str(f.type) for f in ours.schema],
        "theirs": [str(f.type) for f in theirs.schema],
        "mismatches": mismatches,
    }))


main()
