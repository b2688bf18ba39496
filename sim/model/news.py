"""News from the route, travelling back to the places people set out from.

What people at home believe of the journey follows what happens to those who left before
them: who reached Europe, who died, who came back (giving up or on assisted voluntary return),
whose stay in Europe ended in protection, deportation or absconding, and how many crossings
ended in a pullback or a pushback. :class:`HomeNews`
collects these events per origin place as they happen (:meth:`HomeNews.hear`), holds them for
``news_lag_days`` and then folds them into what people at home remember
(:meth:`HomeNews.deliver`, the stage "news reaches home"): a count per kind of event that fades
with a mean age of ``news_memory_days`` (exponential forgetting).

The beliefs at home (:meth:`HomeNews.beliefs`) are shares of those remembered counts, shrunk
toward the reference values (``departure_reference_*``) with a weight of ``news_prior_weight``
persons, so that an origin with little news believes little more than the reference:

- believed **success**: journeys that reached Europe among the journeys heard to have ended
  (reached Europe, died, came back);
- believed **death risk**: deaths among the journeys heard to have ended;
- believed **return risk**: deportations among the stays in Europe heard to have been settled
  (protection, deportation, or absconding from a return order). Each share counts outcomes of
  the same stage, so a pipeline that takes long to fill (asylum decisions, then returns) does
  not bias it while it fills;
- believed **failure**: pullbacks and pushbacks among the crossing attempts heard of.

All counts are in persons (agents divided by the scale).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.model.world import World

#: The kinds of news, each a row of the counts.
KINDS = (
    "made_it",
    "died",
    "came_back",
    "protected",
    "deported",
    "absconded",
    "attempted",
    "failed",
)
KIND_INDEX = {kind: k for k, kind in enumerate(KINDS)}


@dataclass(frozen=True)
class HomeBeliefs:
    """What people at each place believe of the journey (arrays over places)."""

    success: np.ndarray
    death_risk: np.ndarray
    return_risk: np.ndarray
    failure: np.ndarray


class HomeNews:
    """Events of the journey per origin place: heard now, known at home after a lag."""

    def __init__(self, model: World) -> None:
        self.model = model
        p = model.params
        n_places = model.net.compiled.n_places
        self.lag = p.news_lag_days
        self.in_transit = np.zeros((self.lag + 1, len(KINDS), n_places))
        self.remembered = np.zeros((len(KINDS), n_places))
        self.keep = 1.0 - 1.0 / max(p.news_memory_days, 1.0)

    def hear(self, kind: str, origins: np.ndarray) -> None:
        """One event of ``kind`` for each person whose origin place is in ``origins``."""
        if len(origins) == 0:
            return
        row = self.in_transit[self.model.day % (self.lag + 1), KIND_INDEX[kind]]
        row += np.bincount(origins, minlength=len(row)) / self.model.scale

    def deliver(self) -> None:
        """The news heard ``news_lag_days`` ago reaches home; older news fades."""
        slot = (self.model.day + 1) % (self.lag + 1)
        self.remembered = self.remembered * self.keep + self.in_transit[slot]
        self.in_transit[slot] = 0.0

    def beliefs(self) -> HomeBeliefs:
        """Believed success, death risk and failure per place (see the module docstring)."""
        p = self.model.params
        made_it, died, came_back, protected, deported, absconded, attempted, failed = (
            self.remembered
        )
        prior = p.news_prior_weight
        ended = made_it + died + came_back + prior
        settled = protected + deported + absconded + prior
        return HomeBeliefs(
            success=(made_it + prior * p.departure_reference_success) / ended,
            death_risk=(died + prior * p.departure_reference_death_risk) / ended,
            return_risk=(deported + prior * p.departure_reference_return_risk) / settled,
            failure=(failed + prior * p.departure_reference_failure) / (attempted + prior),
        )
