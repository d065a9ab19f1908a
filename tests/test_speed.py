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
        assert r.actlib_s > 0 and r.torch_s > 0 and r.naive_s > 0
        # one round: the ratios are those of the round's times
        assert r.vs_naive == pytest.approx(r.actlib_s / r.naive_s)
        assert r.ratio == r.vs_torch == pytest.approx(r.actlib_s / r.torch_s)
    vector = [r for r in rows if not actlib.get(r.name).shape.derivative_is_gradient]
    assert vector and all(r.quantity == "forward" for r in vector)
    md = speed.to_markdown(rows)
    assert md.count("\n") == 1 + len(rows)


def test_ratios_are_medians_of_per_round_ratios(monkeypatch):
    """The arithmetic, with the clock replaced (the times themselves depend on the load)."""
    times = [[1.0, 4.0, 9.0], [1.0, 1.0, 1.0], [2.0, 8.0, 3.0]]
    monkeypatch.setattr(speed, "round_times", lambda *fns, repeat, cpu: times)
    medians, ratios = speed._ratios([print, print, print], repeat=3)
    assert medians == (4.0, 1.0, 3.0)
    assert ratios == (4.0, 0.5)  # per round 1, 4, 9 and 0.5, 0.5, 3


def test_naive_is_the_textbook_formula_in_the_input_dtype():
    sigmoid = actlib.get("sigmoid")
    x = np.array([-1.0, 0.0, 2.0], dtype=np.float32)
    out = sigmoid.naive("forward", x, {})
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, 1 / (1 + np.exp(-x)))
    # without a naive formula, the spec's own NumPy code, in the input's dtype
    relu = actlib.get("relu")
    np.testing.assert_array_equal(relu.naive("derivative", x, {}), np.float32([0, 0, 1]))
    elu = actlib.get("elu")
    assert elu.naive("forward", x, elu.resolve({"alpha": 2.0})).dtype == np.float32


def _row(name, ratio, dtype="float32", quantity="forward"):
    return speed.SpeedRow(name, dtype, quantity, 10, ratio, 1.0, 1.0, ratio, ratio)


def test_summary_judges_the_goal_on_entrywise_activations_only():
    entrywise = actlib.names(entrywise=True)
    other = actlib.names(entrywise=False)[0]
    rows = [_row(entrywise[0], 1.0), _row(entrywise[1], 1.4), _row(other, 50.0)]
    s = speed.summarize(rows)
    assert s.count == 2 and s.median == pytest.approx(1.2) and s.met and not s.misses
    rows.append(_row(entrywise[2], 2.5, quantity="derivative"))
    s = speed.summarize(rows)
    assert not s.met and [r.name for r in s.misses] == [entrywise[2]]
    assert s.worst.name == entrywise[2]
    slow = [_row(n, 1.6) for n in entrywise[:3]]
    assert not speed.summarize(slow).met and not speed.summarize(slow).misses  # median > 1.5
    with pytest.raises(ValueError, match="entry alone"):
        speed.summarize([_row(other, 1.0)])


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
