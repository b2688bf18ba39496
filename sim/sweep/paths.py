"""Factor paths: where in a scenario a sweep's factor puts its value.

A path names one value of the (resolved) base scenario, with dots::

    parameters.give_up_base                 a scalar model parameter
    parameters.departure_rate.dakar         one key of a keyed parameter
    parameters.departure_rate               every key of it (only with `mode: multiply`)
    policies.hrv_pushbacks.probability      a key of the policy block whose id is hrv_pushbacks
    policies.hrv_pushbacks.violence.days_lost
    policies.libya_prevention.enabled       switches the block on (true) or off (false)
    network.legs.zuwara-lampedusa.death_risk

:func:`resolve` checks a path against the base scenario and the scenario schema and returns a
:class:`Target` (what kind of value it takes, its valid range, its base value); a path that
leads nowhere raises :class:`PathError` with the nearest valid keys. :func:`apply` writes a
design point's values into a copy of the scenario data; the result is validated like any
scenario (:func:`sim.scenario.loading.scenario_from_dict`).

With ``mode: set`` (the default) the factor's value replaces the base value; with ``mode:
multiply`` it multiplies it (for a keyed parameter without a key: every key's value).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

from sim.config.specs import default_parameter_values, parameter_specs
from sim.config.types import BY_KINDS, suggestion, valid_ids
from sim.network import Network
from sim.scenario.schema import schema_at

Mode = Literal["set", "multiply"]
#: The kinds of value a factor can set.
Kind = Literal["number", "integer", "boolean", "text"]
TOP_KEYS = ("parameters", "policies", "network")
_SCHEMA_KINDS: dict[str, Kind] = {
    "number": "number",
    "integer": "integer",
    "boolean": "boolean",
    "string": "text",
}


class PathError(ValueError):
    """A factor path that does not name one value of the scenario (the message says why)."""


@dataclass(frozen=True)
class Target:
    """What a path names: its parts, the kind of value, the valid range, the base value(s).

    ``base`` is the value in the base scenario (or the default), or for a keyed parameter
    addressed without a key, ``{key: value}`` for every valid key.
    """

    path: tuple[str, ...]
    kind: Kind
    minimum: float | None
    maximum: float | None
    base: Any

    @property
    def text(self) -> str:
        """The path as written."""
        return ".".join(self.path)


def resolve(path: str, scenario: dict[str, Any], network: Network) -> Target:
    """The :class:`Target` of ``path`` in ``scenario`` (resolved scenario data)."""
    parts = tuple(path.split("."))
    if any(not part for part in parts):
        raise PathError(f"'{path}' has an empty part; write keys separated by single dots")
    if parts[0] not in TOP_KEYS:
        raise PathError(
            f"'{path}' does not start with a section factors can change"
            + suggestion(parts[0], TOP_KEYS, noun="first keys")
        )
    if len(parts) == 1:
        raise PathError(f"'{path}' names a whole section; continue the path to one value")
    if parts[0] == "parameters":
        return _parameter(parts, scenario, network)
    if parts[0] == "policies":
        return _policy(parts, scenario)
    return _network(parts, scenario, network)


def _parameter(parts: tuple[str, ...], scenario: dict[str, Any], network: Network) -> Target:
    specs = parameter_specs()
    name = parts[1]
    if name not in specs:
        raise PathError(
            f"'{name}' is not a model parameter" + suggestion(name, specs, noun="parameters")
        )
    spec = specs[name]
    kind: Kind = "integer" if spec.integer else "number"
    overrides = scenario.get("parameters", {}).get(name)
    default = default_parameter_values()[name]
    if not spec.keyed:
        if len(parts) > 2:
            raise PathError(f"parameter '{name}' is a single number; its path ends at {name}")
        base = default if overrides is None else overrides
        return Target(parts, kind, spec.min, spec.max, base)
    keys = valid_ids(network, BY_KINDS[spec.by])
    given = {**default, **(overrides or {})}
    if len(parts) == 2:
        every = {key: given.get(key, spec.default) for key in keys}
        return Target(parts, kind, spec.min, spec.max, every)
    if len(parts) > 3 or parts[2] not in keys:
        raise PathError(
            f"'{'.'.join(parts[2:])}' is not a key of parameter '{name}' (one value per "
            f"{spec.by})" + suggestion(parts[2], keys, noun=f"{spec.by} ids")
        )
    return Target(parts, kind, spec.min, spec.max, given.get(parts[2], spec.default))


def policy_index(scenario: dict[str, Any], block_id: str) -> int:
    """The index in ``scenario['policies']`` of the block with id ``block_id``."""
    ids = [block.get("id") for block in scenario.get("policies", [])]
    if block_id in ids:
        return ids.index(block_id)
    known = [i for i in ids if i is not None]
    if not known:
        raise PathError(
            f"the base scenario has no policy block with an id, so '{block_id}' names none; "
            "give the block an `id:` in the scenario (or in a scenario that extends it)"
        )
    raise PathError(
        f"the base scenario has no policy block with id '{block_id}'"
        + suggestion(block_id, known, noun="policy ids", list_all=True)
    )


def _policy(parts: tuple[str, ...], scenario: dict[str, Any]) -> Target:
    index = policy_index(scenario, parts[1])
    block = scenario["policies"][index]
    if len(parts) == 2:
        raise PathError(f"'{'.'.join(parts)}' names a whole block; add the key to vary")
    node = _schema_node(("policies", index, block["type"]), parts[2:], parts)
    base: Any = block
    for key in parts[2:]:
        base = base.get(key) if isinstance(base, dict) else None
    if base is None:
        base = node.get("default")
    return Target(parts, _kind(node, parts), node.get("minimum"), node.get("maximum"), base)


def _network(parts: tuple[str, ...], scenario: dict[str, Any], network: Network) -> Target:
    section = parts[1] if len(parts) > 1 else ""
    if section not in ("legs", "places") or len(parts) != 4:
        raise PathError(
            f"'{'.'.join(parts)}': network paths are network.legs.<leg id>.<key> or "
            "network.places.<place id>.<key>"
        )
    kind_of_id = "leg" if section == "legs" else "place"
    ids = valid_ids(network, kind_of_id)
    if parts[2] not in ids:
        raise PathError(
            f"'{parts[2]}' is not a {kind_of_id} id"
            + suggestion(parts[2], ids, noun=f"{kind_of_id} ids")
        )
    node = _schema_node(("network", section, parts[2]), parts[3:], parts)
    given = scenario.get("network", {}).get(section, {}).get(parts[2], {}).get(parts[3])
    if given is None:
        rows = network.legs if section == "legs" else network.places
        index = (network.leg_index if section == "legs" else network.place_index)[parts[2]]
        given = rows[index].get(parts[3])
    return Target(parts, _kind(node, parts), node.get("minimum"), node.get("maximum"), given)


def _schema_node(
    prefix: tuple[Any, ...], keys: tuple[str, ...], parts: tuple[str, ...]
) -> dict[str, Any]:
    """The schema node at ``prefix + keys``; a key that leads nowhere is a :class:`PathError`
    naming the valid keys at that level."""
    for depth in range(1, len(keys) + 1):
        if schema_at((*prefix, *keys[:depth])) is None:
            above = schema_at((*prefix, *keys[: depth - 1])) or {}
            valid = list(above.get("properties", {}))
            where = ".".join(parts[: len(parts) - len(keys) + depth - 1])
            raise PathError(
                f"'{keys[depth - 1]}' is not a key of {where}"
                + suggestion(keys[depth - 1], valid, noun="keys here")
            )
    node = schema_at((*prefix, *keys))
    assert node is not None
    return node


def _kind(node: dict[str, Any], parts: tuple[str, ...]) -> Kind:
    kind = _SCHEMA_KINDS.get(node.get("type", ""))
    if kind is None:
        raise PathError(
            f"'{'.'.join(parts)}' holds {_what(node)}, not a single number, switch or word; "
            "a factor sets one value"
        )
    return kind


def _what(node: dict[str, Any]) -> str:
    kind = node.get("type")
    return {"array": "a list", "object": "a mapping"}.get(kind, "several kinds of value")


def apply(
    scenario: dict[str, Any],
    targets: dict[str, Target],
    modes: dict[str, Mode],
    values: dict[str, Any],
) -> dict[str, Any]:
    """A copy of ``scenario`` with each factor's value written at its target.

    ``targets`` and ``modes`` are by factor name; ``values`` holds the design point's value of
    each factor. Integer targets get whole numbers (a multiplied base is rounded).
    """
    data = copy.deepcopy(scenario)
    for name, value in values.items():
        target = targets[name]
        if modes[name] == "multiply":
            value = _multiplied(target, value)
        _write(data, target, value)
    return data


def _multiplied(target: Target, factor: float) -> Any:
    def times(base: float) -> float | int:
        product = base * factor
        return int(round(product)) if target.kind == "integer" else float(product)

    if isinstance(target.base, dict):
        return {key: times(base) for key, base in target.base.items()}
    return times(target.base)


def _write(data: dict[str, Any], target: Target, value: Any) -> None:
    parts = target.path
    if parts[0] == "parameters":
        section = data.setdefault("parameters", {})
        if len(parts) == 2:
            section[parts[1]] = value
        else:
            keyed = section.setdefault(parts[1], {})
            keyed[parts[2]] = value
        return
    if parts[0] == "policies":
        node = data["policies"][policy_index(data, parts[1])]
        keys = parts[2:]
    else:
        node = data.setdefault("network", {})
        keys = parts[1:]
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[keys[-1]] = value
