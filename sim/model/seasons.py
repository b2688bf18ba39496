"""Sea conditions through the year: boats held back by the weather, distress likelier in winter.

Seasonality happens at sea, not at home: people leave their origins at a flat rate, and the
coast is where the weather decides when boats go. :class:`SeaConditions` holds, for every day of
the year, two numbers per leg:

- ``weather``: on smuggled sea legs, the share of the calm season's boats that leave today,
  ``w(t) = (1 + A cos(2 pi (t - peak) / 365)) / (1 + A)`` with the amplitude ``A`` and ``peak``
  of the leg's route (``sea_weather_amplitude``, ``sea_weather_peak_day``, the shape of the
  Frontex monthly series); on smuggled land legs the same with the amplitude ``s A``, ``s``
  the route's ``land_weather_share`` (the Western Balkans, crossed on foot through mountains
  and rivers, have no sea leg; elsewhere 0); 1 on every other leg. It multiplies the seats
  smugglers sell, so people wait in line through the winter (:mod:`sim.model.seats`). A
  crackdown may lift the season's hold on the boats leaving its state's coast (its
  ``weather_hold`` h: a share ``1 - h (1 - w(t))`` leave), as people driven out put to sea
  whatever the weather;
- ``distress``: on sea legs, a multiplier on the chance of distress,
  ``(1 + e (1 - w(t))) / k`` with ``e`` = ``sea_distress_winter_excess``, where ``k`` is the
  departure-weighted yearly mean of the numerator, so that a leg's yearly death risk stays the
  data's (which is observed over the whole year).

Its stage of the day, :meth:`SeaConditions.update`, reads today's row (by the calendar date,
also during the warm-up).
"""

from __future__ import annotations

import numpy as np

from sim.model.world import World
from sim.network import MODES

#: Days of the year tabulated (day-of-year 0..365, leap years included).
DAYS_OF_YEAR = 366


def weather_share(day_of_year: np.ndarray, amplitude: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """Share of the calm season's boats that leave on ``day_of_year`` (in (0, 1])."""
    cycle = np.cos(2 * np.pi * (day_of_year - peak) / 365.0)
    return (1.0 + amplitude * cycle) / (1.0 + amplitude)


class SeaConditions:
    """Today's sea conditions per leg: the weather's share of boats leaving, and distress."""

    def __init__(self, model: World) -> None:
        self.model = model
        c, p = model.net.compiled, model.params
        sea = c.leg_mode == MODES.index("sea")
        day = np.arange(DAYS_OF_YEAR)[:, None]
        share = weather_share(
            day, p.sea_weather_amplitude[c.leg_route_slot], p.sea_weather_peak_day[c.leg_route_slot]
        )
        land = c.leg_mode == MODES.index("land")
        on_land = weather_share(
            day,
            p.land_weather_share[c.leg_route_slot] * p.sea_weather_amplitude[c.leg_route_slot],
            p.sea_weather_peak_day[c.leg_route_slot],
        )
        self.weather_table = np.where(
            c.leg_smuggled, np.where(sea, share, np.where(land, on_land, 1.0)), 1.0
        )
        worse = 1.0 + p.sea_distress_winter_excess * (1.0 - share)
        yearly = (share * worse).sum(axis=0) / share.sum(axis=0)
        self.distress_table = np.where(sea, worse / yearly, 1.0)
        # The smuggled sea legs and the state whose coast each leaves, for crackdowns that lift
        # the weather's hold there.
        self.coast_legs = np.flatnonzero(sea & c.leg_smuggled)
        self.coast_state = c.place_state[c.leg_source[self.coast_legs]]
        self.weather = self.weather_table[0]
        self.distress = self.distress_table[0]

    def update(self) -> None:
        """Today's row of the tables, by the calendar date."""
        date = self.model.date
        day_of_year = date.timetuple().tm_yday - 1
        self.weather = self.weather_table[day_of_year]
        self.distress = self.distress_table[day_of_year]
        hold = self.model.modifiers.weather_hold[self.coast_state]
        lifted = hold < 1.0
        if lifted.any():
            legs = self.coast_legs[lifted]
            self.weather = self.weather.copy()
            self.weather[legs] = 1.0 - hold[lifted] * (1.0 - self.weather[legs])
