"""Setting up a MigrationModel: parameters into arrays, agents, the first population.

Kept apart from ``sim/model.py`` so that the model file reads as the day; this mixin holds
what is prepared once (and the small helpers the day's stages share).
"""

from __future__ import annotations

import csv

import networkx as nx
import numpy as np

from sim.agents.population import Status
from sim.agents.smugglers import SmugglerParameters, SmugglingMarket
from sim.agents.states import EuropeanUnion, LegRates, Modifiers, State, compile_leg_rates
from sim.config.parameters import as_array
from sim.network import DATA_DIR, KINDS, MODES, NO_ROUTE, ROUTES
from sim.rules import behaviour


def visa_free_entries() -> dict[str, set[str]]:
    """State -> nationalities that may enter it without a visa (``sim/data/visa_free.csv``)."""
    path = DATA_DIR / "visa_free.csv"
    entries: dict[str, set[str]] = {}
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            entries.setdefault(row["state"], set()).add(row["nationality"])
    return entries


class ModelSetup:
    """Mixin for :class:`sim.model.MigrationModel`: everything prepared before day 0."""

    def setup(self) -> None:
        """Turn the network and parameters into the arrays and agents the day uses."""
        self._streams: dict = {}
        net, c, p = self.net, self.net.compiled, self.params
        self.route_ids = ROUTES
        self.out_start = c.out_start.astype(np.int64)
        self.leg_days = c.leg_days.astype(np.int32)
        self.leg_death_risk = c.leg_death_risk
        self.leg_route_slot = np.where(c.leg_route >= 0, c.leg_route, NO_ROUTE).astype(np.int64)
        self.closed_legs = c.leg_closed.copy()
        eu = {s["id"] for s in net.states if s["eu_member"]}
        self.leg_transit_state = np.array(
            [
                next((net.state_index[s] for s in leg["controlled_by"] if s not in eu), -1)
                for leg in net.legs
            ],
            dtype=np.int64,
        )
        self.leg_eu_state = np.array(
            [
                next((net.state_index[s] for s in leg["controlled_by"] if s in eu), -1)
                for leg in net.legs
            ],
            dtype=np.int64,
        )
        first_bit = np.array(
            [(m & -m).bit_length() - 1 if m else NO_ROUTE for m in c.place_route_mask.tolist()]
        )
        self.place_route = first_bit.astype(np.int64)
        kind = c.place_kind
        self.place_is_destination = kind == KINDS.index("destination")
        self.place_is_transit = ~c.place_is_eu & (kind != KINDS.index("origin"))
        self.nationality_state = np.array([net.state_index[n] for n in net.nationalities])
        self.visa_barred = self._visa_barred()

        self._setup_states()
        self.wage = as_array(p, "earnings_eur_per_day", net.state_ids)[c.place_state]
        self.arrest_rate_by_place = as_array(p, "smuggler_arrest_rate", net.state_ids)[
            c.place_state
        ]
        self._setup_market()
        self.modifiers = Modifiers(c.n_legs, len(net.state_ids), c.n_places, len(net.nationalities))
        self.rates = self.compile_rates()
        self.baseline_pullback = self.rates.pullback.copy()
        self.leg_baseline_rescue = np.where(
            c.leg_route >= 0, self.baseline_rescue[np.maximum(c.leg_route, 0)], 0.0
        )
        self.weights = behaviour.ChoiceWeights(
            price_per_1000_eur=float(p["choice_price_weight"]),
            time_per_day=1.0,
            risk_per_percent=float(p["choice_risk_weight"]),
            failure_per_percent=float(p["choice_failure_weight"]),
            scale=float(p["choice_scale"]),
        )
        self.believed_death_risk = c.leg_death_risk.copy()
        self.believed_failure = self.baseline_failure()
        self._news = np.zeros((3, c.n_legs))  # finished, dead, failed: today, per leg
        self.month_leg_arrivals = np.zeros(c.n_legs)
        self.push_back_place = c.leg_source.astype(np.int64)
        self.usual_previous_place = self._previous_places()
        self._setup_graph()
        self.update_cost_to_go()
        self._setup_origins()
        self._add_initial_stock()

    # ----------------------------------------------------------------- agents
    def _setup_states(self) -> None:
        net, p = self.net, self.params
        ids = net.state_ids
        interception = as_array(p, "interception_rate", ids)
        apprehension = as_array(p, "apprehension_rate", ids)
        pushback = as_array(p, "pushback_probability", ids)
        cooperation = as_array(p, "readmission_cooperation", ids)
        self.states = [
            State(
                self,
                k,
                s["id"],
                s["name"],
                bool(s["eu_member"]),
                float(s["remittances_pct_gdp"] or 0.0),
                interception[k],
                apprehension[k],
                pushback[k],
                cooperation[k],
            )
            for k, s in enumerate(net.states)
        ]
        self.eu = EuropeanUnion(self, float(p["return_capacity_per_day"]))
        self.interception, self.apprehension = interception, apprehension
        self.pushback, self.cooperation = pushback, cooperation
        self.effort = np.ones(len(ids))
        self.detention_days = np.maximum(as_array(p, "detention_days", ids), 1).astype(np.int32)
        self.baseline_rescue = as_array(p, "baseline_rescue_share", list(ROUTES))

    def _setup_market(self) -> None:
        c, p = self.net.compiled, self.params
        capacity = as_array(p, "smuggler_capacity_per_day", list(MODES))[c.leg_mode]
        params = SmugglerParameters(
            networks_per_place=int(p["smuggler_networks_per_place"]),
            capacity_per_day=capacity,
            price_demand_elasticity=float(p["price_demand_elasticity"]),
            price_enforcement_elasticity=float(p["price_enforcement_elasticity"]),
            craft_risk_elasticity=float(p["craft_risk_elasticity"]),
            capacity_growth=float(p["smuggler_capacity_growth"]),
            replacement_days=int(p["rival_replacement_days"]),
            rival_capacity_share=float(p["rival_capacity_share"]),
            rival_markup=float(p["rival_markup"]),
        )
        self.fare = (c.leg_price_min + c.leg_price_max) / 2.0
        spread = float(p["price_markup_spread"])
        noise = self.stream("smuggler_setup").uniform(-spread, spread, c.n_legs * 8)
        self.market = SmugglingMarket(self, c.leg_source, c.leg_smuggled, self.fare, params, noise)

    # ----------------------------------------------------------------- network views
    def _visa_barred(self) -> np.ndarray:
        """Nationality x leg: scheduled flights across a border need visa-free entry.

        A non-smuggled air leg into another state is open to that state's nationals and to the
        nationalities in ``sim/data/visa_free.csv``; smuggled air legs (broker visas) and
        legs of other modes are open to all.
        """
        net, c = self.net, self.net.compiled
        barred = np.zeros((len(net.nationalities), c.n_legs), dtype=bool)
        free = visa_free_entries()
        target_state = c.place_state[c.leg_target]
        for leg in np.flatnonzero(
            (c.leg_mode == MODES.index("air")) & c.leg_border & ~c.leg_smuggled
        ):
            state = net.state_ids[target_state[leg]]
            allowed = free.get(state, set()) | {state}
            barred[:, leg] = [n not in allowed for n in net.nationalities]
        return barred

    def _previous_places(self) -> np.ndarray:
        """For each place, the nearest place people usually come from (for pushbacks)."""
        c = self.net.compiled
        previous = np.arange(c.n_places)
        best = np.full(c.n_places, np.inf)
        for leg in range(c.n_legs):
            source, target = c.leg_source[leg], c.leg_target[leg]
            if c.place_is_eu[source] and not c.place_is_eu[target]:
                continue
            if c.leg_distance_km[leg] < best[target]:
                best[target], previous[target] = c.leg_distance_km[leg], source
        return previous

    def _setup_graph(self) -> None:
        c = self.net.compiled
        self._reverse = nx.DiGraph()
        self._reverse.add_nodes_from(range(c.n_places))
        for leg in range(c.n_legs):
            self._reverse.add_edge(int(c.leg_target[leg]), int(c.leg_source[leg]), leg=leg)
        self.destinations = np.flatnonzero(self.place_is_destination)

    def compile_rates(self) -> LegRates:
        """Today's per-leg rates from the states' conduct, their effort and the modifiers."""
        c = self.net.compiled
        return compile_leg_rates(
            self.leg_transit_state,
            self.leg_eu_state,
            c.leg_border,
            c.leg_eu_entry,
            c.leg_route,
            self.interception,
            self.apprehension,
            self.pushback,
            self.effort,
            self.baseline_rescue,
            self.market.leg_safety(),
            self.modifiers,
        )

    def baseline_failure(self) -> np.ndarray:
        """Chance a crossing of each leg ends in pullback or pushback, at today's rates."""
        r = self.rates
        return r.pullback + (1.0 - r.pullback) * r.apprehension * r.pushback

    def leg_prices(self) -> np.ndarray:
        """Price of each leg today: smugglers' for smuggled legs, the fare for the others."""
        return np.where(self.net.compiled.leg_smuggled, self.market.leg_prices(), self.fare)

    def update_cost_to_go(self) -> None:
        """The cheapest remaining generalised cost from every place to every destination."""
        c = self.net.compiled
        prices = self.leg_prices()
        cost = behaviour.generalised_leg_cost(
            np.where(np.isfinite(prices), prices, 1e6),
            self.leg_days,
            self.leg_death_risk,
            self.baseline_failure(),
            self.weights,
        )
        cost = np.where(self.closed_legs, np.inf, cost)
        for _source, _target, data in self._reverse.edges(data=True):
            data["weight"] = float(cost[data["leg"]])
        to_go = np.full((c.n_places, c.n_places), np.inf)
        for d in self.destinations:
            lengths = nx.single_source_dijkstra_path_length(self._reverse, int(d), weight="weight")
            for place, length in lengths.items():
                to_go[d, place] = length
        self.cost_to_go = to_go
        self.cost_to_go_any = to_go[self.destinations].min(axis=0)

    def cost_to_go_for(self, destination: np.ndarray, legs: np.ndarray) -> np.ndarray:
        """Remaining cost (n x K) from each candidate leg's end to each person's destination;
        where their intended destination cannot be reached, to the nearest one plus a penalty."""
        target = self.net.compiled.leg_target[legs]
        intended = self.cost_to_go[destination[:, None], target]
        fallback = self.cost_to_go_any[target] + float(
            self.params["unreachable_destination_penalty"]
        )
        return np.where(np.isfinite(intended), intended, fallback)

    def person_route(self, ids: np.ndarray) -> np.ndarray:
        """Route slot of each person's first irregular entry into the EU (5 when none)."""
        route = self.population.entry_route[ids].astype(np.int64)
        return np.where(route >= 0, route, NO_ROUTE)

    def asylum_delay(self, n: int) -> np.ndarray:
        """Days until a claim is decided (exponential around the mean processing time)."""
        mean = float(self.params["asylum_processing_days"])
        return 1 + self.stream("asylum_delay").exponential(mean, n).astype(np.int32)

    def record_leg_news(self, legs: np.ndarray, outcome: np.ndarray) -> None:
        """Tally today's outcomes per leg; rumours spread them at the end of the day."""
        from sim.rules.movement import Outcome

        n = self._news.shape[1]
        self._news[0] += np.bincount(legs, minlength=n)
        self._news[1] += np.bincount(legs[outcome == Outcome.DEAD], minlength=n)
        failed = (outcome == Outcome.PULLED_BACK) | (outcome == Outcome.PUSHED_BACK)
        self._news[2] += np.bincount(legs[failed], minlength=n)

    def update_rumours(self) -> None:
        """People at each place hear what happened today to those who took its legs."""
        finished, dead, failed = self._news
        seen = finished > 0
        if np.any(seen):
            persons = finished / self.scale
            inertia = float(self.params["rumour_inertia"])
            with np.errstate(invalid="ignore", divide="ignore"):
                death_rate = np.where(seen, dead / finished, 0.0)
                fail_rate = np.where(seen, failed / finished, 0.0)
            self.believed_death_risk = np.where(
                seen,
                behaviour.update_beliefs(self.believed_death_risk, death_rate, persons, inertia),
                self.believed_death_risk,
            )
            self.believed_failure = np.where(
                seen,
                behaviour.update_beliefs(self.believed_failure, fail_rate, persons, inertia),
                self.believed_failure,
            )
        self._news[:] = 0.0

    # ----------------------------------------------------------------- people
    def _setup_origins(self) -> None:
        net, p = self.net, self.params
        origin_ids = net.origin_places
        self.origin_place_ids = np.array([net.place_index[o] for o in origin_ids], dtype=np.int64)
        self.departure_rate = as_array(p, "departure_rate", origin_ids)
        origin_route = self.place_route[self.origin_place_ids]
        amplitude = as_array(p, "seasonality_amplitude", list(ROUTES) + ["none"])
        peak = as_array(p, "seasonality_peak_day", list(ROUTES) + ["none"])
        self.season_amplitude, self.season_peak = amplitude[origin_route], peak[origin_route]
        nat_index = {n: k for k, n in enumerate(net.nationalities)}
        shares = np.zeros((net.compiled.n_places, len(net.nationalities)))
        for row in net.origins:
            shares[net.place_index[row["place"]], nat_index[row["nationality"]]] += row["share"]
        totals = shares.sum(axis=1, keepdims=True)
        self.origin_nat_cum = np.cumsum(
            np.divide(shares, totals, where=totals > 0, out=np.zeros_like(shares)), axis=1
        )
        ids = net.nationalities
        self.protection_need_share = as_array(p, "protection_need_share", ids)
        self.budget_median = as_array(p, "budget_median_eur", ids)
        dest_share = as_array(p, "destination_share", net.place_ids) * self.place_is_destination
        self.destination_cum = np.cumsum(dest_share / dest_share.sum())

    def add_people(
        self,
        origins: np.ndarray,
        set_out_day,
        stream: str,
        place: np.ndarray | None = None,
        status: Status = Status.AT_ORIGIN,
        next_day: np.ndarray | int | None = None,
    ) -> np.ndarray:
        """Create people from ``origins`` (place indices) with their attributes drawn."""
        n = len(origins)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        p, rng = self.params, self.stream(stream)
        u = rng.random((5, n))
        nationality = (self.origin_nat_cum[origins] < u[0][:, None]).sum(axis=1)
        nationality = np.minimum(nationality, len(self.net.nationalities) - 1)
        z = rng.standard_normal((3, n))
        mean_tolerance = float(p["risk_tolerance_mean"])
        perception = float(p["risk_perception_median"]) * np.exp(
            float(p["risk_perception_sigma"]) * z[2]
        )
        informed = self.modifiers.information_strength[origins]
        perception = perception + informed * (1.0 - perception)
        destination = np.searchsorted(
            self.destination_cum, u[2] * self.destination_cum[-1], side="right"
        )
        return self.population.add(
            n,
            status=status,
            place=origins if place is None else place,
            next_day=self.day if next_day is None else next_day,
            origin=origins,
            nationality=nationality,
            protection_need=u[1] < self.protection_need_share[nationality],
            budget=self.budget_median[nationality] * np.exp(float(p["budget_sigma"]) * z[0]),
            earnings=np.exp(float(p["earning_power_sigma"]) * z[1]),
            risk_tolerance=rng.beta(4 * mean_tolerance, 4 * (1 - mean_tolerance), n),
            risk_perception=perception,
            destination=np.minimum(destination, len(self.destination_cum) - 1),
            set_out_day=set_out_day,
        )

    def _add_initial_stock(self) -> None:
        """People already in transit on day 0, spread over hubs, working for their next leg."""
        net = self.net
        stock = as_array(self.params, "initial_stock", net.place_ids) * self.scale
        counts = self.stream("initial").poisson(stock)
        rng = self.stream("initial")
        graph = net.graph
        origin_weight = dict(zip(self.origin_place_ids.tolist(), self.departure_rate, strict=True))
        for place in np.flatnonzero(counts):
            upstream = sorted(net.place_index[a] for a in nx.ancestors(graph, net.place_ids[place]))
            candidates = [o for o in upstream if o in origin_weight]
            if not candidates:
                continue
            weights = np.array([origin_weight[o] for o in candidates], dtype=float) + 1e-9
            origins = rng.choice(candidates, size=counts[place], p=weights / weights.sum())
            n = len(origins)
            ids = self.add_people(
                origins,
                set_out_day=-rng.integers(30, 400, n),
                stream="initial",
                place=np.full(n, place),
                status=Status.WORKING,
                next_day=rng.integers(0, 60, n),
            )
            self.population.budget[ids] *= 0.5
        self.people_initial = len(self.population)
