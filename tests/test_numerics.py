"""The vectorised building blocks of actlib.numerics: accuracy, dtypes, NaN and infinities."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import actlib
from actlib import numerics, shapes
from actlib.checks.ulps import ulp_errors
from actlib.shapes import _handles_infinity

DTYPES = [np.float32, np.float64]


def _grid(dtype, low, high, n=4001, extra=()):
    x = np.concatenate([np.linspace(low, high, n), np.asarray(extra, dtype=np.float64)])
    return np.unique(x.astype(dtype))


@pytest.mark.parametrize("dtype", DTYPES)
def test_expm1_nonpositive_is_within_a_few_ulps(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    extra = [-tiny, -1e-30, -1e-8, -0.25, np.nextafter(dtype(-0.25), dtype(0)), -1e-3, -200.0]
    x = _grid(dtype, -20.0, 0.0, extra=extra)
    x = x[x < 0]
    err = ulp_errors(numerics.expm1_nonpositive, mpmath.expm1, x)
    assert numerics.expm1_nonpositive(x).dtype == dtype
    assert err.max() <= 4.0, float(x[np.argmax(err)])


def test_expm1_nonpositive_float32_uses_both_pieces_and_keeps_nan():
    x = np.array([-0.1, -1.0, np.nan, -0.0, -np.inf], dtype=np.float32)
    out = numerics.expm1_nonpositive(x)
    want = np.expm1(x.astype(np.float64)).astype(np.float32)
    np.testing.assert_allclose(out[:2], want[:2], rtol=3e-7)
    assert np.isnan(out[2]) and out[3] == 0 and out[4] == -1


@pytest.mark.parametrize("dtype", DTYPES)
def test_log1p_unit_is_within_a_few_ulps(dtype):
    tiny = np.finfo(dtype).smallest_subnormal
    eps = np.finfo(dtype).eps
    extra = [tiny, 1e-30, eps / 4, eps / 2, eps, 2 * eps, 1e-4, 1.0]
    e = _grid(dtype, 0.0, 1.0, extra=extra)
    e = e[e > 0]
    err = ulp_errors(numerics.log1p_unit, mpmath.log1p, e)
    assert numerics.log1p_unit(e).dtype == dtype
    assert err.max() <= 4.0, float(e[np.argmax(err)])
    assert numerics.log1p_unit(np.array([0.0, np.nan], dtype=dtype))[0] == 0
    assert np.isnan(numerics.log1p_unit(np.array([np.nan], dtype=dtype))[0])


@pytest.mark.parametrize("dtype", DTYPES)
def test_sigmoid_is_accurate_and_keeps_subnormal_results(dtype):
    x = _grid(dtype, -110.0 if dtype is np.float32 else -750.0, 40.0, extra=[-1e-30, 1e-30])
    err = ulp_errors(numerics.sigmoid, lambda v: 1 / (1 + mpmath.exp(-v)), x)
    tiny = np.finfo(dtype).tiny
    normal = numerics.sigmoid(x) >= tiny
    assert err[normal].max() <= 3.0
    low = np.array([-100.0 if dtype is np.float32 else -740.0], dtype=dtype)
    assert 0 < numerics.sigmoid(low)[0] < tiny  # subnormal, not flushed to zero
    special = numerics.sigmoid(np.array([-np.inf, np.inf, np.nan], dtype=dtype))
    assert special[0] == 0 and special[1] == 1 and np.isnan(special[2])


def test_select_is_exact_and_propagates_nan():
    a = np.array([0.1, 0.2, np.nan, 0.4])
    b = np.array([1e300, -5.0, 7.0, np.nan])
    cond = np.array([True, False, True, True])
    out = numerics.select(cond, a, b, np.dtype(np.float64))
    np.testing.assert_array_equal(out[:2], [0.1, -5.0])
    assert np.isnan(out[2]) and np.isnan(out[3])  # NaN in either value wins
    assert numerics.select(cond, 1.0, b[1:2], np.dtype(np.float32)).dtype == np.float32


def test_keep_nan_is_quiet_at_infinities():
    x = np.array([-np.inf, np.inf, np.nan, 2.0], dtype=np.float32)
    with np.errstate(all="raise"):
        out = numerics.keep_nan(np.ones(4, dtype=np.float32), x)
        steps = numerics.step(x, 0.25, 1.0)
    assert out.dtype == np.float32 and np.isnan(out[2]) and (out[[0, 1, 3]] == 1).all()
    np.testing.assert_array_equal(steps[[0, 1, 3]], np.float32([0.25, 1.0, 1.0]))
    assert np.isnan(steps[2])


def test_infinity_probe_decides_on_the_function_itself():
    relu, swish, rrelu = actlib.get("relu"), actlib.get("swish"), actlib.get("rrelu")
    f64 = np.dtype(np.float64)
    # max(x, 0) returns the limits 0 and inf by itself
    assert _handles_infinity(relu, "forward", f64, relu.resolve({}))
    # x·σ(x) at −inf is −inf·0: NaN with a warning, so the limits must be put in
    assert not _handles_infinity(swish, "forward", f64, swish.resolve({}))
    np.testing.assert_array_equal(swish.forward([-np.inf, np.inf]), [0.0, np.inf])
    # random slopes are never probed (the probe would draw from the generator)
    gen = np.random.default_rng(0)
    values = rrelu.resolve({"training": True, "generator": gen})
    state = gen.bit_generator.state
    assert not _handles_infinity(rrelu, "forward", f64, values)
    assert gen.bit_generator.state == state
    # per-channel weights are not hashable: the general path
    prelu = actlib.get("prelu")
    assert not _handles_infinity(prelu, "forward", f64, prelu.resolve({"weight": [0.1, 0.2]}))


def test_small_inputs_need_no_symbolic_limits(monkeypatch):
    """A new parameter value on a small input costs no SymPy limit (the explorer's case); a
    large one is probed, and both give the limits at ±inf."""
    elu = actlib.get("elu")
    calls = []
    real = type(elu).limits

    def counting(self, which="forward", **params):
        calls.append((self.name, which, params))
        return real(self, which, **params)

    monkeypatch.setattr(type(elu), "limits", counting)
    x = np.linspace(-5.0, 5.0, 1001)
    elu.forward(x, alpha=0.8125)
    elu.derivative(x, alpha=0.8125)
    assert calls == []
    small = elu.forward(np.array([-np.inf, -1.0, np.inf]), alpha=0.8125)
    assert len(calls) == 1  # an infinity in the input: its limit is looked up
    large = np.zeros(shapes.PROBE_MIN_SIZE)
    large[:3] = [-np.inf, -1.0, np.inf]
    np.testing.assert_array_equal(elu.forward(large, alpha=0.8125)[:3], small)
    np.testing.assert_array_equal(small, [-0.8125, np.expm1(-1.0) * 0.8125, np.inf])
