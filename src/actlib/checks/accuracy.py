"""Accuracy in units in the last place, against a high-precision reference.

This module measures how far an implementation of an activation (and of its derivative) is from
the exact value, over a grid that reaches into the places where textbook formulas break:
tiny and huge magnitudes, the overflow thresholds of ``exp``, ±0, ±inf and NaN.

* **The truth** is the SymPy expression of the spec (:meth:`Activation.expr`,
  :meth:`Activation.derivative_expr`) evaluated with mpmath at 50 significant digits or more.
  Before evaluation, sums that cancel (``1 + erf(u)``, ``1 − tanh(u)²``, ``e^u − 1`` ...) are
  rewritten into equivalent forms without cancellation by :func:`stable_form`; every rule is an
  identity listed in :data:`REWRITE_RULES` and checked symbolically by the test-suite. On top of
  that, each value is computed at two precisions and the precision is raised until they agree
  (:func:`mp_value`), so a cancellation that no rule removed is still caught.
* **The error** of a computed value y at input x, in the floating type of x, is

  .. math::
      \\mathrm{err} = \\frac{|y - f(x)|}{\\mathrm{ulp}(f(x)) + |f'(x)|\\,\\mathrm{ulp}(x)}

  (with f'' in place of f' for the derivative): a result as good as the exact value at a
  neighbouring input counts as at most one unit. Below the smallest normal number the unit is
  that number itself, so flushing a subnormal result to zero costs at most one unit. ±inf and NaN
  results must match exactly (NaN in → NaN out; ±inf in → the limit).
* **The implementations** are actlib's stable NumPy code, PyTorch's own CPU kernels (forward and
  autograd derivative), and the deliberately naive textbook formulas of each spec — the
  "before" picture that the stable code fixes.

Softmax is measured on its two-class slice softmax([x, 0])₀ (which equals σ(x)) and the
diagonal Jacobian entry ∂softmax([x, 0])₀/∂x.

>>> from actlib.checks.accuracy import measure
>>> row = measure("sigmoid", dtype="float64", mode="fast")[0]
>>> row.quantity, row.implementation, row.max_units <= 4
('forward', 'actlib', True)
"""

from __future__ import annotations

import html
import math
import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import mpmath
import numpy as np
import sympy as sp
from mpmath import libmp
from sympy.codegen.cfunctions import expm1 as sp_expm1

from actlib.registry import get, names
from actlib.spec import Activation, X, _piecewise_limit

#: Significant digits the reference must be stable to (it is computed with more).
REFERENCE_DIGITS = 50
#: Precision is raised up to this many digits before a reference value is declared unstable.
MAX_DIGITS = 3200
#: A zero reference value must persist up to this precision.
ZERO_DIGITS = 400
#: The accuracy goal for actlib: at most this many units everywhere on the grid.
GOAL_UNITS = 4.0

Mode = Literal["fast", "full"]
DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def default_mode() -> Mode:
    """``"full"`` if the environment variable ``ACTLIB_ACCURACY`` is ``full``, else ``"fast"``."""
    return "full" if os.environ.get("ACTLIB_ACCURACY", "").strip().lower() == "full" else "fast"


# ====================================================================== the grid
#: Inputs with a story: exp overflows beyond 709.78 (float64) and 88.7 (float32), the naive
#: tanh quotient is NaN from 710 (float64) and 89 (float32), exp underflows to 0 beyond 745.1
#: (float64) and 103.9 (float32).
LANDMARKS = (88.0, 89.0, 104.0, 700.0, 709.0, 710.0, 745.0, 1000.0, 1e5, 1e300)


def grid(dtype: Any = np.float64, mode: Mode = "full", kinks: Iterable[float] = ()) -> np.ndarray:
    """The inputs, rounded to ``dtype``: finite values sorted, then ±0, ±inf and NaN.

    Full grid: [−50, 50] in steps of 1/32 (exact in float32 and float64), 2000 seeded uniform
    points in [−50, 50], magnitudes 1e−300 … 1e4 at 8 per decade with both signs, the
    :data:`LANDMARKS` with both signs, the kinks, ±0, ±inf and NaN. The fast grid keeps the
    kinks, the special values and the landmarks up to 1e5, but uses steps of 1, 50 random
    points and one magnitude every 4 decades.
    """
    dtype = np.dtype(dtype)
    full = mode == "full"
    if mode not in ("fast", "full"):
        raise ValueError(f"mode must be 'fast' or 'full', got {mode!r}")
    step = 32 if full else 1
    dense = np.arange(-50 * step, 50 * step + 1) / step
    rand = np.random.default_rng(20240611).uniform(-50.0, 50.0, 2000 if full else 50)
    mags = np.logspace(-300.0, 4.0, 304 * 8 + 1 if full else 304 // 4 + 1)
    # ±1e300 stays out of the fast grid: there GELU-tanh's reference needs ~1000 digits.
    marks = np.asarray(LANDMARKS if full else [m for m in LANDMARKS if m < 1e300])
    finite = np.concatenate([dense, rand, mags, -mags, marks, -marks, np.asarray(list(kinks))])
    with np.errstate(over="ignore", under="ignore"):
        finite = finite.astype(dtype)
    finite = np.unique(finite[np.isfinite(finite) & (finite != 0)])
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype=dtype)
    return np.concatenate([finite, special])


# ====================================================================== the reference
@dataclass(frozen=True)
class RewriteRule:
    """A cancellation-free replacement for ``k·g + sign·k`` (g = ``factor(u)``)."""

    name: str
    #: The function whose occurrence g = head(u) (or head(u)**power) triggers the rule.
    head: type
    power: int
    #: +1 for k + k·g, −1 for k·g − k.
    sign: int
    #: Builds the replacement of ``k·g + sign·k`` from (u, k).
    replace: Callable[[sp.Expr, sp.Expr], sp.Expr]

    def identity(self, u: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """(original, replacement) with k = 1: the identity the rule relies on."""
        g = self.head(u) ** self.power
        return g + self.sign, self.replace(u, sp.Integer(1))


def _erfc(u: sp.Expr) -> sp.Expr:
    # SymPy would turn erfc(−u) back into 2 − erfc(u), the very cancellation being removed.
    return sp.erfc(u, evaluate=False)


#: The rewrites :func:`stable_form` applies, each an exact identity (checked in the tests).
REWRITE_RULES: tuple[RewriteRule, ...] = (
    RewriteRule("1 + erf(u) = erfc(−u)", sp.erf, 1, +1, lambda u, k: k * _erfc(-u)),
    RewriteRule("erf(u) − 1 = −erfc(u)", sp.erf, 1, -1, lambda u, k: -k * _erfc(u)),
    RewriteRule(
        "1 + tanh(u) = 2/(1 + e^(−2u))", sp.tanh, 1, +1, lambda u, k: 2 * k / (1 + sp.exp(-2 * u))
    ),
    RewriteRule(
        "tanh(u) − 1 = −2/(1 + e^(2u))", sp.tanh, 1, -1, lambda u, k: -2 * k / (1 + sp.exp(2 * u))
    ),
    RewriteRule("tanh(u)² − 1 = −1/cosh(u)²", sp.tanh, 2, -1, lambda u, k: -k / sp.cosh(u) ** 2),
    RewriteRule("e^u − 1 = expm1(u)", sp.exp, 1, -1, lambda u, k: k * sp_expm1(u)),
)


def _rewrite_sum(terms: list[sp.Expr]) -> sp.Expr:
    """Pair the terms k·g and ±k of a sum and replace each pair by its stable form."""
    terms = list(terms)
    progress = True
    while progress:
        progress = False
        for i, t in enumerate(terms):
            for rule in REWRITE_RULES:
                for atom in t.atoms(rule.head):
                    g = atom**rule.power
                    k = t / g
                    if k.has(atom):  # g is not a factor of t
                        continue
                    partner = rule.sign * k
                    j = next((j for j, s in enumerate(terms) if j != i and s == partner), None)
                    if j is None:
                        continue
                    rest = [s for n, s in enumerate(terms) if n not in (i, j)]
                    terms = [*rest, rule.replace(atom.args[0], k)]
                    progress = True
                    break
                if progress:
                    break
            if progress:
                break
    return sp.Add(*terms)


def _combine_exponentials(expr: sp.Add) -> sp.Expr:
    """Put a sum of rational functions of x and exponentials over one denominator.

    softmax([x, 0])₀′ = e^x/(e^x + 1) − e^(2x)/(e^x + 1)² is ≈ e^(−x) for large x but is the
    difference of two numbers close to 1; :func:`sympy.cancel` turns it into the exact quotient
    e^x/(e^(2x) + 2e^x + 1), in which nothing cancels. Sums that involve other functions are
    left alone.
    """
    funcs = {type(f) for f in expr.atoms(sp.Function)}
    if not funcs or funcs - {sp.exp}:
        return expr
    return sp.cancel(expr)


def stable_form(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every cancelling sum of :data:`REWRITE_RULES` replaced, bottom-up.

    >>> x = sp.Symbol("x", real=True)
    >>> stable_form(x / 2 * (1 + sp.erf(x)))
    x*erfc(-x)/2
    """
    if expr.is_Atom or not expr.args:
        return expr
    args = [stable_form(a) if isinstance(a, sp.Basic) else a for a in expr.args]
    if isinstance(expr, sp.Add):
        out = _rewrite_sum(args)
        return _combine_exponentials(out) if isinstance(out, sp.Add) else out
    if all(a is b for a, b in zip(args, expr.args, strict=True)):
        return expr
    return expr.func(*args)


_HUGE_ERFC = mpmath.mpf(2) ** 400


def _mp_erfc(z: Any) -> Any:
    """mpmath's erfc, extended to |z| > 2**400 where mpmath itself overflows.

    There erfc(z) = e^(−z²)/(z√π)·(1 + O(z^(−2))) is exact to far more than 100 digits, and
    erfc(−z) = 2 − erfc(z) loses nothing because the result is close to 2.
    """
    if z < -_HUGE_ERFC:
        return 2 - _mp_erfc(-z)
    if z > _HUGE_ERFC:
        return mpmath.exp(-z * z) / (z * mpmath.sqrt(mpmath.pi))
    return mpmath.erfc(z)


_MP_MODULES = [{"erfc": _mp_erfc, "expm1": mpmath.expm1}, "mpmath"]


def mp_function(expr: sp.Expr, stable: bool = True) -> Callable[[Any], Any]:
    """An mpmath function of x for ``expr`` (after :func:`stable_form` unless ``stable=False``)."""
    return sp.lambdify(X, stable_form(expr) if stable else expr, modules=_MP_MODULES)


def mp_value(
    fn: Callable[[Any], Any], x: float, digits: int = REFERENCE_DIGITS, abs_tol: Any = 0
) -> Any:
    """``fn(x)`` in mpmath, to ``digits`` significant digits (or to ``abs_tol`` absolutely).

    The function is evaluated at ``digits + 10`` digits and at twice that; the precision is
    doubled until two successive values agree to ``digits`` digits or differ by at most
    ``abs_tol``. A value of exactly zero is accepted only once it has survived
    :data:`ZERO_DIGITS` digits (a sum that cancels below that would round to 0 in any float).

    Raises:
        ArithmeticError: no agreement up to :data:`MAX_DIGITS` digits.
    """
    dps = digits + 10
    with mpmath.workdps(dps):
        prev = mpmath.mpf(fn(mpmath.mpf(x)))
    while dps < MAX_DIGITS:
        dps *= 2
        with mpmath.workdps(dps):
            value = mpmath.mpf(fn(mpmath.mpf(x)))
            if value == 0 and prev == 0 and dps < ZERO_DIGITS:
                continue  # a sum that cancels completely at this precision looks like 0
            diff = abs(value - prev)
            if diff <= abs(value) * mpmath.mpf(10) ** (-digits) or diff <= abs_tol:
                return value
        prev = value
    raise ArithmeticError(f"reference not stable to {digits} digits at x = {x!r}")


def round_mp(value: Any, dtype: Any) -> float:
    """Round an mpmath number to the nearest ``dtype`` value (float64 or float32), as a float."""
    mpf = value._mpf_
    if np.dtype(dtype) == np.float32:
        # Round to 24 bits first, so the value reaches float32 with one rounding (the second,
        # to float32, is exact except in float32's subnormal range).
        mpf = libmp.mpf_pos(mpf, 24, "n")
        with np.errstate(over="ignore", under="ignore"):
            return float(np.float32(libmp.to_float(mpf, rnd="n")))
    return libmp.to_float(mpf, rnd="n")


@dataclass(frozen=True, eq=False)
class Config:
    """An activation at fixed parameter values, as measured by the harness."""

    spec: Activation
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """``name`` or ``name(p=v)`` for non-default parameters."""
        if not self.params:
            return self.spec.name
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.spec.name}({args})"

    @property
    def values(self) -> dict[str, Any]:
        """All parameter values, defaults included, validated."""
        return self.spec.resolve(self.params)

    @property
    def key(self) -> tuple:
        """Hashable identity: the name and the exact symbolic parameter values."""
        return (self.spec.name, tuple(sorted(self.spec.symbolic_params(self.values).items())))

    def exprs(self) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
        """(f, f′, f″) as SymPy expressions in ``actlib.spec.X``.

        Elementwise specs use :meth:`Activation.expr` and :meth:`Activation.derivative_expr`;
        softmax uses its two-class slice softmax([x, 0])₀.
        """
        return _exprs(self.spec, self.key)


@lru_cache(maxsize=64)
def _exprs(spec: Activation, key: tuple) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    params = {k: float(v) for k, v in key[1]}
    if spec.kind == "vector":
        f = spec.scalar_expr(**params)
        d = sp.diff(f, X)
    else:
        f = spec.expr(**params)
        d = spec.derivative_expr(**params)
    return f, d, sp.diff(d, X)


def configs(mode: Mode = "full") -> list[Config]:
    """Every registered activation at its defaults, then at each spec's ``common_params``.

    The fast mode keeps only the defaults.
    """
    out = [Config(spec) for spec in (get(n) for n in names())]
    if mode == "full":
        for name in names():
            out += [Config(get(name), dict(p)) for p in get(name).common_params]
    return out


_MP_CACHE: dict[tuple, dict[float, Any]] = {}


def reference(config: Config, which: int, xs: np.ndarray) -> list[Any]:
    """Reference values (mpmath numbers) of f (``which=0``), f′ (1) or f″ (2) at finite ``xs``.

    f and f′ are stable to :data:`REFERENCE_DIGITS` digits. f″ only enters the conditioning
    allowance |f″(x)|·ulp(x), so 3 digits suffice, and only where that product can exceed a
    thousandth of the smallest subnormal float64 (anything smaller cannot change a unit).
    Values are cached per configuration, so the float32 grid reuses the float64 work.
    """
    cache = _MP_CACHE.setdefault((config.key, which), {})
    missing = [float(x) for x in xs if float(x) not in cache]
    if missing:
        fn = _mp_functions(config.spec, config.key)[which]
        for x in missing:
            if which < 2:
                cache[x] = mp_value(fn, x)
            else:
                tol = mpmath.mpf(_SMALLEST_SUBNORMAL) / 1000 / float(np.spacing(abs(x)))
                cache[x] = mp_value(fn, x, digits=3, abs_tol=tol)
    return [cache[float(x)] for x in xs]


_SMALLEST_SUBNORMAL = float(np.nextafter(0.0, 1.0))


@lru_cache(maxsize=64)
def _mp_functions(spec: Activation, key: tuple) -> tuple[Callable[[Any], Any], ...]:
    return tuple(mp_function(e) for e in _exprs(spec, key))


@lru_cache(maxsize=256)
def _limits(spec: Activation, key: tuple, which: int) -> tuple[float, float]:
    """(lim −∞, lim +∞) of f or f′, computed by SymPy from the expression.

    Elementwise specs share :meth:`Activation.limits` (and its cache); softmax's slice has its
    own.
    """
    if spec.kind != "vector":
        params = {k: float(v) for k, v in key[1]}
        return spec.limits("forward" if which == 0 else "derivative", **params)
    expr = _exprs(spec, key)[which]
    return tuple(float(_piecewise_limit(expr, s)) for s in (-sp.oo, sp.oo))


@dataclass(frozen=True)
class Truth:
    """Exact values of one quantity on a grid, rounded to the grid's type."""

    x: np.ndarray  #: the inputs (in their floating type)
    value: np.ndarray  #: f(x) (or f′(x)) rounded to the type, stored as float64
    slope: np.ndarray  #: |f′(x)| (or |f″(x)|) in float64, for the conditioning allowance


def truth(config: Config, quantity: str, x: np.ndarray) -> Truth:
    """The reference for ``quantity`` (``"forward"`` or ``"derivative"``) on the grid ``x``.

    Finite inputs use :func:`reference`; ±inf use the limits SymPy computes for the expression;
    NaN gives NaN.
    """
    which = 0 if quantity == "forward" else 1
    dtype = x.dtype
    xf = x.astype(np.float64)
    finite = np.isfinite(xf)
    value = np.full(xf.shape, np.nan)
    slope = np.zeros(xf.shape)
    pts = xf[finite]
    value[finite] = [round_mp(v, dtype) for v in reference(config, which, pts)]
    slope[finite] = [
        abs(libmp.to_float(v._mpf_, rnd="n")) for v in reference(config, which + 1, pts)
    ]
    lo, hi = _limits(config.spec, config.key, which)
    with np.errstate(over="ignore"):
        value[np.isneginf(xf)] = np.asarray(lo, dtype=dtype)
        value[np.isposinf(xf)] = np.asarray(hi, dtype=dtype)
    return Truth(x=x, value=value, slope=slope)


# ====================================================================== the error measure
def units(computed: np.ndarray, t: Truth) -> np.ndarray:
    """Error of ``computed`` in units (see the module docstring); ``inf`` for a wrong inf/NaN."""
    dtype = t.x.dtype
    info = np.finfo(dtype)
    y = np.asarray(computed).astype(np.float64)
    true = t.value
    exact_only = ~np.isfinite(true) | ~np.isfinite(t.x)
    with np.errstate(all="ignore"):
        unit_f = np.where(
            np.abs(true) < info.tiny,
            float(info.tiny),
            np.spacing(np.abs(true).astype(dtype)).astype(np.float64),
        )
        ax = np.abs(t.x)
        unit_x = np.spacing(np.where(np.isfinite(ax), ax, 0).astype(dtype)).astype(np.float64)
        allowance = unit_f + np.nan_to_num(t.slope * unit_x, nan=0.0, posinf=np.inf)
        err = np.abs(y - true) / allowance
    same = (y == true) | (np.isnan(y) & np.isnan(true))
    err = np.where(same, 0.0, err)
    err = np.where(exact_only & ~same, np.inf, err)
    return np.where(np.isnan(err), np.inf, err)


# ====================================================================== implementations
ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Implementation:
    """One way of computing an activation: its forward and derivative on arrays of one dtype."""

    name: str
    forward: ArrayFn
    derivative: ArrayFn


def _pair(x: np.ndarray) -> np.ndarray:
    return np.stack([x, np.zeros_like(x)], axis=-1)


def actlib_implementation(config: Config) -> Implementation:
    """actlib's NumPy forward and derivative (softmax: the two-class slice)."""
    spec, params = config.spec, config.params
    if spec.kind == "vector":
        return Implementation(
            "actlib",
            lambda x: spec.forward(_pair(x), **params)[..., 0],
            lambda x: spec.derivative(_pair(x), **params)[..., 0, 0],
        )
    return Implementation(
        "actlib",
        lambda x: spec.forward(x, **params),
        lambda x: spec.derivative(x, **params),
    )


def torch_implementation(config: Config) -> Implementation:
    """PyTorch's own implementation (``spec.torch``): forward, and the autograd derivative."""
    import torch

    spec, values = config.spec, config.values

    def run(t):
        if spec.kind == "vector":
            return spec.torch_forward(torch.stack([t, torch.zeros_like(t)], dim=-1), **values)[
                ..., 0
            ]
        return spec.torch_forward(t, **values)

    def forward(x: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return run(torch.from_numpy(x.copy())).numpy()

    def derivative(x: np.ndarray) -> np.ndarray:
        t = torch.from_numpy(x.copy()).requires_grad_(True)
        (g,) = torch.autograd.grad(run(t).sum(), t)
        return g.numpy()

    return Implementation("PyTorch", forward, derivative)


# ---------------------------------------------------------------------- the naive formulas
def naive_implementation(config: Config) -> Implementation | None:
    """The spec's deliberately naive textbook formulas (``None`` if it has none).

    They run in the input's dtype (parameters cast to it); vector-valued specs are measured on
    the two-class slice, like actlib's own implementation.
    """
    spec = config.spec
    if spec.naive_forward is None or spec.naive_derivative is None:
        return None
    values = {p.name: config.values[p.name] for p in spec.parameters if p.symbolic}

    def typed(fn, pick):
        def run(x: np.ndarray) -> np.ndarray:
            cast = {k: x.dtype.type(v) for k, v in values.items()}
            arg = _pair(x) if spec.kind == "vector" else x
            return np.asarray(pick(fn(arg, **cast))).astype(x.dtype)

        return run

    if spec.kind == "vector":
        return Implementation(
            "naive",
            typed(spec.naive_forward, lambda y: y[..., 0]),
            typed(spec.naive_derivative, lambda j: j[..., 0, 0]),
        )
    return Implementation(
        "naive", typed(spec.naive_forward, lambda y: y), typed(spec.naive_derivative, lambda y: y)
    )


IMPLEMENTATIONS: dict[str, Callable[[Config], Implementation | None]] = {
    "actlib": actlib_implementation,
    "PyTorch": torch_implementation,
    "naive": naive_implementation,
}


# ====================================================================== measurement
@dataclass(frozen=True)
class Row:
    """The worst error of one implementation of one quantity on one grid."""

    function: str
    quantity: str
    implementation: str
    dtype: str
    max_units: float  #: largest error over the finite inputs (∞ for a NaN or inf result)
    worst_x: float
    #: ±0, ±inf, NaN inputs whose result is wrong, as ``"input→result"`` strings.
    special: tuple[str, ...]
    warnings: int  #: floating-point warnings raised while computing
    nans: int  #: NaN results at finite inputs
    points: int

    @property
    def ok(self) -> bool:
        """Within :data:`GOAL_UNITS`, no wrong special value, no warning, no spurious NaN."""
        return (
            self.max_units <= GOAL_UNITS
            and not self.special
            and self.warnings == 0
            and self.nans == 0
        )


def run_recording(fn: ArrayFn, x: np.ndarray) -> tuple[np.ndarray, int]:
    """``fn(x)`` with every floating-point warning recorded (not printed); (result, count).

    NumPy is set to warn on overflow, invalid operations and division by zero (underflow, which
    is how tiny results are correctly rounded, stays silent).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(over="warn", invalid="warn", divide="warn", under="ignore"):
            out = np.asarray(fn(x))
    return out, len(caught)


def measure(
    name: str | Activation | Config,
    dtype: Any = np.float64,
    mode: Mode = "full",
    implementations: Sequence[str] = ("actlib", "PyTorch", "naive"),
    **params: Any,
) -> list[Row]:
    """Measure every implementation of one activation (forward and derivative) on one grid."""
    config = name if isinstance(name, Config) else Config(get(name), dict(params))
    dtype = np.dtype(dtype)
    x = grid(dtype, mode, config.spec.kinks)
    truths = {q: truth(config, q, x) for q in ("forward", "derivative")}
    rows = []
    for impl_name in implementations:
        impl = IMPLEMENTATIONS[impl_name](config)
        if impl is None:
            continue
        for q, fn in (("forward", impl.forward), ("derivative", impl.derivative)):
            out, n_warn = run_recording(fn, x)
            err = units(out, truths[q])
            finite = np.isfinite(x) & (x != 0)
            worst = int(np.argmax(np.where(finite, err, -1.0)))
            special = tuple(
                f"{_fmt_x(float(xi))}→{_fmt_x(float(yi))}"
                for xi, yi, e in zip(x[~finite], out[~finite], err[~finite], strict=True)
                if e > 0
            )
            rows.append(
                Row(
                    function=config.label,
                    quantity=q,
                    implementation=impl.name,
                    dtype=dtype.name,
                    max_units=float(err[worst]),
                    worst_x=float(x[worst]),
                    special=special,
                    warnings=n_warn,
                    nans=int(np.sum(np.isnan(out) & finite)),
                    points=x.size,
                )
            )
    return rows


def accuracy_table(
    mode: Mode | None = None,
    dtypes: Sequence[Any] = DTYPES,
    implementations: Sequence[str] = ("actlib", "PyTorch", "naive"),
    config_list: Sequence[Config] | None = None,
) -> AccuracyTable:
    """Measure every configuration of :func:`configs` (mode from :func:`default_mode`)."""
    mode = default_mode() if mode is None else mode
    rows: list[Row] = []
    for config in configs(mode) if config_list is None else config_list:
        for dtype in dtypes:
            rows += measure(config, dtype, mode, implementations)
    return AccuracyTable(tuple(rows), mode)


def _fmt_units(u: float) -> str:
    if math.isinf(u):
        return "∞"
    if u < 100:
        return f"{u:.2f}"
    return f"{u:.1e}"


def _fmt_x(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "+inf" if x > 0 else "−inf"
    if x == 0:
        return "−0" if math.copysign(1.0, x) < 0 else "0"
    return f"{x:.4g}".replace("-", "−")


@dataclass(frozen=True, repr=False)
class AccuracyTable:
    """The rows of a measurement, with tables in Markdown and HTML."""

    rows: tuple[Row, ...]
    mode: str

    def select(self, **match: Any) -> list[Row]:
        """Rows whose fields equal the given values, e.g. ``select(implementation="actlib")``."""
        return [r for r in self.rows if all(getattr(r, k) == v for k, v in match.items())]

    def worst(self, **match: Any) -> Row:
        """The row with the largest error among those matching."""
        return max(self.select(**match), key=lambda r: r.max_units)

    def cell(self, row: Row) -> str:
        """``units @ x`` with warnings and NaN counts when there are any."""
        s = _fmt_units(row.max_units)
        if row.max_units > 0:
            s += f" @ {_fmt_x(row.worst_x)}"
        extras = list(row.special)
        if row.nans:
            extras.append(f"{row.nans} NaN")
        if row.warnings:
            extras.append(f"{row.warnings} warn")
        return s + (f" ({', '.join(extras)})" if extras else "")

    def columns(self) -> list[tuple[str, str]]:
        """(implementation, dtype) pairs present, in a stable order."""
        seen: list[tuple[str, str]] = []
        for r in self.rows:
            if (r.implementation, r.dtype) not in seen:
                seen.append((r.implementation, r.dtype))
        return seen

    def grid_rows(self) -> list[list[str]]:
        """One line per (function, quantity), one column per (implementation, dtype)."""
        cols = self.columns()
        keys: list[tuple[str, str]] = []
        for r in self.rows:
            if (r.function, r.quantity) not in keys:
                keys.append((r.function, r.quantity))
        index = {(r.function, r.quantity, r.implementation, r.dtype): r for r in self.rows}
        out = []
        for f, q in keys:
            line = [f, q]
            for impl, dt in cols:
                r = index.get((f, q, impl, dt))
                line.append("—" if r is None else self.cell(r))
            out.append(line)
        return out

    def header(self) -> list[str]:
        return ["function", "quantity", *(f"{i} {d}" for i, d in self.columns())]

    def to_markdown(self) -> str:
        """A Markdown table (cells: max units @ worst x, NaN and warning counts)."""
        lines = [
            "| " + " | ".join(self.header()) + " |",
            "|" + "---|" * len(self.header()),
        ]
        lines += ["| " + " | ".join(r) + " |" for r in self.grid_rows()]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header())
        body = ""
        index = {(r.function, r.quantity, r.implementation, r.dtype): r for r in self.rows}
        cols = self.columns()
        for line in self.grid_rows():
            cells = f"<td>{html.escape(line[0])}</td><td>{html.escape(line[1])}</td>"
            for (impl, dt), text in zip(cols, line[2:], strict=True):
                r = index.get((line[0], line[1], impl, dt))
                style = "" if r is None or r.ok else " style='color:#cf222e'"
                cells += f"<td{style}>{html.escape(text)}</td>"
            body += f"<tr>{cells}</tr>"
        return (
            f"<table class='actlib-accuracy'><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def __str__(self) -> str:
        return self.to_markdown()

    __repr__ = __str__


def summary(table: AccuracyTable) -> Mapping[str, float]:
    """Largest error in units per implementation over the whole table."""
    out: dict[str, float] = {}
    for r in table.rows:
        out[r.implementation] = max(out.get(r.implementation, 0.0), r.max_units)
    return out
