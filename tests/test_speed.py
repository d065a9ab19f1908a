"""The speed comparison runs for every registered activation and reports sane numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import actlib
from actlib.checks import speed


def test_compare_covers_the_registry():
    rows = speed.compare(n=2_000, dtypes=(np.float32,), repeat=1)
    assert {r.name for r in rows} == set(actlib.names())
    for r in rows:
        assert r.actlib_s > 0 and r.torch_s > 0
        assert r.ratio == r.actlib_s / r.torch_s
    vector = [r for r in rows if not actlib.get(r.name).shape.derivative_is_gradient]
    assert vector and all(r.quantity == "forward" for r in vector)
    md = speed.to_markdown(rows)
    keys = {(r.name, r.quantity) for r in rows}
    assert md.count("\n") == 1 + len(keys)


def test_interleaved_takes_medians_of_alternating_rounds():
    log: list[str] = []
    a, b = speed._interleaved(lambda: log.append("a"), lambda: log.append("b"), repeat=3)
    assert a >= 0 and b >= 0
    assert "".join(log) == "ab" + "ab" * 3


def test_training_cost_covers_the_entrywise_activations_relative_to_the_baseline():
    threads = torch.get_num_threads()
    state = torch.random.get_rng_state()
    costs = speed.training_cost(n=4_096, repeat=1)
    assert list(costs) == actlib.names(entrywise=True)
    for name, c in costs.items():
        assert c.name == name and c.n == 4_096
        assert c.seconds > 0 and math.isfinite(c.relative) and c.relative > 0
        assert c.ns_per_element == pytest.approx(1e9 * c.seconds / c.n)
    assert torch.get_num_threads() == threads
    assert torch.equal(torch.random.get_rng_state(), state)  # RReLU's draws do not leak


def test_training_cost_is_the_median_of_per_round_ratios(monkeypatch):
    """The arithmetic, with the clock replaced: timings themselves are not asserted (they
    depend on the load of the machine), only what training_cost makes of them."""
    rounds = iter([([1.0, 2.0, 4.0], [2.0, 2.0, 20.0]), ([1.0, 1.0, 1.0], [0.5, 0.25, 1.0])])
    monkeypatch.setattr(speed, "_cpu_rounds", lambda base, act, repeat, number: next(rounds))
    costs = speed.training_cost(["mish", "identity"], n=64, repeat=3)
    assert costs["mish"].relative == 2.0 and costs["mish"].seconds == 2.0  # ratios 2, 1, 5
    assert costs["identity"].relative == 0.5 and costs["identity"].seconds == 0.5


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"n": 0}, ValueError),
        ({"repeat": 1.5}, TypeError),
        ({"number": 0}, ValueError),
        ({"seed": -1}, ValueError),
        ({"seed": 0.5}, TypeError),
        ({"selection": "relu"}, TypeError),
        ({"selection": ["nope"]}, ValueError),
        ({"baseline": "rleu"}, ValueError),
    ],
)
def test_training_cost_rejects_bad_input(kwargs, error):
    with pytest.raises(error):
        speed.training_cost(**{"n": 10, "repeat": 1, **kwargs})


def test_training_cost_refuses_units_that_take_two_halves():
    gated = actlib.names(entrywise=False)
    with pytest.raises(ValueError, match="entry alone"):
        speed.training_cost(gated[:1], n=10, repeat=1)
