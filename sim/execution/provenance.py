"""Provenance for a manifest: which code, which installed versions, which lock file.

Runs are reproducible for the same package version and the same installed library versions
(numpy's generators, pandas' CSV writer and scipy's quantiles may change between releases). So a
manifest records the package version and git commit, Python and the main libraries, the hash of
``requirements.lock`` (the exact versions ``make demo``/``make test`` install) and the installed
version of every package the lock file pins, with any that differ from it.
"""

from __future__ import annotations

import hashlib
import platform
import re
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from sim import __version__

#: Libraries whose versions a manifest names first (the ones results depend on).
LIBRARIES = ("numpy", "mesa", "pandas", "networkx", "matplotlib", "scipy", "pyarrow")
#: The source tree holding the package (a checkout or an editable install).
SOURCE_TREE = Path(__file__).resolve().parents[2]
#: The lock file of exact versions, at the top of the source tree.
LOCK_FILE = SOURCE_TREE / "requirements.lock"

_PINNED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*==\s*([^\s;#\\]+)")


def normalise(name: str) -> str:
    """A distribution name in its canonical form (PEP 503: ``Foo_Bar`` -> ``foo-bar``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned_versions(lock_text: str) -> dict[str, str]:
    """``{canonical name: version}`` of every ``name==version`` line of a lock file."""
    found = (_PINNED.match(line) for line in lock_text.splitlines())
    return {normalise(m.group(1)): m.group(2) for m in found if m}


def installed_version(name: str) -> str | None:
    """The installed version of distribution ``name``, or None if it is not installed."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def git_commit(where: str | Path = SOURCE_TREE) -> str | None:
    """The git commit of the tree at ``where`` (``git rev-parse HEAD``), or None outside a
    checkout or without git."""
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout.strip() or None) if done.returncode == 0 else None


def lock_record(lock_file: str | Path = LOCK_FILE) -> dict[str, Any] | None:
    """The lock file's path and SHA-256, the installed version of every package it pins, and
    the packages whose installed version differs from the pin (``{name: {"locked", "installed"}}``).
    None when there is no lock file (an install from a wheel)."""
    path = Path(lock_file)
    if not path.is_file():
        return None
    data = path.read_bytes()
    pins = pinned_versions(data.decode("utf-8"))
    installed = {name: installed_version(name) for name in sorted(pins)}
    differences = {
        name: {"locked": pins[name], "installed": version}
        for name, version in installed.items()
        if version != pins[name]
    }
    return {
        "file": path.name,
        "sha256": hashlib.sha256(data).hexdigest(),
        "installed": installed,
        "differences": differences,
    }


def environment() -> dict[str, Any]:
    """Package version, git commit, platform, Python and library versions, and the lock file
    record (:func:`lock_record`), for a manifest."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    versions.update({name: installed_version(name) for name in LIBRARIES})
    return {
        "package_version": __version__,
        "git_commit": git_commit(),
        "platform": platform.platform(),
        "versions": versions,
        "lock": lock_record(),
    }
