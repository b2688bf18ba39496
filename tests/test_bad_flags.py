"""A catalogue of bad command lines and hostile paths, each with the message it must give.

Every entry runs the real command line (``sim.cli.main``, the function behind ``run.py`` and
``mixmig``) and must end with exit code 2 and one paragraph naming the problem, never a
traceback and never any work done. The bad scenario *files* are in tests/bad_scenarios/ (see
tests/test_scenario.py); the damaged result folders in tests/test_report.py.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import SCENARIOS

from sim.cli import main

TEACHING = SCENARIOS / "teaching.yaml"
RUN = ["run", str(TEACHING), "--days", "10", "--seeds", "1"]
COMPARE = ["compare", str(TEACHING), str(TEACHING), "--days", "10", "--seeds", "1"]

#: (id, arguments after the command, phrase the message must hold). ``{tmp}`` is a fresh
#: folder holding ``a_file`` (a file), ``full`` (a folder with a file in it), ``empty`` (an
#: empty folder), ``other`` (a finished result of another command) and a fifo ``pipe.yaml``.
CATALOGUE: list[tuple[str, list[str], str]] = [
    ("seed negative", [*RUN, "--seed", "-1"], "--seed must be a whole number from 0 to 4294967295"),
    ("seed above 2^32-1", [*RUN, "--seed", "4294967296"], "--seed must be a whole number from 0"),
    ("seed in compare", [*COMPARE, "--seed", "-5"], "--seed must be a whole number from 0"),
    ("seeds zero", [*RUN, "--seeds", "0"], "--seeds must be between 1 and 1000"),
    ("seeds too many", [*RUN, "--seeds", "1001"], "--seeds must be between 1 and 1000"),
    ("days zero", [*RUN, "--days", "0"], "--days must be between 1 and 3650"),
    ("days too many", [*COMPARE, "--days", "3651"], "--days must be between 1 and 3650"),
    ("scale zero", [*RUN, "--scale", "0"], "--scale must be more than 0 and at most 1"),
    ("scale above one", [*RUN, "--scale", "1.5"], "--scale must be more than 0 and at most 1"),
    ("scale not a number", [*RUN, "--scale", "nan"], "--scale must be more than 0 and at most 1"),
    ("scale infinite", [*COMPARE, "--scale", "inf"], "--scale must be more than 0"),
    ("scale too small", [*RUN, "--scale", "1e-9"], "The smallest sensible scale here is"),
    ("scale too small, compare", [*COMPARE, "--scale", "1e-7"], "too small for teaching"),
    ("workers zero", [*RUN, "--workers", "0"], "--workers must be at least 1"),
    ("out under a file", [*RUN, "--out", "{tmp}/a_file/x"], "which is a file, not a folder"),
    ("out is a file", [*COMPARE, "--out", "{tmp}/a_file"], "is a file, not a folder"),
    ("out not empty", [*RUN, "--out", "{tmp}/full"], "the folder is not empty"),
    ("out not empty, compare", [*COMPARE, "--out", "{tmp}/full"], "add --force to clear it"),
    ("force on the current folder", [*RUN, "--out", ".", "--force"], "holds the current folder"),
    ("resume nothing", [*RUN, "--resume", "{tmp}/empty"], "there is nothing to resume there"),
    ("resume missing folder", [*COMPARE, "--resume", "{tmp}/nowhere"], "nothing to resume"),
    ("resume without manifest", [*RUN, "--resume", "{tmp}/full"], "no readable manifest.json"),
    ("resume another command", [*RUN, "--resume", "{tmp}/other"], "the result of another command"),
    ("resume and out", [*RUN, "--resume", "{tmp}/other", "--out", "{tmp}/x"], "either --out or"),
    ("resume and force", [*COMPARE, "--resume", "{tmp}/other", "--force"], "give one"),
    ("run missing scenario", ["run", "{tmp}/no.yaml"], "scenario file not found"),
    ("run a folder", ["run", "{tmp}/full"], "is a directory"),
    ("run a device", ["run", "/dev/null"], "is not a regular file"),
    ("compare a pipe", ["compare", str(TEACHING), "{tmp}/pipe.yaml"], "is not a regular file"),
    ("check a pipe", ["check", "{tmp}/pipe.yaml"], "is not a regular file"),
    ("report of nothing", ["report", "{tmp}/empty"], "it has no manifest.json"),
    ("report of a run", ["report", "{tmp}/other"], "is not a comparison manifest"),
    ("network map under a file", ["network", "--map", "{tmp}/a_file/map.png"], "not a folder"),
    ("draws without posterior", [*COMPARE, "--draws", "3"], "--draws goes with --posterior"),
    ("posterior missing", [*COMPARE, "--posterior", "{tmp}/p.parquet"], "cannot read a calib"),
    ("posterior not parquet", [*COMPARE, "--posterior", "{tmp}/a_file"], "give the posterior"),
    (
        "posterior draws zero",
        [*COMPARE, "--posterior", "{tmp}/a_file", "--draws", "0"],
        "--draws must be between 1 and 1000",
    ),
]


@pytest.fixture
def tmp(tmp_path: Path) -> Path:
    (tmp_path / "a_file").write_text("a file", encoding="utf-8")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "empty").mkdir()
    (tmp_path / "other").mkdir()
    manifest = {"command": "run", "status": "complete", "plan": {"command": "run", "seeds": []}}
    (tmp_path / "other" / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.yaml")
    return tmp_path


def test_the_catalogue_is_large_and_every_message_distinct():
    assert len(CATALOGUE) >= 30
    assert len({name for name, _, _ in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("argv, phrase", [c[1:] for c in CATALOGUE], ids=[c[0] for c in CATALOGUE])
def test_a_bad_command_line_gets_one_paragraph_and_exit_2(tmp, argv, phrase, capsys):
    before = sorted(p.relative_to(tmp) for p in tmp.rglob("*"))
    code = main([word.replace("{tmp}", str(tmp)) for word in argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert phrase in err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert sorted(p.relative_to(tmp) for p in tmp.rglob("*")) == before  # nothing written


@pytest.mark.parametrize(
    "argv, phrase",
    [
        ([*RUN, "--seed", "abc"], "invalid int value: 'abc'"),
        ([*RUN, "--scale", "tiny"], "invalid float value: 'tiny'"),
        (["compare", str(TEACHING)], "the following arguments are required: OTHER"),
    ],
    ids=["seed not a number", "scale not a number", "compare alone"],
)
def test_a_malformed_option_is_a_usage_error_with_exit_2(argv, phrase, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    assert phrase in capsys.readouterr().err


def test_more_workers_than_cores_is_capped_with_a_note(tmp_path, capsys):
    out = tmp_path / "out"
    assert main([*RUN, "--scale", "0.01", "--workers", "999", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "note: --workers 999 is more than the" in err and "cores of this machine" in err


def test_a_long_run_is_announced_before_it_starts(tmp, capsys):
    # A thousand seeds of the baseline year at full scale: hours of work. The note comes before
    # anything else is decided; here the folder is then refused, so nothing runs.
    baseline = str(SCENARIOS / "baseline.yaml")
    for command in (["run", baseline], ["compare", baseline, baseline]):
        code = main([*command, "--seeds", "1000", "--out", str(tmp / "full")])
        err = capsys.readouterr().err
        assert code == 2
        assert err.startswith("note: this is roughly ") and "0 runs on " in err
        assert "the folder is not empty" in err


def test_force_clears_stale_files_before_writing(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "timeseries.csv").write_text("stale table from an earlier run\n", encoding="utf-8")
    argv = [*RUN, "--scale", "0.01", "--parquet", "--out", str(out), "--force"]
    assert main(argv) == 0
    assert not (out / "timeseries.csv").exists()  # no old table beside the new Parquet one
    assert (out / "timeseries.parquet").is_file()
    assert json.loads((out / "manifest.json").read_text(encoding="utf-8"))["status"] == "complete"
    capsys.readouterr()
    # The same command again into the complete folder: refused, and it says so.
    assert main([*RUN, "--scale", "0.01", "--parquet", "--out", str(out)]) == 2
    assert "complete result of this same command already" in capsys.readouterr().err
