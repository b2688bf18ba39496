"""A warm-up shared by several runs: the model brought to its start date once, then copied.

Every run simulates ``warmup_days`` before its start date so that the network holds people in
transit when counting begins (docs/model.md); in a baseline year that is three quarters of the
run. Runs that differ only by their seed (a sweep's replications of one design point) can
share it: :func:`warm_up` simulates the warm-up once, and :func:`branch` gives a copy of the
model on its start date that goes on with another seed.

What branches share, and what they do not:

- they share the whole state on the start date: who is where, their budgets, the queues, the
  smugglers' prices and the states' stance, all as the warm-up's seed left them; and the
  lasting traits of everyone who set out during the warm-up
  (:meth:`~sim.rules.randomness.RandomStreams.branch`: they are the same people);
- from the start date on each has its own seed: every daily draw, every process's generator,
  the traits of everyone who sets out from then on, and Mesa's own generators
  (``model.random``, ``model.rng``; the model does not use them, they are reseeded so that
  nothing random is shared by accident).

A branch with the warm-up's own seed is not reseeded: it is exactly the run
:func:`~sim.execution.runner.simulate` gives for that seed.

The copy (:func:`copy_model`) is a pickle round trip in memory that keeps numpy views views.
Neither ``copy.deepcopy`` nor a plain pickle does: each copies a view as an array of its own,
so a table written through one name and read through another (the counters' ``flows`` are a
view of their ``_flows``) silently parts in two. Here a view is pickled as its base and where
it lies in it, and every view of one base shares the one copied base. Every stage of the
day is a bound method of the model or of one of its parts, so the copy's stages act on the
copy. Its arrays also keep numpy's own dtype objects: a plain pickle gives each array a new
one, equal but not numpy's, and ``np.add.at`` then takes a path ten times slower (a copy's
run was 7% slower than the original's). A baseline model at scale 0.1 (130,000 agents)
copies in about 20 ms.
"""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

from sim.execution.runner import check_run_options
from sim.model.model import MigrationModel
from sim.scenario.build import build_model
from sim.scenario.loading import Scenario


def warm_up(
    scenario: Scenario,
    seed: int,
    days: int | None = None,
    scale: float | None = None,
    breakdowns: bool = True,
) -> MigrationModel:
    """``scenario``'s model with ``seed`` after its warm-up: its state on the start date,
    before day 0 is stepped (``days`` and ``scale`` default to the scenario's; ``breakdowns``
    as in :func:`~sim.scenario.build.build_model`)."""
    check_run_options(days=days, scale=scale)
    model = build_model(scenario, seed, days, scale, breakdowns=breakdowns)
    while model.day < 0:
        model.step()
    return model


def branch(model: MigrationModel, seed: int) -> MigrationModel:
    """A copy of ``model`` that goes on from its current day with ``seed``; ``model`` is left
    as it was. With the model's own seed the copy continues exactly as the model would."""
    copied = copy_model(model)
    if seed != copied.seed:
        copied.random_streams = copied.random_streams.branch(seed, copied.day)
        copied.seed = int(seed)
        copied.reset_rng(seed)
        copied.reset_randomizer(seed)
    return copied


def copy_model(model: MigrationModel) -> MigrationModel:
    """A deep copy of ``model`` whose numpy views are views of the copy's arrays, as the
    originals are of the model's."""
    buffer = io.BytesIO()
    _ViewKeepingPickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(model)
    return pickle.loads(buffer.getbuffer())


class _ViewKeepingPickler(pickle.Pickler):
    """Pickles a view of a numpy array as its base (pickled once, like any object) and its
    place in it, so that views of one array stay views of one array; and a plain numeric dtype
    by its name, so that it is numpy's own dtype object again when unpickled."""

    def reducer_override(self, obj: Any) -> Any:
        if isinstance(obj, np.dtype) and obj.kind in "biufc" and obj.names is None:
            # numpy's own reduction makes a new dtype object, equal to numpy's but not it,
            # which sends ufunc.at (np.add.at) down a path ten times slower.
            return np.dtype, (obj.str,)
        if type(obj) is not np.ndarray or not isinstance(obj.base, np.ndarray):
            return NotImplemented
        base = obj.base
        if base.dtype.hasobject or not (base.flags.c_contiguous or base.flags.f_contiguous):
            return NotImplemented
        offset = obj.__array_interface__["data"][0] - base.__array_interface__["data"][0]
        return _view, (base, obj.dtype, obj.shape, offset, obj.strides, obj.flags.writeable)


def _view(
    base: np.ndarray,
    dtype: np.dtype,
    shape: tuple[int, ...],
    offset: int,
    strides: tuple[int, ...],
    writeable: bool,
) -> np.ndarray:
    """The view of ``base`` that :class:`_ViewKeepingPickler` described."""
    memory = base.reshape(-1, order="A").view(np.uint8)
    view = np.ndarray(shape, dtype, buffer=memory, offset=offset, strides=strides)
    view.flags.writeable = writeable and base.flags.writeable
    return view
