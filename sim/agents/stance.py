"""Partner states that bargain: how a non-EU state's stance answers offers and pressure.

Every non-EU state has a **stance** on two things the EU asks of it: cooperation on
*departures* (how hard its coast guard and police stop crossings and arrest smugglers) and on
*readmission* (how many of the return orders to its nationals it accepts). Each is held as a
shift on the logit scale of the state's baseline rate (``parameters.yaml``: ``interception_rate``,
``readmission_cooperation``), so that a shift of 0 is the state's 2023 conduct and a rate never
leaves 0..1::

    rate today = expit(logit(baseline rate) + shift)

Each month the state compares what it is offered with what it is pressed with, and moves each
shift part of the way (``adjustment``) toward a target:

- **offers** (from ``partnership`` blocks): a payment, valued as a share of the state's GDP
  (``x = EUR per year / GDP / payment_reference``), visa facilitation (0..1) and legal pathway
  places for its nationals (``y = places per year / pathway_reference``), each with diminishing
  returns ``z / (1 + z)``, times its weight (logit units at saturation). A bundle's value goes to
  the cooperation it is conditioned on (payments to departures, visas and pathways to
  readmission, when a block asks for both);
- **pressure**: Article 25a visa measures raise the readmission target by ``article_25a_weight x
  strength``;
- **remittances** weigh against forced returns without cancelling them: every gain in the
  readmission target (offers and pressure alike) is multiplied by ``1 / (1 + remittances /
  remittance_half)``, so a state with remittances at ``remittance_half`` percent of GDP answers
  half as much as one without, and The Gambia (about 26%) still about 28%;
- **friction**: people the EU pushes back or expels into the state above what it has got used
  to (a habit that follows the monthly count at ``friction_habituation``) lower both targets by
  ``friction_weight x f / (1 + f)``, ``f = excess / friction_reference``;
- **reservation**: a dated change of the state's own policy (Niger's repeal of its
  anti-smuggling law on 26 Nov 2023) shifts its targets whatever the EU does.

**Defection.** A partner (a state the EU has made offers to) weighs its *balance*: the value of
what it is offered now, less friction and the resentment Article 25a measures cause. When the
balance has been below ``-defection_threshold`` for ``defection_months`` reviews in a row
(offers withdrawn or suspended while the pressure stays, or friction outgrowing the offers), it
defects: both targets drop by ``defection_shift`` until the balance has been positive for as
many reviews. The functions here are pure; :class:`sim.agents.states.State` applies them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Baseline rates are kept this far from 0 and 1 before taking their logit.
RATE_EPSILON = 1e-4
#: Dimensions of a stance (index into offer arrays).
DEPARTURES, READMISSION = 0, 1


def logit(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)), with p kept within ``RATE_EPSILON`` of 0 and 1."""
    p = np.minimum(np.maximum(p, RATE_EPSILON), 1.0 - RATE_EPSILON)  # np.clip, without its cost
    return np.log(p / (1.0 - p))


def expit(x: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`logit`."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))


def shifted_rate(baseline: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """``expit(logit(baseline) + shift)``; exactly the baseline where the shift is 0, and where
    the baseline is 0 or 1 (a state that does not police at all, or takes everyone back, is
    not moved by a stance: the logit scale has no room there)."""
    fixed = (shift == 0.0) | (baseline <= 0.0) | (baseline >= 1.0)
    return np.where(fixed, baseline, expit(logit(baseline) + shift))


def diminishing(z: np.ndarray) -> np.ndarray:
    """``z / (1 + z)`` for z >= 0: each further unit of an offer is worth less."""
    z = np.maximum(z, 0.0)
    return z / (1.0 + z)


@dataclass(frozen=True)
class StanceParameters:
    """How partner states value offers and pressure (``parameters.yaml``, "partner states")."""

    adjustment: float  # share of the gap to the target closed per monthly review
    payment_weight: float  # logit units, at saturation
    payment_reference_pct_gdp: float  # % of GDP per year worth z = 1
    visa_weight: float  # logit units for full visa facilitation
    pathway_weight: float  # logit units, at saturation
    pathway_reference: float  # places per year worth z = 1
    article_25a_weight: float  # logit units at full strength
    article_25a_resentment: float  # balance lost at full strength
    remittance_half: float  # % of GDP halving the response on readmission
    friction_weight: float  # logit units, at saturation
    friction_reference: float  # persons per month worth f = 1
    friction_habituation: float  # share of the gap the habit closes per month
    defection_threshold: float  # balance below minus this counts toward defection
    defection_months: int  # reviews in a row before defecting (or re-engaging)
    defection_shift: float  # logit units both targets drop by while defected


@dataclass
class StanceInputs:
    """What each state faces this month, as arrays over states (``[2, n]`` for offers: the
    departures row, then the readmission row)."""

    payment_eur_per_year: np.ndarray  # [2, n]
    visa_facilitation: np.ndarray  # [2, n], 0..1
    pathway_places_per_year: np.ndarray  # [2, n]
    article_25a: np.ndarray  # [n], 0..1
    friction_persons: np.ndarray  # [n], persons pushed back or expelled into it this month


def offer_value(inputs: StanceInputs, gdp_usd_bn: np.ndarray, p: StanceParameters) -> np.ndarray:
    """Logit-unit value of the offers on each dimension (``[2, n]``), before remittances."""
    gdp_eur = np.where(np.isfinite(gdp_usd_bn) & (gdp_usd_bn > 0), gdp_usd_bn, np.inf) * 1e9
    payment_pct = 100.0 * inputs.payment_eur_per_year / gdp_eur
    return (
        p.payment_weight * diminishing(payment_pct / p.payment_reference_pct_gdp)
        + p.visa_weight * np.clip(inputs.visa_facilitation, 0.0, 1.0)
        + p.pathway_weight * diminishing(inputs.pathway_places_per_year / p.pathway_reference)
    )


def readmission_damping(remittances_pct_gdp: np.ndarray, p: StanceParameters) -> np.ndarray:
    """How much of a readmission gain a state lets through: ``1 / (1 + rem / half)``."""
    return 1.0 / (1.0 + np.maximum(remittances_pct_gdp, 0.0) / p.remittance_half)


def friction_effect(excess_persons: np.ndarray, p: StanceParameters) -> np.ndarray:
    """Logit units both targets lose to friction above the habit."""
    return p.friction_weight * diminishing(excess_persons / p.friction_reference)


def stance_targets(
    value: np.ndarray,
    article_25a: np.ndarray,
    damping: np.ndarray,
    friction: np.ndarray,
    reservation: np.ndarray,
    defected: np.ndarray,
    p: StanceParameters,
) -> np.ndarray:
    """Target shifts ``[2, n]``: departures then readmission.

    ``value`` is :func:`offer_value`; ``reservation`` (``[2, n]``) the states' own shifts;
    ``defected`` whether each state has defected.
    """
    targets = reservation - friction + np.where(defected, -p.defection_shift, 0.0)
    gains = value.copy()
    gains[READMISSION] = damping * (value[READMISSION] + p.article_25a_weight * article_25a)
    return targets + gains


def balance(
    value: np.ndarray, article_25a: np.ndarray, friction: np.ndarray, p: StanceParameters
) -> np.ndarray:
    """What a partner gets from the bargain this month: offers less friction and resentment."""
    return value.sum(axis=0) - friction - p.article_25a_resentment * article_25a
