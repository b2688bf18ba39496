"""Faults during `compare`, with real processes and real signals: SIGTERM and Ctrl-C keep every
finished run and leave no process behind, `--resume` finishes to the same bytes as a run that
never stopped, a worker killed with SIGKILL fails only its own run, and a bad `--out` is refused
at once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, SCENARIOS
from test_pool import wait_until_gone

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="finds processes in /proc (Linux)"
)
#: The tables a resumed comparison must reproduce byte for byte.
TABLES = [
    "comparison.csv",
    "displacement.csv",
    *(f"runs/{s}/{t}.csv" for s in ("base", "squeeze") for t in ("summary", "timeseries")),
    *(f"runs/{s}/leg_flows.csv" for s in ("base", "squeeze")),
]


def _scenario(folder: Path, name: str, extra: str = "") -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(
        f"name: {name}\nextends: {SCENARIOS / 'teaching.yaml'}\ndays: 25\nscale: 0.004\n"
        f"seeds: 4\n{extra}",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def scenarios(tmp_path_factory) -> list[Path]:
    folder = tmp_path_factory.mktemp("scenarios")
    squeeze = "parameters:\n  interception_rate: {TUN: 0.85, LBY_W: 0.6}\n"
    return [_scenario(folder, "base"), _scenario(folder, "squeeze", squeeze)]


def _command(scenarios: list[Path], *options: str) -> list[str]:
    return [sys.executable, "run.py", "compare", *map(str, scenarios), *options]


@pytest.fixture(scope="module")
def uninterrupted(scenarios, tmp_path_factory) -> Path:
    """The same comparison, run to the end without a stop."""
    out = tmp_path_factory.mktemp("whole") / "out"
    done = subprocess.run(
        _command(scenarios, "--workers", "2", "--out", str(out)),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    return out


def _kept(out: Path) -> set[str]:
    return {p.parent.name + "/" + p.name for p in (out / "parts").glob("*/seed-*")}


def _start(scenarios: list[Path], out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        _command(scenarios, "--workers", "2", "--out", str(out)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own session: every process it starts can be found
    )


def _wait_for_a_kept_run(process: subprocess.Popen, out: Path, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not _kept(out):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "no run finished"
        time.sleep(0.05)


def _workers(parent: int) -> list[int]:
    """The pool's worker processes of ``parent`` (not its resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().decode(errors="replace")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and "spawn_main" in command:
            found.append(int(entry.name))
    return found


@pytest.mark.slow
@pytest.mark.parametrize("stop", ["SIGTERM", "SIGINT"])
def test_a_stop_signal_keeps_every_finished_run_and_resume_gives_the_same_tables(
    tmp_path, scenarios, uninterrupted, stop
):
    out = tmp_path / "out"
    process = _start(scenarios, out)
    _wait_for_a_kept_run(process, out)
    if stop == "SIGINT":  # Ctrl-C: the terminal signals the whole foreground process group
        os.killpg(process.pid, signal.SIGINT)
    else:  # `kill PID`
        os.kill(process.pid, signal.SIGTERM)
    _, err = process.communicate(timeout=120)
    assert process.returncode == 128 + getattr(signal, stop)
    assert wait_until_gone(process.pid) == [], "processes left behind"
    kept = _kept(out)
    assert 1 <= len(kept) < 8
    assert f"stopped by {stop}: {len(kept)} of 8 runs" in err and "Traceback" not in err
    assert not list((out / "parts").glob("*/.seed-*")), "a half-written run was left"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "interrupted"
    assert sum(1 for r in manifest["runs"] if r["ok"]) == len(kept)
    # The message names the command that finishes the job; it runs only what is missing.
    resume = err.split("Resume with:\n", 1)[1].strip()
    assert resume.startswith("python run.py compare") and f"--resume {out}" in resume
    argv = [sys.executable, *resume.split()[1:]]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in TABLES:
        assert (out / name).read_bytes() == (uninterrupted / name).read_bytes(), name
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"


@pytest.mark.slow
def test_a_worker_killed_with_sigkill_fails_only_its_run(tmp_path, scenarios, uninterrupted):
    out = tmp_path / "out"
    process = _start(scenarios, out)
    _wait_for_a_kept_run(process, out)
    time.sleep(0.3)  # both workers are now in the middle of a run
    victim = _workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    _, err = process.communicate(timeout=600)
    assert process.returncode == 1, err
    assert "Traceback" not in err
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    failed = [r for r in manifest["runs"] if r["ok"] is False]
    assert len(failed) == 1 and "killed by SIGKILL" in failed[0]["error"]
    assert sum(1 for r in manifest["runs"] if r["ok"]) == 7
    assert f"run failed: {failed[0]['scenario']}" in err and f"seed {failed[0]['seed']}" in err
    assert "1 of 8 runs failed" in err
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "3 of 4" in report  # the seeds that scenario completed
    assert wait_until_gone(process.pid) == []
    # --resume runs the failed run alone and completes the tables.
    resume = err.split("To run the failed ones again: ", 1)[1].split("\n")[0]
    argv = [sys.executable, *resume.split()[1:]]
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    for name in TABLES:
        assert (out / name).read_bytes() == (uninterrupted / name).read_bytes(), name


def test_out_under_a_file_exits_2_at_once_without_a_traceback(tmp_path, scenarios):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder", encoding="utf-8")
    # -X importtime lists every module the command imported: "at once" means the folder is
    # checked before the model, its network data or any run is loaded (no timing in tests).
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *_command(scenarios, "--out", str(blocker / "r"))[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "lies under" in done.stderr and "which is a file, not a folder" in done.stderr
    assert "Traceback" not in done.stderr
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "sim.cli" in imported
    assert not {"sim.model.model", "sim.network.loading", "pandas"} & imported


def test_a_write_error_mid_command_is_one_line_saying_what_is_kept(tmp_path, scenarios):
    out = tmp_path / "out"
    process = subprocess.Popen(
        _command(scenarios, "--workers", "1", "--out", str(out)),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    _wait_for_a_kept_run(process, out)
    # The base's runs come first; the place of the other scenario's runs is then taken by a
    # file, so keeping its first run fails as a full or broken disk would.
    (out / "parts" / "squeeze").write_text("in the way", encoding="utf-8")
    _, err = process.communicate(timeout=600)
    assert process.returncode == 2
    assert err.startswith(f"error: cannot write the results in {out}") and err.count("\n") == 1
    assert "Kept: 4 of 8 runs (base: 4 of 4 seeds; squeeze: 0 of 4 seeds)" in err
    assert "resume with: python run.py compare" in err and "Traceback" not in err
