"""The levers of the teaching view, and how they become a scenario.

Each lever is a control in the view's side bar. Its value is turned into ordinary policy
blocks (the same blocks a scenario file holds, documented in docs/policies.md), which are
appended to the scenario the view was started with; the result is validated exactly like a
file (:func:`sim.scenario.loading.scenario_from_dict`). So a lever can do nothing a scenario
file could not, and whatever a class sees in the view can be reproduced with ``run`` and
``compare`` by writing the same blocks into a file (:func:`lever_blocks` prints them).

A lever at its *neutral* value adds no block: the scenario runs as written. Levers are
declared once, in :data:`LEVERS`; the view's controls, the defaults of
:class:`~sim.viz.model.ViewModel` and the table in docs/tutorials/04-classroom.md come
from that list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.network import Network
from sim.scenario.loading import Scenario, scenario_from_dict

#: The Safe Mobility Offices the SMO levers open (as in scenarios/smo_*.yaml).
SMO_PLACES = ("agadez", "tunis", "nouakchott")
#: The transit states whose coasts and borders the departure-prevention lever polices.
DEPARTURE_PREVENTION_STATES = ("LBY_W", "LBY_E", "TUN")
#: The routes whose sea legs the search-and-rescue lever covers.
SEARCH_AND_RESCUE_ROUTES = ("central_med", "atlantic")
#: The origin states the visa-leverage lever targets (West African states with low
#: readmission cooperation in parameters.yaml; The Gambia's remittances blunt it).
VISA_LEVERAGE_TARGETS = ("SEN", "GMB", "GIN", "CIV", "MLI")
#: The transit states of the assisted voluntary return lever's programme (as in
#: scenarios/voluntary_return_north_africa.yaml).
VOLUNTARY_RETURN_STATES = ("LBY_W", "LBY_E", "TUN", "NER")
#: Where the lever's crackdown in Tunisia leaves the people it expels (as in
#: scenarios/tunisia_expulsions.yaml: the Libyan side of the border, and southern Algeria).
CRACKDOWN_EXPELLED_TO = ("zuwara", "tamanrasset")
#: The choice of the pushback lever that leaves the scenario's pushbacks as they are.
AS_IN_SCENARIO = "as in the scenario"
#: The pushback lever's choices besides :data:`AS_IN_SCENARIO` (probability in percent).
PUSHBACK_CHOICES = (AS_IN_SCENARIO, "0%", "25%", "50%", "75%", "100%")
SMO_ELIGIBILITY_CHOICES = ("restrictive", "broad")

#: Eligibility and pathways of the two kinds of office (scenarios/smo_restrictive.yaml and
#: scenarios/smo_broad.yaml): who may apply, and what they may be admitted for.
SMO_RULES: dict[str, dict[str, Any]] = {
    "restrictive": {
        "eligibility": {
            "nationalities": ["MLI", "BFA", "GIN"],
            "protection_need_required": True,
            "labour": False,
            "in_transit_eligible": True,
        },
        "pathways": {
            "resettlement": {"share": 0.6},
            "humanitarian": {"share": 0.2},
            "family": {"share": 0.2},
        },
    },
    "broad": {
        "eligibility": {
            "nationalities": "all",
            "protection_need_required": False,
            "labour": True,
            "in_transit_eligible": True,
        },
        "pathways": {
            "resettlement": {"share": 0.3},
            "humanitarian": {"share": 0.1},
            "family": {"share": 0.2},
            "labour": {"share": 0.4, "destinations": ["munich", "madrid", "rome"]},
        },
    },
}


@dataclass(frozen=True)
class Lever:
    """One control of the view: its name (a keyword of :class:`~sim.viz.model.ViewModel`),
    the label a student reads, its neutral value, and its range or choices."""

    name: str
    label: str
    neutral: Any
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    choices: tuple[str, ...] = ()
    explanation: str = ""

    def control(self) -> dict[str, Any]:
        """The control in Mesa's ``model_params`` form (a slider or a drop-down list)."""
        if self.choices:
            return {
                "type": "Select",
                "label": self.label,
                "value": self.neutral,
                "values": list(self.choices),
            }
        kind = "SliderInt" if isinstance(self.neutral, int) else "SliderFloat"
        return {
            "type": kind,
            "label": self.label,
            "value": self.neutral,
            "min": self.minimum,
            "max": self.maximum,
            "step": self.step,
        }


LEVERS: tuple[Lever, ...] = (
    Lever(
        "pushbacks",
        "Pushbacks at EU borders",
        AS_IN_SCENARIO,
        choices=PUSHBACK_CHOICES,
        explanation="probability that a person apprehended entering the EU is expelled without "
        "a procedure, at every EU border state's external borders (`pushbacks`)",
    ),
    Lever(
        "departure_prevention",
        "Departure prevention (Libya, Tunisia)",
        0.0,
        0.0,
        0.9,
        0.05,
        explanation="at least this share of departures across Libya's and Tunisia's coasts and "
        "borders is intercepted and held 30 days (`departure_prevention`)",
    ),
    Lever(
        "smo_eligibility",
        "Safe Mobility Offices: eligibility",
        "broad",
        choices=SMO_ELIGIBILITY_CHOICES,
        explanation="who may apply at the offices: restrictive (three nationalities, protection "
        "need, no labour pathway) or broad (everyone, labour pathway too)",
    ),
    Lever(
        "smo_capacity",
        "SMO files a month (each)",
        0,
        0,
        5000,
        250,
        explanation="offices in Agadez, Tunis and Nouakchott deciding this many files a month "
        "each, half approved (`safe_mobility_office`); 0: no offices",
    ),
    Lever(
        "search_and_rescue",
        "Search and rescue at sea",
        0.0,
        0.0,
        1.0,
        0.05,
        explanation="share of the people in distress on the Central Mediterranean and Atlantic "
        "whom today's rescue misses that a rescue operation saves (`search_and_rescue`)",
    ),
    Lever(
        "visa_leverage",
        "Visa leverage (West Africa)",
        0.0,
        0.0,
        1.0,
        0.05,
        explanation="Article 25a visa measures on Senegal, The Gambia, Guinea, Côte d'Ivoire "
        "and Mali, raising their readmission cooperation over six months (`visa_leverage`)",
    ),
    Lever(
        "information_campaign",
        "Information campaign",
        0.0,
        0.0,
        1.0,
        0.05,
        explanation="how far people at every origin move their perceived risk toward the true "
        "risk, when they decide whether to set out and when they choose legs "
        "(`information_campaign`)",
    ),
    Lever(
        "voluntary_return",
        "Assisted voluntary return (Libya, Tunisia, Niger)",
        0.0,
        0.0,
        1.0,
        0.05,
        explanation="share of the people settled in Libya, Tunisia and Niger (at their monthly "
        "review) or released from detention there who accept a funded return home with "
        "reintegration support, 45 million EUR a year at 3,000 EUR a return "
        "(`voluntary_return`)",
    ),
    Lever(
        "crackdown",
        "Crackdown in Tunisia (expelled a month)",
        0.0,
        0.0,
        0.3,
        0.05,
        explanation="share of the irregular migrants in Tunisia rounded up each month and left "
        "near Zuwara (Libya) or in Tamanrasset (Algeria), losing three weeks and most of their "
        "money; those who stay earn half as much (`crackdown`); on top of the scenario's own "
        "(the baseline's from 2 July 2023: 7% a month left near Zuwara, those who stay earning "
        "half), the higher rate acting",
    ),
)
LEVER_NAMES = tuple(lever.name for lever in LEVERS)


@dataclass(frozen=True)
class Levers:
    """The value of every lever; the defaults are the neutral values (no block added)."""

    pushbacks: str = AS_IN_SCENARIO
    departure_prevention: float = 0.0
    smo_eligibility: str = "broad"
    smo_capacity: int = 0
    search_and_rescue: float = 0.0
    visa_leverage: float = 0.0
    information_campaign: float = 0.0
    voluntary_return: float = 0.0
    crackdown: float = 0.0


def eu_border_states(network: Network) -> list[str]:
    """EU member states that control a leg entering the EU (where pushbacks can happen)."""
    compiled = network.compiled
    states = set(compiled.leg_eu_state[compiled.leg_eu_entry & (compiled.leg_eu_state >= 0)])
    return sorted(network.state_ids[int(s)] for s in states)


def lever_blocks(levers: Levers, network: Network) -> list[dict[str, Any]]:
    """The policy blocks (as a scenario file would hold them) that ``levers`` stand for."""
    blocks: list[dict[str, Any]] = []
    if levers.pushbacks != AS_IN_SCENARIO:
        probability = float(levers.pushbacks.rstrip("%")) / 100
        blocks.append(
            {
                "type": "pushbacks",
                "id": "view_pushbacks",
                "states": eu_border_states(network),
                "probability": probability,
            }
        )
    if levers.departure_prevention > 0:
        for state in DEPARTURE_PREVENTION_STATES:
            blocks.append(
                {
                    "type": "departure_prevention",
                    "id": f"view_prevention_{state}",
                    "state": state,
                    "interception_rate": levers.departure_prevention,
                    "detention_days": 30,
                }
            )
    if levers.smo_capacity > 0:
        rules = SMO_RULES[levers.smo_eligibility]
        blocks.append(
            {
                "type": "safe_mobility_office",
                "id": "view_smo",
                "places": list(SMO_PLACES),
                "capacity_per_month": levers.smo_capacity,
                "processing_days": 60,
                "approval_rate": 0.5,
                "awareness": 0.2,
                "awareness_spread": 0.3,
                **rules,
            }
        )
    if levers.search_and_rescue > 0:
        blocks.append(
            {
                "type": "search_and_rescue",
                "id": "view_sar",
                "routes": list(SEARCH_AND_RESCUE_ROUTES),
                "strength": levers.search_and_rescue,
            }
        )
    if levers.visa_leverage > 0:
        for state in VISA_LEVERAGE_TARGETS:
            blocks.append(
                {
                    "type": "visa_leverage",
                    "id": f"view_leverage_{state}",
                    "target": state,
                    "strength": levers.visa_leverage,
                }
            )
    if levers.information_campaign > 0:
        blocks.append(
            {
                "type": "information_campaign",
                "id": "view_information",
                "places": list(network.origin_places),
                "strength": levers.information_campaign,
            }
        )
    if levers.voluntary_return > 0:
        blocks.append(
            {
                "type": "voluntary_return",
                "id": "view_voluntary_return",
                "states": list(VOLUNTARY_RETURN_STATES),
                "take_up": levers.voluntary_return,
                "budget_eur": 45_000_000,
                "cost_per_return_eur": 3000,
                "reintegration_support": 0.8,
            }
        )
    if levers.crackdown > 0:
        blocks.append(
            {
                "type": "crackdown",
                "id": "view_crackdown",
                "state": "TUN",
                "expulsion_rate": levers.crackdown,
                "expelled_to": list(CRACKDOWN_EXPELLED_TO),
                "days_lost": 21,
                "money_lost_share": 0.7,
                "resume_multiplier": 2.0,
                "wage_multiplier": 0.5,
            }
        )
    return blocks


def scenario_with_levers(base: Scenario, levers: Levers, network: Network) -> Scenario:
    """``base`` with the levers' blocks appended, validated like a scenario file.

    The blocks act over the whole run and come after the scenario's own, so where they set a
    value (pushbacks) the lever wins, and where they set a floor the higher floor counts
    (docs/policies.md, "Composition"). Raises :class:`~sim.errors.UserError` if the result is
    not a valid scenario (e.g. a scenario whose network lacks a place a lever names).
    """
    data = base.to_dict()
    blocks = lever_blocks(levers, network)
    data["policies"] = [*data.get("policies", []), *blocks]
    if blocks:
        data["description"] = (data.get("description") or "").strip() + " (with the view's levers)"
    return scenario_from_dict(data, network)
