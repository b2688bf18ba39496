"""Staying in transit: settling and working, moving on again, expulsions, going home assisted.

Most people on the routes are not moving on any given day: hundreds of thousands live and work
in Libya, Tunisia, Algeria, Morocco, Türkiye, Mauritania and Niger for months or years.
:class:`Settlement` holds the rules of that life (``docs/model.md``, "Staying in transit"):

- **settling** (:meth:`Settlement.settling`): a person at a place who cannot pay for the leg
  they chose settles there with the state's ``settle_probability`` (instead of working for that
  leg alone); settled people earn as workers do;
- **reviews** (:meth:`Settlement.review`, the stage "settled people review"): every
  ``settled_review_days`` a settled person counts what they earned, may take assisted voluntary
  return home (the baseline programmes: ``voluntary_return_rate`` of the state, a hazard), and
  otherwise resumes the journey with the chance of the state's hazard
  ``settled_resume_rate x crackdown multiplier x (onward price / its reference) ** -e`` over the
  spell; people released from detention may take assisted voluntary return too, with the chance
  of their days held;
- **expulsions** (:meth:`Settlement.expel`, the stage "expulsions"): under a crackdown a share of
  the irregular migrants at the state's places (settled, in transit, working or waiting for a
  seat) is rounded up each day and left at the places the crackdown names (e.g. Tunisia's 2023
  expulsions to the desert borders), robbed of part of their money and days;
- **assisted voluntary return** (:meth:`Settlement.return_voluntarily`, also used by the
  ``voluntary_return`` lever): home, at a cost to states, with a reintegration support that
  lowers the chance of setting out again (:meth:`sim.model.origins.Origins.returnees`).
"""

from __future__ import annotations

import numpy as np

from sim.agents.population import Status
from sim.model.roster import Roster
from sim.model.world import World
from sim.network import NO_ROUTE


class Settlement:
    """Settled people in transit countries, crackdowns, and assisted voluntary return."""

    def __init__(self, model: World) -> None:
        self.model = model
        c, p = model.net.compiled, model.params
        self.settle_chance = p.settle_probability[c.place_state]
        self.resume_rate = p.settled_resume_rate[c.place_state] / 365.0
        self.return_rate = p.voluntary_return_rate[c.place_state] / 365.0
        # The smuggled legs, in the network's order (by the place they leave from), and where
        # each place's run of them starts (legs are stored by source: CompiledNetwork).
        self.smuggled = np.flatnonzero(c.leg_smuggled)
        source = c.leg_source[self.smuggled]
        self.run_starts = np.flatnonzero(np.r_[True, source[1:] != source[:-1]])
        self.run_places = source[self.run_starts]
        self.roster = Roster(model)  # who a crackdown can round up

    def settling(self, ids: np.ndarray) -> np.ndarray:
        """Mask over ``ids`` (people short of money for the leg they chose): who settles."""
        pop = self.model.population
        return self.model.draws("settling", ids) < self.settle_chance[pop.place[ids]]

    def settle(self, ids: np.ndarray) -> None:
        """People ``ids`` settle where they are, until their first review."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        pop.set_status(ids, Status.SETTLED)
        pop.next_day[ids] = model.day + model.params.settled_review_days

    def onward_price_ratio(self) -> np.ndarray:
        """Per place: today's price of the cheapest onward smuggled leg against its reference
        price (1 where no smuggled leg leaves; inf where none is sold today)."""
        model = self.model
        smuggled = self.smuggled
        ratio = np.ones(model.net.compiled.n_places)
        leg_ratio = model.leg_prices()[smuggled] / model.market.fare[smuggled]
        ratio[self.run_places] = np.minimum.reduceat(leg_ratio, self.run_starts)
        return ratio

    def review(self, deciding: np.ndarray) -> np.ndarray:
        """Settled people due today review their situation; people released from detention
        may go home assisted. Returns those of ``deciding`` who go on to decide today."""
        model = self.model
        pop, p, c, mods = model.population, model.params, model.net.compiled, model.modifiers
        # Positions in ``deciding``, so that who goes on to decide keeps its order.
        status = pop.status[deciding]
        settled_at = np.flatnonzero(status == Status.SETTLED)
        released_at = np.flatnonzero(status == Status.DETAINED)
        settled, released = deciding[settled_at], deciding[released_at]
        spell = p.settled_review_days
        place = pop.place[settled]
        state = c.place_state[place]
        pop.budget[settled] += (
            model.wage[place] * pop.earnings[settled] * spell * mods.wage_multiplier[state]
        )
        held = model.conduct.detention_days[c.place_state[pop.place[released]]]
        candidates_at = np.concatenate([settled_at, released_at])
        candidates = deciding[candidates_at]
        days = np.concatenate([np.full(len(settled), spell), held])
        chance = 1.0 - np.exp(-self.return_rate[pop.place[candidates]] * days)
        home = model.draws("voluntary_return", candidates) < chance
        self.return_voluntarily(
            candidates[home], p.voluntary_return_support, p.voluntary_return_cost_eur
        )

        settled_at = settled_at[pop.status[settled] == Status.SETTLED]
        settled = deciding[settled_at]
        place = pop.place[settled]
        hazard = (
            self.resume_rate[place]
            * mods.resume_multiplier[c.place_state[place]]
            * (self.onward_price_ratio() ** -p.settled_price_elasticity)[place]
        )
        moving_on = model.draws("resuming", settled) < 1.0 - np.exp(-hazard * spell)
        resumed = settled[moving_on]
        pop.set_status(resumed, Status.IN_TRANSIT)
        model.outcomes.add("resumed", c.place_route[pop.place[resumed]])
        pop.next_day[settled[~moving_on]] = model.day + spell
        done = np.zeros(len(deciding), dtype=bool)
        done[candidates_at[home]] = True
        done[settled_at[~moving_on]] = True
        return deciding[~done]

    def return_voluntarily(self, ids: np.ndarray, support: float, cost_eur: float) -> None:
        """People ``ids`` go home from a transit country with assisted voluntary return: counted
        by the route of the place they leave, ``cost_eur`` each to states; they may set out
        again, as their reintegration ``support`` allows."""
        if len(ids) == 0:
            return
        model = self.model
        pop = model.population
        model.outcomes.add("voluntary_returns", model.net.compiled.place_route[pop.place[ids]])
        model.outcomes.add_total("state_spending_eur", NO_ROUTE, cost_eur * len(ids))
        pop.place[ids] = pop.origin[ids]
        pop.previous_place[ids] = -1
        pop.leg[ids] = -1
        pop.set_status(ids, Status.RETURNED_VOLUNTARILY)
        model.origins.returnees(ids, support, "came_back")

    def expel(self) -> None:
        """Under a crackdown: today's share of the irregular migrants at the state's places (its
        own nationals apart) is rounded up and left at the places the crackdown names (or one
        place back along the usual way in), having lost days and part of their money."""
        model = self.model
        mods = model.modifiers
        if not mods.expulsion_rate.any():
            self.roster.today(np.empty(0, dtype=np.int64))  # nobody to keep track of
            return
        pop, c = model.population, model.net.compiled
        ids = self.roster.today(np.flatnonzero(mods.expulsion_rate[c.place_state] > 0))
        state = c.place_state[pop.place[ids]]
        rounded_up = model.draws("expulsion", ids) < mods.expulsion_rate[state]
        ids, state = ids[rounded_up], state[rounded_up]
        if len(ids) == 0:
            return
        model.outcomes.add("expelled", c.place_route[pop.place[ids]])
        destination = c.usual_previous_place[pop.place[ids]]
        u = model.draws("expulsion_place", ids)
        for s in np.unique(state):  # a loop over the states cracking down, not over people
            places, mine = mods.expelled_to[s], state == s
            if len(places):
                destination[mine] = places[(u[mine] * len(places)).astype(np.int64)]
        if (pop.status[ids] == Status.WAITING_FOR_SEAT).any():
            model.seats.taken_out_of_line()
        pop.place[ids] = destination
        pop.previous_place[ids] = -1
        pop.leg[ids] = -1
        pop.budget[ids] *= 1.0 - mods.expulsion_money_lost[state]
        pop.set_status(ids, Status.IN_TRANSIT)
        pop.next_day[ids] = model.day + 1 + mods.expulsion_days_lost[state]
