"""What happens at the end of a leg: pullback, distress and rescue or death, pushback, or arrival.

:func:`leg_outcomes` is a pure function: it takes per-person legs, per-leg rates and one
uniform draw per person and process, and says what became of each person. The order of the
hazards follows the journey:

1. a transit state's coast guard or police may stop the person and take them back (pullback),
   or, on a flight, the person may be refused boarding (the two never meet on one leg: nobody
   is intercepted on a flight, and only flights have boarding checks);
2. otherwise, on a risky leg, the person may get into distress; of those, a share is rescued
   (and goes on), the rest die or go missing;
3. otherwise, on a leg entering the EU, an EU border guard may apprehend them, and of those a
   share is expelled without procedure (pushback);
4. everyone else arrives at the end of the leg.

A leg's ``death_risk`` in the data is the observed risk with today's rescue capacity, so the
chance of distress is ``death_risk / (1 - baseline rescue share)``; more rescue lowers deaths
without changing how many get into distress.
"""

from __future__ import annotations

from enum import IntEnum

import numpy as np


class Outcome(IntEnum):
    """What became of a person at the end of a leg."""

    ARRIVED = 0
    RESCUED = 1  # in distress, rescued, and brought on to the end of the leg
    PULLED_BACK = 2
    DEAD = 3
    PUSHED_BACK = 4
    REFUSED = 5  # refused boarding on a flight (carrier or exit checks): back at the start

    # Not a member: numpy's answer to "does it override ufuncs?" (see population.Status).
    __array_ufunc__ = np.ndarray.__array_ufunc__


#: Per outcome: a failed crossing (pulled back, pushed back or refused boarding)? A lookup
#: table, indexed by the outcome codes.
FAILED = np.isin(
    np.arange(len(Outcome)), [Outcome.PULLED_BACK, Outcome.PUSHED_BACK, Outcome.REFUSED]
)

#: Smallest share of people in distress taken as not rescued when backing out the chance of
#: distress, so that a route with near-total rescue does not imply near-certain distress.
MIN_NOT_RESCUED = 0.05


def distress_probability(
    death_risk: np.ndarray, death_multiplier: np.ndarray, baseline_rescue: np.ndarray
) -> np.ndarray:
    """Chance that a crossing gets into distress, per leg.

    The data's ``death_risk`` is the observed risk with today's rescue, so distress is
    ``death_risk x craft multiplier / (1 - baseline rescue share)``; rescue then decides who of
    those in distress survive. Search and rescue policies use the same function.
    """
    return death_risk * death_multiplier / np.maximum(1.0 - baseline_rescue, MIN_NOT_RESCUED)


def leg_outcomes(
    legs: np.ndarray,
    death_risk: np.ndarray,
    baseline_rescue: np.ndarray,
    rescue_share: np.ndarray,
    death_multiplier: np.ndarray,
    pullback: np.ndarray,
    apprehension: np.ndarray,
    pushback: np.ndarray,
    uniforms: np.ndarray,
    *,
    refusal: np.ndarray,
) -> np.ndarray:
    """The :class:`Outcome` of each person finishing leg ``legs[i]``.

    Per-leg arrays: ``death_risk`` (observed, with baseline rescue), ``baseline_rescue`` and
    ``rescue_share`` (today's), ``death_multiplier`` (craft safety), ``pullback``,
    ``apprehension``, ``pushback`` and ``refusal`` (boarding refused on a flight).
    ``uniforms`` is 4 x n: one row per hazard, drawn from the hazard's own random stream so that
    changing one hazard does not shift the others. Pullback and refusal share the first row:
    they are the first check of a crossing (a coast guard's, or a carrier's on a flight), and
    no leg has both.
    """
    u_pull, u_distress, u_rescue, u_push = uniforms
    outcome = np.full(len(legs), Outcome.ARRIVED, dtype=np.int8)

    pulled = u_pull < pullback[legs]
    refused = ~pulled & (u_pull < refusal[legs])
    stopped = pulled | refused
    in_distress = distress_probability(death_risk, death_multiplier, baseline_rescue)[legs]
    distress = ~stopped & (u_distress < in_distress)
    rescued = distress & (u_rescue < rescue_share[legs])
    dead = distress & ~rescued
    # Apprehension and pushback are one draw: P(pushback) = P(apprehended) * P(expelled).
    pushed = ~stopped & ~dead & (u_push < apprehension[legs] * pushback[legs])

    outcome[rescued] = Outcome.RESCUED
    outcome[pulled] = Outcome.PULLED_BACK
    outcome[refused] = Outcome.REFUSED
    outcome[dead] = Outcome.DEAD
    outcome[pushed] = Outcome.PUSHED_BACK
    return outcome


def seen_by_state(
    legs: np.ndarray, outcome: np.ndarray, apprehension: np.ndarray, uniforms: np.ndarray
) -> np.ndarray:
    """Whether the EU state a leg enters saw each person finishing it (the ``outcome`` and
    ``uniforms`` of :func:`leg_outcomes`): it apprehended them (the pushback draw below its
    apprehension rate, so the pushed back are among the seen), or they were rescued at sea."""
    return (outcome == Outcome.RESCUED) | (uniforms[3] < apprehension[legs])
