"""Migrants' decision rules, alone (sim/behaviour.py)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.rules import behaviour


def test_leg_choice_follows_logit_probabilities():
    rng = np.random.default_rng(5)
    n = 200_000
    legs = np.tile(np.array([[10, 11, 12, 0]]), (n, 1))
    valid = np.tile(np.array([[True, True, True, False]]), (n, 1))
    utility = np.tile(np.array([[0.0, 1.0, -1.0, 50.0]]), (n, 1))  # the padded column must not win
    chosen = behaviour.choose_legs(legs, valid, utility, rng.random(n))
    expected = np.exp([0.0, 1.0, -1.0]) / np.exp([0.0, 1.0, -1.0]).sum()
    shares = np.array([(chosen == leg).mean() for leg in (10, 11, 12)])
    assert np.allclose(shares, expected, atol=0.005)
    assert not np.any(chosen == 0)


def test_no_valid_leg_means_no_choice():
    legs = np.array([[3, 4], [5, 6]])
    valid = np.array([[False, False], [False, True]])
    chosen = behaviour.choose_legs(legs, valid, np.zeros((2, 2)), np.array([0.5, 0.5]))
    assert chosen.tolist() == [-1, 6]


def test_candidate_legs_are_the_places_outgoing_legs():
    out_start = np.array([0, 2, 2, 5])  # place 0: legs 0-1; place 1: none; place 2: legs 2-4
    legs, valid = behaviour.candidate_legs(np.array([0, 1, 2]), out_start)
    assert legs[valid[:, :]].tolist() == [0, 1, 2, 3, 4]
    assert valid.sum(axis=1).tolist() == [2, 0, 3]


def test_risk_averse_people_weigh_perceived_risk_more():
    weights = behaviour.ChoiceWeights(8.0, 1.0, 3.0, 0.3, 5.0)
    legs = np.array([[0, 1], [0, 1]])
    price = np.array([500.0, 500.0])
    days = np.array([2, 2])
    risk = np.array([0.0, 0.02])
    failure = np.zeros(2)
    utility = behaviour.leg_utility(
        legs,
        price,
        days,
        risk,
        failure,
        np.zeros((2, 2)),
        np.array([0.0, 0.9]),
        np.array([1.0, 1.0]),
        weights,
    )
    penalty = utility[:, 0] - utility[:, 1]
    assert penalty[0] > 5 * penalty[1] > 0


def test_a_leg_that_stops_nearly_everyone_costs_the_attempts_it_needs():
    """Morocco's situation in 2023: a fence near Tangier that stops 99% of those who try,
    free, against a boat across the Strait that half reach Spain on, at about 2,000 EUR. Each
    takes a day an attempt; the fence needs a hundred attempts in expectation, the boat two,
    so people choose the boat (and work for its price) rather than try the fence again and
    again. Charging failure only per percentage point (0.3 days each), the fence would cost
    30 days against the boat's 32 and win."""
    weights = behaviour.ChoiceWeights(8.0, 1.0, 3.0, 0.3, 5.0)
    legs = np.array([[0, 1]])
    price = np.array([25.0, 2000.0])  # the fence, the boat
    days = np.array([1, 1])
    failure = np.array([0.99, 0.5])
    assert behaviour.expected_days(days, failure).tolist() == pytest.approx([100.0, 2.0])
    assert behaviour.expected_days(np.array([3]), np.array([1.0]))[0] == pytest.approx(300.0)
    args = (np.zeros(2), failure, np.zeros((1, 2)), np.zeros(1), np.ones(1), weights)
    utility = behaviour.leg_utility(legs, price, days, *args)
    fence, boat = -utility[0] * weights.scale
    assert fence == pytest.approx(0.2 + 100.0 + 29.7)
    assert boat == pytest.approx(16.0 + 2.0 + 15.0)
    assert utility[0, 1] > utility[0, 0] + 15  # the boat, nearly always
    planned = behaviour.generalised_leg_cost(price, days, np.zeros(2), failure, weights)
    assert planned.tolist() == pytest.approx([fence, boat])  # the same in people's plans
    never_stopped = behaviour.expected_days(np.array([4]), np.array([0.0]))
    assert never_stopped.tolist() == [4.0]


def test_work_days_close_the_shortfall_within_one_spell():
    days = behaviour.days_of_work_needed(
        np.array([100.0, 0.0, 10_000.0]), np.array([10.0, 10.0, 10.0]), 30
    )
    assert days.tolist() == [10, 1, 30]


def test_giving_up_rises_with_failures_and_is_capped():
    p = behaviour.give_up_probability(np.array([0, 1, 10, 1000]), 0.01, 0.05)
    assert np.allclose(p[:3], [0.01, 0.06, 0.51]) and p[3] == 0.95


def test_rumours_weigh_news_by_how_many_it_concerns():
    belief = np.array([0.01, 0.01])
    updated = behaviour.update_beliefs(belief, np.array([0.5, 0.5]), np.array([10.0, 1000.0]), 100)
    assert belief[0] < updated[0] < updated[1] < 0.5
    assert np.isclose(updated[1], 0.01 + (1000 / 1100) * 0.49)
