"""The smuggling market alone (sim/smugglers.py)."""

from __future__ import annotations

import mesa
import numpy as np

from sim.agents.smugglers import SmugglerParameters, SmugglingMarket


def _market(capacity=3.0, networks=1):
    model = mesa.Model(rng=1)
    params = SmugglerParameters(
        networks_per_place=networks,
        capacity_per_day=np.array([capacity, capacity, capacity]),
        price_demand_elasticity=0.5,
        price_enforcement_elasticity=1.0,
        craft_risk_elasticity=0.5,
        capacity_growth=0.1,
        replacement_days=10,
        rival_capacity_share=0.5,
        rival_markup=0.2,
    )
    return SmugglingMarket(
        model,
        leg_source=np.array([0, 0, 1]),
        leg_smuggled=np.array([True, True, False]),
        leg_base_price=np.array([1000.0, 500.0, 20.0]),
        params=params,
        markup_noise=np.zeros(2 * networks),
    )


def test_todays_seats_go_to_the_first_in_each_line_slot_by_slot():
    market = _market(capacity=3.0, networks=2)  # two networks on each leg: 1.5 seats each
    seats = market.seats_today(np.full(len(market.slot_leg), 0.4), 1.0, np.array([1.0, 0.5, 1]))
    # Leg 0: 1.5 seats per network, rounded up by draws of 0.4 < 0.5; leg 1: the weather
    # halves them to 0.75, rounded up too.
    assert seats.tolist() == [2.0, 2.0, 1.0, 1.0]
    line = np.array([0] * 5 + [1] * 3)  # sorted by leg, in the order people joined
    has_seat, slot = market.seats_for_line(line, seats)
    assert has_seat.tolist() == [True] * 4 + [False] + [True, True, False]
    assert slot[has_seat].tolist() == [0, 0, 1, 1, 2, 3]


def test_demand_is_shared_by_capacity_and_sales_are_counted():
    market = _market(capacity=4.0, networks=2)
    market.capacity[1] = 6.0  # leg 0's second network has three times the first's seats
    market.record_requests(np.array([0, 0, 0, 0, 1]), persons_each=10.0)
    assert market.requests.tolist() == [10.0, 30.0, 5.0, 5.0]
    market.record_sales(np.array([1, 1, 2]), np.array([900.0, 900.0, 450.0]), persons_each=10.0)
    assert market.sold.tolist() == [0.0, 20.0, 10.0, 0.0]
    assert market.revenue.sum() == 10.0 * (2 * 900.0 + 450.0)


def test_prices_rise_with_excess_demand_and_enforcement():
    market = _market(capacity=1.0)
    market.requests[:] = [60.0, 0.0]  # leg 0 asked for twice its 30 seats a month
    market.adapt(30, leg_enforcement_ratio=np.array([1.0, 2.0, 1.0]))
    assert market.price[0] > 1000.0
    assert market.price[1] == 500.0 * 2.0  # no demand signal, enforcement doubled: premium 1
    assert market.safety_multiplier[1] == 1.5
    assert market.capacity[0] > 1.0


def test_arrested_networks_stop_selling_until_a_smaller_dearer_rival_takes_over():
    market = _market(capacity=4.0)
    arrested = market.arrests(0, monthly_rate=np.array([1.0, 1.0]), uniform=np.zeros(1))
    assert len(arrested) == 1 and not market.active.any()
    assert np.all(np.isinf(market.leg_prices()[:2]))
    market.replace_arrested(5)
    assert not market.active.any()
    market.replace_arrested(10)
    assert market.active.all()
    assert np.allclose(market.capacity, 2.0)
    assert np.allclose(market.price, [1200.0, 600.0])
