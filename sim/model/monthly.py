"""The month's reviews: states review their stance, smugglers adapt.

Every 30 days (:attr:`sim.model.model.MigrationModel.month_starts`) the few rich agents adapt
to the month that passed. :class:`MonthlyReviews` holds what those reviews need and has two
stages of the day:

- :meth:`MonthlyReviews.review_stances` ("states review their stance"): the EU hands each EU
  border state the persons who arrived over the legs it controls (its effort follows them), and
  each other state what it offers and presses it with and the friction of the month (the
  persons pushed back or expelled into it), which its stance weighs
  (:mod:`sim.agents.stance`);
- :meth:`MonthlyReviews.adapt_smugglers` ("smugglers adapt"): prices, capacity and craft follow
  demand and enforcement; arrested networks are replaced by rivals; some networks are arrested,
  as often as the state of their place polices.

Neither adapts in the warm-up's first ``warmup_fill_days`` (``model.adapting``), while the
routes fill from empty: adapting to an empty network would start the run from a collapsed
market and a jumpy stance. The month's tallies of those days are dropped, so that the first
review sees one month, not the filling. From then on both review through the rest of the
warm-up, so that stances and markets stand where the scenario's conditions take them by
``start_date``.
"""

from __future__ import annotations

import numpy as np

from sim.agents.stance import StanceInputs
from sim.agents.states import stance_parameters
from sim.model.world import World
from sim.policies.base import PolicyBase
from sim.rules.rates import Modifiers

#: Days between the monthly stages (stances, smugglers, routes).
MONTH_DAYS = 30


class MonthlyReviews:
    """States' and smugglers' monthly adaptation."""

    def __init__(self, model: World) -> None:
        self.model = model
        params, c = model.params, model.net.compiled
        self.stance_params = stance_parameters(params)
        # The pullback rates smugglers price enforcement against (:meth:`set_reference`).
        self.reference_pullback = model.rates.pullback.copy()
        self.arrest_rate_by_place = params.smuggler_arrest_rate[c.place_state]

    def set_reference(self, policies: list[PolicyBase]) -> None:
        """Once the policies are set up: the pullback rates the data's prices and craft were
        observed under, which smugglers price enforcement against. They are the states'
        baseline conduct with the measures in force since before the network's data
        (``DATA_DATE``, the start of 2023) and still on ``start_date``, such as the baseline's
        Italy-Libya cooperation (:attr:`PolicyBase.in_the_data`); a block that begins later
        raises prices above them, whether it begins before the run or during it."""
        today = self.model.modifiers
        mods = Modifiers(today.n_legs, today.n_states, today.n_places, today.n_nationalities)
        for policy in policies:
            if policy.in_the_data:
                policy.police(mods)
        self.reference_pullback = self.model.compile_rates(mods).pullback

    def review_stances(self) -> None:
        """Monthly: the EU hands each EU state the persons who arrived over its legs, and each
        other state what it offers and presses it with and the friction of the month."""
        model = self.model
        if not model.month_starts:
            return
        if not model.adapting:
            model.month_leg_arrivals[:] = 0.0
            model.month_friction[:] = 0.0
            return
        eu_state = model.net.compiled.leg_eu_state
        by_state = np.bincount(
            np.maximum(eu_state, 0),
            weights=model.month_leg_arrivals * (eu_state >= 0),
            minlength=len(model.states),
        )
        mods = model.modifiers  # yesterday's offers and pressure, as the policies set them
        partners = StanceInputs(
            payment_eur_per_year=mods.offer_payment.copy(),
            visa_facilitation=mods.offer_visa.copy(),
            pathway_places_per_year=mods.offer_places.copy(),
            article_25a=mods.article_25a.copy(),
            friction_persons=model.month_friction / model.scale,
        )
        model.eu.review_month(
            model.states,
            by_state / model.scale,
            model.params.enforcement_response,
            (partners, self.stance_params),
        )
        model.month_leg_arrivals[:] = 0.0
        model.month_friction[:] = 0.0

    def adapt_smugglers(self) -> None:
        """Monthly: prices, capacity and craft follow demand and enforcement; arrests."""
        model = self.model
        if not (model.month_starts and model.adapting):
            return
        enforcement_ratio = np.where(
            self.reference_pullback > 0,
            model.rates.pullback / np.maximum(self.reference_pullback, 1e-9),
            1.0,
        )
        market = model.market
        market.adapt(MONTH_DAYS, enforcement_ratio)
        market.replace_arrested(model.day, model.modifiers.rival_replacement_days)
        policing = model.conduct.departure_factor()[model.net.compiled.place_state]
        monthly = self.arrest_rate_by_place * policing + model.modifiers.arrest_rate_extra
        draws = model.stream("smugglers").random(len(market.smugglers))
        market.arrests(model.day, monthly, draws)
