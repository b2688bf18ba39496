"""The schema of a scenario file, as pydantic models.

:class:`ScenarioModel` holds the top-level keys, :class:`NetworkOverrides` the ``network:``
block, and the ``policies:`` list is a union of the policy ``Config`` models registered in
:data:`sim.policies.POLICY_TYPES`, told apart by their ``type``. The ``parameters:`` block is
checked by a model built from parameters.yaml (:mod:`sim.scenario_parameters`).

The same models give the JSON schema (:func:`scenario_json_schema`) from which
docs/scenarios.md is generated and error messages look up valid ranges.
"""

from __future__ import annotations

import datetime
import functools
import operator
from datetime import date, timedelta
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError

from sim.config.specs import parameter_overrides_model
from sim.config.types import (
    Bool,
    ChangeId,
    Float,
    Int,
    LegId,
    PlaceId,
    StrictModel,
    network_of,
)
from sim.network import Network
from sim.policies import POLICY_TYPES, PolicyConfig

NAME_PATTERN = r"^[^\W_][\w.-]*$"

#: A policy block: one of the registered policy types, chosen by its ``type`` key.
PolicyBlock = Annotated[
    functools.reduce(operator.or_, POLICY_TYPES.values()),
    Field(discriminator="type"),
]


class PlaceOverride(StrictModel):
    """Changes to one place of the route network."""

    name: str | None = Field(default=None, min_length=1)
    """Display name."""

    lat: Float | None = Field(default=None, ge=-90, le=90)
    """Latitude in degrees."""

    lon: Float | None = Field(default=None, ge=-180, le=180)
    """Longitude in degrees."""


class LegOverride(StrictModel):
    """Changes to one leg of the route network (a leg id is `source-target`)."""

    days: Int | None = Field(default=None, ge=1, le=365)
    """Days the crossing takes."""

    distance_km: Float | None = Field(default=None, ge=0, le=20_000)
    """Length of the leg in km."""

    death_risk: Float | None = Field(default=None, ge=0, le=1)
    """Probability that a person dies or goes missing on one crossing."""

    price_min_eur: Float | None = Field(default=None, ge=0, le=100_000)
    """Lowest smuggler price or fare, EUR per person."""

    price_max_eur: Float | None = Field(default=None, ge=0, le=100_000)
    """Highest smuggler price or fare, EUR per person."""

    smuggled: Bool | None = None
    """Whether a smuggler is needed for the crossing."""

    closed: Bool | None = None
    """Close the leg: nobody can take it (e.g. a border fence or a route shut down)."""


class ChangeOverride(StrictModel):
    """Changes to one of the year's dated changes (`sim/data/changes.csv`)."""

    enabled: Bool | None = None
    """`false`: the change does not happen in this scenario (e.g. Niger keeps its law)."""

    date: datetime.date | None = None
    """The day the change happens instead of its date in `changes.csv`."""


class NetworkOverrides(StrictModel):
    """Changes to the route network's places and legs, and to the year's dated changes, by id."""

    places: dict[PlaceId, PlaceOverride] = {}
    """Place id -> the attributes to change."""

    legs: dict[LegId, LegOverride] = {}
    """Leg id (`source-target`) -> the attributes to change."""

    changes: dict[ChangeId, ChangeOverride] = {}
    """Dated change id (`python run.py network` lists them) -> switch it off or move it."""

    @field_validator("legs")
    @classmethod
    def _price_range(
        cls, legs: dict[str, LegOverride], info: ValidationInfo
    ) -> dict[str, LegOverride]:
        network = network_of(info)
        for leg_id, change in legs.items():
            base = network.legs[network.leg_index[leg_id]]
            low = base["price_min_eur"] if change.price_min_eur is None else change.price_min_eur
            high = base["price_max_eur"] if change.price_max_eur is None else change.price_max_eur
            if low > high:
                raise PydanticCustomError(
                    "price_range",
                    "leg {leg}: price_min_eur {low} is above price_max_eur {high}; "
                    "the minimum price must not exceed the maximum",
                    {"leg": leg_id, "low": f"{low:g}", "high": f"{high:g}"},
                )
        return legs


class ScenarioModel(StrictModel):
    """A scenario: horizon, seeds, scale, parameter and network overrides, and policies."""

    name: str = Field(min_length=1, max_length=80, pattern=NAME_PATTERN)
    """Short name, used for result folders and in reports: letters (of any alphabet), digits,
    `_`, `-` and `.`, starting with a letter or digit."""

    description: str = ""
    """What the scenario represents, in plain words (shown in reports)."""

    calibrated: Bool = False
    """Whether the parameters have been calibrated against observed figures (Frontex
    detections, IOM deaths, prices, return rates). While a comparison's base is not, its report
    opens with a caveat that levels are illustrative. Calibration sets it in baseline.yaml; the
    scenarios that extend it inherit it."""

    extends: str | None = Field(default=None, exclude=True)
    """Path of a base scenario, relative to this file. This file's values override the base's:
    mappings merge key by key, lists replace, and policy blocks merge by `id`."""

    start_date: date = date(2023, 1, 1)
    """First simulated day (YYYY-MM-DD)."""

    days: Int = Field(365, ge=1, le=3650)
    """Number of simulated days."""

    seed: Int = Field(0, ge=0, le=2**32 - 1)
    """Root random seed; replication `i` uses the seed derived from (seed, i)."""

    seeds: Int = Field(1, ge=1, le=1000)
    """Number of replications (runs with different seeds) whose spread is reported."""

    scale: Float = Field(1.0, gt=0, le=1)
    """Agents per person (1: one agent per person; 0.01: one agent per 100 persons). Results are
    always reported in persons."""

    parameters: dict[str, float | int | dict[str, float | int]] = {}
    """Overrides of model parameters (listed in the `parameters` section): a number for a scalar
    parameter, a mapping id -> number for a keyed one (ids not given keep their default)."""

    network: NetworkOverrides = NetworkOverrides()
    """Changes to the route network's places and legs."""

    policies: list[PolicyBlock] = []  # type: ignore[valid-type]
    """Policy blocks, each with a `type` (see Policies below)."""

    @model_validator(mode="before")
    @classmethod
    def _empty_sections_are_empty(cls, data: Any) -> Any:
        """``policies:`` with nothing after it (e.g. all blocks commented out) means none."""
        if isinstance(data, dict):
            empty = [
                k for k in ("parameters", "network", "policies") if k in data and data[k] is None
            ]
            data = {k: v for k, v in data.items() if k not in empty}
        return data

    @field_validator("parameters", mode="before")
    @classmethod
    def _validate_parameters(cls, value: Any, info: ValidationInfo) -> Any:
        overrides = parameter_overrides_model().model_validate(value, context=info.context)
        return overrides.model_dump(exclude_none=True)

    @field_validator("policies")
    @classmethod
    def _unique_policy_ids(cls, policies: list[PolicyConfig]) -> list[PolicyConfig]:
        seen: dict[str, int] = {}
        for index, block in enumerate(policies):
            if block.id is None:
                continue
            if block.id in seen:
                raise PydanticCustomError(
                    "duplicate_id",
                    "policy id '{id}' is used by policies[{first}] and policies[{second}]; "
                    "ids must be unique",
                    {"id": block.id, "first": seen[block.id], "second": index},
                )
            seen[block.id] = index
        return policies

    @model_validator(mode="after")
    def _no_extends_left(self) -> ScenarioModel:
        if self.extends is not None:
            raise PydanticCustomError(
                "unresolved_extends", "extends must be resolved by load_scenario", {}
            )
        return self

    @property
    def end_date(self) -> date:
        """Last simulated day (inclusive)."""
        return self.start_date + timedelta(days=self.days - 1)


def validation_context(data: Any, network: Network) -> dict[str, Any]:
    """The context scenario validation needs: the network ids are checked against."""
    return {"network": network}


@functools.lru_cache(maxsize=1)
def scenario_json_schema() -> dict[str, Any]:
    """The JSON schema of a scenario file, with ``parameters`` from parameters.yaml."""
    schema = ScenarioModel.model_json_schema(by_alias=True)
    parameters = parameter_overrides_model().model_json_schema(by_alias=True)
    schema.setdefault("$defs", {}).update(parameters.pop("$defs", {}))
    description = schema["properties"]["parameters"].get("description", "")
    schema["properties"]["parameters"] = {**parameters, "description": description}
    return schema


def _options(node: dict[str, Any], defs: dict[str, Any]) -> list[dict[str, Any]]:
    """The alternatives a schema node stands for (``$ref`` resolved, ``anyOf`` spread)."""
    if "$ref" in node:
        return _options(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    if "anyOf" in node and "discriminator" not in node:
        return [opt for branch in node["anyOf"] for opt in _options(branch, defs)]
    return [node]


def schema_at(loc: tuple[str | int, ...], schema: dict[str, Any] | None = None) -> dict | None:
    """The JSON-schema node of the value at ``loc`` (a pydantic error location), if found."""
    schema = schema if schema is not None else scenario_json_schema()
    defs = schema.get("$defs", {})
    nodes = _options(schema, defs)
    for seg in loc:
        found: list[dict[str, Any]] = []
        for node in nodes:
            mapping = node.get("discriminator", {}).get("mapping", {})
            if seg in mapping:
                found += _options({"$ref": mapping[seg]}, defs)
            elif isinstance(seg, int) and "items" in node:
                found += _options(node["items"], defs)
            elif seg == "[key]" and "propertyNames" in node:
                found += _options(node["propertyNames"], defs)
            elif seg in node.get("properties", {}):
                found += _options(node["properties"][seg], defs)
            elif isinstance(node.get("additionalProperties"), dict):
                found += _options(node["additionalProperties"], defs)
        nodes = found
        if not nodes:
            return None
    useful = [node for node in nodes if node.get("type") != "null"]
    return useful[0] if useful else nodes[0]
