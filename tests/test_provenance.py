"""sim.execution.provenance: what a manifest says about the code and the installed versions."""

from __future__ import annotations

import hashlib
import subprocess
from importlib import metadata

from conftest import ROOT

from sim.execution.provenance import environment, git_commit, lock_record, pinned_versions

LOCK_TEXT = """\
#    pip-compile --extra=dev pyproject.toml
numpy==2.4.6
    # via
    #   pandas
PyYAML==6.0.4 ; python_version >= "3.11"
typing_extensions==4.16.0 \\
    --hash=sha256:abc
# not-a-pin==1.0
pytest>=8
"""


def test_pins_are_read_with_canonical_names_and_nothing_else():
    assert pinned_versions(LOCK_TEXT) == {
        "numpy": "2.4.6",
        "pyyaml": "6.0.4",
        "typing-extensions": "4.16.0",
    }


def test_the_lock_record_hashes_the_file_and_lists_installed_versions_that_differ(tmp_path):
    lock = tmp_path / "requirements.lock"
    numpy_version = metadata.version("numpy")
    lock.write_text(f"numpy=={numpy_version}\npyyaml==0.0.1\nno-such-package==1.0\n")
    record = lock_record(lock)
    assert record["sha256"] == hashlib.sha256(lock.read_bytes()).hexdigest()
    assert record["installed"] == {
        "no-such-package": None,
        "numpy": numpy_version,
        "pyyaml": metadata.version("pyyaml"),
    }
    assert record["differences"] == {
        "no-such-package": {"locked": "1.0", "installed": None},
        "pyyaml": {"locked": "0.0.1", "installed": metadata.version("pyyaml")},
    }
    assert lock_record(tmp_path / "missing.lock") is None


def test_the_git_commit_is_the_checkout_s_head_and_none_outside_a_checkout(tmp_path):
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    assert git_commit(ROOT) == head
    assert git_commit(tmp_path) is None


def test_the_environment_names_the_libraries_results_depend_on_and_the_lock():
    info = environment()
    assert info["versions"]["numpy"] == metadata.version("numpy")
    assert info["versions"]["mesa"] == metadata.version("mesa")
    assert (
        info["lock"]["sha256"]
        == hashlib.sha256((ROOT / "requirements.lock").read_bytes()).hexdigest()
    )
