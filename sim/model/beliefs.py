"""What people on the routes believe: the risks of each leg, and the cost of the way ahead.

:class:`Beliefs` holds, per leg, the death risk and the chance of failure (interception or
pushback) that people at its start have heard of, and, per nationality and place, the cheapest
generalised cost from there to each destination over the legs open to that nationality (the
cost-to-go) at the prices and risks of the day it was last worked out. It has two stages of
the day (``docs/model.md``):

- :meth:`Beliefs.spread_news`, every day: people at each place hear what happened today to those
  who took its legs (:func:`sim.rules.behaviour.update_beliefs`);
- :meth:`Beliefs.refresh_routes`, monthly after the smugglers adapt: the cost-to-go is worked out
  again at today's prices and failure rates.
"""

from __future__ import annotations

import numpy as np

from sim.model.world import World
from sim.rules import behaviour
from sim.rules.movement import FAILED, Outcome

#: Price standing in for a leg no network sells seats on when working out the cost-to-go
#: (EUR): dear enough that nobody plans through it, finite so that places beyond stay reachable.
UNSOLD_LEG_PRICE = 1e6


def barred_patterns(model: World) -> tuple[np.ndarray, np.ndarray]:
    """The distinct sets of legs barred to a nationality today (its visas and today's bars),
    and which set each nationality has: nationalities barred from the same legs share one
    shortest-path search. (Visas are in today's bars from the first day's policies on; at
    the start only ``visa_barred`` holds them.)"""
    barred = model.modifiers.leg_barred | model.net.compiled.visa_barred
    patterns, pattern_of = np.unique(barred, axis=0, return_inverse=True)
    return patterns, pattern_of.reshape(-1)


class Beliefs:
    """Believed risks per leg, today's news, and the cost-to-go to every destination."""

    def __init__(self, model: World) -> None:
        self.model = model
        p, c = model.params, model.net.compiled
        self.weights = behaviour.ChoiceWeights(
            price_per_1000_eur=p.choice_price_weight,
            time_per_day=1.0,
            risk_per_percent=p.choice_risk_weight,
            failure_per_percent=p.choice_failure_weight,
            scale=p.choice_scale,
        )
        self.death_risk = c.leg_death_risk.copy()
        self.failure = model.failure_rates()
        self.news = np.zeros((3, c.n_legs))  # finished, dead, failed: today, per leg
        self._slot = np.full(c.n_places, -1, dtype=np.int64)  # a destination's row
        self._slot[c.destinations] = np.arange(len(c.destinations))
        self.refresh_routes()

    def record(self, legs: np.ndarray, outcome: np.ndarray) -> None:
        """Tally today's outcomes per leg; the news spreads at the end of the day."""
        n = self.news.shape[1]
        self.news[0] += np.bincount(legs, minlength=n)
        self.news[1] += np.bincount(legs[outcome == Outcome.DEAD], minlength=n)
        failed = FAILED[outcome]
        self.news[2] += np.bincount(legs[failed], minlength=n)

    def spread_news(self) -> None:
        """People at each place hear what happened today to those who took its legs."""
        finished, dead, failed = self.news
        seen = finished > 0
        if np.any(seen):
            persons = finished / self.model.scale
            inertia = self.model.params.rumour_inertia
            with np.errstate(invalid="ignore", divide="ignore"):
                death_rate = np.where(seen, dead / finished, 0.0)
                fail_rate = np.where(seen, failed / finished, 0.0)
            self.death_risk = np.where(
                seen,
                behaviour.update_beliefs(self.death_risk, death_rate, persons, inertia),
                self.death_risk,
            )
            self.failure = np.where(
                seen,
                behaviour.update_beliefs(self.failure, fail_rate, persons, inertia),
                self.failure,
            )
        self.news[:] = 0.0

    def refresh_routes(self) -> None:
        """The cheapest remaining generalised cost from every place to every destination, at
        today's prices and failure rates (closed legs excluded), for each nationality over
        the legs open to it: a flight barred to them (visas) is no way ahead in their plans."""
        model = self.model
        c = model.net.compiled
        prices = model.leg_prices()
        cost = behaviour.generalised_leg_cost(
            np.where(np.isfinite(prices), prices, UNSOLD_LEG_PRICE),
            c.leg_days,
            c.leg_death_risk,
            model.failure_rates(),
            self.weights,
        )
        patterns, pattern_of = barred_patterns(model)
        to_go = np.stack(
            [c.cost_to_go(np.where(c.leg_closed | row, np.inf, cost)) for row in patterns]
        )
        # Per nationality x place x place; row d filled for destinations d.
        self.cost_to_go = to_go[pattern_of]
        self.cost_to_go_any = self.cost_to_go[:, c.destinations].min(axis=1)  # nat x place
        # Per (nationality, destination, leg): the remaining cost from the leg's end, the
        # nearest destination plus the penalty where the intended one cannot be reached;
        # flat, for one gather a person and candidate leg.
        intended = self.cost_to_go[:, c.destinations][:, :, c.leg_target]
        fallback = (
            self.cost_to_go_any[:, c.leg_target] + model.params.unreachable_destination_penalty
        )
        self._leg_cost_to_go = np.where(
            np.isfinite(intended), intended, fallback[:, None, :]
        ).ravel()
        # Per nationality x leg: whether a destination can be reached from its end (else its
        # cost-to-go is infinite for them, and they never choose it).
        self.leads_on = np.isfinite(self.cost_to_go_any[:, c.leg_target])

    def cost_to_go_for(
        self, nationality: np.ndarray, destination: np.ndarray, legs: np.ndarray
    ) -> np.ndarray:
        """Remaining cost (n x K) from each candidate leg's end to each person's destination
        (a place), for their nationality; where their intended destination cannot be
        reached, to the nearest one plus a penalty."""
        c = self.model.net.compiled
        row = nationality.astype(np.int64) * len(c.destinations) + self._slot[destination]
        return self._leg_cost_to_go[row[:, None] * c.n_legs + legs]
