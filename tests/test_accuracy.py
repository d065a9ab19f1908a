"""Accuracy of every activation against the high-precision reference (actlib.checks.accuracy).

By default the fast grid runs (a few seconds); ``ACTLIB_ACCURACY=full`` runs the full grid
(``make accuracy-full``).
"""

from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

import actlib
from actlib.checks import accuracy as acc
from actlib.checks import reference as ref

MODE = acc.default_mode()
CONFIGS = acc.configs()


# ---------------------------------------------------------------- the reference itself
@pytest.mark.parametrize("rule", ref.REWRITE_RULES, ids=lambda r: r.name)
def test_rewrite_rules_are_identities(rule):
    u = sp.Symbol("u", real=True)
    lhs, rhs = rule.identity(u)
    assert lhs != rhs  # the rule changes something
    diff = (lhs - rhs).rewrite(sp.erf).rewrite(sp.exp)
    assert sp.simplify(diff) == 0


@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.label)
def test_stable_form_equals_the_spec_expression(config):
    """f, f′, f″ after the rewrite agree with the spec's own expressions to 40 digits."""
    points = [-20.0, -7.5, -1.25, -1e-3, 0.0, 1e-3, 0.75, 3.0, 12.5, 20.0]
    for expr in config.exprs():
        original = ref.mp_function(expr, stable=False)
        stable = ref.mp_function(expr)
        for x in points:
            a = ref.mp_value(original, x)
            b = ref.mp_value(stable, x)
            assert abs(a - b) <= abs(a) * mpmath.mpf(10) ** -40, (config.label, expr, x)


def test_stable_form_removes_the_gelu_cancellation():
    x = actlib.spec.X
    f = actlib.get("gelu").expr()
    naive = ref.mp_function(f, stable=False)
    with mpmath.workdps(60):
        assert naive(mpmath.mpf(-1e4)) == 0  # 1 + erf(−7071) cancels completely at 60 digits
    value = ref.mp_value(ref.mp_function(f), -1e4)
    assert value < 0
    # |gelu(−1e4)| ≈ φ(1e4) ~ e^(−5e7): far below the smallest float, yet not zero.
    assert mpmath.log(-value) < -4.9e7
    assert "erf(" not in str(ref.stable_form(f)).replace("erfc(", "")
    assert ref.stable_form(sp.exp(x) - 1) == ref.sp_expm1(x)


def test_mp_value_raises_when_the_precision_never_settles():
    with pytest.raises(ArithmeticError, match="not stable"):
        ref.mp_value(lambda x: mpmath.mpf(mpmath.mp.dps), 1.0)


def test_huge_erfc_branch_matches_mpmath():
    with mpmath.workdps(80):
        z = mpmath.mpf(2) ** 401
        assert abs(ref._mp_erfc(z) / mpmath.erfc(z) - 1) < mpmath.mpf(10) ** -60
        assert ref._mp_erfc(-z) == mpmath.erfc(-z)
        assert ref._mp_erfc(mpmath.mpf(2) ** 2000) > 0  # mpmath's own erfc overflows here


@pytest.mark.parametrize("dtype", acc.DTYPES, ids=str)
def test_round_mp_is_round_to_nearest(dtype):
    rng = np.random.default_rng(7)
    with mpmath.workdps(60):
        values = [
            mpmath.mpf(m) * mpmath.mpf(2) ** int(e)
            for m, e in zip(rng.uniform(-1, 1, 200), rng.integers(-1100, 140, 200), strict=True)
        ]
        values += [mpmath.mpf(1) / 3, -mpmath.mpf(2) / 3, mpmath.mpf(10) ** 400]
    for v in values:
        r = acc.round_mp(v, dtype)
        sign = -1 if v < 0 else 1
        exact = Fraction(sign * int(v.man)) * Fraction(2) ** int(v.exp) if v.man else Fraction(0)
        if dtype == np.float64:
            assert r == float(exact) if abs(exact) < 2**1024 else math.isinf(r)
            continue
        r32 = np.float32(r)
        assert float(r32) == r
        if np.isinf(r32):
            assert abs(exact) >= float(np.finfo(np.float32).max)
            continue
        for nb in (np.nextafter(r32, np.float32(np.inf)), np.nextafter(r32, np.float32(-np.inf))):
            if np.isfinite(nb):
                assert abs(Fraction(float(r32)) - exact) <= abs(Fraction(float(nb)) - exact)


# ---------------------------------------------------------------- the grid and the units
@pytest.mark.parametrize("dtype", acc.DTYPES, ids=str)
def test_grid_has_the_required_inputs(dtype):
    x = acc.grid(dtype, "full")
    assert x.dtype == dtype
    xf = x.astype(np.float64)
    assert np.isnan(xf).sum() == 1
    assert {np.inf, -np.inf} <= set(xf[np.isinf(xf)])
    zeros = xf[xf == 0]
    assert sorted(np.signbit(zeros)) == [False, True]
    for v in (-50.0, 50.0, 0.5, 700.0, 709.0, 710.0, 745.0, 1000.0, 1e5):
        assert dtype.type(v) in x and dtype.type(-v) in x
    finite = xf[np.isfinite(xf) & (xf != 0)]
    if dtype == np.float64:
        assert 1e300 in x and -1e300 in x
        assert np.min(np.abs(finite)) == 1e-300
    assert np.max(np.abs(finite[np.abs(finite) < 1e5])) == pytest.approx(1e4, rel=1e-6)
    assert np.all(np.diff(x[: finite.size]) > 0)
    fast = acc.grid(dtype, "fast")
    assert set(fast[np.isfinite(fast)]) <= set(x[np.isfinite(x)]) | set(
        np.random.default_rng(20240611).uniform(-50.0, 50.0, 50).astype(dtype)
    )


def _truth(value, x, slope=0.0, dtype=np.float64):
    x = np.asarray([x], dtype=dtype)
    return acc.Truth(x=x, value=np.asarray([value], float), slope=np.asarray([slope], float))


@pytest.mark.parametrize("dtype", acc.DTYPES, ids=str)
def test_units(dtype):
    t = _truth(1.5, 0.3, dtype=dtype)
    one_up = float(np.nextafter(dtype.type(1.5), dtype.type(2)))
    assert acc.units(np.array([1.5]), t)[0] == 0
    assert acc.units(np.array([one_up]), t)[0] == pytest.approx(1.0)
    # the conditioning allowance: with |f'| = 1e3 an error of 1000 ulp(x) counts as ~1 unit
    t_cond = _truth(1.5, 1.5, slope=1e3, dtype=dtype)
    off = 1.5 + 1e3 * float(np.spacing(dtype.type(1.5)))
    assert 0.9 < acc.units(np.array([off]), t_cond)[0] < 1.1
    # a subnormal truth flushed to zero costs at most one unit
    tiny = float(np.finfo(dtype).tiny)
    assert acc.units(np.array([0.0]), _truth(tiny / 3, 1.0, dtype=dtype))[0] <= 1
    # special values must match exactly
    assert acc.units(np.array([np.nan]), t)[0] == np.inf
    assert acc.units(np.array([np.nan]), _truth(np.nan, np.nan, dtype=dtype))[0] == 0
    assert acc.units(np.array([1.0]), _truth(1.0, np.inf, dtype=dtype))[0] == 0
    assert acc.units(np.array([0.999]), _truth(1.0, np.inf, dtype=dtype))[0] == np.inf


# ---------------------------------------------------------------- the goal for actlib
@pytest.mark.battery
@pytest.mark.parametrize("dtype", acc.DTYPES, ids=str)
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: c.label)
def test_actlib_within_goal_everywhere(config, dtype):
    rows = acc.measure(config, dtype, MODE, implementations=("actlib",))
    assert [r.quantity for r in rows] == ["forward", "derivative"]
    for r in rows:
        assert r.max_units <= acc.GOAL_UNITS, r
        assert r.warnings == 0, r
        assert r.nans == 0, r
        assert r.special == (), r


def test_configs_cover_the_registry_and_the_extra_parameters():
    labels = [c.label for c in CONFIGS]
    assert [c.spec.name for c in CONFIGS if not c.params] == actlib.names()
    for spec in actlib.specs():
        for p in spec.common_params:
            assert acc.Config(spec, dict(p)).label in labels


# ---------------------------------------------------------------- the harness can fail
def test_harness_catches_the_naive_failures():
    table = acc.accuracy_table(
        MODE,
        implementations=("naive",),
        config_list=[acc.Config(actlib.get(n)) for n in ("tanh", "sigmoid", "gelu", "softmax")],
    )
    tanh64 = table.select(function="tanh", quantity="forward", dtype="float64")[0]
    tanh32 = table.select(function="tanh", quantity="forward", dtype="float32")[0]
    assert tanh64.nans > 0 and tanh64.warnings > 0 and tanh64.max_units == np.inf
    assert tanh32.nans > 0 and tanh32.max_units == np.inf
    # σ(1 − σ) is 0 where σ' is not: an error of the order of 1/ulp
    assert table.worst(function="sigmoid", quantity="derivative").max_units > 1e10
    assert table.worst(function="gelu", quantity="forward").max_units > 1e10
    assert not any(r.ok for r in table.select(function="softmax"))
    # the NaN appears exactly where the quotient becomes inf/inf
    for dtype, first_nan in ((np.float64, 710.0), (np.float32, 89.0)):
        impl = acc.naive_implementation(acc.Config(actlib.get("tanh")))
        x = np.array([first_nan - 1, first_nan], dtype=dtype)
        out, n_warn = acc.run_recording(impl.forward, x)
        assert not np.isnan(out[0]) and np.isnan(out[1]) and n_warn > 0


def test_full_table_renders():
    configs = [acc.Config(actlib.get(n)) for n in actlib.names()[:2]]
    table = acc.accuracy_table(MODE, config_list=configs)
    md = table.to_markdown()
    assert md.count("\n") == 1 + 2 * len(configs)
    assert "actlib float64" in md and "PyTorch float32" in md and "naive float64" in md
    assert "<table" in table._repr_html_()
    assert acc.summary(table)["actlib"] <= acc.GOAL_UNITS
