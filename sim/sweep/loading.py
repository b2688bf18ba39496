"""Sweep files: reading, validation with one-paragraph errors, and the plan they describe.

:func:`load_sweep` reads a sweep file (YAML, see docs/sweeps.md), validates it with
:mod:`sim.sweep.schema`, loads the base scenario, resolves every factor's path
(:mod:`sim.sweep.paths`), checks that every value a factor can take is valid where it goes
(by validating the scenario with it, like any scenario file), samples the design
(:mod:`sim.sweep.design`) and checks every design point the same way. Every problem is a
:class:`~sim.errors.UserError` of one paragraph naming the sweep file, the line, the key and
what would be valid. The result is a :class:`Sweep` holding the :class:`~sim.sweep.tasks.Plan`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.errors import UserError
from sim.execution.runner import check_run_options, replication_seeds
from sim.scenario.errors import Loc, describe_error, describe_input, key_path, range_text
from sim.scenario.loading import Scenario, load_scenario, scenario_from_dict
from sim.scenario.reading import yaml_syntax_error
from sim.scenario.schema import schema_at
from sim.sweep.checks import check_design, check_factor, expand_outputs
from sim.sweep.design import DesignSpec, sample_design
from sim.sweep.schema import SweepModel, sweep_json_schema
from sim.sweep.tasks import ModelSpec, Plan

_RANGE_ERRORS = {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}
_MAX_PROBLEMS_SHOWN = 3


@dataclass
class Sweep:
    """A validated sweep file: where it is, its content and hash, the base scenario and the
    plan of runs."""

    path: Path
    text: str
    model: SweepModel
    scenario: Scenario
    plan: Plan
    overrides: dict[str, Any] = field(default_factory=dict)

    @property
    def sha256(self) -> str:
        """SHA-256 of the sweep file's bytes."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def describe(self) -> dict[str, Any]:
        """The sweep for the manifest: file, hash, content, base scenario and design."""
        spec = self.plan.model
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "content": self.text,
            "overrides": self.overrides,
            "scenario": {
                "path": str(self.scenario.path),
                "name": self.scenario.name,
                "sha256": self.scenario.sha256,
                "resolved": spec.scenario if spec else None,
            },
            "days": spec.days if spec else None,
            "scale": spec.scale if spec else None,
        }


class _Loader(yaml.SafeLoader):
    """Safe YAML that keeps dates as text (pydantic parses them) and rejects duplicate keys."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, str | int | float | bool) and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {seen[key]})",
                    key_node.start_mark,
                )  # fmt: skip
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


#: What a sweep file's top level holds, for the error when it holds something else.
SWEEP_KEYS = "`name:`, `scenario:`, `factors:`, `design:` and `outputs:` (docs/sweeps.md)"


class SweepFile:
    """A sweep file's text, data and the line of every key, to say where a problem is.

    ``kind`` and ``keys`` name the kind of file in errors (a calibration file is read the
    same way)."""

    def __init__(self, path: Path, kind: str = "sweep file", keys: str = SWEEP_KEYS) -> None:
        self.path = path
        self.shown = str(path)
        if not path.is_file():
            state = "is a directory" if path.is_dir() else "not found"
            raise UserError(f"{self.shown}: {kind} {state}; give the path of a .yaml file.")
        try:
            self.text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise UserError(f"{self.shown}: cannot be read as UTF-8 text ({err}).") from None
        self.lines: dict[Loc, int] = {}
        loader = _Loader(self.text)
        try:
            node = loader.get_single_node()
            self.data = loader.construct_document(node) if node is not None else None
        except yaml.MarkedYAMLError as err:
            raise yaml_syntax_error(self.shown, err) from None
        finally:
            loader.dispose()
        if not isinstance(self.data, dict):
            raise UserError(f"{self.shown}: a {kind} is a mapping of keys such as {keys}.")
        self._record(node, ())

    def _record(self, node: yaml.Node, loc: Loc) -> None:
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                here = (*loc, key_node.value)
                self.lines[here] = key_node.start_mark.line + 1
                self._record(value_node, here)
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                self.lines[(*loc, index)] = item.start_mark.line + 1
                self._record(item, (*loc, index))

    def where(self, loc: Loc) -> str:
        """``file, line N`` of the key at ``loc`` (or of the nearest enclosing key)."""
        for cut in range(len(loc), -1, -1):
            if loc[:cut] in self.lines:
                return f"{self.shown}, line {self.lines[loc[:cut]]}"
        return self.shown

    def error(self, loc: Loc, text: str) -> UserError:
        """A :class:`UserError` naming the file, line and key at ``loc``."""
        text = text.rstrip()
        if not text.endswith((".", "?", "!")):
            text += "."
        return UserError(f"{self.where(loc)}: {key_path(loc)}: {text}")


def _describe(item: dict[str, Any]) -> tuple[Loc, str]:
    loc = tuple(seg for seg in item["loc"] if seg not in ("[key]", "str", "list[str]"))
    if item["type"] in _RANGE_ERRORS:
        valid = range_text(schema_at(tuple(item["loc"]), sweep_json_schema()))
        got = describe_input(item.get("input"))
        return loc, f"{got} is out of range; it must be {valid or item['msg']}"
    if item["type"] == "missing":
        return loc, "this key is required but missing"
    described_loc, text = describe_error({**item, "loc": loc})
    return described_loc, text


def _validation_error(source: SweepFile, error: ValidationError) -> UserError:
    problems = [_describe(item) for item in error.errors()]
    loc, text = problems[0]
    first = source.error(loc, text)
    others = problems[1 : 1 + _MAX_PROBLEMS_SHOWN]
    if not others:
        return first
    listed = "; ".join(f"{key_path(k)}: {t.rstrip('.')}" for k, t in others)
    return UserError(f"{first} Other problems: {listed}.")


def load_sweep(
    path: str | Path,
    days: int | None = None,
    scale: float | None = None,
    replications: int | None = None,
    samples: int | None = None,
) -> Sweep:
    """Read and check a sweep file; return it with its plan. ``days``, ``scale``,
    ``replications`` and ``samples`` override the file's (for a quick trial)."""
    check_run_options(days=days, scale=scale)
    if replications is not None and not 1 <= replications <= 1000:
        raise UserError(f"--replications must be between 1 and 1000, got {replications}")
    if samples is not None and samples < 1:
        raise UserError(f"--samples must be at least 1, got {samples}")
    source = SweepFile(Path(path))
    try:
        model = SweepModel.model_validate(source.data)
    except ValidationError as err:
        raise _validation_error(source, err) from None
    overrides = {"days": days, "scale": scale, "replications": replications}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if samples is not None:
        overrides["samples"] = samples
        model = model.model_copy(update={"design": model.design.model_copy(
            update={"samples": samples})})  # fmt: skip
    model = model.model_copy(update={k: v for k, v in overrides.items() if k != "samples"})
    scenario = _base_scenario(source, model)
    days_run = model.days or scenario.days
    scale_run = model.scale or scenario.scale
    base = {**scenario.to_dict(), "days": days_run, "scale": scale_run}
    try:
        scenario_from_dict(base)
    except UserError as err:
        text = f"the base scenario is not valid over {days_run} days: {_inner(err)}"
        raise source.error(("days",) if model.days else ("scenario",), text) from None
    factors, targets, modes = [], {}, {}
    for name, factor in model.factors.items():
        built, target = check_factor(source, name, factor, model.design.method, base)
        factors.append(built)
        targets[name], modes[name] = target, factor.mode
    spec = DesignSpec(model.design.method, model.design.samples, model.design.seed,
                      model.design.second_order, model.design.morris_levels,
                      model.design.fast_terms)  # fmt: skip
    check_design(source, spec, factors)
    outputs = expand_outputs(source, model.outputs, scenario, days_run, set(model.factors))
    design = sample_design(factors, spec)
    seed = scenario.seed if model.seed is None else model.seed
    run = ModelSpec(base, targets, modes, days_run, scale_run, tuple(outputs))
    plan = Plan(model.name, design, model.replications, replication_seeds(seed, model.replications),
                [o.name for o in outputs], run, model.warmup)  # fmt: skip
    _check_points(source, plan)
    return Sweep(Path(path), source.text, model, scenario, plan, overrides)


def _base_scenario(source: SweepFile, model: SweepModel) -> Scenario:
    path = source.path.parent / model.scenario
    if not path.is_file():
        raise source.error(("scenario",), (
            f"base scenario '{model.scenario}' not found (looked for {path}); the path is "
            "relative to the sweep file"))  # fmt: skip
    try:
        return load_scenario(path)
    except UserError as err:
        raise source.error(("scenario",), f"the base scenario has a problem: {err}") from None


def _inner(error: UserError) -> str:
    """A scenario-data error's message without its ``<scenario data>:`` prefix."""
    return str(error).removeprefix("<scenario data>: ")


def _check_points(source: SweepFile, plan: Plan) -> None:
    """Every design point must be a valid scenario (factors can clash, e.g. dates or prices)."""
    for point in range(plan.design.points):
        values = plan.design.values(point)
        try:
            scenario_from_dict(plan.model.scenario_data(values))
        except UserError as err:
            shown = ", ".join(f"{k}={v}" for k, v in values.items())
            raise source.error(("factors",), (
                f"design point {point} ({shown}) is not a valid scenario: {_inner(err)}; "
                "narrow the factors' ranges so that every combination is valid"),
            ) from None  # fmt: skip
