"""Scenario files: YAML loading, ``extends:`` inheritance and validation with clear errors.

A scenario is a YAML file (see docs/scenarios.md, generated from the schema)::

    name: smo_niger
    extends: baseline.yaml          # a base scenario, relative to this file
    policies:
      - type: safe_mobility_office
        id: smo_niger
        places: [agadez]
        start: 2023-03-01

:func:`load_scenario` reads the file and its chain of bases (safely, whatever the file:
:mod:`sim.scenario.reading`), merges them (this file's values override the base's: mappings
merge key by key, lists replace, and policy blocks with the id of an inherited block are merged
into it), validates the result with the pydantic models of
:mod:`sim.scenario_schema` and returns a :class:`Scenario`. Any problem raises
:class:`sim.errors.UserError` with one paragraph naming the file, the line where known, the key
path and what would be valid.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import PrivateAttr, ValidationError

from sim.config.types import default_network
from sim.errors import UserError
from sim.network import Network
from sim.scenario.errors import Loc, describe_error, key_path
from sim.scenario.reading import read_yaml
from sim.scenario.schema import ScenarioModel, validation_context

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]

_MAX_PROBLEMS_SHOWN = 4
#: The keys a scenario file may have at its top level.
SCENARIO_KEYS: tuple[str, ...] = tuple(
    field.alias or name for name, field in ScenarioModel.model_fields.items()
)


class Scenario(ScenarioModel):
    """A validated scenario with its ``extends`` chain resolved.

    Besides the scenario keys it knows the file it came from (``path``), the files it was
    built from (``chain``, base first) and a fingerprint of its content (``sha256``).
    """

    _path: Path | None = PrivateAttr(default=None)
    _chain: list[Path] = PrivateAttr(default_factory=list)

    @property
    def path(self) -> Path | None:
        """The scenario file, or None for a scenario built in code."""
        return self._path

    @property
    def chain(self) -> list[Path]:
        """The files the scenario was merged from (absolute paths), base first, this file last."""
        return list(self._chain)

    def to_dict(self) -> dict[str, Any]:
        """The resolved scenario as JSON-able data (for manifests and reports)."""
        data = self.model_dump(mode="json", by_alias=True, exclude={"extends", "network"})
        data["network"] = self.network.model_dump(mode="json", exclude_none=True)
        return data

    @property
    def sha256(self) -> str:
        """SHA-256 of the canonical JSON of :meth:`to_dict` (same content, same hash)."""
        text = json.dumps(self.to_dict(), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def network_overrides(self) -> dict[str, Any]:
        """The ``network:`` block as plain data, for :func:`sim.network.load_network`."""
        return self.network.model_dump(mode="json", exclude_none=True)

    def summary_line(self) -> str:
        """One line for ``run.py check``: name, dates, seeds, scale and policies."""
        enabled = sum(1 for block in self.policies if block.enabled)
        disabled = len(self.policies) - enabled
        policies = f"{enabled} {'policy' if enabled == 1 else 'policies'}"
        if disabled:
            policies += f" (+{disabled} disabled)"
        outside = [
            b
            for b in self.policies
            if b.enabled and not b.acts_within(self.start_date, self.end_date)
        ]
        if outside:
            policies += f", {len(outside)} of them in force only outside the run"
        return (
            f"{self.name}: {self.start_date} to {self.end_date} ({self.days} days), "
            f"{self.seeds} {'seed' if self.seeds == 1 else 'seeds'} from {self.seed}, "
            f"scale {self.scale:g}, {policies}"
        )


# --------------------------------------------------------------------------- reading files


@dataclass
class _Source:
    """One file of an ``extends`` chain: its data (without ``extends``) and key lines."""

    path: Path
    shown: str
    data: dict[str, Any]
    lines: dict[Loc, int] = field(default_factory=dict)


def _node_lines(node: yaml.Node, loc: Loc, lines: dict[Loc, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            here = (*loc, key_node.value)
            lines[here] = key_node.start_mark.line + 1
            _node_lines(value_node, here, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            lines[(*loc, index)] = item.start_mark.line + 1
            _node_lines(item, (*loc, index), lines)


def _shown(path: Path) -> str:
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return relative if not relative.startswith(".." + os.sep + "..") else str(path)


def _holds(data: Any) -> str:
    """What a YAML value is, in words that do not quote the file (it may not be a scenario)."""
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a single line or block of text"
    return "a single value"


def _read_source(path: Path, shown: str, extended_by: str | None) -> tuple[_Source, Any]:
    """Read one scenario file; return it and its raw ``extends`` value."""
    what = f"{shown} (extended by {extended_by})" if extended_by else shown
    data, node = read_yaml(path, what)
    if data is None:
        raise UserError(
            f"{what}: the file is empty; a scenario needs at least `name:` (e.g. `name: my_case`)."
        )
    if not isinstance(data, dict):
        raise UserError(
            f"{what}: the top level must be a mapping of keys such as `name:`, `days:` and "
            f"`policies:`, but the file holds {_holds(data)}; is it a scenario file?"
        )
    if data and not any(key in SCENARIO_KEYS for key in data):
        raise UserError(
            f"{what}: this does not look like a scenario file: none of its top-level keys is "
            f"a scenario key ({', '.join(SCENARIO_KEYS[:6])}, ...; see docs/scenarios.md)."
        )
    lines: dict[Loc, int] = {}
    _node_lines(node, (), lines)
    extends = data.pop("extends", None)
    return _Source(path=path, shown=shown, data=data, lines=lines), extends


def _read_chain(path: Path, shown: str) -> list[_Source]:
    """The scenario and its bases, base first; missing or circular ``extends`` are errors."""
    chain: list[_Source] = []
    visited: list[Path] = []
    extended_by: str | None = None
    while True:
        resolved = path.resolve()
        if resolved in visited:
            names = " -> ".join([*(s.shown for s in chain), _shown(path)])
            raise UserError(
                f"{chain[0].shown}: extends: circular chain {names}; a scenario cannot extend "
                "itself, directly or through its bases."
            )
        visited.append(resolved)
        source, extends = _read_source(path, shown, extended_by)
        chain.append(source)
        if extends is None:
            break
        if not isinstance(extends, str) or not extends.strip():
            raise UserError(
                f"{_where(chain, len(chain) - 1, ('extends',))}: extends: expected the path of a "
                f"base scenario file (relative to this file), found {extends!r}."
            )
        path = source.path.parent / extends
        if not path.is_file():
            names = " -> ".join(s.shown for s in chain)
            state = "does not exist"
            if path.is_dir():
                state = "is a directory"
            elif path.exists():
                state = "is not a regular file"
            raise UserError(
                f"{_where(chain, len(chain) - 1, ('extends',))}: extends: base scenario "
                f"'{extends}' {state} (looked for {_shown(path)}; chain: {names}). Paths are "
                "relative to the file that extends."
            )
        extended_by, shown = source.shown, _shown(path)
    chain.reverse()
    return chain


# --------------------------------------------------------------------------- merging


@dataclass
class _Merge:
    """The merged data and, for every key path in it, the file and path that set it."""

    sources: list[_Source]
    data: dict[str, Any] = field(default_factory=dict)
    origin: dict[Loc, tuple[int, Loc]] = field(default_factory=dict)

    def record(self, value: Any, loc: Loc, raw: Loc, source: int) -> None:
        self.origin[loc] = (source, raw)
        if isinstance(value, dict):
            for key, item in value.items():
                self.record(item, (*loc, key), (*raw, key), source)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                self.record(item, (*loc, index), (*raw, index), source)

    def forget(self, loc: Loc) -> None:
        for known in [k for k in self.origin if k[: len(loc)] == loc]:
            del self.origin[known]

    def overlay(self, target: dict, over: dict, loc: Loc, raw: Loc, source: int) -> None:
        """Merge ``over`` into ``target``: mappings deeply, other values (lists) replace."""
        for key, value in over.items():
            here, here_raw = (*loc, key), (*raw, key)
            if value is None and key in target:
                continue  # an empty value means "not given": keep the base's
            if loc == () and key == "policies" and isinstance(value, list):
                base = target.get("policies")
                if not isinstance(base, list):
                    target["policies"] = base = []
                    self.forget(here)
                self.origin[here] = (source, here_raw)
                self.merge_policies(base, value, source)
            elif isinstance(value, dict) and isinstance(target.get(key), dict):
                self.origin[here] = (source, here_raw)
                self.overlay(target[key], value, here, here_raw, source)
            else:
                self.forget(here)
                target[key] = copy.deepcopy(value)
                self.record(value, here, here_raw, source)

    def merge_policies(self, base: list, blocks: list, source: int) -> None:
        """Blocks with the id of an inherited block are merged into it; others are appended."""
        inherited = {b.get("id"): i for i, b in enumerate(base) if isinstance(b, dict)}
        seen: dict[Any, int] = {}
        for index, block in enumerate(blocks):
            raw = ("policies", index)
            block_id = block.get("id") if isinstance(block, dict) else None
            if not isinstance(block_id, str | int) or isinstance(block_id, bool):
                block_id = None
            if block_id is not None and block_id in seen:
                raise UserError(
                    f"{_where(self.sources, source, (*raw, 'id'))}: policies[{index}].id: "
                    f"policy id '{block_id}' is already used by policies[{seen[block_id]}] in "
                    "the same file; ids must be unique (a block with an inherited id changes "
                    "that block)."
                )
            if block_id is not None:
                seen[block_id] = index
            target = inherited.get(block_id) if block_id is not None else None
            if target is None:
                base.append(copy.deepcopy(block))
                self.record(block, ("policies", len(base) - 1), raw, source)
                continue
            old_type, new_type = (
                base[target].get("type"),
                block.get("type", base[target].get("type")),
            )
            if new_type != old_type:
                raise UserError(
                    f"{_where(self.sources, source, (*raw, 'type'))}: policies[{index}].type: "
                    f"block '{block_id}' has type '{new_type}' but the inherited block with that "
                    f"id has type '{old_type}'; keep the type, or give the block a new id."
                )
            self.origin[("policies", target)] = (source, raw)
            self.overlay(base[target], block, ("policies", target), raw, source)


def _where(sources: list[_Source], source: int, raw: Loc, top: int | None = None) -> str:
    """Where a key was written: ``file, line N``, or the base file for inherited keys."""
    top = len(sources) - 1 if top is None else top
    line = None
    for cut in range(len(raw), -1, -1):
        line = sources[source].lines.get(raw[:cut])
        if line is not None:
            break
    at = f", line {line}" if line is not None else ""
    if source == top:
        return f"{sources[top].shown}{at}"
    return f"{sources[top].shown} (set in its base {sources[source].shown}{at})"


def _locate(merge: _Merge, loc: Loc) -> tuple[str, Loc]:
    """The place to show for an error at ``loc`` of the merged data, and the key path as
    written in that file (a policy's index may differ from its index after merging)."""
    for cut in range(len(loc), -1, -1):
        if loc[:cut] in merge.origin:
            source, raw = merge.origin[loc[:cut]]
            raw_loc = (*raw, *loc[cut:])
            return _where(merge.sources, source, raw_loc), raw_loc
    return _where(merge.sources, len(merge.sources) - 1, loc), loc


def _validation_message(merge: _Merge, error: ValidationError) -> str:
    problems = []
    for item in error.errors():
        loc, text = describe_error(item)
        where, raw_loc = _locate(merge, loc)
        problems.append((where, key_path(raw_loc), text))
    where, key, text = problems[0]
    message = _sentence(f"{where}: {key}: {text}")
    others = problems[1 : 1 + _MAX_PROBLEMS_SHOWN]
    if others:
        listed = "; ".join(f"{k}: {t.rstrip('.')}" for _, k, t in others)
        hidden = len(problems) - 1 - len(others)
        message += _sentence(
            f" Other problems: {listed}" + (f"; and {hidden} more" if hidden else "")
        )
    return message


def _sentence(text: str) -> str:
    return text if text.endswith((".", "?", "!")) else text + "."


# --------------------------------------------------------------------------- loading


def load_scenario(path: str | os.PathLike[str], network: Network | None = None) -> Scenario:
    """Load, merge and validate a scenario file; raise :class:`UserError` on any problem.

    ``network`` is the route network ids are checked against (default: ``sim/data``).
    """
    shown = str(path)
    sources = _read_chain(Path(path), shown)
    merge = _Merge(sources=sources)
    for index, source in enumerate(sources):
        merge.overlay(merge.data, source.data, (), (), index)
    base_network = network if network is not None else default_network()
    context = validation_context(merge.data, base_network)
    try:
        scenario = Scenario.model_validate(merge.data, context=context)
    except ValidationError as err:
        raise UserError(_validation_message(merge, err)) from None
    scenario._path = Path(path)
    scenario._chain = [source.path.resolve() for source in sources]
    return scenario


def scenario_from_dict(data: dict[str, Any], network: Network | None = None) -> Scenario:
    """Validate a scenario given as data (e.g. from a manifest); raise :class:`UserError`."""
    sources = [_Source(path=Path("<data>"), shown="<scenario data>", data=dict(data))]
    merge = _Merge(sources=sources)
    merge.overlay(merge.data, copy.deepcopy(data), (), (), 0)
    context = validation_context(merge.data, network or default_network())
    try:
        return Scenario.model_validate(merge.data, context=context)
    except ValidationError as err:
        raise UserError(_validation_message(merge, err)) from None
