"""The output metrics, each declared once: name, kind, unit, label and definition.

Everything else is generated from :data:`METRICS`: the counters' layout
(:mod:`sim.outputs.counters`), the runner's totals, the report's units and names, and the metric
table of ``docs/model.md`` (:func:`metric_table`, checked by ``tests/test_metrics.py``).

Kinds:

- ``flow``: counted per day (people, euros or person-days); totals over the run in ``summary``;
- ``stock``: a level taken at the end of each day; the end-of-run level in ``summary``;
- ``ratio``: ``numerator / denominator`` (times ``per``) of two flows, per day and over the run.

A flow may also be counted **split** by one or more dimensions (:data:`SPLITS`), as the sources
count it: deaths by mode and segment (a sea crossing, the desert, a land border, a flight),
interceptions by the state that intercepts, arrivals by nationality, legal admissions by
pathway and place. Splits are totals over the run per route and category (the ``breakdown``
table); over the categories of a split they add up to the metric's route totals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["flow", "stock", "ratio"]


@dataclass(frozen=True)
class Metric:
    """One output metric. ``numerator``, ``denominator`` and ``per`` only for ratios."""

    name: str
    kind: Kind
    unit: str
    label: str
    definition: str
    numerator: str | None = None
    denominator: str | None = None
    per: float = 1.0
    headline: bool = False  # among the totals `run` prints and the report's headline tables
    splits: tuple[str, ...] = ()  # dimensions the flow is also counted by (see SPLITS)


METRICS: tuple[Metric, ...] = (
    Metric("departures", "flow", "persons", "Departures",
           "people setting out from origins (route of the origin)"),
    Metric("attempts", "flow", "crossing attempts", "Crossing attempts",
           "people setting off on a leg that crosses a border", headline=True),
    Metric("arrivals", "flow", "entries", "Irregular arrivals",
           "crossings of legs entering the EU that were not pushed back, seen by the state "
           "entered or not (a person who crosses twice counts twice)", headline=True,
           splits=("nationality", "state", "from_state", "from_state_nationality")),
    Metric("detections", "flow", "detections", "Arrivals detected",
           "the `arrivals` that the state entered saw: apprehended there (and not pushed "
           "back) or rescued at sea, as Frontex counts detections",
           splits=("nationality", "state", "from_state", "from_state_nationality")),
    Metric("arrivals_people", "flow", "persons", "People arriving",
           "people entering the EU irregularly for the first time", splits=("nationality",)),
    Metric("transit_entries", "flow", "persons", "Entries into transit countries",
           "crossings of borders into non-EU countries that were not stopped, as those "
           "countries register entries (e.g. Bosnia and Herzegovina's), by the leg's route",
           splits=("state", "state_nationality")),
    Metric("interceptions", "flow", "persons", "Interceptions and pullbacks",
           "people stopped by a transit state and taken back (pullbacks), on land and at sea",
           headline=True,
           splits=("mode", "segment", "state", "state_segment", "state_nationality")),
    Metric("boarding_refusals", "flow", "persons", "Boarding refusals",
           "people refused boarding on a flight across a border (carrier or exit checks of "
           "documents); nobody is intercepted on a flight", splits=("state",)),
    Metric("pushbacks", "flow", "persons", "Pushbacks",
           "people apprehended by an EU border state and expelled without procedure",
           headline=True, splits=("state",)),
    Metric("dead_missing", "flow", "persons", "Dead and missing",
           "people dead or missing on a leg", headline=True,
           splits=("mode", "segment", "from_state_segment")),
    Metric("rescued", "flow", "persons", "Rescued at sea",
           "people in distress at sea who were rescued"),
    Metric("legal_admissions", "flow", "persons", "Legal admissions",
           "people who travelled on a legal pathway (Safe Mobility Offices, quotas), by the "
           "route of the place they left from", headline=True, splits=("pathway", "place")),
    Metric("smo_applications", "flow", "persons", "Safe Mobility Office applications",
           "people applying at a Safe Mobility Office, by the route of the office's place",
           splits=("place",)),
    Metric("smo_referrals", "flow", "persons", "Safe Mobility Office referrals",
           "applicants referred to a legal pathway (they travel after the office's delay)",
           splits=("place",)),
    Metric("smo_rejections", "flow", "persons", "Safe Mobility Office rejections",
           "applicants not referred (they travel irregularly)", splits=("place",)),
    Metric("smo_left_waiting", "flow", "persons", "Left the office's queue",
           "applicants who would have waited longer than they accept and travel irregularly",
           splits=("place",)),
    Metric("asylum_applications", "flow", "persons", "Asylum applications",
           "claims lodged in the EU (first and later ones, after moving on), by entry route",
           splits=("state",)),
    Metric("dublin_transfers", "flow", "persons", "Dublin transfers",
           "people transferred back to the EU state responsible for them (where they entered "
           "or first claimed), by entry route", splits=("state",)),
    Metric("secondary_movements", "flow", "persons", "Secondary movements",
           "people leaving a pending claim, or an irregular stay after a rejection, for "
           "another EU state, by entry route", splits=("reason", "state")),
    Metric("asylum_granted", "flow", "persons", "Asylum granted",
           "first-instance decisions granting protection, by entry route"),
    Metric("return_decisions", "flow", "persons", "Return decisions",
           "first-instance rejections, each with an order to leave, by entry route"),
    Metric("returns", "flow", "persons", "Returns carried out",
           "return orders carried out, by entry route", headline=True),
    Metric("absconded", "flow", "persons", "Return orders not carried out",
           "return orders nobody accepted: the person stays irregularly (and may move on), "
           "by entry route"),
    Metric("return_orders_resumed", "flow", "persons", "Return orders resumed",
           "return orders taken up again after a Dublin transfer of a rejected person, by "
           "entry route"),
    Metric("gave_up", "flow", "persons", "Gave up",
           "people who went home of their own accord"),
    Metric("smuggler_revenue", "flow", "EUR", "Smuggler revenue",
           "EUR paid to smugglers, by the leg's route", headline=True,
           splits=("segment", "state_segment")),
    Metric("seats_sold", "flow", "persons", "Seats sold",
           "persons who bought a smuggled leg", splits=("segment", "state_segment")),
    Metric("transit_days_total", "flow", "person-days", "Days in transit, summed",
           "days from setting out to first EU entry, summed over `arrivals_people`"),
    Metric("state_spending_eur", "flow", "EUR", "Cost to states",
           "EUR that policies with a `payment_eur` spend, spread evenly over their active "
           "days, and what assisted voluntary returns cost (route slot: none, so it appears "
           "under `all`)"),
    Metric("stranded", "stock", "persons", "Stranded in transit",
           "people at a place in a transit country (not in the EU, not an origin) who are in "
           "transit, waiting for a seat, working, detained or waiting for an SMO (not those "
           "settled there)", headline=True),
    Metric("detained", "stock", "persons", "Detained",
           "people detained after a pullback"),
    Metric("asylum_pending", "stock", "persons", "Asylum claims pending",
           "claims not yet decided, by entry route"),
    Metric("irregular_stay", "stock", "persons", "Staying irregularly",
           "people in the EU whose return order was not carried out, by entry route"),
    Metric("mean_price", "ratio", "EUR per seat", "Mean smuggling price",
           "`smuggler_revenue / seats_sold` (EUR per person)",
           numerator="smuggler_revenue", denominator="seats_sold"),
    Metric("days_in_transit", "ratio", "days", "Days in transit",
           "`transit_days_total / arrivals_people`: mean days from setting out to first entry "
           "into the EU (people who set out during the warm-up count from their start)",
           numerator="transit_days_total", denominator="arrivals_people"),
    Metric("voluntary_returns", "flow", "persons", "Assisted voluntary returns",
           "people who went home from a transit country with assisted voluntary return, by "
           "the route of the place they left", headline=True),
    Metric("resumed", "flow", "persons", "Settled people moving on",
           "people settled in a transit country who resumed their journey"),
    Metric("expelled", "flow", "persons", "Expelled from transit countries",
           "people rounded up in a transit country and expelled (e.g. to a desert border), by "
           "the route of the place they were taken from"),
    Metric("settled", "stock", "persons", "Settled in transit",
           "people living and working in a transit country, not moving on for now",
           headline=True),
    Metric("waiting_for_seat", "stock", "persons", "Waiting for a seat",
           "people in line for a seat on a smuggled leg (part of `stranded`)"),
)  # fmt: skip

#: Why people move on inside the EU (the ``reason`` split of ``secondary_movements``).
REASONS: tuple[str, ...] = ("claim_pending", "after_rejection")

#: The dimensions a flow can be split by, and what their categories are. Each category list
#: comes from the network or the pathways' vocabulary when a run starts.
SPLITS: dict[str, str] = {
    "mode": "the mode of the leg (land, sea, air)",
    "segment": "the kind of stretch: sea crossing, desert, land border, inland, air",
    "state": "the state that acts: intercepts (transit state), refuses boarding (the state "
    "the flight enters), pushes back (EU border state), receives a claim or a Dublin "
    "transfer, that people move on from, or that arrivals enter",
    "from_state": "the state a crossing into the EU left (Italy counts its landings by it: "
    "Tunisia, Libya's west LBY_W and east LBY_E)",
    "nationality": "the person's nationality (ISO3)",
    "pathway": "the legal pathway (resettlement, humanitarian, family, labour, talent_partnership)",
    "place": "the place people were admitted from or applied at (an office's or a pathway's place)",
    "reason": "why people move on inside the EU: claim_pending, after_rejection",
    "state_segment": "the transit state that controls the leg and the leg's segment, as "
    "STATE:SEGMENT (interceptions at sea by Libya's western coast guard are LBY_W:sea; seats "
    "sold on sea legs out of Tunisia TUN:sea)",
    "from_state_segment": "the state the leg leaves from and the leg's segment, as "
    "STATE:SEGMENT (deaths on the land borders from Türkiye into Greece and Bulgaria, the "
    "IOM's Türkiye-Europe land route, are TUR:land_border)",
    "state_nationality": "a state and the person's nationality, as STATE:NAT: the state "
    "entered (entries into Bosnia and Herzegovina by nationality are BIH:AFG, BIH:MAR...) or "
    "the transit state that controls the leg (Guineans intercepted by Tunisia are TUN:GIN)",
    "from_state_nationality": "the state a crossing into the EU left and the person's "
    "nationality, as STATE:NAT (Guineans landed from Tunisia are TUN:GIN)",
}

#: Metrics by name.
BY_NAME: dict[str, Metric] = {m.name: m for m in METRICS}
FLOW_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind == "flow")
STOCK_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.kind == "stock")
RATIO_METRICS: tuple[Metric, ...] = tuple(m for m in METRICS if m.kind == "ratio")
#: The headline outcomes, in registry order: the totals ``run`` prints, the report's headlines.
HEADLINE_METRICS: tuple[str, ...] = tuple(m.name for m in METRICS if m.headline)


def unit_of(name: str) -> str:
    """The unit a metric is counted in (``persons`` for names not declared here)."""
    metric = BY_NAME.get(name)
    return metric.unit if metric else "persons"


def metric_table() -> str:
    """The Markdown table of every metric, for docs/model.md."""
    lines = ["| metric | kind | unit | split by | definition |", "| --- | --- | --- | --- | --- |"]
    lines += [
        f"| `{m.name}` | {m.kind} | {m.unit} | {', '.join(m.splits)} | {m.definition} |"
        for m in METRICS
    ]
    return "\n".join(lines)


TABLE_START = "<!-- metric table: generated from sim/outputs/metrics.py by `make docs` -->"
TABLE_END = "<!-- end of metric table -->"


def with_metric_table(page: str) -> str:
    """``page`` (docs/model.md) with the text between the table markers replaced by
    :func:`metric_table`."""
    head, rest = page.split(TABLE_START, 1)
    _, tail = rest.split(TABLE_END, 1)
    return f"{head}{TABLE_START}\n{metric_table()}\n{TABLE_END}{tail}"


if __name__ == "__main__":  # python -m sim.outputs.metrics docs/model.md (make docs)
    import sys
    from pathlib import Path

    path = Path(sys.argv[1])
    path.write_text(with_metric_table(path.read_text(encoding="utf-8")), encoding="utf-8")
