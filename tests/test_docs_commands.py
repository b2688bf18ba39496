"""Every command shown in README.md, docs/*.md and docs/tutorials/*.md runs, as shown, and
succeeds; every notebook in docs/tutorials/ runs from top to bottom.

Commands are the lines of fenced ``sh`` blocks (a trailing ``\\`` continues a line; ``#`` starts
a comment). Each page's commands run in order (a ``report`` may read what a ``compare`` above it
wrote) in a temporary folder holding a copy of ``run.py``, ``scenarios/``, ``tools/`` and
``examples/``, so ``results/`` is written there; then the page's fenced ``python`` blocks run
there too, each as a script. A fenced block whose info string names a file
(```` ```yaml file=my/what_if.yaml ````) is written to that path first, so a tutorial can
show a scenario file and then run it. ``python run.py view`` starts a server that runs until
stopped: it is started on a free port without a browser, must answer, and is then stopped.
``make`` lines are not run here: they create a virtual environment and install packages
(``make test`` is what runs this suite; ``make demo`` runs the baseline at full scale for
minutes; ``make bench`` for longer). A command the docs show must therefore be quick: docs
show small ``--seeds``, ``--days`` and ``--scale``.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import socket
import subprocess
import sys
import urllib.request
import warnings
from pathlib import Path

import pytest
from conftest import ROOT

from sim.cli import build_parser

PAGES = [
    ROOT / "README.md",
    *sorted((ROOT / "docs").glob("*.md")),
    *sorted((ROOT / "docs" / "tutorials").glob("*.md")),
]
NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))
#: Exit code of tools/check_report_in_browser.py when no Chromium is installed.
NO_BROWSER = 77


def shell_commands(page: Path) -> list[str]:
    """The commands of a page's fenced ``sh`` blocks, continuation lines joined."""
    text = page.read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.split(" #")[0].strip()
            if line and not line.startswith("#"):
                commands.append(" ".join(line.split()))
    return commands


def python_blocks(page: Path) -> list[str]:
    """The page's fenced ``python`` blocks."""
    text = page.read_text(encoding="utf-8")
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.M | re.S)


def files_shown(page: Path) -> dict[str, str]:
    """The fenced blocks whose info string names a file: {path: content}."""
    text = page.read_text(encoding="utf-8")
    found = re.findall(r"^```\w+ file=(\S+)\n(.*?)^```", text, flags=re.M | re.S)
    return dict(found)


def argv_of(command: str) -> list[str]:
    """The argv that runs ``command`` with this test's Python."""
    words = shlex.split(command)
    if words[0] == "python":
        return [sys.executable, *words[1:]]
    if words[0] == "mixmig":
        return [str(Path(sys.executable).with_name("mixmig")), *words[1:]]
    raise AssertionError(f"the docs show a command this test cannot run: {command}")


def runnable(page: Path) -> list[str]:
    return [c for c in shell_commands(page) if not c.startswith("make ")]


def copy_project(folder: Path) -> None:
    """What a page's commands need, copied into ``folder``."""
    for name in ("run.py", "scenarios", "tools", "examples"):
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, folder / name)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def check_view_starts(command: str, folder: Path) -> None:
    """Start a ``view`` command as shown (on a free port, no browser); it must answer."""
    argv = [*argv_of(command), "--no-browser", "--port", str(free_port())]
    server = subprocess.Popen(argv, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = server.stdout.readline().decode()
        assert "The view of" in line, f"`{command}` did not start: {server.stderr.read1()}"
        with urllib.request.urlopen(line.split(" is at ")[1].split()[0], timeout=30) as answer:
            assert answer.status == 200
    finally:
        server.terminate()
        server.wait(timeout=30)


#: Pages whose commands take the better part of a minute or more (sweeps, seed studies): in
#: the slow set, which CI runs too.
SLOW_PAGES = {"docs/sweeps.md", "docs/user-guide.md", "docs/tutorials/03-seed-study.md"}


@pytest.mark.parametrize(
    "page",
    # A page with a notebook of its name has its commands run by the notebook's test.
    [
        pytest.param(
            p,
            id=str(p.relative_to(ROOT)),
            marks=[pytest.mark.slow] if str(p.relative_to(ROOT)) in SLOW_PAGES else [],
        )
        for p in PAGES
        if (runnable(p) or python_blocks(p)) and p.with_suffix(".ipynb") not in NOTEBOOKS
    ],
)
def test_the_commands_a_page_shows_succeed(page, tmp_path):
    copy_project(tmp_path)
    for path, content in files_shown(page).items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(content, encoding="utf-8")
    for command in runnable(page):
        if command.startswith(("python run.py view", "mixmig view")):
            check_view_starts(command, tmp_path)
            continue
        done = subprocess.run(
            argv_of(command), cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        if (
            done.returncode == NO_BROWSER
            and "check_report_in_browser" in command
            and not os.environ.get("CI")
        ):
            # The tool ran and said, as documented, that this machine has no Chromium.
            assert "Chromium" in done.stdout + done.stderr
            warnings.warn(f"not checked in a browser (no Chromium): {command}", stacklevel=1)
            continue
        assert done.returncode == 0, f"{page.name}: `{command}` failed:\n{done.stderr[-2000:]}"
    for block in python_blocks(page):
        done = subprocess.run(
            [sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        assert done.returncode == 0, f"{page.name}: a python block failed:\n{done.stderr[-2000:]}"


def test_the_user_guide_shows_run_compare_and_report():
    commands = shell_commands(ROOT / "docs" / "user-guide.md")
    for verb in ("run", "compare", "report"):
        assert any(c.startswith(f"python run.py {verb} ") for c in commands), verb
    assert shell_commands(ROOT / "README.md") == ["make demo", "make test"]


def test_the_readme_command_table_names_only_options_the_commands_take():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    synopses = re.findall(r"^\| `python run\.py (\w+)([^`]*)` \|", text, flags=re.M)
    assert {verb for verb, _ in synopses} == {
        "network",
        "check",
        "run",
        "compare",
        "report",
        "sweep",
        "validate",
        "calibrate",
        "view",
    }
    parsers = next(
        action.choices
        for action in build_parser()._actions
        if hasattr(action, "choices") and isinstance(action.choices, dict)
    )
    for verb, rest in synopses:
        known = {option for action in parsers[verb]._actions for option in action.option_strings}
        shown = set(re.findall(r"--[a-z-]+", rest))
        assert shown <= known, f"{verb}: {sorted(shown - known)}"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.name)
def test_a_tutorial_notebook_runs_after_the_commands_its_page_shows(notebook, tmp_path):
    """The notebook runs, top to bottom, in a fresh kernel, on the tables its page's commands
    wrote (the page is the notebook's name with ``.md``)."""
    nbclient = pytest.importorskip("nbclient")
    nbformat = pytest.importorskip("nbformat")
    copy_project(tmp_path)
    page = notebook.with_suffix(".md")
    for command in runnable(page):
        done = subprocess.run(argv_of(command), cwd=tmp_path, capture_output=True, text=True)
        assert done.returncode == 0, f"`{command}` failed:\n{done.stderr[-2000:]}"
    here = tmp_path / "docs" / "tutorials"
    here.mkdir(parents=True)
    document = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        document, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(here)}}
    )
    client.execute()
    outputs = [o for cell in document.cells if cell.cell_type == "code" for o in cell.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("image/png" in o.get("data", {}) for o in outputs), "the notebook draws a plot"
