"""The output folder of ``run`` and ``compare``, checked before any work is done.

A command that runs for an hour must not find out at the end that it cannot write its results.
So, before the first run: :func:`check_can_create` (cheap, called by the command line before
the command is even imported) finds the nearest existing folder on the way to ``--out`` and
checks it is a folder one may write in; :func:`prepare_output` then refuses a non-empty folder
(unless it is the unfinished result of the same command and ``--resume`` was given, or
``--force`` clears it first), creates the folder and writes a test file in it. Every problem is
a one-line :class:`~sim.errors.UserError` (exit code 2), never a traceback.

This module uses the standard library alone, so the command line can call it at once.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.errors import UserError

MANIFEST = "manifest.json"


def _os_problem(error: OSError) -> str:
    return error.strerror or str(error)


def check_can_create(out: str | Path) -> None:
    """Raise a :class:`UserError` unless ``out`` is, or can be made, a folder to write in.

    Creates nothing: walks up to the nearest path that exists and checks that it is a folder
    (not a file) where this user may create entries.
    """
    path = Path(out)
    if str(out).strip() == "":
        raise UserError("--out: give a folder name.")
    probe = path
    while not probe.exists() and not probe.is_symlink():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.is_symlink() and not probe.exists():
        raise UserError(f"--out {out}: {probe} is a broken symbolic link.")
    if not probe.is_dir():
        where = "is" if probe == path else f"lies under {probe}, which is"
        raise UserError(f"--out {out}: {where} a file, not a folder; choose a folder.")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UserError(
            f"--out {out}: cannot write in {probe} (permission denied); choose a folder you "
            "may write in."
        )


def read_manifest(folder: str | Path) -> dict[str, Any] | None:
    """The folder's manifest.json as data, or None if it has none or it cannot be read."""
    try:
        data = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _unsafe_to_clear(path: Path) -> str | None:
    """Why clearing ``path`` with --force would be dangerous, or None."""
    resolved = path.resolve()
    here = Path.cwd().resolve()
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        return "it is the root or your home folder"
    if resolved == here or resolved in here.parents:
        return "it holds the current folder"
    if (resolved / ".git").exists():
        return "it is a git checkout"
    return None


def prepare_output(
    out: str | Path,
    *,
    resume: bool = False,
    force: bool = False,
    differs: Callable[[dict[str, Any]], str | None] | None = None,
) -> Path:
    """Make ``out`` ready for a command's results, before any work; return it as a Path.

    ``differs(manifest)`` says why a saved manifest is not the unfinished result of this same
    command (None when it is). With ``resume`` the folder must hold such a result; otherwise it
    must be new or empty, or ``force`` clears it first. Then the folder is created and a test
    file written and removed, so that a folder that cannot be written is found now.
    """
    path = Path(out)
    check_can_create(path)
    entries = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
    manifest = read_manifest(path) if entries else None
    reason = differs(manifest) if manifest is not None and differs is not None else None
    same_command = manifest is not None and differs is not None and reason is None
    if resume:
        if not entries:
            raise UserError(f"--resume {out}: there is nothing to resume there (no results).")
        if manifest is None:
            raise UserError(
                f"--resume {out}: the folder has no readable manifest.json, so it is not a "
                "result of run or compare that can be resumed."
            )
        if reason is not None:
            raise UserError(
                f"--resume {out}: the folder holds the result of another command ({reason}). "
                "Resume with the same scenarios and options, or write to a new folder with "
                "--out."
            )
    elif entries:
        if not force:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            hint = ""
            if same_command and manifest.get("status") == "complete":
                hint = " It holds the complete result of this same command already."
            elif same_command:
                hint = (
                    f" It holds an unfinished result of this same command: add --resume {out} "
                    "(instead of --out) to finish it."
                )
            raise UserError(
                f"--out {out}: the folder is not empty ({shown}); choose a new folder, or add "
                f"--force to clear it first.{hint}"
            )
        danger = _unsafe_to_clear(path)
        if danger:
            raise UserError(f"--out {out} --force: will not clear this folder: {danger}.")
        try:
            for entry in path.iterdir():
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry)
                else:
                    entry.unlink()
        except OSError as error:
            raise UserError(
                f"--out {out}: cannot clear the folder ({_os_problem(error)})."
            ) from None
    try:
        path.mkdir(parents=True, exist_ok=True)
        test = path / ".mixmig-write-test"
        test.write_bytes(b"ok")
        test.unlink()
    except OSError as error:
        raise UserError(f"--out {out}: cannot write there ({_os_problem(error)}).") from None
    return path
