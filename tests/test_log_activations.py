"""Log-sigmoid and log-softmax: known values, limits, the Jacobian, properties and bad input."""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actlib

LOGSIG = actlib.get("log_sigmoid")
LOGSM = actlib.get("log_softmax")
SOFTMAX = actlib.get("softmax")


def exact_log_sigmoid(x: float) -> float:
    with mpmath.workdps(80):
        return float(-mpmath.log1p(mpmath.exp(-mpmath.mpf(x))))


def exact_sigmoid(x: float) -> float:
    with mpmath.workdps(80):
        return float(1 / (1 + mpmath.exp(-mpmath.mpf(x))))


# ---------------------------------------------------------------------- log-sigmoid
def test_log_sigmoid_is_exact_far_left():
    assert LOGSIG.forward(-1000.0) == -1000.0
    assert LOGSIG.forward(np.float32(-100.0)) == np.float32(-100.0)
    assert LOGSIG.forward(-1e300) == -1e300


@pytest.mark.parametrize("x", [-745.0, -40.0, -1.5, -1e-8, 1e-8, 0.75, 20.0, 40.0, 700.0])
def test_log_sigmoid_and_its_derivative_keep_relative_accuracy(x):
    assert LOGSIG.forward(x) == pytest.approx(exact_log_sigmoid(x), rel=4e-16)
    assert LOGSIG.derivative(x) == pytest.approx(exact_sigmoid(-x), rel=4e-16)


def test_log_sigmoid_known_values_and_limits():
    assert LOGSIG.forward(0.0) == pytest.approx(-math.log(2.0), rel=1e-16)
    assert LOGSIG.derivative(0.0) == 0.5
    np.testing.assert_array_equal(LOGSIG.forward([-np.inf, np.inf]), [-np.inf, 0.0])
    np.testing.assert_array_equal(LOGSIG.derivative([-np.inf, np.inf]), [1.0, 0.0])
    assert LOGSIG.limits() == (-math.inf, 0.0) and LOGSIG.limits("derivative") == (1.0, 0.0)
    assert np.isnan(LOGSIG.forward(np.nan)) and np.isnan(LOGSIG.derivative(np.nan))


def test_log_sigmoid_derivative_matches_autograd_in_the_tails():
    xs = np.array([-700.0, -50.0, -1.0, 0.0, 1.0, 36.0, 50.0, 700.0])
    t = torch.tensor(xs, requires_grad=True)
    (g,) = torch.autograd.grad(torch.nn.functional.logsigmoid(t).sum(), t)
    np.testing.assert_allclose(LOGSIG.derivative(xs), g.numpy(), rtol=1e-14, atol=0)


def test_log_sigmoid_is_log_of_sigmoid_where_that_is_accurate(rng):
    xs = rng.uniform(-30.0, 0.0, 500)  # σ ≤ 1/2: log σ is well conditioned there
    sig = actlib.get("sigmoid").forward(xs)
    np.testing.assert_allclose(LOGSIG.forward(xs), np.log(sig), rtol=1e-14)


def test_naive_log_sigmoid_fails_where_the_stable_one_does_not():
    with np.errstate(over="ignore", divide="ignore"):
        assert LOGSIG.naive_forward(np.array([-1000.0]))[0] == -np.inf
        assert LOGSIG.naive_derivative(np.array([40.0]))[0] == 0.0
    assert LOGSIG.derivative(40.0) > 0


# ---------------------------------------------------------------------- log-softmax
def test_log_softmax_of_huge_and_tiny_logits():
    np.testing.assert_array_equal(LOGSM.forward([1000.0, 0.0, -1000.0]), [0.0, -1000.0, -2000.0])
    out = LOGSM.forward([40.0, 0.0])
    assert out[0] == pytest.approx(exact_log_sigmoid(40.0), rel=4e-16)
    assert out[0] < 0 and out[1] == pytest.approx(-40.0 + exact_log_sigmoid(40.0), rel=1e-16)


def test_log_softmax_ties_and_float32():
    np.testing.assert_allclose(LOGSM.forward([3.0, 3.0]), [-math.log(2.0)] * 2, rtol=1e-16)
    x32 = np.array([10.0, -5.0, 0.5], dtype=np.float32)
    out = LOGSM.forward(x32)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, LOGSM.forward(x32.astype(np.float64)).astype(np.float32))


def test_log_softmax_limits_are_the_logs_of_softmax_limits():
    x = np.array(
        [
            [np.inf, np.inf, 0.0],
            [-np.inf, 0.0, 1.0],
            [np.nan, 0.0, 1.0],
            [-np.inf, -np.inf, -np.inf],
            [np.inf, -np.inf, 5.0],
        ]
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            out = LOGSM.forward(x)
            jac = LOGSM.derivative(x)
    np.testing.assert_array_equal(out[0], [-math.log(2.0), -math.log(2.0), -np.inf])
    assert out[1, 0] == -np.inf
    np.testing.assert_allclose(out[1, 1:], LOGSM.forward([0.0, 1.0]), rtol=1e-16)
    assert np.isnan(out[2]).all() and np.isnan(out[3]).all()
    np.testing.assert_array_equal(out[4], [0.0, -np.inf, -np.inf])
    with np.errstate(divide="ignore"):  # log(0) = -inf is the limit being compared
        logs = np.log(SOFTMAX.forward(x[[0, 1, 4]]))
    np.testing.assert_allclose(out[[0, 1, 4]], logs, rtol=1e-15)
    np.testing.assert_array_equal(jac[4], np.eye(3) - SOFTMAX.forward(x[4])[None, :])
    assert np.isnan(jac[2]).all() and np.isnan(jac[3]).all()


def test_log_softmax_along_other_axes_and_empty_input(rng):
    x = rng.normal(size=(3, 4, 5))
    for axis in (0, 1, -1):
        expected = np.moveaxis(LOGSM.forward(np.moveaxis(x, axis, -1)), -1, axis)
        np.testing.assert_array_equal(LOGSM.forward(x, axis=axis), expected)
    assert LOGSM.derivative(x, axis=1).shape == (3, 5, 4, 4)
    assert LOGSM.forward(np.empty((2, 0))).shape == (2, 0)
    assert LOGSM.derivative(np.empty((2, 0))).shape == (2, 0, 0)


def test_log_softmax_jacobian_matches_autograd(rng):
    x = rng.normal(scale=4.0, size=(6, 5))
    jt = torch.func.vmap(torch.func.jacrev(lambda t: torch.log_softmax(t, dim=-1)))(torch.tensor(x))
    np.testing.assert_allclose(LOGSM.derivative(x), jt.numpy(), rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(LOGSM.derivative(x.T, axis=0), LOGSM.derivative(x), rtol=1e-15)


def test_log_softmax_jacobian_diagonal_does_not_cancel():
    jac = LOGSM.derivative([40.0, 0.0, 0.0])
    with mpmath.workdps(60):
        tail = 2 * mpmath.exp(-40) / (1 + 2 * mpmath.exp(-40))
    assert jac[0, 0] == pytest.approx(float(tail), rel=1e-15)
    assert 1.0 - SOFTMAX.forward([40.0, 0.0, 0.0])[0] == 0.0  # what the naive form would give


@settings(max_examples=50, deadline=None)
@given(
    x=hnp.arrays(
        np.float64, st.tuples(st.integers(1, 4), st.integers(1, 6)), elements=st.floats(-1e4, 1e4)
    ),
    shift=st.floats(-100.0, 100.0),
)
def test_property_log_probabilities(x, shift):
    out = LOGSM.forward(x)
    assert np.all(out <= 0.0)
    np.testing.assert_allclose(np.exp(out).sum(axis=-1), 1.0, rtol=1e-12)
    np.testing.assert_allclose(LOGSM.forward(x + shift), out, rtol=1e-9, atol=1e-9)


def test_two_classes_are_log_sigmoid(rng):
    pairs = rng.normal(scale=10.0, size=(500, 2))
    np.testing.assert_allclose(
        LOGSM.forward(pairs)[:, 0], LOGSIG.forward(pairs[:, 0] - pairs[:, 1]), rtol=1e-14
    )


def test_naive_log_softmax_fails_at_large_logits():
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        naive = LOGSM.naive_forward(np.array([1000.0, 0.0]))
    assert np.isnan(naive[0])
    assert np.all(np.isfinite(LOGSM.forward([1000.0, 0.0])))


# ---------------------------------------------------------------------- shared facts
def test_properties_are_those_of_log_sigmoid():
    p = LOGSIG.properties()
    assert LOGSM.properties() == p
    assert p.range == (-math.inf, 0.0) and p.range_attained == (False, False)
    assert p.derivative_range == (0.0, 1.0) and p.monotonic and p.minimum is None
    assert p.saturates == ("positive",) and not p.zero_centred
    assert p.value_at_zero == pytest.approx(-math.log(2.0)) and p.slope_at_zero == 0.5
    assert p.continuously_differentiable and LOGSIG.kinks == () == LOGSM.kinks


def test_torch_modules_use_pytorchs_names():
    assert isinstance(LOGSIG.torch_module(), torch.nn.LogSigmoid)
    module = LOGSM.torch_module(axis=0)
    assert isinstance(module, torch.nn.LogSoftmax) and module.dim == 0
    assert LOGSM.torch_name == "torch.nn.functional.log_softmax"


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: LOGSM.forward(np.zeros((2, 3)), axis=2), ValueError, "axis"),
        (lambda: LOGSM.forward(1.0), ValueError, "0-d"),
        (lambda: LOGSM.derivative(np.zeros(3), axis=1.5), TypeError, "axis"),
        (lambda: LOGSM.forward([1.0], dim=0), TypeError, "'dim'.*parameters are: axis"),
        (lambda: LOGSIG.forward("1.0"), TypeError, "x "),
        (lambda: LOGSIG.forward([1.0], alpha=1.0), TypeError, "unexpected parameter"),
    ],
)
def test_bad_input_is_named(call, error, match):
    with pytest.raises(error, match=match):
        call()
