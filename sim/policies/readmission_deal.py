"""Readmission deals: a partner state agrees to take back people ordered to leave.

The deal raises the share of return decisions to the partner that are carried out toward
``cooperation``, building up linearly over ``lag_days``. With ``third_country_nationals`` the
partner also takes back people of other nationalities who entered the EU from its territory
(as in the EU-Türkiye statement): they are returned to the place they left from, held there for
the partner's detention days, and are on their way again. The EU's payment is counted in the
cost to states.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field

from sim.config.types import Bool, Float, Int, NonEuStateId
from sim.network import NO_ROUTE
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig


class Config(PolicyConfig):
    """A readmission agreement with a (non-EU) partner state."""

    type: Literal["readmission_deal"] = "readmission_deal"

    partner: NonEuStateId
    """The state that readmits people."""

    cooperation: Float = Field(0.5, **UNIT)
    """Share of return decisions to the partner that are carried out once the deal works."""

    third_country_nationals: Bool = False
    """The partner also takes back other nationals who entered the EU from its territory."""

    payment_eur: Float = Field(0.0, ge=0, le=1e11)
    """What the EU pays the partner over the deal's life (counted in the cost to states)."""

    lag_days: Int = Field(90, ge=0, le=3650)
    """Days from the deal's start until it works fully (cooperation rises linearly over them)."""


class Policy(PolicyBase):
    """Raises the partner's readmission cooperation (a floor under its baseline value).

    Today's level is ``baseline + (cooperation - baseline) x ramp``, with ``ramp`` growing
    linearly from 0 to 1 over ``lag_days``. For third-country nationals (whom no partner takes
    back without a deal) ``cooperation x ramp`` is the chance that the partner takes back a
    person whose own state would not.
    """

    def prepare(self, model: PolicyContext) -> None:
        self.partner = self.network.state_index[self.config.partner]
        self.baseline = float(model.conduct.cooperation[self.partner])

    def level_today(self, model: PolicyContext) -> float:
        """The partner's cooperation under the deal today."""
        target = max(self.config.cooperation, self.baseline)
        ramp = self.ramp(model, self.config.lag_days)
        return self.baseline + (target - self.baseline) * ramp

    def apply(self, model: PolicyContext) -> None:
        mods, level = model.modifiers, self.level_today(model)
        mods.cooperation_floor[self.partner] = max(mods.cooperation_floor[self.partner], level)
        if self.config.third_country_nationals:
            tcn = mods.third_country_readmission
            others = self.config.cooperation * self.ramp(model, self.config.lag_days)
            tcn[self.partner] = max(tcn[self.partner], others)
        self.record_spending(model, self.config.payment_eur, np.array([NO_ROUTE]))
