"""Migrants' decisions, as pure vectorised functions over the people concerned.

Each function takes arrays in and gives arrays out, so that a rule can be tested alone and the
model (``sim/model.py``) only wires them together. Nothing here loops over people.

The leg choice is a random-utility (multinomial logit) rule: a person at a place weighs each
outgoing leg by its price, its duration counted over the attempts it is expected to need, the
death risk and the chance of failure they have heard of, and what remains of the journey from
the leg's end (a cost-to-go computed on the network). Legs closed to them are not in their
choice set; for a leg they cannot pay for yet they settle or work (``sim/model/travel.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: The highest chance of failure a leg's expected number of attempts is worked out at: a leg
#: that stops everyone is then tried a hundred times, in expectation (rather than forever).
MOST_BELIEVED_FAILURE = 0.99


def expected_days(days: np.ndarray, failure: np.ndarray) -> np.ndarray:
    """Days a leg takes counting the attempts it is expected to need: with a chance ``failure``
    of being stopped each time, a person tries a geometric number of times, 1 / (1 - failure)
    on average (``failure`` capped at :data:`MOST_BELIEVED_FAILURE`)."""
    return days / (1.0 - np.minimum(failure, MOST_BELIEVED_FAILURE))


@dataclass(frozen=True)
class ChoiceWeights:
    """Weights of the generalised cost of a leg, in 'utility units'.

    A unit is what one day of travel costs a person (``time`` = 1 by convention).
    """

    price_per_1000_eur: float
    time_per_day: float
    risk_per_percent: float
    failure_per_percent: float
    scale: float  # logit scale: utility units per unit of Gumbel noise


def generalised_leg_cost(
    price_eur: np.ndarray,
    days: np.ndarray,
    death_risk: np.ndarray,
    failure_risk: np.ndarray,
    weights: ChoiceWeights,
) -> np.ndarray:
    """The cost of a leg for an average person (used for the cost-to-go on the network)."""
    return (
        weights.price_per_1000_eur * price_eur / 1000.0
        + weights.time_per_day * expected_days(days, failure_risk)
        + weights.risk_per_percent * 100.0 * death_risk
        + weights.failure_per_percent * 100.0 * failure_risk
    )


def candidate_legs(places: np.ndarray, out_start: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The outgoing legs of each person's place as a padded matrix.

    Returns ``legs`` (n x K, leg index or 0 where padded) and ``valid`` (n x K, False where
    padded), K being the largest out-degree among those places.
    """
    first = out_start[places]
    degree = out_start[places + 1] - first
    width = int(degree.max()) if len(places) else 0
    offsets = np.arange(width)
    valid = offsets[None, :] < degree[:, None]
    legs = np.where(valid, first[:, None] + offsets[None, :], 0)
    return legs, valid


def choose_legs(
    legs: np.ndarray,
    valid: np.ndarray,
    utility: np.ndarray,
    uniform: np.ndarray,
) -> np.ndarray:
    """Draw one leg per person from a multinomial logit over the valid candidates.

    ``utility`` is n x K; ``uniform`` one draw in [0, 1) per person. Returns the chosen leg
    index per person, or -1 where no candidate is valid.
    """
    n = len(legs)
    if n == 0:
        return np.empty(0, dtype=np.int64)
    # Work on K x n arrays: reductions over the few candidates then run along contiguous
    # memory across people, which is about twice as fast as along the short axis.
    valid_t = np.ascontiguousarray(valid.T)
    masked = np.where(valid_t, utility.T, -np.inf)
    best = masked.max(axis=0)
    has_choice = np.isfinite(best)
    weights = np.exp(masked - np.where(has_choice, best, 0.0))  # exp(-inf) = 0 where invalid
    # The running sum over candidates, row by row: np.cumsum along the first axis is about
    # ten times slower, and adds in the same order.
    cumulative = weights
    for k in range(1, len(cumulative)):
        cumulative[k] += cumulative[k - 1]
    threshold = uniform * cumulative[-1]
    pick = np.minimum((cumulative <= threshold).sum(axis=0), legs.shape[1] - 1)
    chosen = legs[np.arange(n), pick]
    return np.where(has_choice, chosen, -1)


def leg_utility(
    legs: np.ndarray,
    price_eur: np.ndarray,
    leg_days: np.ndarray,
    believed_death_risk: np.ndarray,
    believed_failure: np.ndarray,
    cost_to_go: np.ndarray,
    risk_tolerance: np.ndarray,
    risk_perception: np.ndarray,
    weights: ChoiceWeights,
) -> np.ndarray:
    """Utility of each candidate leg (n x K) for each person.

    ``price_eur``, ``leg_days``, ``believed_*`` are per leg; ``cost_to_go`` is n x K (the
    remaining cost from each candidate's end to the person's destination); ``risk_tolerance``
    and ``risk_perception`` are per person. A tolerant person weighs the risk they perceive less.
    """
    # The same for everyone, per leg; then each person's weight on the risk they perceive.
    common = (
        weights.price_per_1000_eur * price_eur / 1000.0
        + weights.time_per_day * expected_days(leg_days, believed_failure)
        + weights.failure_per_percent * 100.0 * believed_failure
    )
    risk_weight = weights.risk_per_percent * 100.0 * (1.0 - risk_tolerance) * risk_perception
    cost = common[legs] + believed_death_risk[legs] * risk_weight[:, None] + cost_to_go
    return cost * (-1.0 / weights.scale)


def give_up_probability(failures: np.ndarray, base: float, per_failure: float) -> np.ndarray:
    """Chance of giving up and going home at a decision, rising with each failed crossing."""
    return np.minimum(base + per_failure * failures, 0.95)


def days_of_work_needed(
    shortfall_eur: np.ndarray, earnings_eur_per_day: np.ndarray, longest_spell: int
) -> np.ndarray:
    """Days of work to close a shortfall, at least one and at most one work spell."""
    safe_earnings = np.maximum(earnings_eur_per_day, 0.01)
    days = np.ceil(np.maximum(shortfall_eur, 0.0) / safe_earnings)
    return np.clip(days, 1, longest_spell).astype(np.int32)


def update_beliefs(
    belief: np.ndarray, observed_rate: np.ndarray, observations: np.ndarray, inertia: float
) -> np.ndarray:
    """Rumours: move each leg's believed rate toward what people saw happen on it today.

    The weight of today's news grows with how many people it concerns: ``m / (m + inertia)``
    for ``m`` persons, so one drowning is noticed less than a wreck of a hundred.
    """
    weight = observations / (observations + inertia)
    return belief + weight * (observed_rate - belief)
