"""Randomness for fair comparisons: hashed per-person draws and common random numbers."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from conftest import make_model
from scipy import stats

from sim.agents.population import FIELDS
from sim.rules.randomness import RandomStreams, person_keys, poisson_quantile

KEYS = person_keys(3, np.array([5, 9, 12]), np.array([40_000, 30_000, 30_000]))


def test_person_keys_are_unique_and_tell_place_day_and_rank_apart():
    assert len(np.unique(KEYS)) == len(KEYS) == 100_000
    later = person_keys(4, np.array([5]), np.array([10]))
    assert not np.isin(later, KEYS).any()
    before_the_run = person_keys(-4, np.array([5]), np.array([10]))  # the warm-up's days
    assert not np.isin(before_the_run, later).any() and not np.isin(before_the_run, KEYS).any()
    # The first 40,000 are place 5's, ranked 0..39,999, whatever comes after them.
    alone = person_keys(3, np.array([5]), np.array([40_000]))
    assert np.array_equal(alone, KEYS[:40_000])


def test_draws_are_uniform():
    u = RandomStreams(7).draws("choice", KEYS, 11)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 1e-3
    counts = np.bincount((u * 10).astype(int), minlength=10)
    assert stats.chisquare(counts).pvalue > 1e-3


@pytest.mark.parametrize(
    "first, second",
    [
        (("choice", 11, 7), ("distress", 11, 7)),  # another process, same day
        (("choice", 11, 7), ("choice", 12, 7)),  # the next day
        (("choice", 11, 7), ("choice", 11, 8)),  # another seed
    ],
)
def test_draws_of_other_processes_days_and_seeds_are_independent(first, second):
    (name_a, day_a, seed_a), (name_b, day_b, seed_b) = first, second
    a = RandomStreams(seed_a).draws(name_a, KEYS, day_a)
    b = RandomStreams(seed_b).draws(name_b, KEYS, day_b)
    # 100,000 pairs: the correlation of independent uniforms has a standard error of 0.003.
    assert abs(np.corrcoef(a, b)[0, 1]) < 0.015
    assert stats.kstest(a - b, stats.triang(c=0.5, loc=-1, scale=2).cdf).pvalue > 1e-3


def test_the_same_person_process_and_day_draw_the_same_number_in_any_company():
    streams = RandomStreams(7)
    everyone = streams.draws("asylum", KEYS, 30)
    some = streams.draws("asylum", KEYS[::7], 30)
    assert np.array_equal(some, everyone[::7])
    assert np.array_equal(streams.trait("budget", KEYS[:5]), streams.trait("budget", KEYS[:5]))
    assert not np.array_equal(streams.draws("x", KEYS[:5], -30), streams.draws("x", KEYS[:5], 30))


def test_a_branch_draws_with_its_own_seed_but_earlier_people_keep_their_traits():
    warm_up = RandomStreams(7)
    branched = warm_up.branch(8, day=0)
    fresh = RandomStreams(8)
    earlier = person_keys(-1, np.array([5, 9]), np.array([300, 200]))  # set out the day before
    later = person_keys(0, np.array([0, 9]), np.array([300, 200]))  # the first: the branch key
    both = np.concatenate([later[:50], earlier, later[50:]])
    assert np.array_equal(branched.trait("budget", earlier), warm_up.trait("budget", earlier))
    assert np.array_equal(branched.trait("budget", later), fresh.trait("budget", later))
    mixed = branched.trait("budget", both)
    assert np.array_equal(mixed[50:550], warm_up.trait("budget", earlier))
    assert np.array_equal(mixed[550:], fresh.trait("budget", later[50:]))
    # Daily draws and streams are the branch seed's, for everyone.
    assert np.array_equal(branched.draws("x", earlier, 3), fresh.draws("x", earlier, 3))
    assert not np.array_equal(branched.draws("x", earlier, 3), warm_up.draws("x", earlier, 3))
    assert branched.stream("returns").random() == fresh.stream("returns").random()


def test_several_processes_drawn_at_once_draw_what_each_draws_alone():
    names = ("interception", "distress", "rescue")
    streams = RandomStreams(7)
    rows = streams.draws_each(names, KEYS[:1000], -12)
    assert rows.shape == (3, 1000)
    for name, row in zip(names, rows, strict=True):
        assert np.array_equal(row, streams.draws(name, KEYS[:1000], -12))
    earlier = person_keys(-1, np.array([5]), np.array([300]))
    later = person_keys(0, np.array([9]), np.array([200]))
    both = np.concatenate([later[:50], earlier, later[50:]])
    branched = streams.branch(8, day=0)
    for name, row in zip(names, branched.traits(names, both), strict=True):
        assert np.array_equal(row, branched.trait(name, both))
        assert np.array_equal(row[50:350], streams.trait(name, earlier))


def _by_key(model) -> dict[str, np.ndarray]:
    pop = model.population
    order = np.argsort(pop.key)
    return {name: getattr(pop, name)[order] for name in FIELDS}


def test_a_policy_on_one_route_leaves_everyone_elses_journey_unchanged_seed_by_seed(network):
    # Search and rescue on the Atlantic only. The model's own channels that rightly carry a
    # policy to other routes are held still (news and rumours, news reaching home, states'
    # stances, returnees who set out again, the EU-wide rationing of returns, smugglers'
    # prices and capacities, which Algerians share at Oran with West Africans who could take
    # the Atlantic instead), so that only shared luck could make anyone else's journey differ.
    overrides = {
        "rumour_inertia": 1e6,
        "price_demand_elasticity": 0,
        "smuggler_capacity_growth": 0,
        "enforcement_response": 0,
        "remigration_probability": 0,
        "return_capacity_per_day": 100_000,
        # News reaching home moves how many set out everywhere (a channel too).
        "departure_success_elasticity": 0,
        "departure_risk_semielasticity": 0,
        "departure_failure_semielasticity": 0,
        "departure_cost_elasticity": 0,
    }
    rescue = {"type": "search_and_rescue", "routes": ["atlantic"], "strength": 0.9}
    atlantic_starts = {leg["source"] for leg in network.legs if leg["route"] == "atlantic"}
    elsewhere = [
        network.place_index[o]
        for o in network.origin_places
        if not (nx.descendants(network.graph, o) | {o}) & atlantic_starts
    ]
    changed_on_the_route = 0
    for seed in (5, 6):
        base = make_model(overrides, seed=seed, days=200, warmup=180, scale=0.02, check=False)
        policy = make_model(
            overrides, seed=seed, days=200, warmup=180, scale=0.02, check=False, policies=[rescue]
        )
        base.run()
        policy.run()
        a, b = _by_key(base), _by_key(policy)
        assert np.array_equal(a["key"], b["key"])  # the same people set out
        untouched = np.isin(a["origin"], elsewhere)
        assert untouched.sum() > 2000
        for name in FIELDS:
            assert np.array_equal(a[name][untouched], b[name][untouched]), (seed, name)
        changed = np.zeros(len(untouched), dtype=bool)
        for name in ("status", "place", "next_day", "budget"):
            changed |= a[name] != b[name]
        changed_on_the_route += int(changed[~untouched].sum())
    assert changed_on_the_route > 10  # the policy did act on its route


def test_poisson_numbers_by_inverse_cdf_match_scipy_s_quantiles():
    rng = np.random.default_rng(3)
    for mean in (0.0, 0.04, 1.3, 7.0, 164.0, 900.0):
        u = rng.random(3000)
        ours = poisson_quantile(u, np.full(len(u), mean))
        assert np.array_equal(ours, stats.poisson.ppf(u, mean).astype(int)), mean
