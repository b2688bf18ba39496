"""The 2023 policy context of scenarios/baseline.yaml: dated blocks that act on their days.

The baseline keeps 2023's policies (Italy-Libya cooperation, the EU-Tunisia memorandum,
Tunisia's campaign of February and its expulsions from July, Serbia's visa alignment and police
operation, pushbacks, the EU-Türkiye statement, Article 25a measures, resettlement) as policy
blocks with dates and sources, not as tuned constants. These tests run the real baseline file on
the real network around four of those dates, with and without the block: before its day the
two runs are the same to the last person (the block has not acted yet, and it draws from its
own stream), after it they part in the block's direction.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import Probe, coast_legs

from sim.agents.population import Status
from sim.network import ROUTES
from sim.outputs.counters import FLOW_INDEX
from sim.scenario.build import build_model
from sim.scenario.loading import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SEEDS = (5, 6)

#: The blocks of the 2023 context, with the day each begins (and ends).
CONTEXT = {
    "italy_libya_coast_guard": ("departure_prevention", "2017-02-02", None),
    "algeria_expulsions": ("crackdown", "2014-12-01", None),
    "eu_tunisia_memorandum": ("departure_prevention", "2023-07-16", None),
    "tunisia_february_campaign": ("crackdown", "2023-02-21", "2023-04-30"),
    "tunisia_expulsions": ("crackdown", "2023-07-02", None),
    "serbia_visa_tunisia": ("visa_alignment", "2022-11-20", None),
    "serbia_visa_india": ("visa_alignment", "2023-01-01", None),
    "serbia_police_operation": ("departure_prevention", "2023-10-27", None),
    "serbia_smuggler_arrests": ("anti_smuggling", "2023-10-27", None),
    "hungary_pushbacks": ("pushbacks", "2016-07-05", None),
    "croatia_pushbacks": ("pushbacks", "2018-01-01", None),
    "evros_aegean_pushbacks": ("pushbacks", "2020-03-01", None),
    "bulgaria_pushbacks": ("pushbacks", "2016-01-01", None),
    "eu_turkiye_statement_returns": ("readmission_deal", "2016-03-20", "2020-03-15"),
    "eu_turkiye_resettlement": ("legal_pathway", "2016-04-04", None),
    "gambia_article_25a": ("visa_leverage", "2021-10-07", None),
}


class Snapshot(Probe):
    """Copies the run's cumulative split tables and flows on one day, before that day's legs
    end (so the copy holds the days before it)."""

    def __init__(self, day: int) -> None:
        self.day = day
        self.splits: dict = {}
        self.flows: np.ndarray | None = None

    def apply(self, model) -> None:
        if model.day == self.day:
            self.splits = {key: table.copy() for key, table in model.outcomes.splits.items()}
            self.flows = model.outcomes.flows.copy()


def _around(
    tmp_path: Path, date: str, switched_off: str | None, parameters: dict | None = None
) -> Path:
    """The baseline from 30 days before ``date`` for 60 days, at a small scale with a short
    warm-up; optionally with one of its blocks switched off, and other ``parameters``."""
    start = dt.date.fromisoformat(date) - dt.timedelta(days=30)
    variant = "_changed" if parameters else ""
    data = {
        "name": f"around_{date}_{switched_off or 'all'}{variant}",
        "extends": str(BASELINE),
        "start_date": start.isoformat(),
        "days": 60,
        "scale": 0.1,
        "parameters": {"warmup_days": 150, **(parameters or {})},
    }
    if switched_off is not None:
        data["policies"] = [{"id": switched_off, "enabled": False}]
    path = tmp_path / f"{data['name']}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _run(path: Path, seed: int, *probes: Probe) -> tuple:
    """Run one seed with a snapshot on day 30 (the block's date), and any other ``probes``; the
    model and the snapshot."""
    snapshot = Snapshot(30)
    model = build_model(load_scenario(path), seed)
    for probe in (snapshot, *probes):
        probe.setup(model)
        model.policies.append(probe)
    model.run()
    return model, snapshot


def _tunisia_sea(model, splits: dict) -> tuple[float, float]:
    """People intercepted at sea by Tunisia, and seats sold on Tunisia's sea legs, so far."""
    column = model.outcomes.categories["state_segment"].index("TUN:sea")
    intercepted = splits[("interceptions", "state_segment")][:, column].sum()
    sold = splits[("seats_sold", "state_segment")][:, column].sum()
    return float(intercepted), float(sold)


def test_the_baseline_carries_the_2023_policy_context_as_dated_blocks_with_sources():
    blocks = {block.id: block for block in load_scenario(BASELINE).policies}
    for block_id, (kind, start, end) in CONTEXT.items():
        block = blocks[block_id]
        assert block.type == kind and block.enabled
        assert block.start == dt.date.fromisoformat(start)
        assert block.end == (dt.date.fromisoformat(end) if end else None)
        assert block.source and len(block.source) > 40
    # Every block of the baseline is one of them, so none goes without a date and a source.
    assert set(blocks) == set(CONTEXT)


def _tunisia_shares_stopped(tmp_path: Path, parameters: dict | None = None) -> dict:
    """The share of seats sold on Tunisia's sea legs that end intercepted, in the 30 days before
    16 July 2023 and the 30 days after, with the memorandum's block and (after) without it."""
    with_block = _around(tmp_path, "2023-07-16", None, parameters)
    without = _around(tmp_path, "2023-07-16", "eu_tunisia_memorandum", parameters)
    shares = {"before": [], "after": [], "after_without": []}
    for seed in SEEDS:
        model, snap = _run(with_block, seed)
        other, other_snap = _run(without, seed)
        # Nothing differs before the memorandum's day: the block has not acted yet.
        assert np.array_equal(snap.flows, other_snap.flows)
        cut, cut_sold = _tunisia_sea(model, snap.splits)
        end, end_sold = _tunisia_sea(model, model.outcomes.splits)
        shares["before"].append(cut / cut_sold)
        shares["after"].append((end - cut) / (end_sold - cut_sold))
        o_cut, o_cut_sold = _tunisia_sea(other, other_snap.splits)
        o_end, o_end_sold = _tunisia_sea(other, other.outcomes.splits)
        shares["after_without"].append((o_end - o_cut) / (o_end_sold - o_cut_sold))
    return {key: float(np.mean(values)) for key, values in shares.items()}


def test_the_eu_tunisia_memorandum_holds_tunisias_rate_at_the_share_measured_after_16_july(
    tmp_path,
):
    # The block is a floor at 0.41, the share stopped measured in July-December 2023: Tunisia's
    # own rate (0.43, the year's) already passes it, so in the baseline it changes nothing.
    own = _tunisia_shares_stopped(tmp_path)
    assert own["before"] == pytest.approx(0.43, abs=0.06)
    assert own["after"] == pytest.approx(0.43, abs=0.06)
    assert own["after"] == pytest.approx(own["after_without"], abs=0.04)
    # Where a scenario lowers Tunisia's own rate, the memorandum holds it at 0.41 from its day.
    weak = _tunisia_shares_stopped(tmp_path, {"interception_rate": {"TUN": 0.2}})
    assert weak["before"] == pytest.approx(0.2, abs=0.06)
    assert weak["after"] == pytest.approx(0.41, abs=0.06)
    assert weak["after_without"] == pytest.approx(0.2, abs=0.06)


def test_serbias_police_operation_cuts_western_balkan_crossings_from_27_october(tmp_path):
    with_block = _around(tmp_path, "2023-10-27", None)
    without = _around(tmp_path, "2023-10-27", "serbia_police_operation")
    arrivals, wb = FLOW_INDEX["arrivals"], ROUTES.index("western_balkans")
    after, after_without = [], []
    for seed in SEEDS:
        model, snap = _run(with_block, seed)
        other, other_snap = _run(without, seed)
        assert np.array_equal(snap.flows, other_snap.flows)
        after.append(model.outcomes.flows[30:, arrivals, wb].sum())
        after_without.append(other.outcomes.flows[30:, arrivals, wb].sum())
    # Detections in the month after the operation began fall by a third or more against the
    # same month without it (Frontex: from 17,125 in October to 1,206 in November 2023).
    assert sum(after) < 0.67 * sum(after_without)


class TunisiaStock(Probe):
    """Counts, on one day, the people Tunisia's crackdown may round up there: the foreigners at
    its places who are not held, travelling, or registered with a Safe Mobility Office."""

    ROUNDED_UP = (Status.IN_TRANSIT, Status.WORKING, Status.WAITING_FOR_SEAT, Status.SETTLED)

    def __init__(self, day: int) -> None:
        self.day = day
        self.count = 0.0

    def apply(self, model) -> None:
        if model.day != self.day:
            return
        pop, net = model.population, model.net
        state = net.compiled.place_state[pop.place]
        tunisia = net.state_index["TUN"]
        tunisian = net.nationalities.index("TUN")
        here = (
            (state == tunisia)
            & (pop.nationality != tunisian)
            & np.isin(pop.status, self.ROUNDED_UP)
        )
        self.count = float(here.sum())  # agents, as the flows count them


def test_tunisias_expulsions_leave_a_share_of_its_foreigners_at_the_libyan_border_from_2_july(
    tmp_path,
):
    with_block = _around(tmp_path, "2023-07-02", None)
    without = _around(tmp_path, "2023-07-02", "tunisia_expulsions")
    expelled, cm = FLOW_INDEX["expelled"], ROUTES.index("central_med")
    extra, stock = [], []
    for seed in SEEDS:
        probe = TunisiaStock(30)
        model, snap = _run(with_block, seed, probe)
        other, other_snap = _run(without, seed)
        assert np.array_equal(snap.flows, other_snap.flows)
        extra.append(
            model.outcomes.flows[30:, expelled, cm].sum()
            - other.outcomes.flows[30:, expelled, cm].sum()
        )
        stock.append(probe.count)
    # 7% a month of the foreigners in Tunisia on the block's first day, give or take the
    # people who come and go during the month (AFP: 8,500 or more in June-September 2023).
    share = sum(extra) / sum(stock)
    assert 0.04 < share < 0.10, share


def _last_days_season(model) -> np.ndarray:
    """The season's weather table row for the run's last day (``model.day`` has moved past it)."""
    last = model.date - dt.timedelta(days=1)
    return model.seasons.weather_table[last.timetuple().tm_yday - 1]


def test_tunisias_february_campaign_lifts_the_seasons_hold_on_its_boats_until_april(tmp_path):
    # From President Saied's statement of 21 February 2023 to the end of April most of the
    # boats the winter would hold back leave Tunisia's coast (the National Guard: five times as
    # many stopped in January-March as a year before, "because there are many more departures").
    block = next(b for b in load_scenario(BASELINE).policies if b.id == "tunisia_february_campaign")
    assert block.weather_hold < 0.5
    with_block = _around(tmp_path, "2023-02-21", None)
    without = _around(tmp_path, "2023-02-21", "tunisia_february_campaign")
    sold, sold_without = [], []
    for seed in SEEDS:
        model, snap = _run(with_block, seed)
        other, other_snap = _run(without, seed)
        assert np.array_equal(snap.flows, other_snap.flows)
        sold.append(
            _tunisia_sea(model, model.outcomes.splits)[1] - _tunisia_sea(model, snap.splits)[1]
        )
        sold_without.append(
            _tunisia_sea(other, other.outcomes.splits)[1]
            - _tunisia_sea(other, other_snap.splits)[1]
        )
        # On the run's last day (22 March) the season holds back Tunisia's boats only by the
        # share the block leaves; western Libya's and, without the block, Tunisia's by all of it.
        tunisia, libya = coast_legs(model.net, "TUN"), coast_legs(model.net, "LBY_W")
        season = _last_days_season(model)
        assert tunisia.any() and libya.any() and np.all(season[tunisia] < 0.3)
        lifted = 1.0 - block.weather_hold * (1.0 - season[tunisia])
        assert np.allclose(model.seasons.weather[tunisia], lifted)
        assert np.array_equal(model.seasons.weather[libya], season[libya])
        assert np.array_equal(other.seasons.weather[tunisia], season[tunisia])
    # In the month after the statement at least half as many again set out from Tunisia.
    assert sum(sold) > 1.5 * sum(sold_without), (sold, sold_without)
    # After 30 April the season holds Tunisia's boats back again, as in any year.
    model, _ = _run(_around(tmp_path, "2023-05-15", None), SEEDS[0])
    tunisia = coast_legs(model.net, "TUN")
    season = _last_days_season(model)
    assert np.all(season[tunisia] < 1.0)
    assert np.array_equal(model.seasons.weather[tunisia], season[tunisia])
