"""Randomness for fair comparisons: named streams, and per-person draws by hashing.

Scenarios are compared with the same seeds (common random numbers). For that to work, switching
a policy on must not shift anyone else's luck, so randomness comes in two kinds, both keyed by
the run's seed and never by Python's ``hash()``:

- :meth:`RandomStreams.draws`: the uniform a person draws for a process on a day is a hash (the
  splitmix64 mixer) of (seed, process, person, day), not the next number of a shared sequence.
  The same person meeting the same hazard on the same day draws the same number in every
  scenario run with that seed, however many other people a policy moved.
- :meth:`RandomStreams.stream`: processes that are not per person (how many set out, the
  smugglers' monthly arrests) each have their own generator, keyed by the process's name.
"""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    """The random processes of one run with seed ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}

    def stream(self, name: str) -> np.random.Generator:
        """The generator of one random process, keyed by its name and the run's seed.

        Streams are created once and kept: ``stream("departures")`` is the same generator all
        run.
        """
        rng = self._streams.get(name)
        if rng is None:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode("utf-8"))])
            self._streams[name] = rng
        return rng

    def draws(self, name: str, people: np.ndarray, day: int) -> np.ndarray:
        """One uniform in [0, 1) per person of ``people`` for process ``name`` on ``day``."""
        key = np.uint64((self.seed * 0x9E3779B97F4A7C15 + zlib.crc32(name.encode())) % 2**64)
        with np.errstate(over="ignore"):
            x = people.astype(np.uint64) * np.uint64(0xD1B54A32D192ED03)
            x ^= np.uint64(day) * np.uint64(0xBF58476D1CE4E5B9) + key
            x ^= x >> np.uint64(30)
            x *= np.uint64(0xBF58476D1CE4E5B9)
            x ^= x >> np.uint64(27)
            x *= np.uint64(0x94D049BB133111EB)
            x ^= x >> np.uint64(31)
        return (x >> np.uint64(11)).astype(np.float64) * (1.0 / 2**53)
