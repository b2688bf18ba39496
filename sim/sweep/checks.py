"""The checks of a sweep file that need the base scenario: factors, design and outputs.

Each check raises a :class:`~sim.errors.UserError` through the file's ``error(loc, text)``,
which names the file, line and key (``source`` is a :class:`sim.sweep.loading.SweepFile`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sim.config.types import default_network, suggestion
from sim.errors import UserError
from sim.network import ROUTES
from sim.scenario.loading import Scenario, scenario_from_dict
from sim.sweep.design import DesignSpec, Factor, design_size
from sim.sweep.outputs import OUTPUT_METRICS, STATISTICS, Output
from sim.sweep.paths import PathError, Target, apply, resolve
from sim.sweep.schema import RESERVED, FactorModel, OutputModel

ROUTE_IDS = (*ROUTES, "all")
#: The most design points a sweep may have (a typo in `samples` should not start a year).
MAX_POINTS = 1_000_000


def check_factor(
    source: Any,
    name: str,
    factor: FactorModel,
    method: str,
    base: dict[str, Any],
    section: str = "factors",
) -> tuple[Factor, Target]:
    """The design's :class:`Factor` and the scenario :class:`Target` of one factor, after
    checking its path, the kind of value it takes and every value it can take. ``section`` is
    the file's key the factors are under (a calibration file's free parameters are factors
    under ``parameters``)."""
    loc = (section, name)
    try:
        target = resolve(factor.path, base, default_network())
    except PathError as err:
        raise source.error((*loc, "path"), str(err)) from None
    if isinstance(target.base, dict) and factor.mode == "set":
        raise source.error((*loc, "path"), (
            f"'{factor.path}' has one value per id; add the id to the path (e.g. "
            f"{factor.path}.{next(iter(target.base))}), or use `mode: multiply` to scale "
            "every id's value"))  # fmt: skip
    if target.kind in ("boolean", "text") and (factor.range is not None or factor.mode != "set"):
        what = "a switch (true or false)" if target.kind == "boolean" else "a word"
        example = "[false, true]" if target.kind == "boolean" else "[a, b]"
        raise source.error(
            (*loc, "range" if factor.range else "mode"),
            (f"'{factor.path}' takes {what}; give `values: {example}` (with `mode: set`)"),
        )
    if factor.mode == "multiply" and factor.values is not None:
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in factor.values):
            raise source.error((*loc, "values"), "with `mode: multiply` the values are numbers")
    if factor.mode == "multiply" and target.base is None:
        raise source.error(
            (*loc, "mode"),
            (f"'{factor.path}' has no value in the base scenario to multiply; use `mode: set`"),
        )
    _check_levels(source, loc, factor, method)
    built = Factor(
        name=name,
        low=factor.range[0] if factor.range else None,
        high=factor.range[1] if factor.range else None,
        values=tuple(factor.values) if factor.values is not None else None,
        distribution=factor.distribution,
        peak=factor.peak,
        mean=factor.mean,
        sd=factor.sd,
        levels=factor.levels,
        integer=target.kind == "integer" and factor.mode == "set",
    )
    for key, value in _candidates(built):
        _check_value(source, (*loc, *key), base, name, target, factor.mode, value)
    return built, target


def _check_levels(source: Any, loc: tuple, factor: FactorModel, method: str) -> None:
    if factor.range is None:
        if factor.levels is not None:
            raise source.error((*loc, "levels"), "`levels` spaces a range; a list has its values")
        return
    low, high = factor.range
    if method == "grid":
        if factor.levels is None:
            raise source.error((*loc, "range"), (
                "a range in a grid design needs `levels` (how many evenly spaced values, "
                "ends included), or give `values`"))  # fmt: skip
        if factor.distribution != "uniform":
            raise source.error((*loc, "distribution"), (
                "a grid spaces a range's levels evenly; distributions are for the samplers "
                "(lhs, sobol, morris, fast)"))  # fmt: skip
    elif factor.levels is not None:
        raise source.error(
            (*loc, "levels"),
            (f"`levels` is only for the grid design; the {method} design samples the range"),
        )
    if factor.distribution == "loguniform" and low <= 0:
        raise source.error((*loc, "range"), "a loguniform range must be above 0")
    if factor.distribution == "triangular" and not low <= factor.peak <= high:
        raise source.error((*loc, "peak"), f"peak {factor.peak} must lie in the range")


def _candidates(factor: Factor) -> list[tuple[tuple, Any]]:
    """(key, value) of the values to try: a list's values, a range's ends."""
    if factor.discrete:
        return [(("values", i), v) for i, v in enumerate(factor.values)]
    ends = [factor.value_of(factor.low), factor.value_of(factor.high)]
    return [(("range", i), v) for i, v in enumerate(ends)]


def _check_value(
    source: Any, loc: tuple, base: dict, name: str, target: Target, mode: str, value: Any
) -> None:
    data = apply(base, {name: target}, {name: mode}, {name: value})
    try:
        scenario_from_dict(data)
    except UserError as err:
        shown = "true" if value is True else "false" if value is False else value
        verb = f"multiplying {target.text} by {shown}" if mode == "multiply" else (
            f"{shown} at {target.text}")  # fmt: skip
        inner = str(err).removeprefix("<scenario data>: ")
        raise source.error(loc, f"{verb} does not give a valid scenario: {inner}") from None


def check_design(source: Any, spec: DesignSpec, factors: list[Factor]) -> None:
    """The design's sample size and options suit its method and the factors."""
    loc = ("design",)
    if spec.method == "grid":
        if spec.samples is not None:
            raise source.error(
                (*loc, "samples"),
                ("a grid has one point per combination of levels; leave `samples` out"),
            )
    elif spec.samples is None:
        raise source.error((*loc, "method"), f"the {spec.method} design needs `samples`")
    if spec.method == "sobol" and spec.samples & (spec.samples - 1):
        below = 1 << (spec.samples.bit_length() - 1)
        raise source.error((*loc, "samples"), (
            f"{spec.samples} is not a power of 2; Sobol' sequences need one (e.g. {below} or "
            f"{below * 2})"))  # fmt: skip
    if spec.method == "fast" and spec.samples <= 4 * spec.fast_terms**2:
        raise source.error((*loc, "samples"), (
            f"FAST needs more than 4 x fast_terms² = {4 * spec.fast_terms**2} samples per "
            f"factor, got {spec.samples}"))  # fmt: skip
    if spec.method == "morris" and spec.morris_levels % 2:
        raise source.error((*loc, "morris_levels"), "Morris needs an even number of levels")
    if spec.method == "lhs" and spec.samples < 2:
        raise source.error((*loc, "samples"), "a Latin hypercube needs at least 2 samples")
    points = design_size(factors, spec)
    if points > MAX_POINTS:
        raise source.error((*loc,), (
            f"the design has {points:,} points, more than {MAX_POINTS:,}; use fewer levels "
            "or samples"))  # fmt: skip


def expand_outputs(
    source: Any, blocks: list[OutputModel], scenario: Scenario, days: int, factors: set[str]
) -> list[Output]:
    """Every output of the ``outputs`` blocks (lists of metrics and routes expanded)."""
    start = scenario.start_date
    last = start + timedelta(days=days - 1)
    outputs: list[Output] = []
    seen: dict[str, int] = {}
    for i, block in enumerate(blocks):
        loc = ("outputs", i)
        metrics = block.metric if isinstance(block.metric, list) else [block.metric]
        routes = block.route if isinstance(block.route, list) else [block.route]
        if block.name is not None and (len(metrics) > 1 or len(routes) > 1):
            raise source.error((*loc, "name"), "`name` is for one metric on one route")
        first_day, last_day, suffix = _window(source, loc, block.window, start, last)
        for metric in metrics:
            if metric not in OUTPUT_METRICS:
                raise source.error((*loc, "metric"), f"'{metric}' is not a metric" + suggestion(
                    metric, OUTPUT_METRICS, noun="metrics"))  # fmt: skip
            allowed = STATISTICS[OUTPUT_METRICS[metric].kind]
            statistic = block.statistic or allowed[0]
            if statistic not in allowed:
                raise source.error((*loc, "statistic"), (
                    f"'{statistic}' does not apply to {metric} (a {OUTPUT_METRICS[metric].kind});"
                    f" valid statistics: {', '.join(allowed)}"))  # fmt: skip
            for route in routes:
                if route not in ROUTE_IDS:
                    raise source.error((*loc, "route"), f"'{route}' is not a route" + suggestion(
                        route, ROUTE_IDS, noun="routes"))  # fmt: skip
                name = block.name or f"{metric}.{route}{suffix}"
                if name in seen or name in factors or name in RESERVED:
                    taken = f"outputs[{seen[name]}]" if name in seen else "a factor or column"
                    raise source.error((*loc,), (
                        f"output '{name}' is already taken by {taken}; give a `name` or "
                        "another window"))  # fmt: skip
                seen[name] = i
                outputs.append(Output(name, metric, route, first_day, last_day, statistic))
    return outputs


def _window(
    source: Any, loc: tuple, window: list[date] | None, start: date, last: date
) -> tuple[int, int, str]:
    if window is None:
        return 0, (last - start).days, ""
    first, end = window
    for j, day in enumerate(window):
        if not start <= day <= last:
            raise source.error(
                (*loc, "window", j), (f"{day} is outside the run, which covers {start} to {last}")
            )
    if end < first:
        raise source.error((*loc, "window"), f"the window ends ({end}) before it starts ({first})")
    return (first - start).days, (end - start).days, f".{first}..{end}"
