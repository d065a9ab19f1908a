"""What is specific to the cheap activations: hard sigmoid, hard swish, ReLU6, hard tanh, softsign.

The battery (test_activations.py and friends) runs these specs through every generic check;
this module pins known values, the identities between them, the kink values against
``torch.autograd`` (also at non-default hard-tanh parameters), the PyTorch facts the specs rely
on, the extremes where a textbook formula overflows, and bad parameters.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

import actlib
from actlib.spec import X
from actlib.symbolic.piecewise import limit_at_infinity, pieces

NAMES = ("hard_sigmoid", "hard_swish", "relu6", "hard_tanh", "softsign")
MAX = np.finfo(np.float64).max


def _autograd(fn, xs, **kwargs):
    t = torch.tensor(np.asarray(xs, dtype=np.float64), requires_grad=True)
    y = fn(t, **kwargs)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


def _same(f, g) -> bool:
    return all(sp.simplify(e) == 0 for e, _ in pieces(f - g))


def test_the_chapter_presents_exactly_these_specs():
    chapter = [s.name for s in actlib.specs() if s.chapter_name == "hard_activations"]
    assert chapter == list(NAMES)
    assert [actlib.get(n).order for n in NAMES] == [140, 141, 142, 143, 144]
    assert all(actlib.get(n).roles == {"hidden"} for n in NAMES)


# ----------------------------------------------------------------------------- known values
@pytest.mark.parametrize(
    ("name", "params", "x", "expected"),
    [
        (
            "hard_sigmoid",
            {},
            [-10.0, -3.0, -1.5, 0.0, 1.5, 3.0, 10.0],
            [0, 0, 0.25, 0.5, 0.75, 1, 1],
        ),
        (
            "hard_swish",
            {},
            [-10.0, -3.0, -1.5, 0.0, 1.0, 3.0, 10.0],
            [0, 0, -0.375, 0, 2 / 3, 3, 10],
        ),
        ("relu6", {}, [-1.0, 0.0, 2.5, 6.0, 7.0], [0, 0, 2.5, 6, 6]),
        ("hard_tanh", {}, [-2.0, -1.0, 0.5, 1.0, 2.0], [-1, -1, 0.5, 1, 1]),
        (
            "hard_tanh",
            {"min_val": -2.0, "max_val": 0.5},
            [-3.0, -1.0, 0.25, 1.0],
            [-2, -1, 0.25, 0.5],
        ),
        ("softsign", {}, [-3.0, -1.0, 0.0, 1.0, 3.0], [-0.75, -0.5, 0, 0.5, 0.75]),
    ],
)
def test_known_values(name, params, x, expected):
    got = actlib.get(name).forward(x, **params)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)


@pytest.mark.parametrize(
    ("name", "params", "x", "expected"),
    [
        ("hard_sigmoid", {}, [-4.0, -3.0, 0.0, 2.9, 3.0, 4.0], [0, 0, 1 / 6, 1 / 6, 0, 0]),
        ("hard_swish", {}, [-4.0, -3.0, -1.5, 0.0, 3.0, 4.0], [0, 0, 0, 0.5, 1, 1]),
        ("relu6", {}, [-1.0, 0.0, 3.0, 6.0, 7.0], [0, 0, 1, 0, 0]),
        (
            "hard_tanh",
            {"min_val": 0.0, "max_val": 6.0},
            [-1.0, 0.0, 3.0, 6.0, 7.0],
            [0, 0, 1, 0, 0],
        ),
        ("softsign", {}, [-3.0, -1.0, 0.0, 1.0, 3.0], [1 / 16, 1 / 4, 1, 1 / 4, 1 / 16]),
    ],
)
def test_known_derivatives(name, params, x, expected):
    got = actlib.get(name).derivative(x, **params)
    np.testing.assert_allclose(got, expected, rtol=1e-15, atol=0)


def test_limits_at_infinity():
    inf = np.array([-np.inf, np.inf])
    np.testing.assert_array_equal(actlib.get("hard_sigmoid").forward(inf), [0.0, 1.0])
    np.testing.assert_array_equal(actlib.get("hard_swish").forward(inf), [0.0, np.inf])
    np.testing.assert_array_equal(actlib.get("hard_swish").derivative(inf), [0.0, 1.0])
    np.testing.assert_array_equal(actlib.get("relu6").forward(inf), [0.0, 6.0])
    np.testing.assert_array_equal(
        actlib.get("hard_tanh").forward(inf, min_val=-2.0, max_val=0.5), [-2.0, 0.5]
    )
    np.testing.assert_array_equal(actlib.get("softsign").forward(inf), [-1.0, 1.0])
    np.testing.assert_array_equal(actlib.get("softsign").derivative(inf), [0.0, 0.0])
    # PyTorch gives NaN for hardswish(-inf) and softsign(±inf); actlib gives the limits.
    assert np.isnan(F.hardswish(torch.tensor([-np.inf])).item())
    assert np.isnan(F.softsign(torch.tensor([np.inf])).item())


# ----------------------------------------------------------------------------- identities
def test_identities_between_the_cheap_functions():
    f = {n: actlib.get(n).expr() for n in NAMES}
    assert _same(f["hard_sigmoid"], f["relu6"].subs(X, X + 3) / 6)
    assert _same(f["hard_swish"], X * f["hard_sigmoid"])
    assert _same(f["relu6"], actlib.get("hard_tanh").expr(min_val=0, max_val=6))
    assert _same(f["hard_sigmoid"], (1 + f["hard_tanh"].subs(X, X / 3)) / 2)
    t = sp.Symbol("t", positive=True)
    for v in (t, -t, sp.Integer(0)):
        assert sp.simplify(f["softsign"].subs(X, v) - v / (1 + sp.Abs(v))) == 0


def test_identities_hold_numerically(rng):
    x = np.concatenate([rng.normal(scale=4.0, size=500), [-3.0, 0.0, 3.0, 6.0, 1e300, -1e300]])
    hs, hw = actlib.get("hard_sigmoid"), actlib.get("hard_swish")
    np.testing.assert_array_equal(hw.forward(x), x * hs.forward(x))
    np.testing.assert_array_equal(
        actlib.get("relu6").forward(x), actlib.get("hard_tanh").forward(x, min_val=0, max_val=6)
    )
    np.testing.assert_allclose(
        hs.forward(x), (1 + actlib.get("hard_tanh").forward(x / 3)) / 2, rtol=1e-15, atol=1e-16
    )


# ----------------------------------------------------------------------------- properties
def test_properties_computed_from_the_expressions():
    hs = actlib.get("hard_sigmoid").properties()
    assert hs.range == (0.0, 1.0) and hs.range_attained == (True, True)
    assert hs.derivative_range_exact == (0, sp.Rational(1, 6))
    assert hs.slope_at_zero == pytest.approx(1 / 6, rel=1e-15)
    hw = actlib.get("hard_swish").properties()
    assert hw.minimum_exact == (sp.Rational(-3, 2), sp.Rational(-3, 8))
    assert hw.derivative_range_exact == (sp.Rational(-1, 2), sp.Rational(3, 2))
    assert hw.derivative_range_attained == (False, False)  # the kinks take the outer slopes
    assert not hw.monotonic and hw.saturates == ("negative",)
    r6 = actlib.get("relu6").properties()
    assert r6.range == (0.0, 6.0) and r6.saturates == ("negative", "positive")
    ht = actlib.get("hard_tanh").properties(min_val=-2.0, max_val=0.5)
    assert ht.range == (-2.0, 0.5) and ht.range_attained == (True, True)
    ss = actlib.get("softsign").properties()
    assert ss.range == (-1.0, 1.0) and ss.range_attained == (False, False)
    assert ss.continuously_differentiable and ss.zero_centred and ss.monotonic
    for name in ("hard_sigmoid", "hard_swish", "relu6", "hard_tanh"):
        assert not actlib.get(name).properties().continuously_differentiable


def test_hard_swish_minimum_matches_a_numerical_search():
    from scipy.optimize import minimize_scalar

    spec = actlib.get("hard_swish")
    res = minimize_scalar(
        lambda t: float(spec.forward(t)), bounds=(-3, 0), method="bounded", options={"xatol": 1e-10}
    )
    assert res.x == pytest.approx(-1.5, abs=1e-6)
    assert res.fun == pytest.approx(-0.375, rel=1e-12)


# ----------------------------------------------------------------------------- kinks
@pytest.mark.parametrize(
    ("name", "torch_fn", "params", "kinks", "expected"),
    [
        ("hard_sigmoid", F.hardsigmoid, {}, [-3.0, 3.0], [0.0, 0.0]),
        ("hard_swish", F.hardswish, {}, [-3.0, 3.0], [0.0, 1.0]),
        ("relu6", F.relu6, {}, [0.0, 6.0], [0.0, 0.0]),
        ("hard_tanh", F.hardtanh, {}, [-1.0, 1.0], [0.0, 0.0]),
        ("hard_tanh", F.hardtanh, {"min_val": -2.0, "max_val": 0.5}, [-2.0, 0.5], [0.0, 0.0]),
        ("hard_tanh", F.hardtanh, {"min_val": 0.0, "max_val": 6.0}, [0.0, 6.0], [0.0, 0.0]),
    ],
)
def test_kink_values_are_those_of_torch_autograd(name, torch_fn, params, kinks, expected):
    """PyTorch's own functions (not the spec's reference) decide the value at each kink."""
    _, g = _autograd(torch_fn, kinks, **params)
    np.testing.assert_array_equal(g, expected)
    np.testing.assert_array_equal(actlib.get(name).derivative(kinks, **params), expected)


def test_kinks_take_the_outer_piece():
    """At each kink the derivative is one of the two one-sided slopes: the outer one."""
    eps = sp.Symbol("eps", positive=True)
    for name in ("hard_sigmoid", "hard_swish", "relu6", "hard_tanh"):
        spec = actlib.get(name)
        d = spec.derivative_expr()
        for k, outer in zip(spec.kinks, ("-", "+"), strict=True):
            side = k - eps if outer == "-" else k + eps
            expected = float(sp.limit(d.subs(X, side), eps, 0, "+"))
            assert float(spec.derivative(k)) == expected, (name, k)


def test_softsign_has_no_kink_in_its_first_derivative():
    spec = actlib.get("softsign")
    assert spec.kinks == ()
    _, g = _autograd(F.softsign, [0.0])
    assert g[0] == spec.derivative(0.0) == 1.0


# ----------------------------------------------------------------------------- PyTorch facts
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_hardsigmoid_values_equal_the_relu6_form_bit_for_bit(dtype):
    """The spec's PyTorch reference, relu6(x + 3)/6, computes F.hardsigmoid's exact values."""
    t = torch.cat(
        [
            torch.linspace(-5, 5, 20001, dtype=dtype),
            torch.tensor([-3.0000001, -2.9999999, 1e-30, -1e-30, 1e30, -1e30], dtype=dtype),
        ]
    )
    spec = actlib.get("hard_sigmoid")
    assert torch.equal(spec.torch_forward(t), F.hardsigmoid(t))
    assert isinstance(spec.torch_module(), torch.nn.Hardsigmoid)
    assert spec.torch_name == "torch.nn.functional.hardsigmoid"


def test_pytorch_float64_hardsigmoid_gradient_uses_a_float32_sixth():
    """Why the spec's PyTorch reference is relu6(x + 3)/6 and not F.hardsigmoid itself.

    If this fails, PyTorch has fixed its float64 backward: the reference can then call
    F.hardsigmoid directly (remove ``call=`` in actlib/activations/hard.py).
    """
    _, g = _autograd(F.hardsigmoid, [-2.0, 0.0, 2.0])
    assert set(g.tolist()) == {float(np.float32(1 / 6))}
    _, g_ref = _autograd(actlib.get("hard_sigmoid").torch_forward, [-2.0, 0.0, 2.0])
    assert set(g_ref.tolist()) == {1 / 6}


def test_torch_modules_take_pytorch_parameter_names():
    ht = actlib.get("hard_tanh").torch_module(min_val=-2.0, max_val=0.5)
    assert isinstance(ht, torch.nn.Hardtanh) and (ht.min_val, ht.max_val) == (-2.0, 0.5)
    x = torch.linspace(-3, 3, 25, dtype=torch.float64)
    np.testing.assert_array_equal(
        ht(x).numpy(), actlib.get("hard_tanh").forward(x.numpy(), min_val=-2.0, max_val=0.5)
    )
    for name, cls in [
        ("hard_swish", torch.nn.Hardswish),
        ("relu6", torch.nn.ReLU6),
        ("softsign", torch.nn.Softsign),
    ]:
        assert isinstance(actlib.get(name).torch_module(), cls)


# ----------------------------------------------------------------------------- extremes
def _no_warnings(fn, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise"):
            return fn(*args, **kwargs)


def test_hard_swish_does_not_overflow_at_the_largest_floats():
    spec = actlib.get("hard_swish")
    x = np.array([3e307, 1e308, MAX, -MAX])
    np.testing.assert_array_equal(_no_warnings(spec.forward, x), [3e307, 1e308, MAX, -0.0])
    np.testing.assert_array_equal(_no_warnings(spec.derivative, x), [1.0, 1.0, 1.0, 0.0])
    with np.errstate(over="ignore"):  # the textbook order overflows
        assert np.isinf(spec.naive_forward(np.array([1e308]))).all()
    assert torch.isinf(F.hardswish(torch.tensor([1e308], dtype=torch.float64))).all()


def test_hard_swish_float32_extremes():
    spec = actlib.get("hard_swish")
    big = np.float32(3e38)
    out = _no_warnings(spec.forward, np.array([big, -big], dtype=np.float32))
    assert out.dtype == np.float32 and out[0] == big and out[1] == 0


def test_softsign_is_exact_at_the_largest_floats():
    spec = actlib.get("softsign")
    np.testing.assert_array_equal(_no_warnings(spec.forward, [MAX, -MAX]), [1.0, -1.0])
    out32 = _no_warnings(spec.forward, np.array([3e38, -3e38], dtype=np.float32))
    np.testing.assert_array_equal(out32, np.array([1.0, -1.0], dtype=np.float32))


@pytest.mark.parametrize("x", [1e154, 1.3e154, 1e155, 1e160, 1.3e162, 1e200, MAX])
def test_softsign_derivative_keeps_subnormal_values(x):
    exact = float(1 / (1 + Fraction(x)) ** 2)  # the exact rational, rounded once
    got = float(_no_warnings(actlib.get("softsign").derivative, x))
    assert abs(got - exact) <= 2 * 5e-324 + 2**-52 * exact
    assert float(actlib.get("softsign").derivative(-x)) == got
    if np.sqrt(MAX) < x < 1e162:
        assert got > 0  # 1/(1 + |x|)**2 overflows to inf and gives 0 here
        with np.errstate(over="ignore"):
            assert actlib.get("softsign").naive_derivative(np.array([x]))[0] == 0.0


def test_softsign_derivative_is_accurate(rng):
    """r·r with r = 1/(1 + |x|): at most 3 ulps (the rounding of 1 + |x| counts twice)."""
    x = np.concatenate([10 ** rng.uniform(-18, 0, 2000), rng.uniform(0, 1, 2000)])
    x = np.concatenate([x, 10 ** rng.uniform(0, 300, 2000)])
    x = np.concatenate([x, -x])
    got = actlib.get("softsign").derivative(x)
    exact = np.array([float(1 / (1 + Fraction(abs(v))) ** 2) for v in x])
    ulps = np.abs(got - exact) / np.spacing(exact)
    assert ulps.max() <= 3.0


def test_hard_sigmoid_is_accurate_near_its_lower_corner():
    x = np.nextafter(-3.0, 0.0) + np.arange(0, 50) * 2.0**-51  # just right of -3
    got = actlib.get("hard_sigmoid").forward(x)
    exact = np.array([float((Fraction(v) + 3) / 6) for v in x])
    np.testing.assert_array_equal(got, exact)


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("params", "error", "match"),
    [
        ({"min_val": 1.0, "max_val": -1.0}, ValueError, r"min_val.*max_val.*min_val=1.*max_val=-1"),
        ({"min_val": 0.5, "max_val": 0.5}, ValueError, r"'min_val' must be < 'max_val'"),
        ({"min_val": float("nan")}, ValueError, "min_val"),
        ({"max_val": float("inf")}, ValueError, "max_val"),
        ({"min_val": "0"}, TypeError, "min_val"),
        ({"max_val": None}, TypeError, "max_val"),
        ({"min_value": -1.0}, TypeError, "did you mean 'min_val'"),
    ],
)
def test_bad_hard_tanh_parameters(params, error, match):
    spec = actlib.get("hard_tanh")
    with pytest.raises(error, match=match):
        spec.forward([0.0], **params)
    with pytest.raises(error, match=match):
        spec.derivative([0.0], **params)


def test_bad_hard_tanh_parameters_everywhere():
    spec = actlib.get("hard_tanh")
    with pytest.raises(ValueError, match="min_val"):
        spec.torch_module(min_val=2.0)
    with pytest.raises(ValueError, match="min_val"):
        spec.properties(min_val=1.0)
    with pytest.raises(ValueError, match="min_val"):
        actlib.verify("hard_tanh", max_val=-3.0)
    # PyTorch's module refuses the same values (its functional form accepts min_val == max_val).
    with pytest.raises(AssertionError, match="must be greater"):
        torch.nn.Hardtanh(0.5, 0.5)


@pytest.mark.parametrize("name", ["hard_sigmoid", "hard_swish", "relu6", "softsign"])
def test_parameter_free_specs_refuse_parameters(name):
    with pytest.raises(TypeError, match="unexpected parameter"):
        actlib.get(name).forward([0.0], min_val=0.0)


def test_verify_at_other_hard_tanh_parameters():
    for params in ({"min_val": -2.0, "max_val": 2.0}, {"min_val": 0.0, "max_val": 6.0}):
        report = actlib.verify("hard_tanh", **params)
        assert report.passed, str(report)


@pytest.mark.parametrize(
    ("expr", "point", "expected"),
    [
        (sp.tanh(X), -sp.oo, -1),
        (1 - sp.tanh(X) ** 2, sp.oo, 0),
        (sp.sinh(X) / sp.cosh(X), sp.oo, 1),
        (sp.Piecewise((sp.tanh(X), X < 0), (X, True)), -sp.oo, -1),
    ],
)
def test_limits_of_hyperbolic_expressions(expr, point, expected):
    """Limits over tanh, sinh and cosh are taken on their exponential form: the same values."""
    assert limit_at_infinity(expr, point) == expected
