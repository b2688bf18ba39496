"""The typed parameter set: defaults and a scenario's overrides, validated once, as arrays."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conftest import make_scenario

from sim.config.parameters import Parameters, build_parameters
from sim.config.specs import default_parameter_values, parameter_specs
from sim.network import NO_ROUTE, ROUTES, load_network
from sim.scenario.build import scenario_parameters

NETWORK = load_network()


def test_every_parameter_of_the_file_is_a_typed_field_and_nothing_else():
    fields = {f.name: f.type for f in dataclasses.fields(Parameters)}
    specs = parameter_specs()
    assert set(fields) == set(specs)
    for name, spec in specs.items():
        expected = "Array" if spec.keyed else ("int" if spec.integer else "float")
        assert fields[name] == expected, name


def test_keyed_overrides_merge_per_key_into_arrays_on_the_network_ids():
    defaults = build_parameters(NETWORK)
    origin = NETWORK.origin_places[3]
    scenario = make_scenario({"departure_rate": {origin: 123}, "give_up_base": 0.25})
    params = scenario_parameters(scenario, NETWORK)
    k = NETWORK.origin_places.index(origin)
    assert params.departure_rate[k] == 123
    others = np.arange(len(NETWORK.origin_places)) != k
    assert np.array_equal(params.departure_rate[others], defaults.departure_rate[others])
    assert params.give_up_base == 0.25
    untouched = [f.name for f in dataclasses.fields(Parameters)]
    # (make_scenario switches the warm-up off unless told otherwise.)
    untouched = [n for n in untouched if n not in ("departure_rate", "give_up_base", "warmup_days")]
    for name in untouched:
        assert np.array_equal(getattr(params, name), getattr(defaults, name)), name


def test_ids_not_listed_take_the_files_default_and_the_no_route_slot_too():
    raw = default_parameter_values()["interception_rate"]
    spec = parameter_specs()["interception_rate"]
    params = build_parameters(NETWORK)
    for k, state in enumerate(NETWORK.state_ids):
        assert params.interception_rate[k] == raw.get(state, spec.default), state
    amplitude = default_parameter_values()["sea_weather_amplitude"]
    assert len(params.sea_weather_amplitude) == len(ROUTES) + 1
    assert (
        params.sea_weather_amplitude[NO_ROUTE] == parameter_specs()["sea_weather_amplitude"].default
    )
    assert params.sea_weather_amplitude[ROUTES.index("atlantic")] == amplitude["atlantic"]


def test_whole_number_parameters_are_ints_and_the_set_cannot_be_changed():
    params = build_parameters(NETWORK)
    assert isinstance(params.work_spell_days, int)
    assert isinstance(params.give_up_base, float)
    with pytest.raises(dataclasses.FrozenInstanceError):
        params.give_up_base = 0.5  # type: ignore[misc]
    with pytest.raises(ValueError):
        params.departure_rate[0] = 1.0


def test_default_parameter_values_are_valid_overrides_of_themselves():
    make_scenario(default_parameter_values())
