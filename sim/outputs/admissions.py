"""The one tally of legal admissions: persons admitted, by policy block, pathway and destination.

Every lever that moves people onto a legal pathway (Safe Mobility Offices, quotas of legal
pathways) admits them through the model's ``admit_legally``, which counts them here as well as
in the ``legal_admissions`` flow; reports and tests read the split from :meth:`persons`.
"""

from __future__ import annotations

from collections import Counter

#: Every legal pathway a lever can admit people on (the ``pathway`` split of the outputs).
PATHWAYS: tuple[str, ...] = (
    "resettlement",
    "humanitarian",
    "family",
    "labour",
    "talent_partnership",
)


class LegalAdmissions:
    """Agents admitted per (block, pathway, destination place id); persons on reading."""

    def __init__(self, scale: float) -> None:
        self.scale = scale
        self.agents: Counter[tuple[str, str, str]] = Counter()

    def add(self, block: str, pathway: str, destinations: list[str]) -> None:
        """Count one agent per entry of ``destinations`` (place ids)."""
        for destination, n in Counter(destinations).items():
            self.agents[(block, pathway, destination)] += n

    def persons(
        self, block: str | None = None, pathway: str | None = None, destination: str | None = None
    ) -> float:
        """Persons admitted, over the entries matching the given block, pathway, destination."""
        wanted = (block, pathway, destination)
        total = sum(
            n
            for key, n in self.agents.items()
            if all(w is None or w == k for w, k in zip(wanted, key, strict=True))
        )
        return total / self.scale

    def by(self, part: str, block: str | None = None) -> dict[str, float]:
        """Persons per ``part`` (``"pathway"`` or ``"destination"``), optionally of one block."""
        position = {"pathway": 1, "destination": 2}[part]
        split: Counter[str] = Counter()
        for key, n in self.agents.items():
            if block is None or key[0] == block:
                split[key[position]] += n
        return {name: n / self.scale for name, n in split.items()}
