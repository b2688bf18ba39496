"""Safe Mobility Offices as the seeds describe them: the US offices' record by default,
eligibility by presence, cut-off date, labour pathway and digital access, referral then travel,
and counts per office and pathway in the outputs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from conftest import make_model

from sim.policies import safe_mobility_office

START = dt.date(2023, 1, 1)
OFFICES = ["agadez", "tunis", "sebha", "tripoli"]


def office(**config) -> dict:
    """An office block at the busiest transit places, everyone aware of it."""
    return {"type": "safe_mobility_office", "places": OFFICES, "awareness": 1.0, **config}


def test_the_defaults_follow_the_us_offices_record():
    config = safe_mobility_office.Config(type="safe_mobility_office", places=["agadez"])
    # facts.md: over 172,600 applications in four countries in about 18 months; about 27,400
    # referred; about 7,600 arrived by late 2024.
    assert config.capacity_per_month == pytest.approx(172_600 / 4 / 18, rel=0.05)
    assert config.approval_rate == pytest.approx(27_400 / 172_600, abs=0.01)
    assert config.travel_delay_days >= 120
    assert config.eligibility.online_registration


def test_about_the_referral_share_is_referred_and_they_travel_after_the_delay():
    block = office(processing_days=10, travel_delay_days=40)
    model = make_model(days=150, scale=0.02, policies=[block], check=True)
    model.run()
    counts = model.policies[0].counts
    decided = counts["approved"] + counts["rejected"]
    assert counts["approved"] / decided == pytest.approx(0.16, abs=0.03)
    daily = model.outcomes.daily_table()["legal_admissions"][:, -1]
    assert daily[:51].sum() == 0  # 10 days to decide, 40 more to travel
    assert daily[51:].sum() > 0


def test_online_registration_reaches_fewer_people_and_fewer_of_the_vulnerable():
    applied = {}
    for online in (False, True):
        block = office(eligibility={"online_registration": online,
                                    "digital_access": 0.8,
                                    "digital_access_protection_need": 0.3})  # fmt: skip
        model = make_model(days=60, scale=0.02, policies=[block], check=False)
        model.run()
        pop = model.population
        who = pop.smo_applied
        applied[online] = (who.sum(), pop.protection_need[who].mean())
    assert applied[True][0] < 0.8 * applied[False][0]
    assert applied[True][1] < 0.7 * applied[False][1]  # the vulnerable are left out more


def test_the_cut_off_is_on_presence_in_the_offices_country():
    cutoff = START + dt.timedelta(days=40)
    block = office(eligibility={"registered_before": cutoff.isoformat()}, start="2023-03-01")
    model = make_model(days=120, scale=0.02, policies=[block], check=False)
    model.run()
    pop = model.population
    applied = pop.smo_applied
    assert applied.sum() > 0
    assert np.all(pop.in_country_since[applied] < 40)
    # Some who set out after the cut-off were present in time; some before were not.
    present = pop.in_country_since < 40
    assert np.any(present & (pop.set_out_day >= 0))


def test_counts_per_office_and_pathway_reach_the_outputs():
    block = office(processing_days=5, travel_delay_days=5, approval_rate=0.6,
                   eligibility={"online_registration": False})  # fmt: skip
    model = make_model(days=90, scale=0.02, policies=[block], check=True)
    model.run()
    table = model.outcomes.breakdown_frame("test", 1)
    rows = table[table["route"] == "all"]

    def split(metric: str, by: str) -> dict[str, float]:
        part = rows[(rows["metric"] == metric) & (rows["by"] == by)]
        return dict(zip(part["category"], part["value"], strict=True))

    applications = split("smo_applications", "place")
    assert set(applications) <= set(OFFICES) and len(applications) >= 3
    assert sum(applications.values()) == pytest.approx(model.policies[0].counts["applied"])
    referred = split("smo_referrals", "place")
    assert sum(referred.values()) == pytest.approx(model.policies[0].counts["approved"])
    by_pathway = split("legal_admissions", "pathway")
    assert set(by_pathway) <= {"resettlement", "humanitarian", "family", "labour"}
    assert sum(by_pathway.values()) == pytest.approx(model.admissions.persons())
