"""Seasons at sea (sim/model/seasons.py): boats held back in winter, distress likelier then."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from conftest import coast_legs, make_model

from sim.model.seasons import weather_share
from sim.network import MODES, ROUTES


def test_the_weather_share_peaks_at_one_on_its_day_and_bottoms_half_a_year_later():
    days = np.arange(366)
    share = weather_share(days, 0.71, 239)
    assert share.max() == share[239] == 1.0
    assert share.argmin() in (56, 57, 58)  # half a year away from the peak
    assert share.min() == pytest.approx((1 - 0.71) / (1 + 0.71), rel=1e-3)
    assert np.all(weather_share(days, 0.0, 239) == 1.0)  # no amplitude, no season


def test_seas_hold_boats_back_only_on_smuggled_sea_legs_and_keep_the_yearly_death_risk(network):
    model = make_model(days=1)
    seasons, c = model.seasons, network.compiled
    sea = c.leg_mode == MODES.index("sea")
    land = c.leg_mode == MODES.index("land")
    balkans = c.leg_route_slot == ROUTES.index("western_balkans")
    weather, distress = seasons.weather_table, seasons.distress_table
    # Seasons act on smuggled sea legs, and on the Balkans' smuggled land legs (all by land).
    seasonal = c.leg_smuggled & (sea | (land & balkans))
    assert np.all(weather[:, ~seasonal] == 1.0)
    assert np.all(distress[:, ~sea] == 1.0)
    hungary = network.leg_index["subotica-szeged"]
    assert weather[93, hungary] < 0.45 < 0.95 < weather[275, hungary]  # April, October
    assert weather[20, network.leg_index["agadez-sebha"]] == 1.0  # the Sahara: no season given
    leg = network.leg_index["sfax-lampedusa"]
    winter, summer = weather[20, leg], weather[230, leg]
    assert winter < 0.25 < 0.95 < summer
    assert distress[20, leg] > 1.5 * distress[230, leg]
    # Weighted by the boats that leave, distress averages to the data's risk over a year.
    mean = (weather[:365, leg] * distress[:365, leg]).sum() / weather[:365, leg].sum()
    assert abs(mean - 1.0) < 0.01


def test_central_med_arrivals_peak_in_summer_while_departures_from_origins_stay_flat():
    model = make_model(days=365, warmup=365, scale=0.05, check=False)
    model.run()
    table = model.outcomes.daily_table()
    route = ROUTES.index("central_med")
    month = np.array([(model.start_date + dt.timedelta(days=d)).month for d in range(365)])
    arrivals = np.bincount(month, weights=table["arrivals"][:, route], minlength=13)[1:]
    departures = np.bincount(month, weights=table["departures"][:, route], minlength=13)[1:]
    assert 6 <= arrivals.argmax() + 1 <= 9, arrivals
    assert arrivals[5:9].sum() > 2 * arrivals[[0, 1, 2, 11]].sum()  # Jun-Sep against Dec-Mar
    # Origins send people at a flat rate: no month is far from the mean.
    assert departures.max() < 1.25 * departures.mean()


def test_each_day_takes_its_rows_of_the_tables_by_the_calendar_date(network):
    model = make_model(days=1)
    seasons = model.seasons
    tunisia, from_tunisia = network.state_index["TUN"], coast_legs(network, "TUN")
    assert from_tunisia.any()
    for day in (0, 45, 200):
        model.steps = day + model.warmup_days  # the clock reads Mesa's step count
        row = model.date.timetuple().tm_yday - 1
        seasons.update()
        assert np.array_equal(seasons.weather, seasons.weather_table[row])
        assert np.array_equal(seasons.distress, seasons.distress_table[row])
        # A crackdown that lifts part of the season's hold acts on its state's boats alone.
        model.modifiers.weather_hold[tunisia] = 0.35
        seasons.update()
        lifted = 1.0 - 0.35 * (1.0 - seasons.weather_table[row])
        assert np.allclose(seasons.weather[from_tunisia], lifted[from_tunisia])
        assert np.array_equal(
            seasons.weather[~from_tunisia], seasons.weather_table[row, ~from_tunisia]
        )
        assert np.array_equal(seasons.distress, seasons.distress_table[row])
        model.modifiers.weather_hold[tunisia] = 1.0
