"""Visa leverage: restrictive visa measures to make an origin state cooperate on readmission.

Under EU Visa Code Article 25a, visas for the target's nationals take longer, cost more and are
less often multi-entry. The target's readmission cooperation rises by up to
``cooperation_gain x strength`` over ``ramp_days``, less where remittances weigh heavily in its
economy: the gain is multiplied by ``1 - dependence``, with dependence = remittances (% of GDP,
``states.csv``) / 20, at most 1.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config.types import Float, Int, NonEuStateId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig

#: Remittances (% of GDP) at and above which a state resists forced returns whatever the
#: leverage (assumption; of the origin states in states.csv only The Gambia, 27%, is above).
FULL_DEPENDENCE_REMITTANCES_PCT = 20.0


def remittance_dependence(remittances_pct_gdp: float) -> float:
    """How far remittances make a state resist cooperation on forced returns (0..1)."""
    return min(max(remittances_pct_gdp, 0.0) / FULL_DEPENDENCE_REMITTANCES_PCT, 1.0)


class Config(PolicyConfig):
    """Restrictive visa measures against a state that cooperates poorly on readmission."""

    type: Literal["visa_leverage"] = "visa_leverage"

    target: NonEuStateId
    """The (non-EU) state whose nationals' visas are restricted."""

    strength: Float = Field(0.5, **UNIT)
    """How hard the measures bite (0: none, 1: the strongest Article 25a measures)."""

    cooperation_gain: Float = Field(0.2, **UNIT)
    """The largest rise in the target's readmission cooperation (share of return decisions it
    accepts) that the leverage can bring."""

    ramp_days: Int = Field(180, ge=0, le=3650)
    """Days for the cooperation gain to build up fully."""


class Policy(PolicyBase):
    """Raises the target's readmission cooperation (a floor under its baseline value).

    Today's level is ``baseline + cooperation_gain x strength x (1 - dependence) x ramp``
    (at most 1), ``ramp`` growing linearly from 0 to 1 over ``ramp_days``; dependence is read
    from the target's :class:`~sim.states.State` each day.
    """

    def prepare(self, model: PolicyContext) -> None:
        self.target = self.network.state_index[self.config.target]
        self.baseline = float(model.conduct.cooperation[self.target])

    def level_today(self, model: PolicyContext) -> float:
        """The target's cooperation under the leverage today."""
        c = self.config
        dependence = remittance_dependence(model.states[self.target].remittances_pct_gdp)
        gain = c.cooperation_gain * c.strength * (1.0 - dependence)
        return min(self.baseline + gain * self.ramp(model, c.ramp_days), 1.0)

    def apply(self, model: PolicyContext) -> None:
        floor = model.modifiers.cooperation_floor
        floor[self.target] = max(floor[self.target], self.level_today(model))
