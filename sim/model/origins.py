"""Where people set out from, who they are when they do, and who comes home.

:class:`Origins` holds what each origin place sends toward Europe and draws the attributes of
every newcomer. Setting out is a decision (:mod:`sim.rules.departure`): each day an origin's
reference rate (``departure_rate``) is multiplied by a propensity that follows what people at
home believe of the journey (:class:`sim.model.news.HomeNews`: success, death risk, failed
crossings, under an information campaign's awareness of risk) and by their capability (the
share who hold the cash the journey's expected cost needs); of those who would leave, people who
know of an open legal alternative with room for them wait for it instead. Flows from origins
are flat through the year: the seasons act at sea (:mod:`sim.model.seasons`).

Its stage of the day is :meth:`Origins.set_out`; :meth:`Origins.refresh_journey_cost` (monthly,
with the routes) works out the journey's expected cost at today's prices; :meth:`Origins.
returnees` decides which of the people returned home (forced or assisted) will set out again,
as their reintegration support allows.
"""

from __future__ import annotations

import numpy as np
from scipy import special

from sim.agents.population import NEVER, Status
from sim.config.parameters import Parameters
from sim.model.beliefs import UNSOLD_LEG_PRICE, barred_patterns
from sim.model.world import World
from sim.rules import behaviour
from sim.rules.departure import (
    DepartureResponse,
    budget_floor_quantile,
    departure_propensity,
    journey_money_cost,
    legal_diversion,
)
from sim.rules.memo import ValueMemo
from sim.rules.randomness import person_keys, poisson_quantile

#: The lasting attributes a newcomer draws from their key (:meth:`Origins.add_people`).
NEWCOMER_TRAITS = (
    "risk_perception",
    "destination",
    "budget",
    "protection_need",
    "earning_power",
    "risk_tolerance",
)
#: Points of the tabulated inverse CDF of the risk-tolerance distribution (a beta).
TOLERANCE_TABLE_POINTS = 4097


def expected_people(params: Parameters, days: int, scale: float) -> int:
    """Rows to reserve for the people of ``days`` (warm-up included) at ``scale``: those setting
    out at the origins' reference rates, and a quarter more for departures above them (more
    still and the population doubles). Rows never written cost no memory."""
    return int(1.25 * params.departure_rate.sum() / 365.0 * days * scale) + 1024


def standard_normal(u: np.ndarray) -> np.ndarray:
    """Standard normal deviates from uniforms in [0, 1) (shifted half a step off 0)."""
    return special.ndtri(u + 2.0**-54)


def exponential_days(mean: float, u: np.ndarray) -> np.ndarray:
    """Whole days of an exponential delay with ``mean``, from uniforms ``u`` in [0, 1)."""
    return (-mean * np.log1p(-u)).astype(np.int32)


class Origins:
    """The origin places, the decision to set out, and the attributes of those who do."""

    def __init__(self, model: World) -> None:
        self.model = model
        net, p = model.net, model.params
        c = net.compiled
        self.places = np.array([net.place_index[o] for o in net.origin_places], dtype=np.int64)
        self.daily_rate = p.departure_rate / 365.0
        nat_index = {n: k for k, n in enumerate(net.nationalities)}
        shares = np.zeros((c.n_places, len(net.nationalities)))
        for row in net.origins:
            shares[net.place_index[row["place"]], nat_index[row["nationality"]]] += row["share"]
        totals = shares.sum(axis=1, keepdims=True)
        self.nationality_share = np.divide(
            shares, totals, where=totals > 0, out=np.zeros_like(shares)
        )[self.places]  # origin x nationality
        self.nationality_cum = np.cumsum(self.nationality_share, axis=1)
        destination_share = p.destination_share * c.place_is_destination
        self.destination_cum = np.cumsum(destination_share / destination_share.sum())
        mean = p.risk_tolerance_mean
        self.tolerance_grid = np.linspace(0.0, 1.0, TOLERANCE_TABLE_POINTS)
        self.tolerance_table = special.betaincinv(4 * mean, 4 * (1 - mean), self.tolerance_grid)
        self.response = DepartureResponse(
            success_elasticity=p.departure_success_elasticity,
            risk_semielasticity=p.departure_risk_semielasticity,
            failure_semielasticity=p.departure_failure_semielasticity,
            cost_elasticity=p.departure_cost_elasticity,
            reference_success=p.departure_reference_success,
            reference_return_risk=p.departure_reference_return_risk,
            reference_death_risk=p.departure_reference_death_risk,
            reference_failure=p.departure_reference_failure,
        )
        # The journey's expected cost at the network's reference prices, and capability there.
        self.journey_cost = self.money_cost(model.market.fare, model.failure_rates())
        self.reference_capability = self.capability()
        self.capability_ratio = np.ones(len(self.places))
        # The legal alternatives open at each origin, by the modifiers they were worked out
        # from (:meth:`legal_alternatives`): policies set the same ones day after day.
        self._legal = ValueMemo()

    # ----------------------------------------------------------------- the decision
    def money_cost(self, prices: np.ndarray, failure: np.ndarray) -> np.ndarray:
        """Money (EUR) the believed-best way from each origin to Europe costs at ``prices``,
        per origin x nationality, over the legs open to that nationality (a flight its visas
        bar is no way for it); ``inf`` where none leads to a destination."""
        model = self.model
        c = model.net.compiled
        sold = np.isfinite(prices)
        cost = behaviour.generalised_leg_cost(
            np.where(sold, prices, UNSOLD_LEG_PRICE),
            c.leg_days,
            c.leg_death_risk,
            failure,
            model.beliefs.weights,
        )
        patterns, pattern_of = barred_patterns(model)
        by_pattern = np.stack(
            [
                journey_money_cost(
                    c.n_places,
                    c.leg_source,
                    c.leg_target,
                    np.where(c.leg_closed | row, np.inf, cost),
                    np.where(sold, prices, model.market.fare),
                    self.places,
                    c.destinations,
                )
                for row in patterns
            ]
        )  # pattern x origin
        return by_pattern[pattern_of].T

    def refresh_journey_cost(self) -> None:
        """Monthly: the journey's expected money cost from each origin at today's prices, and
        the capability it leaves against the reference."""
        self.journey_cost = self.money_cost(self.model.leg_prices(), self.model.failure_rates())
        self.capability_ratio = np.divide(
            self.capability(),
            self.reference_capability,
            out=np.ones(len(self.places)),
            where=self.reference_capability > 0,
        )

    def cash_needed(self) -> np.ndarray:
        """Cash (EUR) a person needs in hand to set out, per origin x nationality (``inf``
        where no way is open to that nationality)."""
        return self.model.params.departure_cash_share * self.journey_cost

    def capability(self) -> np.ndarray:
        """Share of would-be migrants at each origin who hold the cash needed (their
        nationality's lognormal budget above it), averaged over the origin's nationalities."""
        p = self.model.params
        short = budget_floor_quantile(
            self.cash_needed(), p.budget_median_eur[None, :], p.budget_sigma
        )
        return ((1.0 - short) * self.nationality_share).sum(axis=1)

    def propensity(self) -> np.ndarray:
        """Today's multiplier on each origin's reference rate (:func:`departure_propensity`)."""
        model = self.model
        p = model.params
        home = model.news.beliefs()
        awareness = 1.0 + model.modifiers.information_strength[self.places] * (
            1.0 / max(p.risk_perception_median, 1e-6) - 1.0
        )
        return departure_propensity(
            home.success[self.places],
            home.return_risk[self.places],
            home.death_risk[self.places],
            home.failure[self.places],
            awareness,
            self.capability_ratio,
            self.response,
        )

    def staying_for_legal_alternative(self, would_be: np.ndarray) -> np.ndarray:
        """Origin x nationality: share of the ``would_be`` (persons a day, per origin) who wait
        for an open legal alternative in their country instead (:func:`legal_diversion`)."""
        model = self.model
        mods = model.modifiers
        if not mods.legal_places.any():
            return np.zeros_like(self.nationality_share)
        places, awareness = self.legal_alternatives(mods.legal_places, mods.legal_awareness)
        return legal_diversion(
            would_be[:, None] * self.nationality_share,
            places,
            awareness,
            model.params.protection_need_share[None, :],
            model.params.legal_alternative_effect,
        )

    def legal_alternatives(
        self, legal_places: np.ndarray, legal_awareness: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per origin, the legal places (summed) and the awareness of them (the most) over the
        places of its country with either, from the modifiers ``legal_places`` and
        ``legal_awareness`` (place x nationality x need); the last day's again when those
        are the same."""
        c = self.model.net.compiled

        def by_origin() -> tuple[np.ndarray, np.ndarray]:
            used = np.flatnonzero(legal_places.any(axis=(1, 2)) | legal_awareness.any(axis=(1, 2)))
            n_states = int(c.place_state.max()) + 1
            places_by_state = np.zeros((n_states, *legal_places.shape[1:]))
            np.add.at(places_by_state, c.place_state[used], legal_places[used])
            awareness_by_state = np.zeros((n_states, *legal_awareness.shape[1:]))
            np.maximum.at(awareness_by_state, c.place_state[used], legal_awareness[used])
            state = c.place_state[self.places]
            return places_by_state[state], awareness_by_state[state]

        return self._legal.get((legal_places, legal_awareness), by_origin)

    def set_out(self) -> None:
        """New people leave their origin today (see the module docstring).

        The number who would leave each origin is a Poisson number from that origin's own draw;
        each draws their nationality, and those who wait for a legal alternative (their own
        draw against their origin's and nationality's share) do not leave. Keys are given
        before that, so nobody else's key or draws change with it.
        """
        model = self.model
        expected = self.daily_rate * self.propensity()
        u = model.random_streams.draws("departures", self.places, model.day)
        counts = poisson_quantile(u, expected * model.scale).astype(np.int64)
        keys = person_keys(model.day, self.places, counts)
        row = np.repeat(np.arange(len(self.places)), counts)
        nationality = self.nationality_of(row, keys)
        staying = self.staying_for_legal_alternative(expected)
        if staying.any():
            goes = (
                model.random_streams.trait("legal_alternative", keys) >= staying[row, nationality]
            )
            row, keys, nationality = row[goes], keys[goes], nationality[goes]
        self.add_people(row, keys, nationality)
        model.outcomes.add("departures", model.net.compiled.place_route[self.places[row]])

    def nationality_of(self, row: np.ndarray, keys: np.ndarray) -> np.ndarray:
        """Each newcomer's nationality, drawn by their origin's mix (``row``: origin index)."""
        u = self.model.random_streams.trait("nationality", keys)
        nationality = (self.nationality_cum.take(row, axis=0) < u[:, None]).sum(axis=1)
        return np.minimum(nationality, self.nationality_share.shape[1] - 1)

    def add_people(self, row: np.ndarray, keys: np.ndarray, nationality: np.ndarray) -> np.ndarray:
        """Create people with ``keys`` from origins ``row`` (indices into :attr:`places`); each
        draws their attributes from their own key: protection need by nationality, a budget
        from their nationality's lognormal above the cash the journey needs, lognormal earning
        power, a beta risk tolerance, a lognormal risk perception (moved toward 1 by an
        information campaign at the origin), and an intended destination."""
        n = len(row)
        if n == 0:
            return np.empty(0, dtype=np.int64)
        model = self.model
        p = model.params
        origins = self.places[row]
        trait = dict(
            zip(NEWCOMER_TRAITS, model.random_streams.traits(NEWCOMER_TRAITS, keys), strict=True)
        )
        perception = p.risk_perception_median * np.exp(
            p.risk_perception_sigma * standard_normal(trait["risk_perception"])
        )
        informed = model.modifiers.information_strength[origins]
        perception = perception + informed * (1.0 - perception)
        destination = np.searchsorted(
            self.destination_cum, trait["destination"] * self.destination_cum[-1], side="right"
        )
        median = p.budget_median_eur[nationality]
        # A nationality with no way open needs no cash in particular: its capability, and so
        # its origin's departures, are nil; the cash needed is a floor only where it is known.
        needed = self.cash_needed()[row, nationality]
        floor = budget_floor_quantile(
            np.where(np.isfinite(needed), needed, 0.0), median, p.budget_sigma
        )
        budget_quantile = np.minimum(floor + trait["budget"] * (1.0 - floor), 1.0 - 1e-12)
        return model.population.add(
            n,
            key=keys,
            status=Status.AT_ORIGIN,
            place=origins,
            next_day=model.day,
            origin=origins,
            nationality=nationality,
            protection_need=trait["protection_need"] < p.protection_need_share[nationality],
            budget=median * np.exp(p.budget_sigma * standard_normal(budget_quantile)),
            earnings=np.exp(p.earning_power_sigma * standard_normal(trait["earning_power"])),
            risk_tolerance=np.interp(
                trait["risk_tolerance"], self.tolerance_grid, self.tolerance_table
            ),
            risk_perception=perception,
            destination=np.minimum(destination, len(self.destination_cum) - 1),
            set_out_day=model.day,
            in_country_since=model.day,
        )

    # ----------------------------------------------------------------- coming home
    def returnees(self, ids: np.ndarray, support: float | np.ndarray, news: str) -> None:
        """People ``ids``, just brought home, may set out again: with probability
        ``remigration_probability x (1 - reintegration_effect x support)``, after an
        exponential delay (``remigration_delay_days``); the others stay home for good. Their
        homes hear of it (``news``: ``deported`` or ``came_back``)."""
        if len(ids) == 0:
            return
        model = self.model
        p, pop = model.params, model.population
        model.news.hear(news, pop.origin[ids])
        chance = p.remigration_probability * (1.0 - p.reintegration_effect * support)
        u_again, u_delay = model.draws_each(("remigration", "remigration_delay"), ids)
        again = u_again < chance
        delay = exponential_days(p.remigration_delay_days, u_delay)
        pop.next_day[ids] = np.where(again, model.day + 1 + delay, NEVER)

    def come_home(self, due: np.ndarray) -> None:
        """Returnees (forced or assisted) whose time has come set out again from home."""
        model = self.model
        pop = model.population
        status = pop.status[due]
        returning = (status == Status.RETURNED) | (status == Status.RETURNED_VOLUNTARILY)
        back = due[returning & (pop.next_day[due] == model.day)]
        pop.set_status(back, Status.AT_ORIGIN)
        pop.place[back] = pop.origin[back]
        pop.in_country_since[back] = model.day
        pop.next_day[back] = model.day + 1
