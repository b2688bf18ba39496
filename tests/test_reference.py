"""The array engine and the plain per-agent Mesa reference give the same distributions.

Both models run the same small cases (scale 0.01, 90-120 days) with 12 seeds each. Their draws
differ (the reference draws one number at a time, in the order of Mesa's shuffle), so runs are
not equal one by one; what must agree is the distribution of every outcome. For each outcome
we compare the means over seeds with a two-sample statistic, ``(mean_ref - mean_engine) /
sqrt(se_ref² + se_engine²)``, and require it within :data:`Z_LIMIT` standard errors.

Why 4.5: if the two implement the same rules, each statistic is close to Student-t with about
22 degrees of freedom, so ``P(|t| > 4.5)`` is about 2e-4; with ~40 outcomes in each of the 3
cases (~120 statistics) a fresh set of seeds fails by chance about 2.5% of the time (Bonferroni).
The seeds are fixed, so the test is deterministic. A rule that differs moves some outcome by
far more: ``test_the_comparison_notices_a_changed_rule`` runs references with one rule changed
and checks that the comparison sees it (|z| of 10 to 30). Rules whose effect is below the
seed-to-seed noise at this size (e.g. how far back a pushback sends people, or the injured's
extra days) are not resolved by this test.

Outcomes compared: arrivals, attempts and pushbacks per route; attempts, interceptions,
pushbacks, deaths, rescues, give-ups, asylum decisions, returns, seats sold and stranded people
at the end over all routes; mean days in transit and mean price; detained and stranded people
averaged over the run, over all routes and per route; and the people reaching each
destination. Outcomes seen fewer than :data:`MIN_MEAN` times per run are left out (they carry no
power and are far from normal).
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from conftest import make_scenario
from reference import Migrant, ReferenceModel
from scipy import stats

from sim.model.model import MigrationModel
from sim.network import ROUTES, load_network
from sim.outputs.counters import STOCK_INDEX
from sim.policies import build_policies
from sim.scenario.build import scenario_parameters

Z_LIMIT = 4.5
#: Smallest p-value accepted for the spread (Levene) and shape (Kolmogorov-Smirnov)
#: comparisons of an outcome. With about 100 outcomes in each of 3 cases and 2 tests each,
#: chance alone would cross it about 0.6% of the time for a fresh set of seeds (Bonferroni).
P_LIMIT = 1e-5
SCALE = 0.01
SEEDS = tuple(range(500, 512))
MIN_MEAN = 5.0  # outcomes seen fewer times than this per run (in agents) carry no power

ALL_ROUTE_METRICS = (
    "attempts",
    "interceptions",
    "pushbacks",
    "dead_missing",
    "rescued",
    "gave_up",
    "asylum_granted",
    "return_decisions",
    "returns",
    "seats_sold",
    "stranded",
    "days_in_transit",
    "mean_price",
)

QUICK_RETURNS = {
    "asylum_processing_days": 15,
    "return_delay_days": 10,
    "remigration_probability": 0.6,
    "remigration_delay_days": 5,
}

# The departure rates the cases were sized with (the hand-set ones before the rates were
# fitted on 1 December 2026): the power of the comparison to notice a changed rule depends
# on how many people reach the legs it acts on.
SIZED_DEPARTURES = {
    "departure_rate": {
        "abidjan": 40000, "conakry": 22000, "dakar": 10000, "serrekunda": 5000, "kayes": 10000,
        "ouagadougou": 10000, "lagos": 8000, "el_fasher": 15000, "asmara": 8000,
        "addis_ababa": 6000, "cairo": 18000, "algiers": 8000, "kasserine": 18000,
        "beni_mellal": 55000, "dhaka": 22000, "lahore": 25000, "kabul": 60000, "delhi": 5000,
        "damascus": 45000, "ankara": 4000,
    },
    "smuggler_capacity_leg_multiplier": {"sfax-lampedusa": 1},
}  # fmt: skip

CASES = {
    # Default parameters: the full day, rumours, smugglers' and states' feedback included.
    "baseline": {"days": 120, "overrides": {}, "network": None, "policies": []},
    # Rare paths made common: deadly sea legs (x5), seats and returns rationed, quick asylum
    # decisions and returns, frequent pushbacks, give-ups and remigration.
    "stressed": {
        "days": 90,
        "overrides": {
            **QUICK_RETURNS,
            **SIZED_DEPARTURES,
            "smuggler_capacity_per_day": {"sea": 40, "land": 80},
            "return_capacity_per_day": 150,
            "give_up_per_failure": 0.05,
            "pushback_probability": {"HRV": 0.9, "GRC": 0.8, "BGR": 0.9, "ESP": 0.5},
        },
        "network": "deadly_sea",
        "policies": [],
    },
    # Policies that change the rules through the day's modifiers: pushbacks further back and
    # with harm, readmission of third-country nationals, detention by a transit state. A
    # warm-up of 240 days brings people to the borders and into asylum and returns first.
    "policies": {
        "days": 90,
        # Nationals of the states without a deal are not taken back by their own state, so
        # that readmission of third-country nationals carries many returns.
        "overrides": {
            **QUICK_RETURNS,
            **SIZED_DEPARTURES,
            "readmission_cooperation": {
                **{s: 0.0 for s in ("AFG", "SYR", "PAK", "BGD", "DZA")}, "GMB": 0.2
            },
            # The rates the case was sized with (its power to notice a changed detention rule
            # is thin): the 2023 rates that the baseline's dated blocks now carry (western
            # Libya's coast guard, pushbacks, The Gambia's cooperation) and the Athens-Rome
            # flight at the default refusals; every EU state seeing 90% of those crossing, as
            # before Bulgaria's unseen crossings and the states that see every landing.
            "interception_rate": {"LBY_W": 0.33},
            "apprehension_rate": {s: 0.9 for s in ("ITA", "MLT", "ESP", "CYP", "BGR")},
            "fence_pushback_probability": {"ESP": 0.95},
            "pushback_probability": {"HUN": 0.6, "HRV": 0.35, "BGR": 0.5, "GRC": 0.25},
            "boarding_refusal_rate": {"athens-rome": 0.02},
            "warmup_days": 240,
        },
        "network": None,
        "policies": [
            {"type": "pushbacks", "states": ["HRV", "HUN", "GRC", "BGR"], "probability": 0.9,
             "places_back": 2,
             "violence": {"injury_probability": 0.5, "money_lost_share": 0.5, "days_lost": 10}},
            {"type": "readmission_deal", "partner": "TUR", "cooperation": 0.9,
             "third_country_nationals": True, "lag_days": 0},
            {"type": "readmission_deal", "partner": "MAR", "cooperation": 0.9,
             "third_country_nationals": True, "lag_days": 0},
            {"type": "readmission_deal", "partner": "TUN", "cooperation": 0.9,
             "third_country_nationals": True, "lag_days": 0},
            {"type": "departure_prevention", "state": "LBY_W", "interception_rate": 0.5,
             "detention_days": 5},
            {"type": "border_enforcement", "states": ["ESP"], "strength": 2},
        ],
    },
}  # fmt: skip


def _deadly_sea() -> dict:
    """Network overrides: every sea leg five times as deadly (at most 0.3)."""
    legs = {
        leg["id"]: {"death_risk": min(5 * float(leg["death_risk"]), 0.3)}
        for leg in load_network().legs
        if leg["mode"] == "sea"
    }
    return {"legs": legs}


def _build(model_class: type, case: str, seed: int, days: int, check: bool = False):
    """A model of ``model_class`` for ``case``, from a scenario validated like a real run's."""
    spec = CASES[case]
    scenario = make_scenario(
        spec["overrides"],
        days=days,
        scale=SCALE,
        network_overrides=_deadly_sea() if spec["network"] == "deadly_sea" else None,
        policies=spec["policies"],
    )
    network = load_network(scenario.network_overrides() or None)
    return model_class(
        network,
        scenario_parameters(scenario, network),
        seed=seed,
        days=days,
        scale=SCALE,
        start_date=scenario.start_date,
        policies=build_policies(scenario, network),
        check=check,
    )


def _outcomes(model: MigrationModel) -> dict[str, float]:
    """The outcomes of a finished run: counts in agents, and two averages (days, EUR)."""
    summary = model.outcomes.summary_values()
    values = {
        f"arrivals[{route}]": summary["arrivals"][k] * SCALE for k, route in enumerate(ROUTES)
    }
    for metric in ALL_ROUTE_METRICS:
        per_agent = metric not in ("days_in_transit", "mean_price")
        values[f"{metric}[all]"] = summary[metric][-1] * (SCALE if per_agent else 1.0)
    for metric in ("attempts", "pushbacks"):
        for k, route in enumerate(ROUTES):
            values[f"{metric}[{route}]"] = summary[metric][k] * SCALE
    # Stocks averaged over the run: sensitive to how long people are held or wait. Per route
    # too: one route's detention (Libya's, under a policy's days) is not lost in the noise of
    # another's (Morocco's, of fence attempts).
    for metric in ("detained", "stranded"):
        daily = model.outcomes.stocks[:, STOCK_INDEX[metric]]
        values[f"{metric}_mean[all]"] = float(daily.sum(axis=1).mean())
        for k, route in enumerate(ROUTES):
            values[f"{metric}_mean[{route}]"] = float(daily[:, k].mean())
    compiled = model.net.compiled
    for place in compiled.destinations:
        into = compiled.leg_target == place
        values[f"reaching[{model.net.place_ids[place]}]"] = model.leg_flows[into].sum() * SCALE
    return values


@functools.cache
def _sample(model_class: type, case: str, migrant_class: type | None = None) -> dict:
    """Outcome -> array over :data:`SEEDS` (counts in agents, not persons)."""
    spec = CASES[case]
    if migrant_class is not None:
        model_class = type("Changed", (model_class,), {"migrant_class": migrant_class})
    runs = []
    for seed in SEEDS:
        model = _build(model_class, case, seed, spec["days"])
        model.run()
        runs.append(_outcomes(model))
    return {name: np.array([run[name] for run in runs]) for name in runs[0]}


def z_statistics(reference: dict, engine: dict) -> dict[str, float]:
    """Two-sample z statistic of the difference of means, per outcome with enough events."""
    z = {}
    for name, ref in reference.items():
        eng = engine[name]
        ref, eng = ref[np.isfinite(ref)], eng[np.isfinite(eng)]
        if min(len(ref), len(eng)) < len(SEEDS) // 2:
            continue
        if max(abs(ref.mean()), abs(eng.mean())) < MIN_MEAN and "[all]" not in name:
            continue
        error = math.sqrt(ref.var(ddof=1) / len(ref) + eng.var(ddof=1) / len(eng))
        if error == 0:
            z[name] = 0.0 if ref.mean() == eng.mean() else math.inf
        else:
            z[name] = float((ref.mean() - eng.mean()) / error)
    return z


def spread_and_shape(reference: dict, engine: dict) -> dict[str, tuple[float, float]]:
    """Per outcome with enough events: the p-values of Levene's test of equal spreads (on the
    absolute deviations from the mean, less thrown by a heavy tail than the F test: the
    Western Mediterranean's attempts have one, in both models, when a run's news of a fence
    swings and a few people try it again and again; the F test read one such run in twelve as
    a different spread, p 2e-7, where Levene's gives 0.11) and of the two-sample
    Kolmogorov-Smirnov test of equal distributions."""
    tests = {}
    for name in z_statistics(reference, engine):
        ref, eng = reference[name], engine[name]
        ref, eng = ref[np.isfinite(ref)], eng[np.isfinite(eng)]
        if np.ptp(ref) == 0 and np.ptp(eng) == 0:
            continue
        spread = stats.levene(ref, eng, center="mean").pvalue
        shape = stats.ks_2samp(ref, eng).pvalue
        tests[name] = (float(spread), float(shape))
    return tests


@pytest.mark.parametrize("case", sorted(CASES))
def test_reference_and_engine_give_the_same_distributions(case):
    reference, engine = _sample(ReferenceModel, case), _sample(MigrationModel, case)
    z = z_statistics(reference, engine)
    assert len(z) >= 20, f"too few outcomes compared: {sorted(z)}"
    far = {name: round(value, 2) for name, value in z.items() if abs(value) > Z_LIMIT}
    assert not far, f"{case}: reference and engine differ (z beyond {Z_LIMIT}): {far}"
    unlike = {n: p for n, p in spread_and_shape(reference, engine).items() if min(p) < P_LIMIT}
    assert not unlike, f"{case}: spread or shape differ (p below {P_LIMIT}): {unlike}"


class RescuedAreLost(Migrant):
    """One rule changed: people in distress are never rescued."""

    def finish_leg(self) -> None:
        tables = self.model.tables
        saved, tables.rescue_share = tables.rescue_share, [0.0] * len(tables.rescue_share)
        try:
            super().finish_leg()
        finally:
            tables.rescue_share = saved


class BestLegAlways(Migrant):
    """One rule changed: people take the leg of highest utility (no random utility term)
    instead of drawing from the multinomial logit."""

    def choice_set(self) -> list[tuple[int, float]]:
        candidates = super().choice_set()
        return [max(candidates, key=lambda candidate: candidate[1])] if candidates else []


class DetentionPolicyIgnored(Migrant):
    """One rule changed: people pulled back are held for the state's usual days even where
    a policy sets its own."""

    def finish_leg(self) -> None:
        tables = self.model.tables
        saved = tables.leg_detention_days
        tables.leg_detention_days = [-1] * len(saved)
        try:
            super().finish_leg()
        finally:
            tables.leg_detention_days = saved


class _Fixed:
    """A stand-in random stream that always draws the same number."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


class SharedLuckAtSea(Migrant):
    """One rule changed: in a run everyone finishing a leg shares one draw for being stopped
    (a shared-stream bug): each person's chance is the same, but a run's people all swing
    together, so runs spread far more."""

    def finish_leg(self) -> None:
        model = self.model
        if not hasattr(model, "shared_draw"):
            model.shared_draw = model.stream("shared_interception").random()
        streams = model.random_streams._streams
        own = model.stream("interception")
        streams["interception"] = _Fixed(model.shared_draw)
        try:
            super().finish_leg()
        finally:
            streams["interception"] = own


class NoThirdCountryReadmission(Migrant):
    """One rule changed: readmission deals never take back other nationals."""

    def face_return_order(self) -> None:
        tables = self.model.tables
        saved = tables.third_country_readmission
        tables.third_country_readmission = [0.0] * len(saved)
        try:
            super().face_return_order()
        finally:
            tables.third_country_readmission = saved


@pytest.mark.parametrize(
    "changed, case, outcome",
    [
        (RescuedAreLost, "stressed", "dead_missing[all]"),
        pytest.param(BestLegAlways, "baseline", "reaching[rome]", marks=pytest.mark.slow),
        pytest.param(
            DetentionPolicyIgnored, "policies", "detained_mean[central_med]", marks=pytest.mark.slow
        ),
        pytest.param(NoThirdCountryReadmission, "policies", "returns[all]", marks=pytest.mark.slow),
    ],
)
def test_the_comparison_notices_a_changed_rule(changed, case, outcome):
    z = z_statistics(_sample(ReferenceModel, case, changed), _sample(MigrationModel, case))
    assert abs(z[outcome]) > Z_LIMIT, f"{changed.__name__} went unnoticed: {z}"


def test_the_comparison_notices_a_changed_spread():
    # Noticed as the comparison notices it: some outcome's spread or shape below P_LIMIT (the
    # spread of the Western Mediterranean's arrivals, 9e-7, and the shape of the Western
    # Balkans' detained, 7e-7: one shared draw lets a run's people through or stops them all).
    reference = _sample(ReferenceModel, "baseline", SharedLuckAtSea)
    tests = spread_and_shape(reference, _sample(MigrationModel, "baseline"))
    noticed = {name: p for name, p in tests.items() if min(p) < P_LIMIT}
    assert noticed, "a rule that only widens the spread went unnoticed"


def test_the_reference_conserves_people_every_day():
    model = _build(ReferenceModel, "stressed", seed=7, days=60, check=True)
    model.run()
    assert model.agent_steps > 0
    assert sum(model.status_count) == len(model.population)
