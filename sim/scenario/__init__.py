"""Scenario files: YAML loading, inheritance, the schema, clear errors, the generated reference."""

from sim.scenario.loading import Scenario, load_scenario, scenario_from_dict

__all__ = ["Scenario", "load_scenario", "scenario_from_dict"]
