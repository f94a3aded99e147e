"""Any non-empty UTF-8 string names a table, and no name reaches outside the data directory.

The session server's data dir lies three levels inside a sandbox that holds nothing else, so a
name that escaped with `../` would leave files in the sandbox; names aimed at absolute paths carry
a marker we look for on the real filesystem.
"""

import os
import uuid
from pathlib import Path

import pyarrow as pa
import pytest

MARKER = f"quiver-escape-{uuid.uuid4().hex[:12]}"
SCHEMA = pa.schema([("v", pa.string())])

HOSTILE_NAMES = {
    "dotdot_etc": "../../etc",
    "dotdot_tmp": "../" * 12 + f"tmp/{MARKER}",
    "absolute": f"/tmp/{MARKER}/abs",
    "dotdot": "..",
    "dot": ".",
    "slash": "a/b",
    "leading_slash": "/",
    "double_slash": "//x//y//",
    "backslash": "..\\..\\win",
    "nul_byte": "nul\x00byte",
    "newline": "line\nbreak",
    "unicode": "ünïcode ☃ 表",
    "spaces": "  spaced out  ",
    "percent": "%2e%2e%2f",
    "tilde": "~",
    "shell": "$(touch x); `x` | * ? < > :",
    "windows_device": "CON",
    "long_ascii": "x" * 1000,
    "long_multibyte": "é" * 1000,
    "deep": "/".join(["seg"] * 250),
}


def sandbox_of(data_dir: Path) -> Path:
    return data_dir.parents[2]


def assert_everything_inside(data_dir: Path) -> None:
    """Nothing but the data dir and its ancestors in the sandbox; nothing in the data dir links out;
    nothing carries the marker outside it."""
    sandbox = sandbox_of(data_dir)
    allowed = {sandbox / "outer", sandbox / "outer" / "inner", data_dir}
    for dirpath, dirnames, filenames in os.walk(sandbox):
        here = Path(dirpath)
        if here == data_dir or data_dir in here.parents:
            for name in dirnames + filenames:
                path = here / name
                if path.is_symlink():
                    assert data_dir.resolve() in path.resolve().parents, f"{path} links outside the data dir"
            continue
        for name in dirnames + filenames:
            assert here / name in allowed, f"{here / name} was created outside the data dir"
    assert not Path("/tmp", MARKER).exists(), f"/tmp/{MARKER} was created"


@pytest.mark.parametrize("case", HOSTILE_NAMES)
def test_hostile_name_is_an_ordinary_table(quiver, case):
    name = HOSTILE_NAMES[case]
    batch = pa.record_batch([pa.array([name, case])], schema=SCHEMA)
    quiver.put(name, [batch])

    quiver.assert_table(name, [batch], SCHEMA)
    assert name in quiver.list(name), f"{name!r} not listed under its own name"
    assert [entry["version"] for entry in quiver.history(name)] == [1]
    assert_everything_inside(quiver.server.data_dir)


def test_path_elements_join_with_a_slash(quiver, table_name):
    batch = pa.record_batch([pa.array(["joined"])], schema=SCHEMA)
    quiver.put(quiver.path(table_name, "inner", "leaf"), [batch])
    quiver.assert_table(f"{table_name}/inner/leaf", [batch], SCHEMA)
    assert f"{table_name}/inner/leaf" in quiver.list(table_name)


def test_a_name_and_its_extension_are_separate_tables(quiver, table_name):
    """`t` and `t/child` both exist: a layout mapping `/` to directories must not let them collide."""
    parent = pa.record_batch([pa.array(["parent"])], schema=SCHEMA)
    child = pa.record_batch([pa.array(["child"])], schema=SCHEMA)
    quiver.put(table_name, [parent])
    quiver.put(f"{table_name}/child", [child])
    quiver.assert_table(table_name, [parent], SCHEMA)
    quiver.assert_table(f"{table_name}/child", [child], SCHEMA)


def test_names_differing_only_in_case_are_separate_tables(quiver, table_name):
    lower = pa.record_batch([pa.array(["lower"])], schema=SCHEMA)
    upper = pa.record_batch([pa.array(["upper"])], schema=SCHEMA)
    quiver.put(f"{table_name}-case", [lower])
    quiver.put(f"{table_name}-CASE", [upper])
    quiver.assert_table(f"{table_name}-case", [lower], SCHEMA)
    quiver.assert_table(f"{table_name}-CASE", [upper], SCHEMA)


def test_dropping_a_hostile_name_removes_only_that_table(quiver, table_name, expect_status):
    keep = pa.record_batch([pa.array(["keep"])], schema=SCHEMA)
    quiver.put(f"{table_name}/keep", [keep])
    hostile = f"{table_name}/keep/.."
    quiver.put(hostile, [pa.record_batch([pa.array(["gone"])], schema=SCHEMA)])
    quiver.drop(hostile)
    with expect_status("NOT_FOUND"):
        quiver.info(hostile)
    quiver.assert_table(f"{table_name}/keep", [keep], SCHEMA)
    assert_everything_inside(quiver.server.data_dir)
