"""sim.execution.files: writes replace the target whole, or leave it as it was."""

from __future__ import annotations

import json
import os
import stat

import numpy as np
import pandas as pd
import pytest

from sim.execution.files import (
    write_json_atomic,
    write_table_atomic,
    write_text_atomic,
)


class Unwritable:
    """A table whose writing fails halfway, as a full disk or a crash would."""

    def to_csv(self, path, **_options):
        with open(path, "w") as handle:
            handle.write("half a ta")
        raise OSError("disk full")


def test_a_write_replaces_the_file_and_leaves_no_temporary_behind(tmp_path):
    target = tmp_path / "deep" / "table.csv"
    write_table_atomic(target, pd.DataFrame({"a": [1, 2]}))
    write_table_atomic(target, pd.DataFrame({"a": [3]}))
    assert target.read_bytes() == b"a\n3\n"
    write_text_atomic(tmp_path / "note.txt", "é\n")
    assert (tmp_path / "note.txt").read_bytes() == "é\n".encode()
    write_table_atomic(tmp_path / "t.parquet", pd.DataFrame({"b": [1.5]}))
    assert pd.read_parquet(tmp_path / "t.parquet")["b"].tolist() == [1.5]
    assert [p.name for p in tmp_path.rglob("*.tmp")] == []


def test_a_failed_write_keeps_the_old_file_whole(tmp_path):
    target = tmp_path / "table.csv"
    write_table_atomic(target, pd.DataFrame({"a": [1]}))
    with pytest.raises(OSError, match="disk full"):
        write_table_atomic(target, Unwritable())
    assert target.read_bytes() == b"a\n1\n"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_json_turns_numpy_values_into_plain_json(tmp_path):
    path = write_json_atomic(tmp_path / "m.json", {"n": np.int64(3), "xs": np.arange(2)})
    assert json.loads(path.read_text()) == {"n": 3, "xs": [0, 1]}


def test_files_get_the_permissions_the_umask_gives(tmp_path):
    previous = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "a.txt", "x")
        os.umask(0o077)
        write_text_atomic(tmp_path / "b.txt", "x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "b.txt").stat().st_mode) == 0o600
