"""Smugglers: networks that sell seats on legs out of a hub or departure place.

Each network is a :class:`Smuggler` (a ``mesa.Agent``: there are a few hundred of them, not a
million), but its prices, daily capacity and craft safety on each leg it runs live in the
arrays of the :class:`SmugglingMarket`, one row ("slot") per network and leg, so that selling
the day's seats to thousands of people is a handful of vectorised operations.

What a network does, month by month (see ``docs/model.md``):
- prices follow demand (requests against capacity) and rise with enforcement on the leg;
- capacity grows when seats sell out and shrinks when they do not;
- craft get riskier as enforcement rises (cheaper boats, night departures);
- a network can be arrested; its slots stand idle until a rival takes them over, smaller
  and dearer at first.
"""

from __future__ import annotations

from dataclasses import dataclass

import mesa
import numpy as np

from sim.config.parameters import Parameters
from sim.network import Network
from sim.rules.memo import ValueMemo

#: Range of a network's price relative to its base price, as demand pushes it (multiplier).
DEMAND_FACTOR_RANGE = (0.5, 4.0)
#: Range of a network's daily capacity relative to its initial capacity (multiplier).
CAPACITY_RANGE = (0.2, 5.0)
#: Share of offered seats asked for above which capacity grows, and below which it shrinks.
GROW_ABOVE_UTILISATION, SHRINK_BELOW_UTILISATION = 0.9, 0.5
#: Monthly demand pressure on prices is the relative distance of the share of seats asked for
#: (requests / seats offered) above or below that band (0 inside it, where capacity rests too,
#: so that prices and capacity can rest together), clipped to this range.
PRESSURE_RANGE = (-0.5, 1.0)
#: Share of the gap between a network's price and its going rate that competition closes in a
#: month (so that a rival's markup or a past squeeze fades; an assumption).
PRICE_RELAXATION = 0.25


@dataclass(frozen=True)
class SmugglerParameters:
    """The smuggling market's parameters (from ``parameters.yaml``)."""

    networks_per_place: int
    capacity_per_day: np.ndarray  # persons per day per leg across all networks, by leg
    price_demand_elasticity: float
    price_enforcement_elasticity: float
    craft_risk_elasticity: float
    capacity_growth: float
    replacement_days: int
    rival_capacity_share: float
    rival_markup: float


class Smuggler(mesa.Agent):
    """A smuggling network at one place, running some legs out of it.

    Its state per leg is in ``market`` rows ``slots`` (its prices, capacities and craft safety
    are views of them); the agent carries what is its own: whether it is active, and when it was
    arrested (a rival replaces it after ``replacement_days``).
    """

    def __init__(self, model: mesa.Model, market: SmugglingMarket, place: int, slots: np.ndarray):
        super().__init__(model)
        self.market = market
        self.place = place
        self.slots = slots
        self.arrested_on: int | None = None
        market.owner[slots] = self.unique_id

    @property
    def active(self) -> bool:
        """Whether the network is selling seats (not arrested)."""
        return self.arrested_on is None

    @property
    def prices(self) -> np.ndarray:
        """Its current price per leg it runs (EUR per person)."""
        return self.market.price[self.slots]

    @property
    def capacity(self) -> np.ndarray:
        """Its seats per day on each leg it runs (persons)."""
        return self.market.capacity[self.slots]

    @property
    def legs(self) -> np.ndarray:
        """The legs it runs (compiled leg indices)."""
        return self.market.slot_leg[self.slots]

    def be_arrested(self, day: int) -> None:
        """Stop selling: its slots stand idle until a rival takes them over."""
        self.arrested_on = day
        self.market.active[self.slots] = False

    def hand_over_to_rival(self) -> Smuggler:
        """A rival network takes over the slots, smaller and dearer at first."""
        p = self.market.params
        self.market.capacity[self.slots] *= p.rival_capacity_share
        market = self.market
        market.demand_factor[self.slots] *= 1.0 + p.rival_markup
        market.price[self.slots] = (
            market.base_price[self.slots]
            * market.demand_factor[self.slots]
            * market.enforcement_premium[self.slots]
        )
        market.active[self.slots] = True
        rival = Smuggler(self.model, self.market, self.place, self.slots)
        self.remove()
        return rival


class SmugglingMarket:
    """Slots (one per network and leg), their prices and capacities, and the day's seat sale."""

    def __init__(
        self,
        model: mesa.Model,
        leg_source: np.ndarray,
        leg_smuggled: np.ndarray,
        leg_base_price: np.ndarray,
        params: SmugglerParameters,
        markup_noise: np.ndarray,
    ) -> None:
        self.params = params
        self.fare = leg_base_price  # the middle of each leg's price range (fares of flights)
        smuggled_legs = np.flatnonzero(leg_smuggled)
        n_networks = params.networks_per_place
        # Slots sorted by leg, so that each leg's slots are contiguous.
        self.slot_leg = np.repeat(smuggled_legs, n_networks)
        self.slot_network = np.tile(np.arange(n_networks), len(smuggled_legs))
        n = len(self.slot_leg)
        self.n_legs = len(leg_source)
        # Each leg's first slot (slots are by leg; a leg with none: where it would be).
        self.first_slot = np.searchsorted(self.slot_leg, np.arange(self.n_legs), side="left")
        self.base_price = leg_base_price[self.slot_leg]
        self.demand_factor = 1.0 + markup_noise
        self.going_rate = self.demand_factor.copy()  # each network's price level at rest
        self.enforcement_premium = np.ones(n)
        self.price = self.base_price * self.demand_factor
        self.capacity = params.capacity_per_day[self.slot_leg] / n_networks
        self.initial_capacity = self.capacity.copy()
        self.safety_multiplier = np.ones(n)  # scales the leg's death risk
        self.active = np.ones(n, dtype=bool)
        self.owner = np.zeros(n, dtype=np.int64)
        self.requests = np.zeros(n)  # persons asking, this month (served or not)
        self.sold = np.zeros(n)  # persons sold, this month
        self.revenue = np.zeros(n)  # EUR, this month
        self._leg_prices = ValueMemo()  # leg_prices' last result
        # One Smuggler agent per (place, network), owning that network's slots at the place.
        self.smugglers: list[Smuggler] = []
        slot_place = leg_source[self.slot_leg]
        for place in np.unique(slot_place):
            for k in range(n_networks):
                slots = np.flatnonzero((slot_place == place) & (self.slot_network == k))
                self.smugglers.append(Smuggler(model, self, int(place), slots))

    def set_leg_base_price(self, leg: int, price: float) -> None:
        """A leg's price range changed (a dated change): its fare and its networks' base price
        become ``price``, each network keeping its markup and premium."""
        self.fare[leg] = price
        slots = self.slot_leg == leg
        self.base_price[slots] = price
        self.price[slots] = price * self.demand_factor[slots] * self.enforcement_premium[slots]

    def leg_prices(self) -> np.ndarray:
        """The capacity-weighted mean price per leg among active networks; inf where none.

        Read-only: the last result again while prices, capacities and who is active are the
        same (asked for several times a day, they change at the monthly review and arrests)."""
        return self._leg_prices.get((self.price, self.capacity, self.active), self._mean_prices)

    def _mean_prices(self) -> np.ndarray:
        weight = self.capacity * self.active
        total = np.bincount(self.slot_leg, weights=weight, minlength=self.n_legs)
        paid = np.bincount(self.slot_leg, weights=weight * self.price, minlength=self.n_legs)
        return np.divide(paid, total, out=np.full(self.n_legs, np.inf), where=total > 0)

    def leg_safety(self) -> np.ndarray:
        """The capacity-weighted death-risk multiplier of the craft on each leg (1 = baseline)."""
        weight = np.maximum(self.capacity * self.active, 1e-12)
        total = np.bincount(self.slot_leg, weights=weight, minlength=self.n_legs)
        risk = np.bincount(
            self.slot_leg, weights=weight * self.safety_multiplier, minlength=self.n_legs
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, risk / total, 1.0)

    def seats_today(
        self, seat_uniform: np.ndarray, scale: float, leg_factor: np.ndarray
    ) -> np.ndarray:
        """Seats each slot sells today, in agents: capacity x active x scale x the leg's factor
        (the weather, on sea legs), fractions rounded at random with one draw per slot
        (``seat_uniform``)."""
        seats = self.capacity * self.active * scale * leg_factor[self.slot_leg]
        return np.floor(seats) + (seat_uniform < seats - np.floor(seats))

    def seats_for_line(
        self, line_leg: np.ndarray, seats: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Who in line gets one of today's ``seats`` (per slot), and from which slot.

        ``line_leg`` is the leg each person in line waits for, sorted by leg and, within a
        leg, in the order they joined. The first ``seats`` of a leg in line are served; the
        k-th served person gets a seat of the slot their place falls in (slots in order).
        Returns ``has_seat`` (bool per person) and ``slot`` (per person; for those without a
        seat, the leg's first slot).
        """
        n = len(line_leg)
        in_line = np.bincount(line_leg, minlength=self.n_legs)
        rank = np.arange(n) - (np.cumsum(in_line) - in_line)[line_leg]
        leg_seats = np.bincount(self.slot_leg, weights=seats, minlength=self.n_legs)
        has_seat = rank < leg_seats[line_leg]
        first_slot = self.first_slot
        slot = first_slot[line_leg]
        # The k-th seat of a leg belongs to the slot whose cumulative seats first exceed k.
        served = np.flatnonzero(has_seat)
        cumulative = np.cumsum(seats)
        legs = line_leg[served]
        before = np.where(first_slot[legs] > 0, cumulative[np.maximum(first_slot[legs] - 1, 0)], 0)
        slot[served] = np.searchsorted(cumulative, before + rank[served], side="right")
        return has_seat, slot

    def record_requests(self, legs: np.ndarray, persons_each: float) -> None:
        """People asking for a seat on ``legs`` (one per entry): the demand each active network
        of the leg sees this month, shared by their capacities."""
        if len(legs) == 0:
            return
        asked = np.bincount(legs, minlength=self.n_legs) * persons_each
        weight = self.capacity * self.active
        total = np.bincount(self.slot_leg, weights=weight, minlength=self.n_legs)
        share = np.divide(
            weight, total[self.slot_leg], out=np.zeros_like(weight), where=total[self.slot_leg] > 0
        )
        self.requests += asked[self.slot_leg] * share

    def record_sales(self, slots: np.ndarray, price: np.ndarray, persons_each: float) -> None:
        """Seats sold today from ``slots`` at ``price`` (EUR), one person each."""
        np.add.at(self.sold, slots, persons_each)
        np.add.at(self.revenue, slots, price * persons_each)

    def adapt(self, days: int, leg_enforcement_ratio: np.ndarray) -> None:
        """Monthly: prices follow demand and enforcement, capacity follows sales, craft risk."""
        p = self.params
        # Demand against the fleet's capacity (smugglers know boats stay ashore in winter).
        offered = np.maximum(self.capacity * days, 1e-9)
        utilisation = self.requests / offered
        busy = self.active & (self.requests > 0)
        pressure = np.clip(
            np.maximum(utilisation / GROW_ABOVE_UTILISATION - 1.0, 0.0)
            + np.minimum(utilisation / SHRINK_BELOW_UTILISATION - 1.0, 0.0),
            *PRESSURE_RANGE,
        )
        # Competition pulls prices back toward the going rate (a rival's markup fades) ...
        relaxed = self.going_rate + (self.demand_factor - self.going_rate) * (1 - PRICE_RELAXATION)
        # ... while demand outside the band pushes them.
        self.demand_factor = np.where(
            busy, relaxed * (1.0 + p.price_demand_elasticity * pressure), relaxed
        )
        self.demand_factor = np.clip(self.demand_factor, *DEMAND_FACTOR_RANGE)
        extra_enforcement = np.maximum(leg_enforcement_ratio[self.slot_leg] - 1.0, 0.0)
        self.enforcement_premium = 1.0 + p.price_enforcement_elasticity * extra_enforcement
        self.price = self.base_price * self.demand_factor * self.enforcement_premium
        self.safety_multiplier = 1.0 + p.craft_risk_elasticity * extra_enforcement
        grow = self.active & (utilisation > GROW_ABOVE_UTILISATION)
        shrink = self.active & (utilisation < SHRINK_BELOW_UTILISATION)
        self.capacity = np.where(grow, self.capacity * (1.0 + p.capacity_growth), self.capacity)
        self.capacity = np.where(shrink, self.capacity * (1.0 - p.capacity_growth), self.capacity)
        low, high = CAPACITY_RANGE
        self.capacity = np.clip(
            self.capacity, low * self.initial_capacity, high * self.initial_capacity
        )
        self.requests[:] = 0.0
        self.sold[:] = 0.0
        self.revenue[:] = 0.0

    def arrests(self, day: int, monthly_rate: np.ndarray, uniform: np.ndarray) -> list[Smuggler]:
        """Arrest networks (``monthly_rate`` per place); hand over to rivals those whose time came.

        ``uniform`` is one draw per smuggler (in list order). Returns the networks arrested now.
        """
        arrested = []
        for k, smuggler in enumerate(self.smugglers):
            if smuggler.active and uniform[k] < monthly_rate[smuggler.place]:
                smuggler.be_arrested(day)
                arrested.append(smuggler)
        return arrested

    def replace_arrested(self, day: int, replacement_days: np.ndarray | None = None) -> None:
        """Rivals take over networks arrested at least ``replacement_days`` ago.

        ``replacement_days`` per place overrides the parameter where it is not negative (an
        anti-smuggling policy that keeps rivals out longer).
        """
        for k, smuggler in enumerate(self.smugglers):
            delay = self.params.replacement_days
            if replacement_days is not None and replacement_days[smuggler.place] >= 0:
                delay = int(replacement_days[smuggler.place])
            due = smuggler.arrested_on is not None
            if due and day - smuggler.arrested_on >= delay:
                self.smugglers[k] = smuggler.hand_over_to_rival()


def build_market(
    model: mesa.Model, network: Network, params: Parameters, rng: np.random.Generator
) -> SmugglingMarket:
    """The smuggling market of ``network``: ``smuggler_networks_per_place`` networks at every
    place with smuggled legs, each leg's base price the middle of its price range with a
    markup drawn from ``rng`` (uniform within ``price_markup_spread``)."""
    c = network.compiled
    smugglers = SmugglerParameters(
        networks_per_place=params.smuggler_networks_per_place,
        capacity_per_day=params.smuggler_capacity_per_day[c.leg_mode]
        * params.smuggler_capacity_leg_multiplier,
        price_demand_elasticity=params.price_demand_elasticity,
        price_enforcement_elasticity=params.price_enforcement_elasticity,
        craft_risk_elasticity=params.craft_risk_elasticity,
        capacity_growth=params.smuggler_capacity_growth,
        replacement_days=params.rival_replacement_days,
        rival_capacity_share=params.rival_capacity_share,
        rival_markup=params.rival_markup,
    )
    fare = (c.leg_price_min + c.leg_price_max) / 2.0
    spread = params.price_markup_spread
    n_slots = int(c.leg_smuggled.sum()) * smugglers.networks_per_place
    noise = rng.uniform(-spread, spread, n_slots)
    return SmugglingMarket(model, c.leg_source, c.leg_smuggled, fare, smugglers, noise)
