"""The model's parameters as one frozen, typed object: :class:`Parameters`.

``sim/data/parameters.yaml`` holds every default with its unit, range and source
(:mod:`sim.config.specs`); a scenario's ``parameters:`` block overrides some of them and is
validated when the scenario loads. :func:`build_parameters` merges the two once and turns every
keyed parameter into a read-only array aligned with the network's ids of its kind:

============  ===============================================================
``by``        array index
============  ===============================================================
origin        ``network.origin_places``
place         ``network.place_ids``
state         ``network.state_ids``
nationality   ``network.nationalities``
route         ``ROUTES`` then one slot for no route (``NO_ROUTE``, the default)
leg           ``network.leg_ids``
mode          ``MODES``
============  ===============================================================

The model reads attributes (``params.give_up_base``, ``params.departure_rate[k]``), never
strings; a field here and an entry in parameters.yaml must match one to one (checked when the
module is imported).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from sim.config.specs import default_parameter_values, merge_parameter_values, parameter_specs
from sim.network import MODES, ROUTES, Network

Array = np.ndarray


@dataclass(frozen=True)
class Parameters:
    """Every model parameter (see docs/scenarios.md for units, ranges and sources)."""

    # who sets out, when, with what
    departure_rate: Array  # by origin, persons per year at the reference beliefs
    departure_success_elasticity: float
    departure_risk_semielasticity: float
    departure_failure_semielasticity: float
    departure_cost_elasticity: float
    departure_cash_share: float
    departure_reference_success: float
    departure_reference_return_risk: float
    departure_reference_death_risk: float
    departure_reference_failure: float
    legal_alternative_effect: float
    news_lag_days: int
    news_memory_days: float
    news_prior_weight: float
    warmup_days: int
    warmup_fill_days: int
    sea_weather_amplitude: Array  # by route slot
    sea_weather_peak_day: Array  # by route slot
    land_weather_share: Array  # by route slot
    sea_distress_winter_excess: float
    protection_need_share: Array  # by nationality
    budget_median_eur: Array  # by nationality
    budget_sigma: float
    earnings_eur_per_day: Array  # by state
    earning_power_sigma: float
    risk_tolerance_mean: float
    risk_perception_median: float
    risk_perception_sigma: float
    destination_share: Array  # by place
    # how people choose
    choice_price_weight: float
    choice_risk_weight: float
    choice_failure_weight: float
    choice_scale: float
    unreachable_destination_penalty: float
    give_up_base: float
    give_up_per_failure: float
    work_spell_days: int
    seat_patience_days: int
    stuck_wait_days: int
    rest_days: int
    rumour_inertia: float
    # states
    interception_rate: Array  # by state
    boarding_refusal_rate: Array  # by leg
    apprehension_rate: Array  # by state
    pushback_probability: Array  # by state
    fence_pushback_probability: Array  # by state
    fence_interception_rate: Array  # by state
    readmission_cooperation: Array  # by state
    detention_days: Array  # by state
    enforcement_response: float
    baseline_rescue_share: Array  # by route slot
    recognition_if_need: float
    recognition_if_no_need: float
    asylum_processing_days: float
    claim_at_entry_share: Array  # by state
    secondary_movement_share: Array  # by state
    secondary_movement_days: float
    dublin_transfer_rate: float
    irregular_stay_review_days: float
    onward_movement_after_rejection: float
    return_delay_days: float
    return_capacity_per_day: float
    remigration_probability: float
    remigration_delay_days: float
    reintegration_effect: float
    reintegration_support_forced: float
    pushback_days_lost: int
    pushback_money_lost_share: float
    # partner states
    stance_adjustment: float
    stance_payment_weight: float
    stance_payment_reference_pct_gdp: float
    stance_visa_weight: float
    stance_pathway_weight: float
    stance_pathway_reference: float
    stance_article_25a_weight: float
    stance_article_25a_resentment: float
    stance_remittance_half_pct_gdp: float
    stance_friction_weight: float
    stance_friction_reference: float
    stance_friction_habituation: float
    defection_threshold: float
    defection_months: int
    defection_shift: float
    # smugglers
    smuggler_networks_per_place: int
    smuggler_capacity_per_day: Array  # by mode
    smuggler_capacity_leg_multiplier: Array  # by leg
    smuggler_capacity_growth: float
    price_demand_elasticity: float
    price_enforcement_elasticity: float
    craft_risk_elasticity: float
    price_markup_spread: float
    smuggler_arrest_rate: Array  # by state
    rival_replacement_days: int
    rival_capacity_share: float
    rival_markup: float
    # staying in transit, assisted voluntary return
    settle_probability: Array  # by state
    settled_resume_rate: Array  # by state, per year
    settled_review_days: int
    settled_price_elasticity: float
    voluntary_return_rate: Array  # by state, per year
    voluntary_return_support: float
    voluntary_return_cost_eur: float


def _ids(by: str, network: Network) -> list[str]:
    """The ids a parameter keyed ``by`` is aligned with (see the module docstring)."""
    return {
        "origin": network.origin_places,
        "place": network.place_ids,
        "state": network.state_ids,
        "nationality": network.nationalities,
        "route": [*ROUTES, "none"],
        "leg": network.leg_ids,
        "mode": list(MODES),
    }[by]


def build_parameters(network: Network, overrides: Mapping[str, Any] | None = None) -> Parameters:
    """Defaults from parameters.yaml with ``overrides`` (an already validated scenario
    ``parameters:`` block) applied, as :class:`Parameters` on ``network``'s ids."""
    values = merge_parameter_values(default_parameter_values(), dict(overrides or {}))
    specs = parameter_specs()
    fields: dict[str, Any] = {}
    for name, spec in specs.items():
        value = values[name]
        if spec.keyed:
            fallback = float(0.0 if spec.default is None else spec.default)
            array = np.array([float(value.get(i, fallback)) for i in _ids(spec.by, network)])
            array.flags.writeable = False
            fields[name] = array
        else:
            fields[name] = int(value) if spec.integer else float(value)
    return Parameters(**fields)


def _check_fields_match_specs() -> None:
    declared = [f.name for f in dataclasses.fields(Parameters)]
    listed = list(parameter_specs())
    if sorted(declared) != sorted(listed):
        missing = sorted(set(listed) - set(declared))
        extra = sorted(set(declared) - set(listed))
        raise RuntimeError(
            f"Parameters and parameters.yaml disagree: in the file only {missing}, "
            f"in the class only {extra}"
        )


_check_fields_match_specs()
