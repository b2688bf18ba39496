"""Setting out: who leaves home toward Europe, as pure vectorised functions.

The decision follows the aspiration-capability framing of migration research (Carling 2002;
Carling and Schewel 2018): many aspire to leave, fewer are able to. At each origin place the
daily rate of setting out is ``departure_rate / 365`` times a **propensity** that moves with
what people at home believe of the journey (the news from those ahead of them) and with what it
costs against what they have:

    propensity = (S (1 - D) / (S_ref (1 - D_ref))) ** e_S
                 x exp(-e_R x 100 x (rho x R - R_ref))
                 x exp(-e_F x 100 x (F - F_ref))
                 x (A / A_ref) ** e_C

- ``S``: believed chance of reaching Europe, ``D``: believed chance of being deported once
  there (so ``S (1 - D)`` is the believed chance of making it to stay); ``R``: believed death
  risk, times ``rho``, the origin's
  awareness of risk (1, or more under an information campaign); ``F``: believed share of
  crossings that fail (pullback, pushback); the ``_ref`` values are the reference beliefs at
  which ``departure_rate`` applies;
- ``A``: capability, the share of would-be migrants whose money reaches the share
  ``departure_cash_share`` of the journey's expected cost (a lognormal tail), against ``A_ref``
  at the network's reference prices.

People with an open legal alternative (:func:`legal_diversion`) wait for it instead, as far as
it has room. Those who set out hold at least the cash the journey needs (their budget is drawn
from the lognormal above that threshold: :func:`budget_floor_quantile`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import special
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra


@dataclass(frozen=True)
class DepartureResponse:
    """The elasticities and reference beliefs of the decision to set out."""

    success_elasticity: float
    risk_semielasticity: float  # per percentage point
    failure_semielasticity: float  # per percentage point
    cost_elasticity: float
    reference_success: float
    reference_return_risk: float
    reference_death_risk: float
    reference_failure: float


def departure_propensity(
    success: np.ndarray,
    return_risk: np.ndarray,
    death_risk: np.ndarray,
    failure: np.ndarray,
    risk_awareness: np.ndarray,
    capability_ratio: np.ndarray,
    response: DepartureResponse,
) -> np.ndarray:
    """The multiplier on each origin's reference rate of setting out (see the module
    docstring): 1 when every belief is at its reference and capability at the reference
    prices."""
    r = response
    staying = np.maximum(success * (1.0 - return_risk), 1e-6)
    ratio = staying / (r.reference_success * (1.0 - r.reference_return_risk))
    perceived_risk = risk_awareness * death_risk
    return (
        ratio**r.success_elasticity
        * np.exp(-r.risk_semielasticity * 100.0 * (perceived_risk - r.reference_death_risk))
        * np.exp(-r.failure_semielasticity * 100.0 * (failure - r.reference_failure))
        * np.maximum(capability_ratio, 0.0) ** r.cost_elasticity
    )


def budget_floor_quantile(
    cash_needed: np.ndarray, budget_median: np.ndarray, budget_sigma: float
) -> np.ndarray:
    """The quantile of the lognormal budget at ``cash_needed``: the share of would-be
    migrants who do not have the cash, ``Phi((ln cash - ln median) / sigma)``."""
    z = (np.log(np.maximum(cash_needed, 1e-9)) - np.log(np.maximum(budget_median, 1e-9))) / max(
        budget_sigma, 1e-9
    )
    return special.ndtr(z)


def legal_diversion(
    would_be: np.ndarray,
    places: np.ndarray,
    awareness: np.ndarray,
    need_share: np.ndarray,
    effect: float,
) -> np.ndarray:
    """Share of would-be irregular migrants who wait for a legal alternative instead.

    Per origin and nationality: ``would_be`` persons a day would set out; the legal
    alternatives open to them offer ``places`` (persons a day, last axis: without and with a
    protection need) and a share ``awareness`` (same last axis) knows of them and could apply;
    ``need_share`` of the nationality have a protection need. Of those who know of an
    alternative they qualify for, as many as it has room for wait for it, times ``effect``::

        diverted = effect x sum_k min(places_k, awareness_k x would_be x share_k) / would_be

    so an office with no room, or one nobody knows of, diverts nobody.
    """
    shares = np.empty((*np.shape(need_share), 2))  # without and with a need (np.stack, cheaper)
    shares[..., 0] = 1.0 - need_share
    shares[..., 1] = need_share
    knowing = awareness * would_be[..., None] * shares
    fits = np.minimum(places, knowing)
    room = fits[..., 0] + fits[..., 1]  # summed over the need axis (faster than .sum there)
    return effect * np.divide(room, would_be, out=np.zeros_like(room), where=would_be > 0)


def journey_money_cost(
    n_places: int,
    leg_source: np.ndarray,
    leg_target: np.ndarray,
    leg_cost: np.ndarray,
    leg_price: np.ndarray,
    sources: np.ndarray,
    destinations: np.ndarray,
) -> np.ndarray:
    """Money (EUR) spent on the cheapest way (in generalised ``leg_cost``) from each of
    ``sources`` to the nearest of ``destinations``: the prices of the legs on that way, summed.
    ``inf`` where no destination can be reached."""
    usable = np.isfinite(leg_cost)
    graph = csr_matrix(
        (leg_cost[usable] + 1e-9, (leg_source[usable], leg_target[usable])),
        shape=(n_places, n_places),
    )
    cost, previous = dijkstra(graph, directed=True, indices=sources, return_predecessors=True)
    leg_of = np.full((n_places, n_places), -1, dtype=np.int64)
    leg_of[leg_source, leg_target] = np.arange(len(leg_source))
    to_destination = cost[:, destinations]
    best = destinations[np.argmin(to_destination, axis=1)]
    reachable = np.isfinite(to_destination.min(axis=1))
    money = np.zeros(len(sources))
    rows = np.arange(len(sources))
    node = np.where(reachable, best, -9999)
    for _ in range(n_places):  # a walk back along the way, at most one step per place
        step = node >= 0
        before = np.where(step, previous[rows, np.maximum(node, 0)], -9999)
        step &= before >= 0
        if not step.any():
            break
        legs = leg_of[np.maximum(before, 0), np.maximum(node, 0)]
        money += np.where(step, leg_price[np.maximum(legs, 0)], 0.0)
        node = np.where(step, before, -9999)
    return np.where(reachable, money, np.inf)
