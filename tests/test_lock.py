"""requirements.lock pins every dependency that pyproject.toml declares, and it is what is
installed (``make test`` installs it; reproducibility is promised for these versions only)."""

from __future__ import annotations

import tomllib

from conftest import ROOT
from packaging.requirements import Requirement

from sim.execution.provenance import lock_record, normalise, pinned_versions


def declared_requirements() -> list[Requirement]:
    """The core dependencies and those of every extra, from pyproject.toml."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    lines = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        lines += extra
    return [Requirement(line) for line in lines]


def test_every_declared_dependency_is_pinned_within_its_range():
    pins = pinned_versions((ROOT / "requirements.lock").read_text(encoding="utf-8"))
    missing = [str(r) for r in declared_requirements() if normalise(r.name) not in pins]
    assert missing == [], "run `make lock` after changing pyproject.toml's dependencies"
    outside = [
        f"{r} (locked {pins[normalise(r.name)]})"
        for r in declared_requirements()
        if not r.specifier.contains(pins[normalise(r.name)], prereleases=True)
    ]
    assert outside == []


def test_the_installed_versions_are_the_locked_ones():
    record = lock_record()
    assert record is not None and record["file"] == "requirements.lock"
    assert record["differences"] == {}, "reinstall with `make test` (it installs the lock)"
