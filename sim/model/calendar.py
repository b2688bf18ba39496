"""The dated changes of the year (``sim/data/changes.csv``), applied on their day.

:class:`DatedChanges` holds the changes of the run's network that are switched on (see
:mod:`sim.network.changes`) and has one stage of the day, :meth:`DatedChanges.apply_due`, the
first of the day: every change dated today or earlier and not yet applied is applied. The run's
first day is the warm-up's (``warmup_days`` before ``start_date``): a change dated in the warm-up
applies on its date there, like any other day (the warm-up's days have their calendar dates,
``model.date``), and changes dated before the warm-up are applied when the model is built. So
the network on ``start_date`` is the same whatever the warm-up's length, and the warm-up's
people met each change when it happened.

- A leg change sets the leg's value in the compiled network (``death_risk``, ``days``,
  ``closed``) or its price range (``price_min_eur``, ``price_max_eur``: smugglers' base price and
  the fare become the new middle of the range, their markups kept); people then re-evaluate the
  way ahead at once, and people at home the journey's cost.
- A state change sets the state's own reservation on departures or readmission, which its
  stance moves toward from its next monthly review (:mod:`sim.agents.stance`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.agents.stance import DEPARTURES, READMISSION
from sim.model.world import World

RESERVATION_ROW = {"departure_reservation": DEPARTURES, "readmission_reservation": READMISSION}


class DatedChanges:
    """The year's dated changes to legs and states' own policies, applied on their day."""

    def __init__(self, model: World) -> None:
        self.model = model
        self.pending: list[dict[str, Any]] = [c for c in model.net.changes if c["enabled"]]
        self.applied: list[str] = []  # ids, in the order applied
        self.apply_due(self.first_date)

    @property
    def first_date(self) -> dt.date:
        """The date of the first day simulated: the warm-up's first day."""
        return self.model.start_date - dt.timedelta(days=self.model.warmup_days)

    def apply_due(self, today: dt.date | None = None) -> None:
        """Apply every pending change dated ``today`` (default: the model's date, negative days
        of the warm-up included) or earlier."""
        model = self.model
        today = today or model.start_date + dt.timedelta(days=model.day)
        due = [c for c in self.pending if c["date"] <= today]
        if not due:
            return
        self.pending = [c for c in self.pending if c["date"] > today]
        legs_changed = False
        for change in due:
            if change["kind"] == "leg":
                self.change_leg(change["target"], change["attribute"], change["value"])
                legs_changed = True
            else:
                state = self.model.net.state_index[change["target"]]
                row = RESERVATION_ROW[change["attribute"]]
                self.model.conduct.reservation[row, state] = change["value"]
            self.applied.append(change["id"])
        # When the model is being built, its components see the changed network from the start.
        if legs_changed and getattr(self.model, "beliefs", None) is not None:
            self.model.beliefs.refresh_routes()
        if legs_changed and getattr(self.model, "origins", None) is not None:
            self.model.origins.refresh_journey_cost()

    def change_leg(self, leg_id: str, attribute: str, value: float) -> None:
        """Set one attribute of one leg in the compiled network (and the market's prices)."""
        c, k = self.model.net.compiled, self.model.net.leg_index[leg_id]
        if attribute == "death_risk":
            c.leg_death_risk[k] = value
        elif attribute == "days":
            c.leg_days[k] = int(value)
        elif attribute == "closed":
            c.leg_closed[k] = bool(value)
        else:
            prices = c.leg_price_min if attribute == "price_min_eur" else c.leg_price_max
            prices[k] = value
            c.leg_price_max[k] = max(c.leg_price_max[k], c.leg_price_min[k])
            self.model.market.set_leg_base_price(k, (c.leg_price_min[k] + c.leg_price_max[k]) / 2)
