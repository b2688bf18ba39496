"""Randomness for fair comparisons: named streams, and per-person draws by hashing.

Scenarios are compared with the same seeds (common random numbers). For that to work, switching
a policy on must not shift anyone else's luck, so randomness comes in two kinds, both keyed by
the run's seed and never by Python's ``hash()``:

- :meth:`RandomStreams.draws`: the uniform a person draws for a process on a day is a hash (the
  splitmix64 mixer) of (seed, process, person key, day), not the next number of a shared
  sequence. The same person meeting the same hazard on the same day draws the same number in
  every scenario run with that seed, however many other people a policy moved.
  :meth:`RandomStreams.trait` is the same without the day: a person's lasting attributes.
- :meth:`RandomStreams.stream`: processes that are not per person (the smugglers' monthly
  arrests, the rounding of fractional seats, a day's return capacity) each have their own
  generator, keyed by the process's name.

A person's *key* (:func:`person_keys`) says who they are independently of the row they occupy:
the origin and day they set out and their rank among those setting out from there that day. A
policy that changes how many set out from one place shifts nobody else's key, so everyone else
keeps their draws.

A run can also be continued from another's state with a new seed (a sweep's shared warm-up):
:meth:`RandomStreams.branch` gives the new seed's streams and daily draws from the branch day
on, while the lasting traits of people who set out before it stay what they were (they are the
same people; a trait drawn anew would change who they are half-way through their journey).
"""

from __future__ import annotations

import functools
import zlib

import numpy as np
from scipy import special

#: Added to days before hashing, so that days before the run (the warm-up's, negative) hash too.
DAY_OFFSET = 1 << 20
#: The "day" hashed for a person's lasting traits (beyond any real day).
TRAIT_DAY = (1 << 22) - 1
#: The multipliers and shifts of the splitmix64 mixer (as numpy scalars, made once).
_MIX = tuple(np.uint64(m) for m in (0xD1B54A32D192ED03, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB))
_SHIFT = tuple(np.uint64(s) for s in (30, 27, 31, 11))


def person_keys(day: int, places: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Keys of the people setting out on ``day``: ``counts[k]`` of them from ``places[k]``, in
    that order. A key packs the day, the place and the rank within that place and day."""
    n = int(counts.sum())
    rank = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)
    place = np.repeat(places, counts).astype(np.uint64)
    return first_key(day) | (place << np.uint64(24)) | rank.astype(np.uint64)


def first_key(day: int) -> np.uint64:
    """The lowest key of anyone setting out on ``day``: keys order people by the day they
    set out (the day is the key's highest bits)."""
    return np.uint64(day + DAY_OFFSET) << np.uint64(40)


def poisson_quantile(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson numbers by inverse CDF: for each ``u`` in [0, 1), the smallest ``k`` with
    ``P(K <= k) >= u`` for ``K ~ Poisson(mean)`` (``mean`` per element, 0 allowed).

    The probabilities are summed up to 12 standard deviations above the largest mean, beyond
    which the tail is negligible (a few hundred terms a day for the origins' daily means)."""
    mean = np.asarray(mean, dtype=float)
    largest = float(mean.max(initial=0.0))
    terms = 64 * (int(largest + 12.0 * np.sqrt(largest) + 20.0) // 64 + 1)  # few sizes: cached
    k, log_factorial = _log_factorials(terms)
    log_mean = np.log(np.maximum(mean, 1e-300))[:, None]
    cdf = np.cumsum(np.exp(k * log_mean - mean[:, None] - log_factorial), axis=1)
    return (cdf < np.asarray(u)[:, None]).sum(axis=1)


@functools.lru_cache(maxsize=8)
def _log_factorials(terms: int) -> tuple[np.ndarray, np.ndarray]:
    """``k = 0..terms-1`` and ``log k!`` (cached: the same few sizes every day)."""
    k = np.arange(terms)
    return k, special.gammaln(k + 1)


class RandomStreams:
    """The random processes of one run with seed ``seed``."""

    def __init__(self, seed: int) -> None:
        self.seed = int(seed)
        self._streams: dict[str, np.random.Generator] = {}
        self._keys: dict[str, int] = {}  # each process's hashed name
        # After a branch: the first key of the branch day, and the streams whose traits the
        # people with lower keys (who set out before it) keep.
        self._earlier: tuple[np.uint64, RandomStreams] | None = None

    def branch(self, seed: int, day: int) -> RandomStreams:
        """The streams of a run continued from this one's state on ``day`` with ``seed``.

        Everything drawn from ``day`` on (generators, daily draws, the traits of people who
        set out from then on) is ``seed``'s; the traits of people who set out before ``day``
        stay this run's."""
        branched = RandomStreams(seed)
        branched._earlier = (first_key(day), self)
        return branched

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

    def draws(self, name: str, keys: np.ndarray, day: int) -> np.ndarray:
        """One uniform in [0, 1) per person key of ``keys`` for process ``name`` on ``day``."""
        if len(keys) == 0:
            return np.empty(0)
        return _mix(keys, np.uint64(self._salt(name, day)))

    def draws_each(self, names: tuple[str, ...], keys: np.ndarray, day: int) -> np.ndarray:
        """:meth:`draws` for several processes at once: row ``k`` of the result is
        ``draws(names[k], keys, day)``."""
        salts = np.array([self._salt(name, day) for name in names], dtype=np.uint64)
        return _mix(keys, salts[:, None])

    def _salt(self, name: str, day: int) -> int:
        """The (day, process) salt, in Python integers modulo 2**64 (numpy arrays wrap
        silently)."""
        key = self._keys.get(name)
        if key is None:
            key = (self.seed * 0x9E3779B97F4A7C15 + zlib.crc32(name.encode())) % 2**64
            self._keys[name] = key
        return ((day + DAY_OFFSET) * 0xBF58476D1CE4E5B9 + key) % 2**64

    def trait(self, name: str, keys: np.ndarray) -> np.ndarray:
        """One uniform per person key for a lasting attribute ``name`` (every day the same)."""
        return self.traits((name,), keys)[0]

    def traits(self, names: tuple[str, ...], keys: np.ndarray) -> np.ndarray:
        """:meth:`trait` for several attributes at once: row ``k`` is ``trait(names[k], keys)``."""
        traits = self.draws_each(names, keys, TRAIT_DAY - DAY_OFFSET)
        if self._earlier is not None:
            branch_key, earlier = self._earlier
            older = keys.astype(np.uint64, copy=False) < branch_key
            if older.any():
                traits[:, older] = earlier.traits(names, keys[older])
        return traits


def _mix(keys: np.ndarray, salt: np.uint64 | np.ndarray) -> np.ndarray:
    """Uniforms in [0, 1) from person ``keys`` and a ``salt`` (or a column of salts: a row of
    uniforms per salt), by the splitmix64 mixer."""
    x = np.bitwise_xor(keys.astype(np.uint64, copy=False) * _MIX[0], salt)
    x ^= x >> _SHIFT[0]
    x *= _MIX[1]
    x ^= x >> _SHIFT[1]
    x *= _MIX[2]
    x ^= x >> _SHIFT[2]
    x >>= _SHIFT[3]
    return x.astype(np.float64) * (1.0 / 2**53)
