"""Tests of actlib.checks.timing: the one clock of actlib."""

from __future__ import annotations

import math
import time

import pytest

from actlib.checks.timing import Timer, round_times


def test_timer_measures_a_sleep_in_wall_but_not_cpu_time():
    t = Timer()
    assert math.isnan(t.wall) and math.isnan(t.cpu)
    with t:
        time.sleep(0.05)
    assert 0.045 < t.wall < 1.0
    assert t.cpu < 0.04  # sleeping uses no CPU
    assert "wall=" in repr(t)


def test_timer_measures_cpu_work():
    with Timer() as t:
        deadline = time.perf_counter() + 0.05
        while time.perf_counter() < deadline:
            pass
    assert t.wall >= 0.05 and t.cpu > 0.01


def test_timer_records_even_when_the_block_raises():
    t = Timer()
    with pytest.raises(RuntimeError), t:
        raise RuntimeError("boom")
    assert t.wall >= 0


def test_round_times_interleaves_and_counts_calls():
    log: list[str] = []
    ta, tb = round_times(lambda: log.append("a"), lambda: log.append("b"), repeat=3, number=2)
    assert len(ta) == len(tb) == 3 and min(ta + tb) >= 0
    assert "".join(log) == "ab" + "aabb" * 3  # warm-up, then alternating rounds
    log.clear()
    round_times(lambda: log.append("a"), repeat=2, warmup=False)
    assert log == ["a", "a"]


def test_round_times_divides_by_number():
    (times,) = round_times(lambda: time.sleep(0.01), repeat=2, number=3, warmup=False)
    assert all(0.009 < t < 0.5 for t in times)


def test_round_times_can_count_cpu_time_only():
    """Sleeping takes wall-clock time but (almost) no CPU time of the process."""
    (wall,) = round_times(lambda: time.sleep(0.05), repeat=1, warmup=False)
    (cpu,) = round_times(lambda: time.sleep(0.05), repeat=1, warmup=False, cpu=True)
    assert wall[0] >= 0.045 and cpu[0] < 0.025


@pytest.mark.parametrize(
    ("args", "kwargs", "error"),
    [
        ((), {}, ValueError),
        ((1,), {}, TypeError),
        ((print,), {"repeat": 0}, ValueError),
        ((print,), {"number": 1.5}, TypeError),
        ((print,), {"repeat": True}, TypeError),
    ],
)
def test_round_times_rejects_bad_input(args, kwargs, error):
    with pytest.raises(error):
        round_times(*args, **kwargs)
