"""Stopping cleanly on Ctrl-C, ``kill`` and a closed terminal.

Python turns SIGINT into :class:`KeyboardInterrupt`, but SIGTERM (``kill``, a job scheduler's
time limit, ``docker stop``) and SIGHUP (the terminal closed) kill the process at once: no
``finally`` runs, worker processes are left behind and nothing says what was kept. Inside
:func:`interruptible`, all three raise :class:`Interrupted` (a ``KeyboardInterrupt``) in the main
thread instead, so the code that was running unwinds: the process pool stops its workers
(:func:`sim.execution.pool.run_tasks`) and the command says what it kept and how to resume.

Python runs a signal handler wherever the main thread is, and an exception raised while it runs
a weakref callback or a ``__del__`` (the garbage collector's work, at any moment) is printed and
dropped: the command would carry on and end as if never stopped. So a stop signal is also
remembered until the outermost block is entered again: :func:`raise_if_stopped`, called at a
safe point (each finished task of the pool, once its result is kept), raises it again.

An exception raised by a handler can also land between a lock's acquisition and the ``with``
that would release it (in :func:`concurrent.futures.wait`, for one): the lock stays held, and
the thread that needs it next (the process pool's own) waits for ever. Code that waits on other
threads runs inside :func:`deferred`, where a stop signal is only remembered, and takes it with
:func:`raise_if_stopped` at points where it holds no lock.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: The signals that stop a command: Ctrl-C, ``kill`` (default signal), a closed terminal.
STOP_SIGNALS: tuple[signal.Signals, ...] = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


#: Seconds between two checks for a stop signal remembered inside :func:`deferred`.
STOP_CHECK_SECONDS = 0.1


class Interrupted(KeyboardInterrupt):
    """A stop signal received (SIGINT, SIGTERM or SIGHUP); ``exit_code`` is 128 + its number,
    as a shell reports a process killed by it."""

    def __init__(self, signum: int) -> None:
        self.signum = int(signum)
        self.name = signal.Signals(signum).name
        super().__init__(self.name)

    @property
    def exit_code(self) -> int:
        """128 + the signal's number (130 for SIGINT, 143 for SIGTERM)."""
        return 128 + self.signum


def _restore(previous: dict) -> None:
    for sig, handler in previous.items():
        # None: a handler not set from Python; the default is the closest we can restore.
        signal.signal(sig, signal.SIG_DFL if handler is None else handler)


#: The stop signals received within the outermost block (see the module's docstring), and
#: how deep the blocks are nested now.
_received: list[int] = []
_depth = [0]


def _raise(signum: int, _frame: FrameType | None) -> None:
    _received.append(int(signum))
    raise Interrupted(signum)


def _remember(signum: int, _frame: FrameType | None) -> None:
    _received.append(int(signum))


def raise_if_stopped() -> None:
    """Raise :class:`Interrupted` again if a stop signal was received within the outermost
    block: its first exception may have been dropped (see the module's docstring)."""
    if _received:
        raise Interrupted(_received[-1])


@contextlib.contextmanager
def interruptible() -> Iterator[None]:
    """Within the block, a stop signal raises :class:`Interrupted`; the previous handlers are
    restored after it. Outside the main thread (where Python cannot set handlers) it does
    nothing. Blocks may nest; entering the outermost one forgets the signals of an earlier
    one."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    if _depth[0] == 0:
        _received.clear()
    _depth[0] += 1
    previous = {sig: signal.signal(sig, _raise) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        _restore(previous)
        _depth[0] -= 1


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Within the block, a stop signal raises nothing: it is remembered, and the block's code
    takes it with :func:`raise_if_stopped` where it holds no lock (see the module's docstring);
    the previous handlers are restored after it. Outside the main thread it does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, _remember) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        _restore(previous)


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """Within the block, stop signals are ignored (so that cleaning up after a first signal
    is not cut short by a second); the previous handlers are restored after it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in STOP_SIGNALS}
    try:
        yield
    finally:
        _restore(previous)
