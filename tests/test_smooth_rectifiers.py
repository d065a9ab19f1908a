"""What is specific to the smooth rectifiers: CELU, softplus and Mish.

Known values and identities, limits, the minimum of Mish, the tails that textbook formulas
lose, parameters at the edges of their range, and two places where PyTorch's float64 results
differ from the formulas (softplus's threshold switch, CELU's derivative for α not
representable in float32), measured rather than hidden.
"""

from __future__ import annotations

import math
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

import actlib
from actlib.checks import accuracy
from actlib.spec import X

SOFTPLUS, CELU, MISH = actlib.get("softplus"), actlib.get("celu"), actlib.get("mish")
ELU = actlib.get("elu")
TINY_ULP = 4  # the accuracy goal, in units in the last place


def mp_softplus(x: float, beta: float = 1.0) -> mpmath.mpf:
    with mpmath.workdps(60):
        b = mpmath.mpf(beta)
        return mpmath.log1p(mpmath.exp(b * mpmath.mpf(x))) / b


def mp_mish(x: float) -> mpmath.mpf:
    with mpmath.workdps(60):
        return mpmath.mpf(x) * mpmath.tanh(mp_softplus(x))


def mp_mish_derivative(x: float) -> mpmath.mpf:
    with mpmath.workdps(60):
        v = mpmath.mpf(x)
        e = mpmath.exp(v)
        delta = e * e + 2 * e + 2
        return e * (4 * (1 + v) + e * (6 + 4 * v) + 4 * e * e + e**3) / delta**2


def torch_grad(fn, xs, dtype=torch.float64, **kwargs):
    t = torch.tensor(np.asarray(xs, dtype=np.float64), dtype=dtype, requires_grad=True)
    y = fn(t, **kwargs)
    (g,) = torch.autograd.grad(y.sum(), t)
    return y.detach().numpy(), g.numpy()


# --------------------------------------------------------------------------- registration
def test_the_three_specs_are_registered_in_book_order():
    names = actlib.names("hidden")
    assert [n for n in names if n in ("celu", "softplus", "mish")] == ["celu", "softplus", "mish"]
    assert (CELU.order, SOFTPLUS.order, MISH.order) == (110, 120, 130)
    assert {s.chapter_name for s in (CELU, SOFTPLUS, MISH)} == {"smooth_rectifiers"}
    assert CELU.params == {"alpha": 1.0} and SOFTPLUS.params == {"beta": 1.0}
    assert MISH.params == {}
    assert SOFTPLUS.torch_name == "torch.nn.functional.softplus"
    assert str(SOFTPLUS.torch_module()) == "Softplus(beta=1.0, threshold=20.0)"
    assert str(CELU.torch_module(alpha=2.0)) == "CELU(alpha=2.0)"
    assert str(MISH.torch_module()) == "Mish()"


# --------------------------------------------------------------------------- softplus
def test_softplus_known_values_and_identities():
    assert SOFTPLUS.forward(0.0) == math.log(2.0)
    assert SOFTPLUS.forward(0.0, beta=4.0) == math.log(2.0) / 4
    assert SOFTPLUS.derivative(0.0) == 0.5
    xs = np.linspace(-30.0, 30.0, 601)
    # softplus(x) − softplus(−x) = x, and softplus_β(x) = softplus_1(βx)/β
    np.testing.assert_allclose(SOFTPLUS.forward(xs) - SOFTPLUS.forward(-xs), xs, atol=4e-15)
    np.testing.assert_allclose(
        SOFTPLUS.forward(xs, beta=2.0), SOFTPLUS.forward(2.0 * xs) / 2.0, rtol=1e-15
    )
    assert np.all(SOFTPLUS.forward(xs) >= np.maximum(xs, 0.0))


def test_softplus_symbolic_derivative_is_the_sigmoid():
    beta = SOFTPLUS.param_specs["beta"].symbol
    d = SOFTPLUS.derivative_expr(symbolic=True)
    assert sp.simplify(d - 1 / (1 + sp.exp(-beta * X))) == 0


@pytest.mark.parametrize("x", [-745.0, -700.0, -100.0, -40.0, -1e-300, 1e-8, 36.0, 1e300])
def test_softplus_tails_keep_relative_accuracy(x):
    want = float(mp_softplus(x))
    assert SOFTPLUS.forward(x) == pytest.approx(want, rel=2e-16, abs=5e-324)


def test_softplus_large_beta_and_huge_inputs_do_not_overflow():
    big = np.finfo(np.float64).max
    xs = np.array([-big, -1e300, -1.0, 0.0, 1.0, 1e300, big])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            for beta in (1e-3, 0.5, 2.0, 1e3):
                f = SOFTPLUS.forward(xs, beta=beta)
                d = SOFTPLUS.derivative(xs, beta=beta)
                assert f[-1] == big and f[0] == 0.0 and d[-1] == 1.0 and d[0] == 0.0
                assert np.all(np.isfinite(f)) and np.all(np.isfinite(d))


def test_softplus_tends_to_relu_as_beta_grows():
    xs = np.linspace(-5.0, 5.0, 1001)
    gaps = [np.max(SOFTPLUS.forward(xs, beta=b) - np.maximum(xs, 0.0)) for b in (1, 10, 100)]
    np.testing.assert_allclose(gaps, [math.log(2.0) / b for b in (1, 10, 100)], rtol=1e-14)


def test_pytorch_softplus_switches_to_x_above_its_threshold():
    """PyTorch returns x for βx > 20; actlib evaluates the formula (its reference is exact)."""
    for beta, x_switch in ((1.0, 20.0), (2.0, 10.0)):
        above = np.nextafter(x_switch, np.inf)
        y, g = torch_grad(torch.nn.functional.softplus, [x_switch, above], beta=beta)
        ours, ours_d = (
            SOFTPLUS.forward([x_switch, above], beta=beta),
            SOFTPLUS.derivative([x_switch, above], beta=beta),
        )
        assert y[1] == above and g[1] == 1.0  # the switch
        assert y[0] == ours[0] and ours[1] > above  # below it PyTorch evaluates the formula
        exact = float(mp_softplus(above, beta))
        assert ours[1] == pytest.approx(exact, rel=1e-16)
        assert ours_d[1] < 1.0
        units = abs(y[1] - exact) / np.spacing(exact)
        assert units > 1e5  # a jump of hundreds of thousands of units in float64
    # In float32 the same switch is invisible: the correction is below half a unit.
    above32 = np.nextafter(np.float32(20.0), np.float32(np.inf))
    y32, _ = torch_grad(torch.nn.functional.softplus, [above32], dtype=torch.float32)
    assert y32[0] == above32 == SOFTPLUS.forward(np.array([above32]))[0]


def test_verify_softplus_at_beta_2_fails_for_pytorch_only():
    report = actlib.verify("softplus", beta=2.0)
    numpy_checks = [c for c in report.checks if c.implementation == "NumPy"]
    torch_checks = [c for c in report.checks if c.implementation == "PyTorch"]
    assert numpy_checks and all(c.passed for c in numpy_checks)
    assert not report.passed and not all(c.passed for c in torch_checks)
    assert all(float(c.worst_x) > 10.0 for c in torch_checks if not c.passed)


# --------------------------------------------------------------------------- CELU
def test_celu_is_elu_at_alpha_one_and_a_rescaled_elu_otherwise():
    xs = np.linspace(-900.0, 50.0, 9501)
    np.testing.assert_array_equal(CELU.forward(xs), ELU.forward(xs))
    for alpha in (0.25, 0.5, 2.0, 3.0):
        np.testing.assert_allclose(
            CELU.forward(xs, alpha=alpha), alpha * ELU.forward(xs / alpha), rtol=4e-16
        )
    assert CELU.forward(-1e-20, alpha=2.0) == -1e-20  # expm1 keeps the tiny values


def test_celu_derivative_is_continuous_and_its_second_derivative_jumps():
    alpha = CELU.param_specs["alpha"].symbol
    d = CELU.derivative_expr(symbolic=True)
    d2 = sp.diff(d, X)
    eps = sp.Symbol("epsilon", positive=True)
    assert sp.limit(d.subs(X, -eps), eps, 0, "+") == 1 == sp.limit(d.subs(X, eps), eps, 0, "+")
    assert sp.limit(d2.subs(X, -eps), eps, 0, "+") == 1 / alpha
    assert sp.limit(d2.subs(X, eps), eps, 0, "+") == 0
    assert CELU.properties(alpha=2.0).continuously_differentiable
    assert not ELU.properties(alpha=2.0).continuously_differentiable
    assert CELU.kinks == ()


@pytest.mark.parametrize("alpha", [0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 49.0])
def test_celu_derivative_at_zero_is_one_and_pytorch_rounds_alpha_to_float32(alpha):
    """PyTorch's autograd divides by α rounded to float32; actlib returns e^{x/α} itself."""
    xs = np.array([-0.7, -0.01, 0.0])
    ours = CELU.derivative(xs, alpha=alpha)
    assert ours[-1] == 1.0
    with mpmath.workdps(40):
        exact = [float(mpmath.exp(mpmath.mpf(v) / mpmath.mpf(alpha))) for v in xs]
    np.testing.assert_allclose(ours, exact, rtol=2.3e-16)
    _, g = torch_grad(torch.nn.functional.celu, xs, alpha=alpha)
    inverse32 = 1.0 / float(np.float32(alpha))  # what PyTorch's backward uses for 1/α
    np.testing.assert_allclose(g, alpha * inverse32 * np.exp(xs * inverse32), rtol=1e-15)
    if float(np.float32(alpha)) == alpha:
        np.testing.assert_allclose(g, exact, rtol=2.3e-16)
    else:
        assert np.max(np.abs(g / exact - 1)) > 1e-9  # relative errors near float32's epsilon


def test_verify_celu_at_alpha_0_1_fails_for_pytorch_derivative_only():
    report = actlib.verify("celu", alpha=0.1)
    failed = [(c.quantity, c.implementation) for c in report.checks if not c.passed]
    assert len(failed) == 1 and failed[0][1] == "PyTorch" and "derivative" in failed[0][0]


def test_celu_extreme_alpha_does_not_warn():
    big = np.finfo(np.float64).max
    xs = np.array([-big, -1e300, -1.0, 0.0, 1.0, big])
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        for alpha in (1e-300, 1e-3, 1e3, 1e300):
            f = CELU.forward(xs, alpha=alpha)
            d = CELU.derivative(xs, alpha=alpha)
            assert f[0] == -alpha and f[-1] == big and d[-1] == 1.0 and d[3] == 1.0


# --------------------------------------------------------------------------- Mish
def test_mish_known_values_and_definition():
    assert MISH.forward(0.0) == 0.0 and MISH.derivative(0.0) == 0.6
    sp_expr = SOFTPLUS.expr()
    assert sp.simplify((X * sp.tanh(sp_expr) - MISH.expr()).rewrite(sp.exp)) == 0
    xs = np.linspace(-20.0, 20.0, 81)
    want = [float(mp_mish(v)) for v in xs]
    np.testing.assert_allclose(MISH.forward(xs), want, rtol=5e-16, atol=1e-300)


def test_mish_matches_pytorch_away_from_the_tails():
    xs = np.linspace(-30.0, 30.0, 1201)
    y, g = torch_grad(torch.nn.functional.mish, xs)
    np.testing.assert_allclose(MISH.forward(xs), y, rtol=1e-13, atol=1e-300)
    np.testing.assert_allclose(MISH.derivative(xs), g, rtol=1e-12, atol=1e-14)


def test_mish_minimum_to_full_precision():
    e = sp.exp(X)
    bracket = sp.lambdify(X, 4 * (1 + X) + e * (6 + 4 * X) + 4 * e**2 + e**3, "mpmath")
    props = MISH.properties()
    with mpmath.workdps(50):
        x_star = mpmath.findroot(bracket, mpmath.mpf(-1.2))
        f_star = float(mp_mish(float(x_star)))
    assert props.minimum.x == pytest.approx(float(x_star), abs=1e-14)
    assert props.minimum.value == pytest.approx(f_star, rel=1e-15)
    assert props.range.inf == props.minimum.value and props.range_attained[0]
    assert not props.monotonic and props.minimum_exact is None
    # Deeper than swish's minimum, and closer to the origin.
    swish = actlib.get("swish").properties()
    assert props.minimum.value < swish.minimum.value and props.minimum.x > swish.minimum.x
    # The derivative ranges beyond 1 and below 0.
    assert props.derivative_range.sup > 1.08 and props.derivative_range.inf < -0.11


@pytest.mark.parametrize("x", [-744.0, -710.0, -700.0, -300.0, -40.0, -2.25, -0.2, 1e-300])
def test_mish_tails_keep_relative_accuracy(x):
    assert MISH.forward(x) == pytest.approx(float(mp_mish(x)), rel=5e-16, abs=1e-320)
    assert MISH.derivative(x) == pytest.approx(float(mp_mish_derivative(x)), rel=1e-15, abs=1e-320)


def test_mish_derivative_within_the_goal_where_it_cancels():
    """Around the minimum of mish and of mish′ the derivative is a difference of terms."""
    xs = np.sort(np.random.default_rng(3).uniform(-3.0, 0.0, 300))
    config = accuracy.Config(MISH)
    truth = accuracy.truth(config, "derivative", xs)
    assert accuracy.units(MISH.derivative(xs), truth).max() <= TINY_ULP


def test_limits_at_infinity():
    inf = np.array([-np.inf, np.inf])
    np.testing.assert_array_equal(MISH.forward(inf), [0.0, np.inf])
    np.testing.assert_array_equal(MISH.derivative(inf), [0.0, 1.0])
    np.testing.assert_array_equal(SOFTPLUS.forward(inf, beta=3.0), [0.0, np.inf])
    np.testing.assert_array_equal(SOFTPLUS.derivative(inf), [0.0, 1.0])
    np.testing.assert_array_equal(CELU.forward(inf, alpha=2.0), [-2.0, np.inf])
    np.testing.assert_array_equal(CELU.derivative(inf, alpha=2.0), [0.0, 1.0])


# --------------------------------------------------------------------------- accuracy
@pytest.mark.parametrize(
    ("name", "params"), [("softplus", {"beta": 10.0}), ("celu", {"alpha": 3.0})]
)
def test_non_power_of_two_parameters_within_the_goal(name, params):
    for dtype in (np.float64, np.float32):
        rows = accuracy.measure(
            name, dtype=dtype, mode="fast", implementations=("actlib",), **params
        )
        assert rows and all(r.ok for r in rows), rows


def test_naive_formulas_fail_where_expected():
    rows = {
        (r.function, r.quantity): r
        for name in ("softplus", "mish")
        for r in accuracy.measure(name, mode="fast", implementations=("naive",))
    }
    assert rows[("softplus", "forward")].warnings > 0  # exp overflows
    assert rows[("mish", "forward")].max_units > 1e6  # 1 + e^x rounds to 1 in the left tail


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("spec", "params", "error", "match"),
    [
        (SOFTPLUS, {"beta": 0.0}, ValueError, r"beta.*\(0, inf\]"),
        (SOFTPLUS, {"beta": -1.0}, ValueError, "beta"),
        (SOFTPLUS, {"beta": float("nan")}, ValueError, "beta"),
        (SOFTPLUS, {"beta": "2"}, TypeError, "beta"),
        (SOFTPLUS, {"threshold": 20.0}, TypeError, "unexpected parameter"),
        (CELU, {"alpha": 0.0}, ValueError, r"alpha.*\(0, inf\]"),
        (CELU, {"alpha": float("inf")}, ValueError, "alpha"),
        (CELU, {"alpha": True}, TypeError, "alpha"),
        (MISH, {"beta": 1.0}, TypeError, "unexpected parameter"),
    ],
)
def test_bad_parameters_name_the_problem(spec, params, error, match):
    with pytest.raises(error, match=match):
        spec.forward([0.5, -0.5], **params)
