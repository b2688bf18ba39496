"""What every policy block in a scenario has in common.

A policy block is a mapping in a scenario's ``policies:`` list. Its ``type`` picks the lever
(one module per lever in :mod:`sim.policies`), its optional ``id`` lets a scenario that
``extends`` this one change or switch off the block, and ``start``/``end`` bound the days on
which it acts. Each lever's ``Config`` subclasses :class:`PolicyConfig` and adds its own
parameters, each with a docstring that becomes its description in docs/scenarios.md.
"""

from __future__ import annotations

from datetime import date

from pydantic import Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from sim.config.types import Bool, StrictModel

#: Unit interval constraints, used by every lever for shares, rates and probabilities.
UNIT = {"ge": 0.0, "le": 1.0}


class PolicyConfig(StrictModel):
    """The keys every policy block has: its type, id, on/off switch and active window."""

    type: str
    """The lever this block switches on (one of the policy types below)."""

    id: str | None = Field(default=None, min_length=1, max_length=80)
    """A name for this block, unique within the scenario. A scenario that extends this one
    changes the block by giving a block with the same id (its keys override these)."""

    enabled: Bool = True
    """Whether the block acts at all; `false` switches off an inherited block."""

    source: str | None = Field(default=None, min_length=1, max_length=2000)
    """Where the block's dates and values come from (a citation, or "assumption"), as for the
    parameters in sim/data/parameters.yaml; the model does not read it."""

    start: date | None = None
    """First day the policy is in force (inclusive); default: the first day of the run. It may
    lie before the run (a measure already in force, as in a scenario that extends the baseline
    with a later `start_date`): the block then acts from the run's first day (and through the
    warm-up before it) as a block that has been in force since `start`."""

    end: date | None = None
    """Last day the policy is in force (inclusive); default: the last day of the run. A window
    that lies wholly outside the run is allowed (the block never acts in it; `check` says so),
    so that dated policy context carries over to scenarios of other years and horizons."""

    @field_validator("end")
    @classmethod
    def _end_after_start(cls, value: date | None, info: ValidationInfo) -> date | None:
        start = info.data.get("start")
        if value is not None and start is not None and value < start:
            raise PydanticCustomError(
                "end_before_start",
                "end {end} is before start {start}; end must be on or after start",
                {"end": value.isoformat(), "start": start.isoformat()},
            )
        return value

    def acts_within(self, first: date, last: date) -> bool:
        """Whether the block is enabled and in force on some day from ``first`` to ``last``."""
        if not self.enabled:
            return False
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )

    def active_on(self, day: date) -> bool:
        """True if the block is enabled and ``day`` lies in its ``start``..``end`` window."""
        if not self.enabled:
            return False
        if self.start is not None and day < self.start:
            return False
        return self.end is None or day <= self.end

    def _require_exactly_one(self, *names: str) -> None:
        """Raise unless exactly one of the alternative keys ``names`` is given."""
        given = [name for name in names if getattr(self, name) is not None]
        keys = [type(self).model_fields[name].alias or name for name in names]
        if len(given) != 1:
            problem = "both are given" if given else "neither is given"
            if len(names) > 2:
                problem = f"{len(given)} are given"
            raise PydanticCustomError(
                "exactly_one",
                "give exactly one of {keys} for a {type} block; {problem}",
                {
                    "keys": " or ".join(f"`{k}`" for k in keys),
                    "type": self.type,
                    "problem": problem,
                },
            )
