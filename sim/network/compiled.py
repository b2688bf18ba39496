"""The network as flat numpy arrays, and all the geography derived from the data files.

Legs are sorted by source place index, then target, so the legs leaving place ``p`` are
``out_start[p]:out_start[p + 1]`` (compressed sparse rows): a leg choice at ``p`` is one draw
over that slice. Besides each leg's and place's attributes, :class:`CompiledNetwork` holds what
the model derives from them once and for all: which state controls a leg, a place's route, who
needs a visa for a flight, where a pushback sends people, and the reverse graph on which the
cost-to-go to each destination is computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from sim.network.io import KINDS, MODES, NO_ROUTE, ROUTES, SEGMENTS


@dataclass(frozen=True)
class LegControls:
    """Per leg: a flight, a border flight; a border leg of a transit state, at an EU fence; its
    transit state (0 where none); an EU entry leg with its EU state, at a fence; its EU state
    (0 where none). See :func:`sim.rules.rates.compile_leg_rates`."""

    flight: np.ndarray
    flight_border: np.ndarray
    transit_border: np.ndarray
    transit_fence: np.ndarray
    transit: np.ndarray
    eu_entry: np.ndarray
    eu_fence: np.ndarray
    eu: np.ndarray


@dataclass(frozen=True)
class CompiledNetwork:
    """Per-leg and per-place arrays (legs in CSR order) and the geography derived from them."""

    n_places: int
    n_legs: int
    out_start: np.ndarray
    leg_source: np.ndarray
    leg_target: np.ndarray
    leg_mode: np.ndarray
    leg_segment: np.ndarray  # index into SEGMENTS
    leg_days: np.ndarray
    leg_distance_km: np.ndarray
    leg_death_risk: np.ndarray
    leg_smuggled: np.ndarray
    leg_price_min: np.ndarray
    leg_price_max: np.ndarray
    leg_route: np.ndarray  # route index, -1 for none
    leg_eu_entry: np.ndarray
    leg_border: np.ndarray
    leg_controller: np.ndarray
    leg_closed: np.ndarray
    leg_fence: np.ndarray  # a fortified border fence (Ceuta, Melilla)
    place_kind: np.ndarray
    place_state: np.ndarray
    place_is_eu: np.ndarray
    place_lat: np.ndarray
    place_lon: np.ndarray
    place_route_mask: np.ndarray
    # ---- derived geography
    leg_route_slot: np.ndarray  # route index, NO_ROUTE for none (for counters)
    leg_transit_state: np.ndarray  # first non-EU state controlling the leg, -1 for none
    leg_eu_state: np.ndarray  # first EU member state controlling the leg, -1 for none
    place_route: np.ndarray  # a place's first route, NO_ROUTE for none
    place_is_destination: np.ndarray
    place_is_transit: np.ndarray  # outside the EU and not an origin
    destinations: np.ndarray  # indices of destination places
    usual_previous_place: np.ndarray  # nearest place people usually come from (pushbacks)
    nationality_state: np.ndarray  # state index of each nationality
    visa_barred: np.ndarray  # nationality x leg: scheduled flight needing a visa they lack

    @cached_property
    def controls(self) -> LegControls:
        """Who controls which legs, worked out once (the day's rates read it every day)."""
        flight = self.leg_mode == MODES.index("air")
        transit_border = (self.leg_transit_state >= 0) & self.leg_border
        eu_entry = (self.leg_eu_state >= 0) & self.leg_eu_entry
        return LegControls(
            flight=flight,
            flight_border=flight & self.leg_border,
            transit_border=transit_border,
            transit_fence=transit_border & self.leg_fence,
            transit=np.maximum(self.leg_transit_state, 0),
            eu_entry=eu_entry,
            eu_fence=eu_entry & self.leg_fence,
            eu=np.maximum(self.leg_eu_state, 0),
        )

    def cost_to_go(self, leg_cost: np.ndarray) -> np.ndarray:
        """The cheapest total cost from every place to every destination (n_places x
        n_places; row ``d`` filled for destinations ``d``, ``inf`` elsewhere and where no way
        exists), given the cost of each leg (``inf`` for a leg nobody can take)."""
        usable = np.isfinite(leg_cost)
        reverse = csr_matrix(
            (leg_cost[usable], (self.leg_target[usable], self.leg_source[usable])),
            shape=(self.n_places, self.n_places),
        )
        to_go = np.full((self.n_places, self.n_places), np.inf)
        to_go[self.destinations] = dijkstra(reverse, directed=True, indices=self.destinations)
        return to_go


def compile_network(
    places: list[dict[str, Any]],
    legs: list[dict[str, Any]],
    states: list[dict[str, Any]],
    nationalities: list[str],
    visa_free: dict[str, set[str]],
) -> CompiledNetwork:
    """Arrays of the network whose ``legs`` are already in CSR order."""
    place_index = {p["id"]: i for i, p in enumerate(places)}
    state_index = {s["id"]: i for i, s in enumerate(states)}
    eu = {s["id"] for s in states if s["eu_member"]}

    def per_leg(value: Any, dtype: Any) -> np.ndarray:
        return np.array([value(leg) for leg in legs], dtype=dtype)

    def per_place(value: Any, dtype: Any) -> np.ndarray:
        return np.array([value(place) for place in places], dtype=dtype)

    def first_state(leg: dict[str, Any], in_eu: bool) -> int:
        return next((state_index[s] for s in leg["controlled_by"] if (s in eu) == in_eu), -1)

    source = per_leg(lambda leg: place_index[leg["source"]], np.int32)
    out_start = np.zeros(len(places) + 1, dtype=np.int32)
    np.cumsum(np.bincount(source, minlength=len(places)), out=out_start[1:])
    arrays: dict[str, Any] = dict(
        n_places=len(places),
        n_legs=len(legs),
        out_start=out_start,
        leg_source=source,
        leg_target=per_leg(lambda leg: place_index[leg["target"]], np.int32),
        leg_mode=per_leg(lambda leg: MODES.index(leg["mode"]), np.int8),
        leg_segment=per_leg(lambda leg: SEGMENTS.index(leg["segment"]), np.int8),
        leg_days=per_leg(lambda leg: leg["days"], np.int32),
        leg_distance_km=per_leg(lambda leg: leg["distance_km"], np.float32),
        leg_death_risk=per_leg(lambda leg: leg["death_risk"], np.float64),
        leg_smuggled=per_leg(lambda leg: leg["smuggled"], bool),
        leg_price_min=per_leg(lambda leg: leg["price_min_eur"], np.float64),
        leg_price_max=per_leg(lambda leg: leg["price_max_eur"], np.float64),
        leg_route=per_leg(lambda leg: ROUTES.index(leg["route"]) if leg["route"] else -1, np.int8),
        leg_eu_entry=per_leg(lambda leg: leg["crossing"] == "eu_entry", bool),
        leg_border=per_leg(lambda leg: leg["crossing"] != "none", bool),
        leg_controller=per_leg(
            lambda leg: state_index[leg["controlled_by"][0]] if leg["controlled_by"] else -1,
            np.int16,
        ),
        leg_closed=per_leg(lambda leg: leg["closed"], bool),
        leg_fence=per_leg(lambda leg: leg["fence"], bool),
        place_kind=per_place(lambda p: KINDS.index(p["kind"]), np.int8),
        place_state=per_place(lambda p: state_index[p["country"]], np.int16),
        place_is_eu=per_place(lambda p: p["country"] in eu, bool),
        place_lat=per_place(lambda p: p["lat"], np.float64),
        place_lon=per_place(lambda p: p["lon"], np.float64),
        place_route_mask=per_place(
            lambda p: sum(1 << ROUTES.index(r) for r in set(p["routes"])), np.uint8
        ),
        leg_transit_state=per_leg(lambda leg: first_state(leg, False), np.int64),
        leg_eu_state=per_leg(lambda leg: first_state(leg, True), np.int64),
    )
    leg_route = arrays["leg_route"]
    arrays["leg_route_slot"] = np.where(leg_route >= 0, leg_route, NO_ROUTE).astype(np.int64)
    arrays["place_route"] = np.array(
        [(m & -m).bit_length() - 1 if m else NO_ROUTE for m in arrays["place_route_mask"].tolist()],
        dtype=np.int64,
    )
    kind = arrays["place_kind"]
    arrays["place_is_destination"] = kind == KINDS.index("destination")
    arrays["place_is_transit"] = ~arrays["place_is_eu"] & (kind != KINDS.index("origin"))
    arrays["destinations"] = np.flatnonzero(arrays["place_is_destination"])
    arrays["nationality_state"] = np.array([state_index[n] for n in nationalities])
    arrays["usual_previous_place"] = _usual_previous_place(arrays)
    arrays["visa_barred"] = _visa_barred(arrays, states, nationalities, visa_free)
    return CompiledNetwork(**arrays)


def _usual_previous_place(a: dict[str, Any]) -> np.ndarray:
    """For each place, the nearest place people usually come from (not back out of the EU);
    itself when nothing leads there."""
    previous = np.arange(a["n_places"])
    best = np.full(a["n_places"], np.inf)
    eu = a["place_is_eu"]
    for source, target, km in zip(
        a["leg_source"].tolist(), a["leg_target"].tolist(), a["leg_distance_km"], strict=True
    ):
        if eu[source] and not eu[target]:
            continue
        if km < best[target]:
            best[target], previous[target] = km, source
    return previous


def _visa_barred(
    a: dict[str, Any],
    states: list[dict[str, Any]],
    nationalities: list[str],
    visa_free: dict[str, set[str]],
) -> np.ndarray:
    """Nationality x leg: scheduled flights across a border need visa-free entry.

    A non-smuggled air leg into another state is open to that state's nationals and to the
    nationalities in ``sim/data/visa_free.csv``; smuggled air legs (broker visas) and legs of
    other modes are open to all.
    """
    barred = np.zeros((len(nationalities), a["n_legs"]), dtype=bool)
    target_state = a["place_state"][a["leg_target"]]
    flights = (a["leg_mode"] == MODES.index("air")) & a["leg_border"] & ~a["leg_smuggled"]
    for leg in np.flatnonzero(flights):
        state = states[target_state[leg]]["id"]
        allowed = visa_free.get(state, set()) | {state}
        barred[:, leg] = [n not in allowed for n in nationalities]
    return barred
