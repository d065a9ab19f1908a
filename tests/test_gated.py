"""The gated family (GLU, ReGLU, GEGLU, SwiGLU) and squared ReLU: what is specific to them.

The battery in test_activations.py runs every spec through the common checks; here: known
values, PyTorch on random and extreme inputs in odd shapes and along other axes, the values at
±inf (and where they differ from PyTorch's), NaN in either half, the kinks, the slices and the
errors for inputs that cannot be split.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

import actlib
from actlib.activations.gated import gate_times
from actlib.shapes import A, B, Gated, X

GATED = ("glu", "reglu", "geglu", "swiglu")
INF = math.inf
TORCH_RTOL, TORCH_ATOL = 1e-12, 1e-14


def split(out, axis=-1):
    return np.split(out, 2, axis=axis)


def assert_close(ours, theirs, scale):
    """Within PyTorch's mixed tolerance, the absolute part scaled entry by entry."""
    assert ours.shape == theirs.shape
    ok = np.abs(ours - theirs) <= TORCH_RTOL * np.abs(theirs) + TORCH_ATOL * np.maximum(1, scale)
    ok |= ours == theirs
    bad = np.flatnonzero(~ok)
    assert bad.size == 0, (ours.ravel()[bad[:5]], theirs.ravel()[bad[:5]])


def torch_both(spec, x, axis=-1, **params):
    """PyTorch's forward and autograd gradient of the sum, as float64 arrays."""
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    values = spec.resolve({"axis": axis, **params})
    y = spec.torch_forward(t, **values)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


# ---------------------------------------------------------------------- known values
def test_known_values():
    a = np.array([[1.5, -2.0, 0.0, 3.0]])
    b = np.array([[0.5, 4.0, -1.0, -2.0]])
    x = np.concatenate([a, b], axis=-1)
    sig = 1 / (1 + np.exp(-b))
    gelu = a / 2 * (1 + np.vectorize(math.erf)(a / math.sqrt(2)))
    np.testing.assert_allclose(actlib.get("glu").forward(x), a * sig, rtol=1e-15)
    np.testing.assert_array_equal(actlib.get("reglu").forward(x), np.maximum(a, 0) * b)
    np.testing.assert_allclose(actlib.get("geglu").forward(x), gelu * b, rtol=1e-14)
    for beta in (0.5, 1.0, 2.0):
        swish = a / (1 + np.exp(-beta * a))
        np.testing.assert_allclose(
            actlib.get("swiglu").forward(x, beta=beta), swish * b, rtol=1e-15
        )


def test_output_has_half_the_length_along_the_axis():
    x = np.zeros((4, 6, 2))
    for name in GATED:
        spec = actlib.get(name)
        assert spec.forward(x).shape == (4, 6, 1)
        assert spec.forward(x, axis=1).shape == (4, 3, 2)
        assert spec.forward(x, axis=0).shape == (2, 6, 2)
        assert spec.derivative(x, axis=0).shape == x.shape


def test_the_gate_is_on_the_half_the_papers_put_it():
    """GLU gates its second half (PyTorch's glu); ReGLU, GEGLU and SwiGLU their first."""
    assert actlib.get("glu").shape == Gated(axis=-1, gated="second")
    for name in ("reglu", "geglu", "swiglu"):
        assert actlib.get(name).shape == Gated(axis=-1, gated="first")
    # The split is the same as PyTorch's: first half a, second half b.
    x = np.array([2.0, 0.0])
    assert actlib.get("glu").forward(x)[0] == 1.0  # a·σ(b) = 2·σ(0)
    assert actlib.get("reglu").forward(x)[0] == 0.0  # relu(a)·b = 2·0


def test_slices_are_the_gates():
    """With the linear half at 1, each gated unit is its gate: properties follow."""
    x = X
    assert sp.simplify(actlib.get("glu").scalar_expr() - 1 / (1 + sp.exp(-x))) == 0
    for gated, gate in (("reglu", "relu"), ("geglu", "gelu"), ("swiglu", "swish")):
        assert sp.simplify(actlib.get(gated).scalar_expr() - actlib.get(gate).expr()) == 0
    mine = actlib.get("swiglu").properties().minimum
    swish = actlib.get("swish").properties().minimum
    assert mine.x == pytest.approx(swish.x, rel=1e-12) and mine.x == pytest.approx(-1.2785, 1e-4)
    assert actlib.get("geglu").properties().minimum.value == pytest.approx(
        actlib.get("gelu").properties().minimum.value, rel=1e-12
    )


def test_sympy_gradient_of_both_halves():
    a, b, beta = A, B, sp.Symbol("beta", positive=True)
    sig = 1 / (1 + sp.exp(-b))
    grad = actlib.get("glu").derivative_expr(symbolic=True)
    assert sp.simplify(grad[0] - sig) == 0
    assert sp.simplify(grad[1] - a * sig * (1 - sig)) == 0
    grad = (
        actlib.get("swiglu")
        .derivative_expr(symbolic=True)
        .subs(actlib.get("swiglu").param_specs["beta"].symbol, beta)
    )
    s = 1 / (1 + sp.exp(-beta * a))
    assert sp.simplify(grad[0] - b * s * (1 + beta * a * (1 - s))) == 0
    assert sp.simplify(grad[1] - a * s) == 0


# ---------------------------------------------------------------------- against PyTorch
LAYOUTS = [((5, 7, 4), -1), ((6, 3, 5), 0), ((3, 8, 5), 1), ((2, 9, 10), 2), ((2,), 0)]
EXTREMES = np.array([1e4, -1e4, 1000.0, -1000.0, 745.0, -745.0, 40.0, -40.0, 1e-300, 0.0])


def _inputs(rng, shape, axis, extreme_half):
    """Normal numbers (scale 3), with the extremes scattered over one half if asked."""
    x = rng.normal(scale=3.0, size=shape)
    if extreme_half is None:
        return x
    parts = [p.copy() for p in np.split(x, 2, axis=axis)]
    flat = parts[extreme_half].reshape(-1)
    idx = rng.choice(flat.size, size=min(flat.size, EXTREMES.size), replace=False)
    flat[idx] = rng.permutation(EXTREMES)[: idx.size]
    parts[extreme_half] = flat.reshape(parts[0].shape)
    return np.concatenate(parts, axis=axis)


@pytest.mark.parametrize("name", GATED)
@pytest.mark.parametrize(("shape", "axis"), LAYOUTS, ids=str)
@pytest.mark.parametrize("extreme_half", [None, 0, 1], ids=["random", "extreme a", "extreme b"])
def test_matches_torch_forward_and_autograd(rng, name, shape, axis, extreme_half):
    spec = actlib.get(name)
    for params in ({}, {"beta": 0.5}, {"beta": 2.0}) if "beta" in spec.params else ({},):
        x = _inputs(rng, shape, axis, extreme_half)
        y, g = torch_both(spec, x, axis, **params)
        ours_y = spec.forward(x, axis=axis, **params)
        ours_g = spec.derivative(x, axis=axis, **params)
        # the absolute floor scales with the half that multiplies the gate
        scale = np.abs(np.split(x, 2, axis=axis)[1 if spec.shape.gated == "first" else 0])
        assert_close(ours_y, y, scale)
        assert_close(ours_g, g, np.concatenate([scale, scale], axis=axis))


@pytest.mark.parametrize("name", GATED)
def test_derivative_is_the_gradient_along_any_axis(rng, name):
    spec = actlib.get(name)
    x = rng.normal(size=(4, 6, 3))
    for axis in (0, 1, -2):
        h = 1e-6
        d = spec.derivative(x, axis=axis)
        for idx in [(0, 0, 0), (3, 5, 2), (1, 2, 1), (2, 4, 0)]:
            e = np.zeros_like(x)
            e[idx] = h
            fd = (spec.forward(x + e, axis=axis).sum() - spec.forward(x - e, axis=axis).sum()) / (
                2 * h
            )
            assert d[idx] == pytest.approx(fd, rel=1e-6, abs=1e-8)


@pytest.mark.battery
@pytest.mark.parametrize("beta", [0.5, 2.0])
def test_swiglu_verified_at_other_beta(beta):
    """(Every spec is verified at its defaults by the battery.)"""
    report = actlib.verify("swiglu", beta=beta)
    assert report.passed, str(report)


def test_torch_modules():
    assert isinstance(actlib.get("glu").torch_module(axis=1), torch.nn.GLU)
    assert actlib.get("glu").torch_module(axis=1).dim == 1
    x = torch.randn(3, 4, 2, dtype=torch.float64)
    for name in GATED:
        spec = actlib.get(name)
        module = spec.torch_module(axis=1)
        np.testing.assert_allclose(
            module(x).numpy(), spec.forward(x.numpy(), axis=1), rtol=1e-12, atol=1e-15
        )
    assert actlib.get("swiglu").torch_reference.composite
    assert not actlib.get("glu").torch_reference.composite


@pytest.mark.parametrize("name", ["reglu", "geglu", "swiglu"])
def test_torch_composites_refuse_odd_lengths_like_torch_glu(name):
    spec = actlib.get(name)
    with pytest.raises(ValueError, match="length 3"):
        spec.torch(np.zeros((2, 3)))
    with pytest.raises(RuntimeError, match="even"):
        F.glu(torch.zeros(2, 3), dim=-1)


# ---------------------------------------------------------------------- kinks
def test_reglu_kink_matches_autograd():
    spec = actlib.get("reglu")
    x = np.array([0.0, 0.0, -0.0, 0.0, 2.5, -3.0, 0.0, 7.0])  # a = 0 with several b, b = 0
    _, g = torch_both(spec, x)
    np.testing.assert_array_equal(spec.derivative(x), g)
    assert spec.kinks == (0.0,)
    np.testing.assert_array_equal(spec.derivative(x)[:4], 0.0)


def test_squared_relu_kink_matches_autograd():
    spec = actlib.get("squared_relu")
    t = torch.tensor([0.0, -0.0], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(spec.torch(t).sum(), t)
    np.testing.assert_array_equal(spec.derivative(np.array([0.0, -0.0])), g.numpy())
    assert spec.derivative(0.0) == 0.0
    # differentiable at 0; the jump is in the second derivative
    f = spec.expr()
    eps = sp.Symbol("epsilon", positive=True)
    d2 = sp.diff(f, X, 2)
    assert sp.limit(sp.diff(f, X).subs(X, eps), eps, 0) == 0
    assert (sp.limit(d2.subs(X, -eps), eps, 0), sp.limit(d2.subs(X, eps), eps, 0)) == (0, 2)
    assert spec.properties().continuously_differentiable


# ---------------------------------------------------------------------- squared ReLU
def test_squared_relu_values_limits_and_overflow():
    spec = actlib.get("squared_relu")
    np.testing.assert_array_equal(spec.forward([-2.0, 0.0, 0.5, 3.0]), [0.0, 0.0, 0.25, 9.0])
    np.testing.assert_array_equal(spec.derivative([-2.0, 0.0, 0.5, 3.0]), [0.0, 0.0, 1.0, 6.0])
    np.testing.assert_array_equal(spec.forward([-INF, INF]), [0.0, INF])
    np.testing.assert_array_equal(spec.derivative([-INF, INF]), [0.0, INF])
    assert spec.limits() == (0.0, INF) and spec.limits("derivative") == (0.0, INF)
    # the overflow thresholds are the IEEE ones: the largest finite square and double
    big = np.finfo(np.float64).max
    r = np.sqrt(big)  # within an ulp of the largest number with a finite square
    with np.errstate(over="ignore"):
        while np.isfinite(np.nextafter(r, INF) ** 2):
            r = np.nextafter(r, INF)
        while not np.isfinite(r * r):
            r = np.nextafter(r, 0.0)
        up = np.nextafter(r, INF)
        assert np.isfinite(r * r) and np.isinf(up * up)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            np.testing.assert_array_equal(spec.forward([r, up]), [r * r, INF])
            np.testing.assert_array_equal(spec.derivative([big / 2, big]), [big, INF])
            assert spec.forward(np.float32(3e38)) == np.float32(INF)


def test_squared_relu_torch_and_properties():
    spec = actlib.get("squared_relu")
    assert spec.torch_reference.composite and spec.torch_name == "torch.relu(x) ** 2"
    props = spec.properties()
    assert props.range == (0.0, INF) and props.range_attained[0]
    assert props.monotonic and props.value_at_zero == 0 and props.slope_at_zero == 0
    assert props.derivative_range == (0.0, INF)  # unbounded slope: unlike ReLU's
    assert spec.chapter_name == "gated" and spec.order == 150


# ---------------------------------------------------------------------- ±inf and NaN
SPECIAL = (-INF, -1000.0, -40.0, -1.0, 0.0, 1.0, INF)
#: Where the limit does not exist, NaN by design: (function, output, a, b) with output 0 for
#: f, 1 for ∂f/∂a, 2 for ∂f/∂b.
NO_LIMIT = {("glu", 0, a, -INF) for a in (-INF, INF)} | {
    ("glu", 2, a, b) for a in (-INF, INF) for b in (-INF, INF)
}
for _name in ("geglu", "swiglu"):
    NO_LIMIT |= {(_name, k, -INF, b) for k in (0, 1) for b in (-INF, INF)}


def _all_outputs(spec, a, b):
    x = np.array([a, b])
    y = spec.forward(x)[0]
    da, db = spec.derivative(x)
    return y, da, db


@pytest.mark.parametrize("name", GATED)
def test_infinities_give_limits_and_nan_only_where_none_exists(name):
    spec = actlib.get(name)
    for a, b in itertools.product(SPECIAL, SPECIAL):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise", under="ignore"):
                outs = _all_outputs(spec, a, b)
        for k, v in enumerate(outs):
            assert np.isnan(v) == ((name, k, a, b) in NO_LIMIT), (name, k, a, b, v)


@pytest.mark.parametrize("name", GATED)
def test_differs_from_torch_only_where_torch_gives_nan(name):
    spec = actlib.get(name)
    differ = set()
    for a, b in itertools.product(SPECIAL, SPECIAL):
        x = np.array([a, b])
        y, g = torch_both(spec, x)
        theirs = (y[0], g[0], g[1])
        for k, (ours, t) in enumerate(zip(_all_outputs(spec, a, b), theirs, strict=True)):
            if np.isnan(ours) and np.isnan(t):
                continue
            if ours == t or (abs(ours - t) <= TORCH_RTOL * abs(t) + TORCH_ATOL * max(1, abs(b))):
                continue
            assert np.isnan(t), (name, k, a, b, ours, t)
            differ.add((k, a, b))
    assert differ  # every gated function has such points


@pytest.mark.parametrize(
    ("name", "a", "b", "ours"),
    [
        ("reglu", 0.0, INF, 0.0),  # relu(0)·∞: 0 for every finite b, so 0 in the limit
        ("reglu", -1.0, -INF, 0.0),
        ("reglu", INF, 0.0, 0.0),  # relu(a)·0 = 0 for every a
        ("reglu", -INF, INF, 0.0),  # relu vanishes identically left of 0
        ("geglu", -INF, 2.0, 0.0),  # PyTorch's gelu(-inf) is NaN
        ("geglu", -1000.0, INF, -INF),  # gelu(-1000) < 0 although it underflows
        ("geglu", 0.0, -INF, 0.0),
        ("swiglu", -INF, 3.0, 0.0),  # PyTorch's silu(-inf) is NaN
        ("swiglu", -1000.0, -INF, INF),
        ("glu", INF, -1000.0, INF),  # σ(−1000) > 0 although it underflows
        ("glu", -INF, -800.0, -INF),
    ],
)
def test_documented_differences_from_torch(name, a, b, ours):
    spec = actlib.get(name)
    x = np.array([a, b])
    assert spec.forward(x)[0] == ours
    y, _ = torch_both(spec, x)
    assert np.isnan(y[0])  # PyTorch: 0·∞, or a NaN gate


@pytest.mark.parametrize("name", GATED)
def test_nan_in_either_half_spoils_only_its_entries(name):
    spec = actlib.get(name)
    a = np.array([[np.nan, 1.0, 2.0], [0.5, -1.0, 0.0]])
    b = np.array([[0.3, np.nan, -1.0], [INF, 2.0, -INF]])
    x = np.concatenate([a, b], axis=-1)
    y = spec.forward(x)
    da, db = split(spec.derivative(x))
    bad = np.isnan(a) | np.isnan(b)
    for out in (y, da, db):
        assert np.array_equal(np.isnan(out), bad), (name, out)


@pytest.mark.parametrize("name", GATED)
def test_no_warning_for_any_mix_of_extremes(name):
    spec = actlib.get(name)
    vals = np.array([*SPECIAL, np.nan, 1e300, -1e300, 5e-324, 1e154, -1e200])
    a, b = (v.reshape(1, -1) for v in np.meshgrid(vals, vals))
    x = np.concatenate([a, b], axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            y = spec.forward(x)
            spec.derivative(x)
    if spec.shape.gated == "first":
        # g(a) = a for huge a; a product beyond the largest float is rounded to ±inf
        huge = (a >= 1e154) & np.isfinite(a) & np.isfinite(b)
        with np.errstate(over="ignore", invalid="ignore"):  # inf · 0 outside the selection
            expected = a * b
        assert np.isinf(expected[huge]).any()
        np.testing.assert_array_equal(y[huge], expected[huge])


def test_gate_times_rules():
    g = np.array([0.0, 0.0, 0.0, 2.0, INF, INF, np.nan, 1e200])
    sign = np.array([0.0, -1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    zero = np.array([True, False, False, False, False, False, False, False])
    h = np.array([INF, INF, -INF, 3.0, 0.0, -2.0, 1.0, 1e200])
    np.testing.assert_array_equal(
        gate_times(g, sign, zero, h), [0.0, -INF, np.nan, 6.0, 0.0, -INF, np.nan, INF]
    )


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize("name", GATED)
def test_odd_length_and_0d_are_refused_naming_the_axis(name):
    spec = actlib.get(name)
    with pytest.raises(ValueError, match=r"axis -1 .* even; got 3"):
        spec.forward(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"axis 0 .* even; got 5"):
        spec.derivative(np.zeros((5, 2)), axis=0)
    with pytest.raises(ValueError, match="0-d"):
        spec.forward(1.0)
    with pytest.raises(ValueError, match="axis"):
        spec.forward(np.zeros((2, 2)), axis=2)
    with pytest.raises(TypeError, match="axis"):
        spec.forward(np.zeros((2, 2)), axis=1.0)


@pytest.mark.parametrize("beta", [0.0, -1.0, INF, math.nan])
def test_swiglu_beta_must_be_positive(beta):
    with pytest.raises(ValueError, match="beta"):
        actlib.get("swiglu").forward([1.0, 2.0], beta=beta)


@pytest.mark.parametrize("name", GATED)
def test_gated_units_cannot_follow_a_layer_of_any_width(name):
    from actlib.nn.networks import build_mlp

    spec = actlib.get(name)
    assert not spec.shape.entrywise
    with pytest.raises(ValueError, match="elementwise"):
        spec.shape.require_elementwise(spec, "a hidden layer")
    with pytest.raises(ValueError, match="elementwise"):
        build_mlp(name, (2, 4, 1))
    assert actlib.get("squared_relu").shape.entrywise
