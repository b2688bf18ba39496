"""Building blocks of the scenario schema: strict models and ids checked against the network.

Every model a scenario file is validated with derives from :class:`StrictModel`, which rejects
unknown keys and suggests the closest valid one. Ids (places, legs, states, nationalities,
routes, modes) are plain strings annotated with an :class:`IdKind`; their validator looks the
value up in the route network and, if it is unknown, names the nearest valid ids.

The network comes from the validation context (``{"network": Network}``) built by
:func:`sim.scenario.load_scenario`; without a context the default network is loaded once.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationInfo,
    WithJsonSchema,
    model_validator,
)
from pydantic_core import PydanticCustomError

from sim.network import MODES, ROUTES, Network, load_network

IdKind = Literal[
    "place",
    "origin",
    "destination",
    "state",
    "non_eu_state",
    "nationality",
    "nationality_or_all",
    "leg",
    "route",
    "mode",
    "change",
]

#: How one id of each kind, and several, are named in messages and in docs/scenarios.md.
ID_LABELS: dict[str, tuple[str, str]] = {
    "place": ("place id", "place ids"),
    "origin": ("origin place id", "origin place ids"),
    "destination": ("destination place id", "destination place ids"),
    "state": ("state id", "state ids"),
    "non_eu_state": ("non-EU state id", "non-EU state ids"),
    "nationality": ("nationality", "nationalities"),
    "nationality_or_all": ("nationality", "nationalities (or `all`)"),
    "leg": ("leg id", "leg ids"),
    "route": ("route id", "route ids"),
    "mode": ("mode", "modes"),
    "change": ("dated change id", "dated change ids"),
}

#: Kinds of the ``by`` column of parameters.yaml that key a parameter (``none`` is a scalar).
BY_KINDS: dict[str, str] = {
    "origin": "origin",
    "place": "place",
    "state": "state",
    "nationality": "nationality",
    "route": "route",
    "leg": "leg",
    "mode": "mode",
}


#: Numbers and switches as YAML writes them: `true` is not 1, and 2.5 is not a whole number.
Int = Annotated[int, Strict()]
Float = Annotated[float, Strict()]
Bool = Annotated[bool, Strict()]


@functools.lru_cache(maxsize=1)
def default_network() -> Network:
    """The network from ``sim/data`` without overrides (loaded once per process)."""
    return load_network()


def network_of(info: ValidationInfo | None) -> Network:
    """The network in the validation context, or the default network."""
    context = info.context if info is not None else None
    if isinstance(context, dict) and context.get("network") is not None:
        return context["network"]
    return default_network()


def valid_ids(network: Network, kind: str) -> list[str]:
    """All valid ids of one kind, in the network's order."""
    if kind == "place":
        return list(network.place_ids)
    if kind in ("origin", "destination"):
        return [p["id"] for p in network.places if p["kind"] == kind]
    if kind == "state":
        return list(network.state_ids)
    if kind == "non_eu_state":
        return [s["id"] for s in network.states if not s["eu_member"] and s["id"] != "EU"]
    if kind == "nationality":
        return list(network.nationalities)
    if kind == "nationality_or_all":
        return ["all", *network.nationalities]
    if kind == "leg":
        return list(network.leg_ids)
    if kind == "route":
        return list(ROUTES)
    if kind == "mode":
        return list(MODES)
    if kind == "change":
        return [change["id"] for change in network.changes]
    raise ValueError(f"unknown id kind {kind!r}")


def nearest(value: object, candidates: Iterable[str], n: int = 3) -> list[str]:
    """The candidates closest to ``value`` (case-insensitive), best first."""
    by_folded: dict[str, str] = {}
    for candidate in candidates:
        by_folded.setdefault(str(candidate).casefold(), str(candidate))
    close = difflib.get_close_matches(str(value).casefold(), list(by_folded), n=n, cutoff=0.5)
    return [by_folded[c] for c in close]


def suggestion(
    value: object, candidates: Iterable[str], *, noun: str, list_all: bool = False
) -> str:
    """A clause naming the nearest candidates and, when there are few (or ``list_all``: no
    command lists them), all of them.

    E.g. ``"; did you mean 'agadez'? (`python run.py network --ids` lists all place ids)"``;
    ``noun`` names the candidates (``"place ids"``, ``"keys here"``).
    """
    candidates = list(candidates)
    close = nearest(value, candidates)
    text = "; did you mean " + " or ".join(f"'{c}'" for c in close) + "?" if close else ""
    if len(candidates) <= 15 or list_all:
        listing = f"valid {noun}: {', '.join(candidates) or '(none)'}"
        text += f" {listing[0].upper()}{listing[1:]}" if close else f"; {listing}"
    elif noun.endswith("ids") or noun.startswith("nationalities"):
        text += f" (`python run.py network --ids` lists all {noun})"
    else:
        text += f" (docs/scenarios.md lists all valid {noun.removesuffix(' here')})"
    return text


def check_id(value: str, kind: str, network: Network) -> str:
    """Return ``value`` if it is a valid id of ``kind``; else raise a custom pydantic error."""
    valid = valid_ids(network, kind)
    if value in valid:
        return value
    label, plural = ID_LABELS[kind]
    reason = ""
    if kind in ("origin", "destination") and value in network.place_index:
        place_kind = network.places[network.place_index[value]]["kind"]
        reason = f" (it is a place of kind {place_kind})"
    elif kind == "non_eu_state" and value in network.state_index:
        reason = " (it is an EU member state or the EU)"
    raise PydanticCustomError(
        "unknown_id",
        "'{value}' is not a valid {label}{reason}{hint}",
        {
            "value": str(value),
            "label": label,
            "reason": reason,
            "hint": suggestion(value, valid, noun=plural),
        },
    )


def id_type(kind: IdKind) -> Any:
    """The ``str`` type for ids of ``kind``, checked against the network when validated."""

    def validate(value: str, info: ValidationInfo) -> str:
        return check_id(value, kind, network_of(info))

    return Annotated[
        str,
        AfterValidator(validate),
        WithJsonSchema({"type": "string", "x-id": kind}),
    ]


PlaceId = id_type("place")
OriginId = id_type("origin")
DestinationId = id_type("destination")
StateId = id_type("state")
NonEuStateId = id_type("non_eu_state")
Nationality = id_type("nationality")
LegId = id_type("leg")
RouteId = id_type("route")
ChangeId = id_type("change")


def _all_alone(values: list[str]) -> list[str]:
    if "all" in values and len(values) > 1:
        raise PydanticCustomError(
            "all_alone",
            "`all` cannot be combined with other nationalities; give one or the other",
            {},
        )
    return values


#: Nationalities a measure applies to: a list of ISO3 codes, or `all` (alone).
NationalitySelection = Annotated[
    list[id_type("nationality_or_all")],
    BeforeValidator(lambda value: [value] if value == "all" else value),
    AfterValidator(_all_alone),
    Field(min_length=1),
]


class StrictModel(BaseModel):
    """A model that forbids unknown keys and suggests the closest valid key.

    Field descriptions come from the attribute docstrings, which also feed docs/scenarios.md.
    """

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        allowed = [field.alias or name for name, field in cls.model_fields.items()]
        unknown = [key for key in data if key not in allowed]
        if unknown:
            key = unknown[0]
            more = f" (and {len(unknown) - 1} more unknown keys)" if len(unknown) > 1 else ""
            raise PydanticCustomError(
                "unknown_key",
                "unknown key '{key}'{hint}{more}",
                {"key": str(key), "hint": suggestion(key, allowed, noun="keys here"), "more": more},
            )
        return data
