"""Model parameters: defaults from ``sim/data/parameters.yaml`` and their array form.

Every default value lives in that one file with its unit and source. A parameter is either a
number or a mapping from ids (origin places, states, nationalities, routes, legs, modes) to
numbers, with an optional ``default`` for ids not listed. The model turns keyed parameters into
arrays over its own indices with :func:`as_array`.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np
import yaml

PARAMETERS_FILE = Path(__file__).resolve().parent / "data" / "parameters.yaml"


@functools.lru_cache(maxsize=4)
def load_specs(path: Path = PARAMETERS_FILE) -> dict[str, dict[str, Any]]:
    """The parameter specifications: name -> {description, unit, by, min, max, value, ...}."""
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def default_values(path: Path = PARAMETERS_FILE) -> dict[str, Any]:
    """Name -> default value (a number, or a mapping id -> number)."""
    return {name: spec["value"] for name, spec in load_specs(path).items()}


def as_array(values: dict[str, Any], name: str, ids: list[str]) -> np.ndarray:
    """Parameter ``name`` as a float array aligned with ``ids``.

    A scalar parameter fills the whole array; a keyed one takes each id's value, else the
    spec's ``default``, else 0.
    """
    value = values[name]
    if not isinstance(value, dict):
        return np.full(len(ids), float(value))
    fallback = float(load_specs()[name].get("default", 0.0))
    return np.array([float(value.get(i, fallback)) for i in ids])
