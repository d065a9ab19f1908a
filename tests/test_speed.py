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


def test_training_cost_of_the_baseline_is_one_and_work_shows():
    costs = speed.training_cost(["relu", "identity", "mish"], n=2**18, repeat=3)
    assert costs["relu"].relative == pytest.approx(1.0, rel=0.5)
    # the identity does no arithmetic; mish computes an exponential, a log and a tanh
    assert costs["identity"].relative < costs["mish"].relative


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
