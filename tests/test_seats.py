"""Waiting for a seat (sim/model/seats.py): a line per smuggled leg, served in order."""

from __future__ import annotations

import numpy as np
from conftest import make_model

from sim.agents.population import Status


def _one_seat_a_day_on(model, leg_id: str) -> int:
    """Leave one network on the leg, selling one seat a day (in persons at the model's scale)."""
    leg = model.net.leg_index[leg_id]
    slots = np.flatnonzero(model.market.slot_leg == leg)
    model.market.capacity[slots] = 0.0
    model.market.capacity[slots[0]] = 1.0 / model.scale
    return leg


def _ready_to_buy(model, ids: np.ndarray, place: str) -> None:
    pop = model.population
    pop.place[ids] = model.net.place_index[place]
    pop.budget[ids] = 1e6
    pop.leg[ids] = -1
    pop.set_status(ids, Status.IN_TRANSIT)
    pop.next_day[ids] = 100  # they act only through the line


def test_seats_go_in_the_order_people_joined_and_impatience_sends_them_back_to_choose():
    model = make_model({"seat_patience_days": 3}, days=30, scale=0.01)
    model.step()  # day 0: the first people set out
    leg = _one_seat_a_day_on(model, "agadez-sebha")
    first, later = np.arange(1), np.arange(1, 5)
    _ready_to_buy(model, np.arange(5), "agadez")
    model.seats.join(first, np.full(1, leg))
    model.step()  # day 1: the first in line takes the day's seat
    pop = model.population
    assert pop.status[0] == Status.ON_LEG and pop.leg[0] == leg
    model.seats.join(later, np.full(4, leg))  # day 2: four join at once, in their draws' order
    order = later[np.argsort(model.draws("seats", later), kind="stable")]
    boarded = []
    for _ in range(2):  # days 2 and 3: one seat each
        model.step()
        boarded += [i for i in order if pop.status[i] == Status.ON_LEG and i not in boarded]
    assert boarded == order[:2].tolist()
    waiting = order[2:]
    assert np.all(pop.status[waiting] == Status.WAITING_FOR_SEAT)
    assert np.all(pop.leg[waiting] == leg)
    # Nobody in line is due before their patience runs out (day 2 + 3): a day costs what
    # happens that day.
    assert not np.isin(waiting, model.due).any()
    model.step()  # day 4: the third takes the seat
    model.step()  # day 5: patience runs out for the last, who leaves the line and chooses again
    assert pop.status[order[2]] == Status.ON_LEG
    assert pop.status[order[3]] != Status.WAITING_FOR_SEAT or pop.next_day[order[3]] > 5 + 2


def test_a_line_that_is_not_served_in_winter_is_served_in_summer(network):
    model = make_model(days=1)
    leg = network.leg_index["sfax-lampedusa"]
    seasons = model.seasons
    # The weather multiplies the seats sold on the leg: a sixth of them in February.
    assert seasons.weather_table[40, leg] < 0.2 < 0.95 < seasons.weather_table[230, leg]
