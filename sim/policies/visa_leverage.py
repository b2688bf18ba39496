"""Visa leverage: restrictive visa measures to make an origin state cooperate on readmission.

Under EU Visa Code Article 25a, visas for the target's nationals take longer, cost more and are
less often multi-entry. The measures are **pressure** on the target's stance
(:mod:`sim.agents.stance`): at each monthly review the target's readmission target rises by
``stance_article_25a_weight x strength``, damped by its remittance dependence (``1 / (1 +
remittances / stance_remittance_half_pct_gdp)``: never to nothing), and its cooperation moves
toward that target month by month. The measures also strain the relation (they count against
the balance of any bargain the target has with the EU).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from sim.config.types import Float, NonEuStateId
from sim.policies.base import PolicyBase, PolicyContext
from sim.policies.config import UNIT, PolicyConfig


class Config(PolicyConfig):
    """Restrictive visa measures against a state that cooperates poorly on readmission."""

    type: Literal["visa_leverage"] = "visa_leverage"

    target: NonEuStateId
    """The (non-EU) state whose nationals' visas are restricted."""

    strength: Float = Field(0.5, **UNIT)
    """How hard the measures bite (0: none, 1: the strongest Article 25a measures: longer
    processing, higher fees, no multi-entry visas)."""


class Policy(PolicyBase):
    """Presses the target with Article 25a measures of ``strength`` while the block acts (the
    strongest of several blocks counts); the target's stance answers at its monthly reviews."""

    def prepare(self, model: PolicyContext) -> None:
        self.target = self.network.state_index[self.config.target]

    def apply(self, model: PolicyContext) -> None:
        pressure = model.modifiers.article_25a
        pressure[self.target] = max(pressure[self.target], self.config.strength)
