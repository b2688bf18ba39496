"""Atomic writes: a crashed or interrupted command never leaves a half-written file behind.

Every writer here writes to a temporary file beside the target and then ``os.replace``s it
(atomic on POSIX and Windows when both are on one file system), so a reader sees either the
old file or the new one, never a mixture. Files and folders get the permissions the user's
umask gives any new file (``tempfile`` would leave them readable by their owner alone).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

_UMASK_LOCK = threading.Lock()


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back, under a lock)."""
    with _UMASK_LOCK:
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def ordinary_mode(directory: bool = False) -> int:
    """The mode a new file (0666) or folder (0777) gets under the current umask."""
    return (0o777 if directory else 0o666) & ~current_umask()


def _replace_atomically(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(temporary_path)``, then move the temporary file onto ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, ordinary_mode())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; return the path."""
    return _replace_atomically(path, lambda tmp: Path(tmp).write_bytes(data))


def write_text_atomic(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, line ends as given) to ``path`` atomically; return the path."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: str | Path, data: Any) -> Path:
    """Write ``data`` as indented UTF-8 JSON atomically (numpy numbers, paths and dates become
    plain JSON); return the path."""
    text = json.dumps(data, indent=2, ensure_ascii=False, default=_json_default)
    return write_text_atomic(path, text + "\n")


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def write_table_atomic(path: str | Path, table: pd.DataFrame) -> Path:
    """Write a DataFrame to ``path`` atomically: Parquet if the name ends in ``.parquet``, else
    CSV without the index and with ``\\n`` line ends. Return the path."""
    if Path(path).suffix == ".parquet":
        return _replace_atomically(path, lambda tmp: table.to_parquet(tmp, index=False))
    return _replace_atomically(
        path, lambda tmp: table.to_csv(tmp, index=False, lineterminator="\n")
    )
