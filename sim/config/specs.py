"""Parameter specifications: the entries of ``sim/data/parameters.yaml`` and the overrides model.

Each entry of parameters.yaml describes one parameter (see docs/architecture.md)::

    departure_rate:
      description: People setting out from each origin place per year.
      unit: persons per year
      by: origin         # none (scalar) | origin | place | state | nationality | route | leg | mode
      min: 0              # allowed range for every value, inclusive
      max: 5000000
      integer: false      # optional: values must be whole numbers
      default: 0          # optional, keyed parameters: the value for ids not listed
      value: {dakar: 20000}
      source: "..."

A scenario's ``parameters:`` block overrides a scalar with a number and a keyed parameter with a
partial mapping. The overrides are validated by a pydantic model built from the file
(:func:`parameter_overrides_model`), so whatever entries the file holds are checked the same way:
names, ids of the ``by`` kind, whole numbers where required, and ranges.
"""

from __future__ import annotations

import functools
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model, model_validator

from sim.config.types import BY_KINDS, Float, Int, StrictModel, id_type
from sim.errors import UserError
from sim.network import DATA_DIR

PARAMETERS_PATH = DATA_DIR / "parameters.yaml"

ByKind = Literal["none", "origin", "place", "state", "nationality", "route", "leg", "mode"]
Number = float | int


class ParameterSpec(BaseModel):
    """One entry of parameters.yaml: a parameter's meaning, unit, range, default and source."""

    model_config = ConfigDict(extra="forbid")

    description: str = Field(min_length=1)
    unit: str = Field(min_length=1)
    by: ByKind
    min: float
    max: float
    integer: bool = False
    value: Number | dict[str, Number]
    default: Number | None = None
    source: str = Field(min_length=1)

    @model_validator(mode="after")
    def _value_matches_by_and_range(self) -> ParameterSpec:
        if not (math.isfinite(self.min) and math.isfinite(self.max) and self.min <= self.max):
            raise ValueError(f"need finite min <= max, got min {self.min} and max {self.max}")
        if (self.by == "none") != (not isinstance(self.value, dict)):
            raise ValueError("value must be a number when by is none, else a mapping id -> number")
        values = list(self.value.values()) if isinstance(self.value, dict) else [self.value]
        if self.default is not None:
            if self.by == "none":
                raise ValueError("default (for ids not listed) only applies when by is not none")
            values.append(self.default)
        for number in values:
            if not self.min <= number <= self.max:
                raise ValueError(f"default {number} is outside min..max ({self.min}..{self.max})")
            if self.integer and number != int(number):
                raise ValueError(f"default {number} is not a whole number (integer: true)")
        return self

    @property
    def keyed(self) -> bool:
        """True if the parameter has one value per id of its ``by`` kind."""
        return self.by != "none"

    def bound(self, number: float) -> int | float:
        """A bound shown as an int when it is whole (for messages and docs)."""
        return int(number) if float(number).is_integer() else number


@functools.lru_cache(maxsize=4)
def _load_specs(path_text: str) -> dict[str, ParameterSpec]:
    path = Path(path_text)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise UserError(f"{path}: cannot read the parameter file ({err.strerror}).") from None
    except yaml.YAMLError as err:
        raise UserError(f"{path}: YAML syntax error: {err}".replace("\n", " ")) from None
    if not isinstance(raw, dict) or not raw:
        raise UserError(f"{path}: must be a mapping of parameter name -> entry.")
    specs: dict[str, ParameterSpec] = {}
    for name, entry in raw.items():
        if not (isinstance(name, str) and name.isidentifier() and name.islower()):
            raise UserError(f"{path}: parameter name {name!r} must be lower snake case.")
        if name.startswith("model_"):
            raise UserError(f"{path}: parameter name {name!r} must not start with 'model_'.")
        try:
            specs[name] = ParameterSpec.model_validate(entry)
        except ValidationError as err:
            first = err.errors()[0]
            key = ".".join(str(part) for part in first["loc"])
            where = f"{name}.{key}" if key else name
            raise UserError(f"{path}: {where}: {first['msg']}.") from None
    return specs


def parameter_specs(path: Path | None = None) -> dict[str, ParameterSpec]:
    """The entries of parameters.yaml (default ``sim/data/parameters.yaml``), by name."""
    return _load_specs(str(Path(path or PARAMETERS_PATH).resolve()))


@functools.lru_cache(maxsize=4)
def _overrides_model(path_text: str) -> type[StrictModel]:
    fields: dict[str, Any] = {}
    for name, spec in _load_specs(path_text).items():
        number = Int if spec.integer else Float
        bounded = Annotated[number, Field(ge=spec.bound(spec.min), le=spec.bound(spec.max))]
        if spec.keyed:
            annotation: Any = dict[id_type(BY_KINDS[spec.by]), bounded] | None
        else:
            annotation = bounded | None
        fields[name] = (annotation, Field(default=None, description=spec.description))
    return create_model("ParameterOverrides", __base__=StrictModel, **fields)


def parameter_overrides_model(path: Path | None = None) -> type[StrictModel]:
    """A pydantic model of the ``parameters:`` block, built from parameters.yaml.

    Every field is optional; a scalar takes a number in ``min..max``, a keyed parameter a
    mapping from ids of its ``by`` kind to such numbers.
    """
    return _overrides_model(str(Path(path or PARAMETERS_PATH).resolve()))


def default_parameter_values(path: Path | None = None) -> dict[str, Any]:
    """Every parameter's default value (keyed ones as fresh dicts), by name."""
    return {
        name: dict(spec.value) if isinstance(spec.value, dict) else spec.value
        for name, spec in parameter_specs(path).items()
    }


def merge_parameter_values(defaults: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Defaults with overrides applied: scalars replaced, keyed parameters merged per key."""
    merged = {name: dict(v) if isinstance(v, dict) else v for name, v in defaults.items()}
    for name, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(name), dict):
            merged[name].update(value)
        else:
            merged[name] = value
    return merged
