"""Dated changes to the map and to states' own policies: ``sim/data/changes.csv``.

The network files describe the routes as they were at the start of 2023; some things changed
during the year, on a known date: the war in Sudan (from 15 April 2023) made the legs through
Khartoum and Darfur deadlier and dearer, Serbia's police operation against smugglers on the
Hungarian border began on 27 October 2023, and Niger repealed its 2015 anti-smuggling law on 26
November 2023. Each row of ``changes.csv`` is one such change::

    id, date, kind, target, attribute, value, source

- ``kind = leg``: ``target`` is a leg id and ``attribute`` one of :data:`LEG_ATTRIBUTES` (the
  leg's value from that date on);
- ``kind = state``: ``target`` is a state id and ``attribute`` one of :data:`STATE_ATTRIBUTES`:
  the state's own *reservation* on departures or readmission, a shift in logit units of its
  cooperation that holds whatever the EU offers (see :mod:`sim.agents.stance`).

The model applies each change at the start of its day (changes dated before the run's first day
apply before it starts). A scenario can switch a change off or move it
(``network: {changes: {niger_repeal: {enabled: false}}}``).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from sim.errors import UserError

CHANGE_COLUMNS = ("id", "date", "kind", "target", "attribute", "value", "source")
#: Leg attributes a dated change may set, with their allowed range.
LEG_ATTRIBUTES: dict[str, tuple[float, float]] = {
    "death_risk": (0.0, 1.0),
    "price_min_eur": (0.0, 100_000.0),
    "price_max_eur": (0.0, 100_000.0),
    "days": (1.0, 365.0),
    "closed": (0.0, 1.0),
}
#: State attributes a dated change may set (logit shifts), with their allowed range.
STATE_ATTRIBUTES: dict[str, tuple[float, float]] = {
    "departure_reservation": (-10.0, 10.0),
    "readmission_reservation": (-10.0, 10.0),
}
#: What a scenario's ``network: changes:`` entry may set.
CHANGE_OVERRIDABLE = ("enabled", "date")

_ID = re.compile(r"^[a-z][a-z0-9_]*$")


def parse_changes(
    rows: list[dict[str, str]], leg_ids: set[str], state_ids: set[str]
) -> list[dict[str, Any]]:
    """Validate the rows of ``changes.csv``; raise a :class:`UserError` naming the row."""
    changes: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, row in enumerate(rows, start=2):
        where = f"changes.csv row {i} ({row['id']})"

        def require(ok: bool, message: str, where: str = where) -> None:
            if not ok:
                raise UserError(f"{where}: {message}")

        require(
            bool(_ID.match(row["id"])) and row["id"] not in seen,
            "id must be unique lower snake case.",
        )
        try:
            date = dt.date.fromisoformat(row["date"])
        except ValueError:
            raise UserError(f"{where}: date must be YYYY-MM-DD, got {row['date']!r}.") from None
        require(row["kind"] in ("leg", "state"), f"kind must be leg or state, got {row['kind']!r}.")
        targets, attributes = (
            (leg_ids, LEG_ATTRIBUTES) if row["kind"] == "leg" else (state_ids, STATE_ATTRIBUTES)
        )
        require(row["target"] in targets, f"{row['kind']} {row['target']!r} is not in the network.")
        require(
            row["attribute"] in attributes,
            f"attribute {row['attribute']!r} is not one of {', '.join(attributes)}.",
        )
        try:
            value = float(row["value"])
        except ValueError:
            raise UserError(f"{where}: value must be a number, got {row['value']!r}.") from None
        low, high = attributes[row["attribute"]]
        require(
            math.isfinite(value) and low <= value <= high, f"value must be in {low:g}..{high:g}."
        )
        if row["attribute"] in ("days", "closed"):
            require(value == int(value), "value must be a whole number.")
        require(bool(row["source"]), "every change needs its source.")
        seen.add(row["id"])
        changes.append({**row, "date": date, "value": value, "enabled": True})
    return sorted(changes, key=lambda change: (change["date"], change["id"]))


def apply_change_overrides(overrides: dict[str, Any] | None, changes: list[dict[str, Any]]) -> None:
    """Switch off or move changes as a scenario's ``network: changes:`` block says."""
    by_id = {change["id"]: change for change in changes}
    for change_id, edits in (overrides or {}).items():
        if change_id not in by_id:
            raise UserError(
                f"network overrides: unknown change id {change_id!r}; valid: {', '.join(by_id)}."
            )
        for attr, value in (edits or {}).items():
            if attr not in CHANGE_OVERRIDABLE:
                raise UserError(
                    f"network overrides: changes.{change_id}.{attr} cannot be overridden; "
                    f"allowed: {', '.join(CHANGE_OVERRIDABLE)}."
                )
            if attr == "enabled":
                if not isinstance(value, bool):
                    raise UserError(
                        f"network overrides: changes.{change_id}.enabled must be true or false."
                    )
                by_id[change_id]["enabled"] = value
            else:
                try:
                    by_id[change_id]["date"] = dt.date.fromisoformat(str(value))
                except ValueError:
                    raise UserError(
                        f"network overrides: changes.{change_id}.date must be YYYY-MM-DD, "
                        f"got {value!r}."
                    ) from None
    changes.sort(key=lambda change: (change["date"], change["id"]))
