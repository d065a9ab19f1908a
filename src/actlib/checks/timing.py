"""Measuring durations: the one place where actlib reads a clock.

:class:`Timer` measures one block of code (wall-clock and process CPU time);
:func:`round_times` measures several callables in interleaved rounds, so that a load spike on a
shared machine slows all of them alike. The speed comparison, the cost column of the comparison
table, the epoch times of training and the explorer benchmark all use these two.

>>> with Timer() as t:
...     _ = sum(range(1000))
>>> t.wall >= 0 and t.cpu >= 0
True
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Callable
from types import TracebackType
from typing import Any

__all__ = ["Timer", "round_times"]


class Timer:
    r"""Context manager measuring the wall-clock and CPU time of its block, in seconds.

    .. math::
        \text{wall} = t_\text{exit} - t_\text{enter}

    on ``time.perf_counter`` (monotonic, highest resolution), and ``cpu`` likewise on
    ``time.process_time`` (CPU time of all threads of this process: on a busy machine the
    wall time also counts waiting for a core, the CPU time does not). Both are NaN until the
    block has finished.

    Attributes:
        wall: elapsed wall-clock seconds.
        cpu: elapsed process CPU seconds.

    >>> with Timer() as t:
    ...     _ = [i * i for i in range(100)]
    >>> 0 <= t.wall < 1
    True
    """

    __slots__ = ("_cpu0", "_wall0", "cpu", "wall")

    def __init__(self) -> None:
        self.wall = math.nan
        self.cpu = math.nan

    def __enter__(self) -> Timer:
        self._cpu0 = time.process_time()
        self._wall0 = time.perf_counter()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.wall = time.perf_counter() - self._wall0
        self.cpu = time.process_time() - self._cpu0

    def __repr__(self) -> str:
        return f"Timer(wall={self.wall:.6g} s, cpu={self.cpu:.6g} s)"


def round_times(
    *fns: Callable[[], Any],
    repeat: int = 7,
    number: int = 1,
    warmup: bool = True,
    cpu: bool = False,
) -> list[list[float]]:
    r"""Seconds per call of each of ``fns``, measured in ``repeat`` interleaved rounds.

    Round :math:`r` times ``number`` calls of ``fns[0]``, then of ``fns[1]``, and so on; the
    entry for function :math:`i` in round :math:`r` is

    .. math::
        t_{i,r} = \frac{1}{\text{number}} \sum_{k=1}^{\text{number}} \text{(time of call } k)

    Alternating the functions makes load from other processes affect all of them alike;
    summarise the rounds with the median (typical time) or the minimum (least disturbed).

    Args:
        fns: callables without arguments.
        repeat: number of rounds (>= 1).
        number: calls per function and round (>= 1); use more for very short calls.
        warmup: call each function once before timing (imports, caches, first-touch
            allocation).
        cpu: measure the CPU time of the process (:attr:`Timer.cpu`) instead of wall-clock
            time: for single-threaded work on a shared machine it leaves out the waits for a
            free core.

    Returns:
        One list of ``repeat`` times per function, in the order of ``fns``.

    Raises:
        TypeError: a function is not callable, or ``repeat``/``number`` is not an integer.
        ValueError: no function, or ``repeat``/``number`` < 1.

    >>> calls = []
    >>> (times,) = round_times(lambda: calls.append(1), repeat=3, number=2)
    >>> len(times), len(calls)  # one warm-up call, then 3 rounds of 2 calls
    (3, 7)
    """
    if not fns:
        raise ValueError("give at least one function to time")
    for fn in fns:
        if not callable(fn):
            raise TypeError(f"expected callables, got {type(fn).__name__}")
    for value, label in ((repeat, "repeat"), (number, "number")):
        if isinstance(value, bool) or not isinstance(value, numbers.Integral):
            raise TypeError(f"{label} must be an integer, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{label} must be >= 1, got {value}")
    if warmup:
        for fn in fns:
            fn()
    times: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for fn, out in zip(fns, times, strict=True):
            with Timer() as t:
                for _ in range(number):
                    fn()
            out.append((t.cpu if cpu else t.wall) / number)
    return times
