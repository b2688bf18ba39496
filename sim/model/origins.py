"""Where people set out from, and who they are when they do.

:class:`Origins` holds what each origin place sends toward Europe (a yearly rate with a seasonal
cycle, a mix of nationalities) and draws the attributes of every newcomer: nationality,
protection need, budget, earning power, risk tolerance and perception, intended destination.
Its stage of the day is :meth:`Origins.set_out`; :meth:`Origins.add_initial_stock` places the
people already on the way on day 0.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx
import numpy as np
from scipy import special, stats

from sim.agents.population import Status
from sim.model.world import World
from sim.rules.randomness import INITIAL_STOCK_FLAG, person_keys

#: Points of the tabulated inverse CDF of the risk-tolerance distribution (a beta).
TOLERANCE_TABLE_POINTS = 4097


def standard_normal(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms in [0, 1) (shifted half a step off 0)."""
    return special.ndtri(u + 2.0**-54)


class Origins:
    """The origin places, their departures and the attributes of the people setting out."""

    def __init__(self, model: World) -> None:
        self.model = model
        net, p = model.net, model.params
        c = net.compiled
        self.places = np.array([net.place_index[o] for o in net.origin_places], dtype=np.int64)
        self.departure_rate = p.departure_rate
        route = c.place_route[self.places]
        self.season_amplitude = p.seasonality_amplitude[route]
        self.season_peak = p.seasonality_peak_day[route]
        nat_index = {n: k for k, n in enumerate(net.nationalities)}
        shares = np.zeros((c.n_places, len(net.nationalities)))
        for row in net.origins:
            shares[net.place_index[row["place"]], nat_index[row["nationality"]]] += row["share"]
        totals = shares.sum(axis=1, keepdims=True)
        self.nationality_cum = np.cumsum(
            np.divide(shares, totals, where=totals > 0, out=np.zeros_like(shares)), axis=1
        )
        destination_share = p.destination_share * c.place_is_destination
        self.destination_cum = np.cumsum(destination_share / destination_share.sum())
        mean = p.risk_tolerance_mean
        self.tolerance_grid = np.linspace(0.0, 1.0, TOLERANCE_TABLE_POINTS)
        self.tolerance_table = special.betaincinv(4 * mean, 4 * (1 - mean), self.tolerance_grid)

    def set_out(self) -> None:
        """New people leave their origin today (Poisson numbers, seasonal rates)."""
        model = self.model
        date = model.date
        day_of_year = (date - dt.date(date.year, 1, 1)).days
        season = 1.0 + self.season_amplitude * np.cos(
            2 * np.pi * (day_of_year - self.season_peak) / 365.0
        )
        expected = self.departure_rate / 365.0 * season * model.scale
        # One Poisson number per origin and day, from its own draw (common random numbers).
        u = model.random_streams.draws("departures", self.places, model.day)
        counts = np.maximum(stats.poisson.ppf(u, expected), 0).astype(np.int64)
        keys = person_keys(model.day, self.places, counts)
        ids = self.add_people(np.repeat(self.places, counts), keys, set_out_day=model.day)
        c = model.net.compiled
        model.outcomes.add("departures", c.place_route[model.population.place[ids]])

    def add_people(
        self,
        origins: np.ndarray,
        keys: np.ndarray,
        set_out_day: np.ndarray | int,
        place: np.ndarray | None = None,
        status: Status = Status.AT_ORIGIN,
        next_day: np.ndarray | int | None = None,
    ) -> np.ndarray:
        """Create people with ``keys`` from ``origins`` (place indices); each draws their
        attributes from their own key: nationality by the origin's mix, protection need by
        nationality, lognormal budget and earning power, a beta risk tolerance, a lognormal
        risk perception (moved toward 1 by an information campaign at the origin), and an
        intended destination."""
        n = len(origins)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        model = self.model
        p = model.params

        def trait(name: str) -> np.ndarray:
            return model.random_streams.trait(name, keys)

        nationality = (self.nationality_cum[origins] < trait("nationality")[:, None]).sum(axis=1)
        nationality = np.minimum(nationality, len(model.net.nationalities) - 1)
        perception = p.risk_perception_median * np.exp(
            p.risk_perception_sigma * standard_normal(trait("risk_perception"))
        )
        informed = model.modifiers.information_strength[origins]
        perception = perception + informed * (1.0 - perception)
        destination = np.searchsorted(
            self.destination_cum, trait("destination") * self.destination_cum[-1], side="right"
        )
        return model.population.add(
            n,
            key=keys,
            status=status,
            place=origins if place is None else place,
            next_day=model.day if next_day is None else next_day,
            origin=origins,
            nationality=nationality,
            protection_need=trait("protection_need") < p.protection_need_share[nationality],
            budget=p.budget_median_eur[nationality]
            * np.exp(p.budget_sigma * standard_normal(trait("budget"))),
            earnings=np.exp(p.earning_power_sigma * standard_normal(trait("earning_power"))),
            risk_tolerance=np.interp(
                trait("risk_tolerance"), self.tolerance_grid, self.tolerance_table
            ),
            risk_perception=perception,
            destination=np.minimum(destination, len(self.destination_cum) - 1),
            set_out_day=set_out_day,
            in_country_since=set_out_day,
        )

    def add_initial_stock(self) -> int:
        """People already in transit on day 0, spread over hubs, working for their next leg;
        each comes from an origin upstream of their place, in proportion to its departures.
        Returns how many agents were added."""
        model = self.model
        net, p = model.net, model.params
        stock = p.initial_stock * model.scale
        counts = model.stream("initial").poisson(stock)
        rng = model.stream("initial")
        origin_weight = dict(zip(self.places.tolist(), self.departure_rate, strict=True))
        added = 0
        for place in np.flatnonzero(counts):
            ancestors = nx.ancestors(net.graph, net.place_ids[place])
            upstream = sorted(net.place_index[a] for a in ancestors)
            candidates = [o for o in upstream if o in origin_weight]
            if not candidates:
                continue
            weights = np.array([origin_weight[o] for o in candidates], dtype=float) + 1e-9
            origins = rng.choice(candidates, size=counts[place], p=weights / weights.sum())
            n = len(origins)
            keys = INITIAL_STOCK_FLAG | person_keys(0, np.array([place]), np.array([n]))
            ids = self.add_people(
                origins,
                keys,
                set_out_day=-rng.integers(
                    p.initial_stock_days_travelled_min, p.initial_stock_days_travelled_max, n
                ),
                place=np.full(n, place),
                status=Status.WORKING,
                next_day=rng.integers(0, p.initial_stock_first_decision_days, n),
            )
            model.population.budget[ids] *= p.initial_stock_budget_share
            added += n
        return added
