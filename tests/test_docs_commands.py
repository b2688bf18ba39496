"""Every command shown in README.md and docs/*.md runs, as shown, and succeeds.

Commands are the lines of fenced ``sh`` blocks (a trailing ``\\`` continues a line; ``#`` starts
a comment). Each page's commands run in order (a ``report`` may read what a ``compare`` above it
wrote) in a temporary folder holding a copy of ``run.py``, ``scenarios/``, ``tools/`` and
``examples/``, so ``results/`` is written there; then the page's fenced ``python`` blocks run
there too, each as a script. ``make`` lines are not run here: they create a virtual
environment and install packages (``make test`` is what runs this suite; ``make demo`` runs the
baseline at full scale for minutes; ``make bench`` for longer). A command the docs show must
therefore be quick: docs show small ``--seeds``, ``--days`` and ``--scale``.
"""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from conftest import ROOT

from sim.cli import build_parser

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
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


@pytest.mark.parametrize(
    "page",
    [p for p in PAGES if runnable(p) or python_blocks(p)],
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_the_commands_a_page_shows_succeed(page, tmp_path):
    for name in ("run.py", "scenarios", "tools", "examples"):
        source = ROOT / name
        copy = shutil.copytree if source.is_dir() else shutil.copy
        copy(source, tmp_path / name)
    for command in runnable(page):
        done = subprocess.run(
            argv_of(command), cwd=tmp_path, capture_output=True, text=True, timeout=300
        )
        if done.returncode == NO_BROWSER and "check_report_in_browser" in command:
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
