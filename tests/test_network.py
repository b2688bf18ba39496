"""Tests for sim/network.py and sim/maps.py: the route network data, its compiled arrays,
scenario overrides, the summary views and the map."""

from __future__ import annotations

import csv
import json
import re
import shutil
from collections import defaultdict

import matplotlib
import networkx as nx
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Annotation, Text

from sim.analysis.plots import flow_map_figure
from sim.commands.network import ids_text
from sim.config.types import suggestion
from sim.errors import UserError
from sim.network import DATA_DIR, KINDS, MODES, ROUTES, load_network, summary_text, to_json
from sim.network.describe import with_network_tables
from sim.network.maps import draw_network

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def net():
    return load_network()


def _of_kind(net, kind):
    return [p["id"] for p in net.places if p["kind"] == kind]


# --------------------------------------------------------------------------- size and content


def test_network_has_the_planned_size(net):
    assert len(net.places) == 92
    assert len(net.legs) == 162
    counts = {k: len(_of_kind(net, k)) for k in KINDS}
    assert counts == {"origin": 20, "hub": 26, "departure": 22, "entry": 18, "destination": 6}


def test_destinations_cover_the_five_main_countries(net):
    countries = {net.graph.nodes[p]["country"] for p in _of_kind(net, "destination")}
    assert countries == {"DEU", "FRA", "ITA", "ESP", "AUT", "CYP"}


def test_legs_per_route(net):
    per_route = defaultdict(int)
    for leg in net.legs:
        per_route[leg["route"]] += 1
    assert dict(per_route) == {
        "": 53,
        "central_med": 45,
        "western_balkans": 15,
        "atlantic": 24,
        "western_med": 11,
        "eastern_med": 14,
    }


# --------------------------------------------------------------------------- graph structure


def test_every_origin_reaches_a_destination(net):
    destinations = set(_of_kind(net, "destination"))
    for origin in _of_kind(net, "origin"):
        assert destinations & nx.descendants(net.graph, origin), origin


def test_every_place_lies_on_an_origin_to_destination_path(net):
    reachable = set()
    for origin in _of_kind(net, "origin"):
        reachable |= nx.descendants(net.graph, origin) | {origin}
    leads_to_destination = set()
    for destination in _of_kind(net, "destination"):
        leads_to_destination |= nx.ancestors(net.graph, destination) | {destination}
    assert set(net.place_ids) - reachable == set()
    assert set(net.place_ids) - leads_to_destination == set()


def test_route_switching_links_exist(net):
    g = net.graph
    for source, target in [
        ("tripoli", "benghazi"),  # western to eastern Libya
        ("benghazi", "tripoli"),
        ("tamanrasset", "sfax"),  # Algeria to Tunisia
        ("bamako", "nouakchott"),  # Mali to Mauritania (Atlantic)
        ("bamako", "niamey"),  # Mali to Niger (Central Med)
        ("casablanca", "laayoune"),  # Morocco to the Canaries ...
        ("casablanca", "tangier"),  # ... or to mainland Spain
        ("thessaloniki", "gevgelija"),  # Greece to North Macedonia
        ("izmir", "calabria"),  # Turkiye to Italy by sea
    ]:
        assert g.has_edge(source, target), (source, target)
    assert nx.has_path(g, "lesvos", "munich")
    assert nx.has_path(g, "dhaka", "lampedusa")


def test_each_route_has_departure_crossing_and_eu_entry_legs(net):
    for route in ROUTES:
        legs = [leg for leg in net.legs if leg["route"] == route]
        entries = [leg for leg in legs if leg["crossing"] == "eu_entry"]
        assert entries, route
        # Cyprus is both where people enter and, for some, where they mean to stay.
        kinds = {net.graph.nodes[leg["target"]]["kind"] for leg in entries}
        assert kinds <= ({"entry", "destination"} if route == "eastern_med" else {"entry"}), route
        assert any(leg["crossing"] == "border" for leg in legs), route
    for route in ("central_med", "atlantic", "western_med", "eastern_med"):
        sea_departures = [
            leg
            for leg in net.legs
            if leg["route"] == route
            and leg["mode"] == "sea"
            and leg["crossing"] == "eu_entry"
            and net.graph.nodes[leg["source"]]["kind"] == "departure"
        ]
        assert len(sea_departures) >= 3, route
    balkan_entries = {
        leg["id"]
        for leg in net.legs
        if leg["route"] == "western_balkans" and leg["crossing"] == "eu_entry"
    }
    assert balkan_entries == {"subotica-szeged", "belgrade-zagreb", "bihac-zagreb"}


def test_frontex_route_attribution_of_entries(net):
    by_id = {leg["id"]: leg for leg in net.legs}
    assert by_id["izmir-calabria"]["route"] == "central_med"
    assert by_id["tobruk-crete"]["route"] == "eastern_med"
    assert by_id["edirne-evros"]["route"] == "eastern_med"
    assert by_id["edirne-harmanli"]["route"] == "eastern_med"
    assert by_id["nador-melilla"]["route"] == "western_med"
    assert by_id["tarfaya-lanzarote"]["route"] == "atlantic"
    assert by_id["thessaloniki-gevgelija"]["crossing"] == "border"
    # Legs inside the EU are not counted on any route and are no EU entries.
    c = net.compiled
    inside = np.flatnonzero(c.place_is_eu[c.leg_source] & c.place_is_eu[c.leg_target])
    assert len(inside) == 34
    assert np.all(c.leg_route[inside] == -1) and not c.leg_eu_entry[inside].any()


def test_western_sahara_places_are_controlled_by_morocco(net):
    for place in ("laayoune", "dakhla"):
        assert net.graph.nodes[place]["country"] == "ESH"
    assert net.graph.edges["dakhla", "gran_canaria"]["controlled_by"] == ["MAR", "ESP"]


# --------------------------------------------------------------------------- values


def test_coordinates_lie_in_the_region_and_countries_are_right(net):
    for place in net.places:
        assert -5 <= place["lat"] <= 60, place["id"]
        # Dhaka (90.4 E) is the one place east of 80 E; the map pins it to the edge.
        assert -30 <= place["lon"] <= (95 if place["id"] == "dhaka" else 80), place["id"]
    nodes = net.graph.nodes
    assert nodes["agadez"]["country"] == "NER" and 16 < nodes["agadez"]["lat"] < 18
    assert nodes["lampedusa"]["country"] == "ITA" and 12 < nodes["lampedusa"]["lon"] < 13
    assert nodes["sfax"]["country"] == "TUN" and nodes["tobruk"]["country"] == "LBY_E"
    assert nodes["evros"]["country"] == "GRC" and nodes["bihac"]["country"] == "BIH"
    assert nodes["nouadhibou"]["lon"] < nodes["gran_canaria"]["lon"]


def test_sea_death_risks_follow_the_iom_orders_of_magnitude(net):
    def mean_risk(route, mode):
        risks = [
            leg["death_risk"] for leg in net.legs if leg["route"] == route and leg["mode"] == mode
        ]
        return float(np.mean(risks))

    assert 0.01 <= mean_risk("central_med", "sea") <= 0.02
    assert 0.015 <= mean_risk("atlantic", "sea") <= 0.03
    assert 0.01 <= mean_risk("western_med", "sea") <= 0.02
    assert mean_risk("eastern_med", "sea") <= 0.005
    assert mean_risk("western_balkans", "land") <= 0.0005
    assert net.graph.edges["mbour", "el_hierro"]["death_risk"] == pytest.approx(0.035)


def test_prices_come_from_the_facts_table(net):
    edges = net.graph.edges
    assert (
        edges["agadez", "sebha"]["price_min_eur"],
        edges["agadez", "sebha"]["price_max_eur"],
    ) == (
        230,
        460,
    )
    assert (
        edges["subotica", "szeged"]["price_min_eur"]
        <= 2350
        <= edges["subotica", "szeged"]["price_max_eur"]
    )
    assert edges["izmir", "calabria"]["price_max_eur"] == 8000
    assert edges["sfax", "lampedusa"]["distance_km"] == 160
    assert edges["nouadhibou", "gran_canaria"]["distance_km"] == 800
    assert all(leg["price_max_eur"] >= leg["price_min_eur"] >= 0 for leg in net.legs)
    assert all(leg["source_note"] for leg in net.legs)


def test_nationality_shares_sum_to_one(net):
    totals = defaultdict(float)
    for row in net.origins:
        totals[row["place"]] += row["share"]
    assert set(totals) == set(_of_kind(net, "origin"))
    assert all(total == pytest.approx(1.0) for total in totals.values())
    assert {"CIV", "GIN", "EGY", "PAK", "BGD", "TUN", "SYR", "MAR", "SEN", "AFG", "TUR"} <= set(
        net.nationalities
    )
    assert net.nationalities == sorted(net.nationalities)


def test_states_cover_every_country_and_the_eu(net):
    used = {p["country"] for p in net.places} | {o["nationality"] for o in net.origins}
    used |= {s for leg in net.legs for s in leg["controlled_by"]}
    assert used | {"EU"} == set(net.state_ids)
    states = {s["id"]: s for s in net.states}
    assert states["ITA"]["eu_member"] and not states["TUN"]["eu_member"]
    assert states["GMB"]["remittances_pct_gdp"] > 20


# --------------------------------------------------------------------------- compiled arrays


def test_compiled_csr_matches_the_graph(net):
    c = net.compiled
    assert c.n_places == net.graph.number_of_nodes() and c.n_legs == net.graph.number_of_edges()
    assert c.out_start.dtype == np.int32 and c.out_start.shape == (c.n_places + 1,)
    assert c.out_start[0] == 0 and c.out_start[-1] == c.n_legs
    assert np.all(np.diff(c.out_start) >= 0)
    order = np.lexsort((c.leg_target, c.leg_source))
    assert np.array_equal(order, np.arange(c.n_legs))
    for p, place in enumerate(net.place_ids):
        out = slice(c.out_start[p], c.out_start[p + 1])
        assert np.all(c.leg_source[out] == p)
        targets = {net.place_ids[t] for t in c.leg_target[out]}
        assert targets == set(net.graph.successors(place))
    for k, leg_id in enumerate(net.leg_ids):
        assert leg_id == f"{net.place_ids[c.leg_source[k]]}-{net.place_ids[c.leg_target[k]]}"
        assert net.leg_index[leg_id] == k


def test_compiled_attributes(net):
    c = net.compiled
    k = net.leg_index["tripoli-lampedusa"]
    assert MODES[c.leg_mode[k]] == "sea" and ROUTES[c.leg_route[k]] == "central_med"
    assert c.leg_eu_entry[k] and c.leg_border[k] and c.leg_smuggled[k]
    assert net.state_ids[c.leg_controller[k]] == "LBY_W"
    assert c.leg_days[k] == 2 and c.leg_death_risk[k] == pytest.approx(0.012)
    assert c.leg_price_min[k] == 1100 and c.leg_price_max[k] == 1800
    k = net.leg_index["sicily-rome"]
    assert c.leg_route[k] == -1 and not c.leg_border[k] and c.leg_controller[k] == -1
    assert c.leg_days.dtype == np.int32 and c.leg_days.min() >= 1
    assert not c.leg_closed.any()
    p = net.place_index["lampedusa"]
    assert KINDS[c.place_kind[p]] == "entry" and c.place_is_eu[p]
    assert net.state_ids[c.place_state[p]] == "ITA"
    assert c.place_route_mask[p] == 1 << ROUTES.index("central_med")
    assert not c.place_is_eu[net.place_index["belgrade"]]


# --------------------------------------------------------------------------- overrides and errors


def test_overrides_close_a_leg_and_change_values():
    net = load_network(
        {
            "legs": {
                "subotica-szeged": {"closed": True, "death_risk": 0.01, "price_max_eur": 5000}
            },
            "places": {"agadez": {"name": "Agadez (Niger)", "lat": 17.0}},
        }
    )
    k = net.leg_index["subotica-szeged"]
    assert net.compiled.leg_closed[k] and net.compiled.leg_closed.sum() == 1
    assert net.compiled.leg_death_risk[k] == pytest.approx(0.01)
    assert net.compiled.leg_price_max[k] == 5000
    assert net.graph.nodes["agadez"]["name"] == "Agadez (Niger)"
    assert net.compiled.place_lat[net.place_index["agadez"]] == 17.0
    assert "subotica-szeged" in summary_text(net)
    # The cached base data is not changed by overrides.
    fresh = load_network()
    assert not fresh.compiled.leg_closed.any()
    assert fresh.graph.nodes["agadez"]["name"] == "Agadez"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"legs": {"subotica-szegd": {"closed": True}}}, "did you mean subotica-szeged"),
        ({"places": {"atlantis": {"lat": 1.0}}}, "unknown place id 'atlantis'"),
        ({"legs": {"subotica-szeged": {"capacity": 3}}}, "cannot be overridden"),
        ({"legs": {"subotica-szeged": {"death_risk": 1.5}}}, "probability"),
        ({"legs": {"subotica-szeged": {"days": "two"}}}, "must be a number"),
        ({"routes": {}}, "unknown section"),
    ],
)
def test_bad_overrides_raise_user_errors(overrides, message):
    with pytest.raises(UserError, match=message):
        load_network(overrides)


def _broken_copy(tmp_path, file_name, edit):
    for name in ("places.csv", "legs.csv", "origins.csv", "states.csv", "changes.csv"):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    path = tmp_path / file_name
    with path.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    edit(rows)
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return tmp_path


@pytest.mark.parametrize(
    ("file_name", "edit", "message"),
    [
        ("legs.csv", lambda rows: rows[0].update(target="nowhere"), r"legs.csv row 2 .*nowhere"),
        ("places.csv", lambda rows: rows[3].update(kind="camp"), r"places.csv row 5 .*camp"),
        ("legs.csv", lambda rows: rows[1].update(mode="boat"), r"legs.csv row 3 .*boat"),
        ("origins.csv", lambda rows: rows[0].update(share="0.5"), r"sum to 0.5"),
        ("states.csv", lambda rows: rows.pop(), r"not in states.csv"),
        ("states.csv", lambda rows: rows[20].update(gdp_usd_bn="-3"), r"states.csv row 22 .*gdp"),
        ("legs.csv", lambda rows: rows[0].update(segment="sea"), r"legs.csv row 2 .*segment"),
        ("legs.csv", lambda rows: rows[0].update(fence="1"), r"legs.csv row 2 .*fence"),
        ("changes.csv", lambda rows: rows[0].update(target="khartoum-mars"), r"changes.csv row 2"),
        ("changes.csv", lambda rows: rows[-1].update(attribute="mood"), r"not one of"),
        ("changes.csv", lambda rows: rows[-1].update(date="26 Nov 2023"), r"YYYY-MM-DD"),
        ("changes.csv", lambda rows: rows[0].update(value="2"), r"value must be in 0..1"),
    ],
)
def test_bad_data_files_raise_user_errors_naming_file_and_row(tmp_path, file_name, edit, message):
    data_dir = _broken_copy(tmp_path, file_name, edit)
    with pytest.raises(UserError, match=message):
        load_network(data_dir=data_dir)


# --------------------------------------------------------------------------- views


def test_summary_text_lists_routes_kinds_and_modes(net):
    text = summary_text(net)
    assert "92 places, 162 legs" in text
    for word in (*ROUTES, *KINDS, *MODES):
        assert word in text


def test_to_json_round_trips(net):
    document = json.loads(json.dumps(to_json(net)))
    assert len(document["places"]) == 92 and len(document["legs"]) == 162
    assert document["legs"][0]["id"] == net.leg_ids[0]
    assert {"origins", "states", "routes"} <= set(document)


def test_draw_network_writes_a_png(net, tmp_path):
    from sim.network.maps import draw_network

    path = tmp_path / "maps" / "network.png"
    draw_network(net, path, title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 50_000


def test_draw_network_with_leg_values_on_axes(net, tmp_path):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from sim.network.maps import draw_network

    figure = Figure(figsize=(8, 5))
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    values = np.linspace(-100, 100, net.compiled.n_legs)
    assert draw_network(net, ax, leg_values=values, title="diff", diverging=True) is ax
    assert ax.get_title() == "diff"
    figure.savefig(tmp_path / "diff.png")
    with pytest.raises(ValueError, match="leg_values"):
        draw_network(net, ax, leg_values=np.ones(3))


# --------------------------------------------------------------------------- the 2023 map


def test_libya_is_split_between_its_western_and_eastern_authorities(net):
    nodes, edges = net.graph.nodes, net.graph.edges
    assert {nodes[p]["country"] for p in ("tripoli", "zuwara", "sabratha")} == {"LBY_W"}
    assert {nodes[p]["country"] for p in ("benghazi", "tobruk", "kufra", "sebha")} == {"LBY_E"}
    assert edges["zuwara", "lampedusa"]["controlled_by"] == ["LBY_W", "ITA"]
    assert edges["tobruk", "sicily"]["controlled_by"] == ["LBY_E", "ITA"]
    assert "LBY" not in net.state_ids


def test_ceuta_and_melilla_are_fences_and_no_flight_is_a_fence(net):
    fences = {leg["id"] for leg in net.legs if leg["fence"]}
    assert fences == {"tangier-ceuta", "nador-melilla"}
    assert all(net.graph.edges[f.split("-")[0], f.split("-")[1]]["mode"] == "land" for f in fences)


def test_cyprus_and_malta_can_be_reached_and_left(net):
    g = net.graph
    assert g.has_edge("tripoli_lebanon", "cyprus") and g.has_edge("damascus", "tripoli_lebanon")
    assert g.edges["tripoli_lebanon", "cyprus"]["crossing"] == "eu_entry"
    for source, target in (("malta", "rome"), ("cyprus", "athens"), ("athens", "rome")):
        assert g.edges[source, target]["smuggled"], (source, target)  # forged documents
    assert nx.has_path(g, "cyprus", "munich") and nx.has_path(g, "malta", "paris")
    for a, b in (("rome", "munich"), ("paris", "vienna"), ("munich", "madrid")):
        assert nx.has_path(g, a, b), (a, b)  # moving on inside the EU


def test_segments_match_modes_and_the_sahara_is_desert(net):
    for leg in net.legs:
        assert {"sea": "sea", "air": "air"}.get(leg["segment"], "land") == leg["mode"], leg["id"]
    by_id = {leg["id"]: leg for leg in net.legs}
    for leg_id in ("agadez-sebha", "khartoum-kufra", "tamanrasset-sebha", "sebha-tripoli"):
        assert by_id[leg_id]["segment"] == "desert"
    assert by_id["edirne-evros"]["segment"] == "land_border"


def test_the_years_dated_changes(net):
    changes = {c["id"]: c for c in net.changes}
    war = [c for c in net.changes if c["id"].startswith("sudan_war")]
    assert war and {c["date"].isoformat() for c in war} == {"2023-04-15"}
    assert changes["niger_repeal"]["date"].isoformat() == "2023-11-26"
    assert changes["niger_repeal"]["target"] == "NER" and changes["niger_repeal"]["value"] < 0
    # Serbia's police operation of 27 Oct 2023 is a policy block of scenarios/baseline.yaml.
    assert "serbia_operation" not in changes
    assert [c["date"] for c in net.changes] == sorted(c["date"] for c in net.changes)
    moved = load_network({"changes": {"niger_repeal": {"enabled": False, "date": "2023-07-26"}}})
    repeal = next(c for c in moved.changes if c["id"] == "niger_repeal")
    assert not repeal["enabled"] and repeal["date"].isoformat() == "2023-07-26"
    with pytest.raises(UserError, match="unknown change id 'niger'"):
        load_network({"changes": {"niger": {"enabled": False}}})


def test_state_data_name_their_source_and_year(net):
    for state in net.states:
        if state["eu_member"]:
            continue
        source = state["source"]
        assert "WDI 2023" in source or "assumption" in source, state["id"]
        assert np.isnan(state["gdp_usd_bn"]) == (state["id"] == "ESH"), state["id"]


def test_docs_network_tables_are_generated_from_the_data(net):
    page = (DATA_DIR.parents[1] / "docs" / "network.md").read_text(encoding="utf-8")
    assert with_network_tables(page, net) == page, "docs/network.md is stale; run `make docs`"


def test_network_ids_lists_every_id_a_scenario_may_name_and_hints_point_to_it(net):
    text = ids_text(net)
    listed = set(re.findall(r"^\s+([\w-]+) \(", text, flags=re.M))
    assert set(net.place_ids) <= listed and set(net.state_ids) <= listed
    assert set(net.leg_ids) <= listed
    assert all(n in text for n in net.nationalities)
    assert "network --ids" in suggestion("agadz", net.place_ids, noun="place ids")


def _label_overlaps(ax) -> tuple[int, list[tuple[str, str]]]:
    """The place labels on a drawn map and the pairs whose text boxes overlap."""
    canvas = FigureCanvasAgg(ax.figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    boxes = [
        (t.get_text(), Text.get_window_extent(t, renderer))  # the text, not its leader line
        for t in ax.texts
        if isinstance(t, Annotation) and "Natural Earth" not in t.get_text()
    ]
    pairs = [
        (a, b) for i, (a, box) in enumerate(boxes) for b, other in boxes[i + 1 :]
        if box.overlaps(other)
    ]  # fmt: skip
    return len(boxes), pairs


@pytest.mark.parametrize("where", ["report", "network map"])
def test_map_labels_do_not_overlap_and_route_colours_have_a_legend(net, tmp_path, where):
    flows = np.linspace(0.0, 5000.0, net.compiled.n_legs)
    if where == "report":
        ax = flow_map_figure(net, flows, "flows", diverging=False).axes[0]
    else:
        ax = draw_network(net, tmp_path / "map.png")
    labels, overlapping = _label_overlaps(ax)
    assert labels == len(net.places)
    assert overlapping == []
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {"Central Mediterranean", "Western Balkans", "Atlantic"} <= set(legend)
