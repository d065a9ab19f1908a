"""Accuracy in units in the last place, against a high-precision reference.

This module measures how far an implementation of an activation (and of its derivative) is from
the exact value, over a grid that reaches into the places where textbook formulas break:
tiny and huge magnitudes, the overflow thresholds of ``exp``, ±0, ±inf and NaN.

* **The truth** is the SymPy expression of the spec (:meth:`~actlib.spec.Activation.expr`,
  :meth:`~actlib.spec.Activation.derivative_expr`) evaluated with mpmath at 50 significant
  digits or more, by :mod:`actlib.checks.reference`. Before evaluation, sums that cancel
  (``1 + erf(u)``, ``1 − tanh(u)²``, ``e^u − 1`` ...) are rewritten into equivalent forms
  without cancellation by :func:`~actlib.checks.reference.stable_form`; every rule is an
  identity listed in :data:`~actlib.checks.reference.REWRITE_RULES` and checked symbolically by
  the test-suite. On top of that, each value is computed at two precisions and the precision is
  raised until they agree (:func:`~actlib.checks.reference.mp_value`), so a cancellation that no
  rule removed is still caught.
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

from actlib.checks.reference import (
    mp_function,
    mp_value,
)
from actlib.display.i18n import tr
from actlib.display.table import Table
from actlib.registry import get, names
from actlib.shapes import X
from actlib.spec import Activation
from actlib.symbolic.properties import limits_at_infinity

#: The accuracy goal for actlib, at most this many units everywhere on the grid.
GOAL_UNITS = 4.0

#: The size of the grid, ``"fast"`` for the test suite and ``"full"`` for the published table.
Mode = Literal["fast", "full"]
#: The floating types measured by default.
DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def default_mode() -> Mode:
    """``"full"`` if the environment variable ``ACTLIB_ACCURACY`` is ``full``, else ``"fast"``.

    Returns:
        The grid mode to use when none is given.

    >>> default_mode() in ("fast", "full")
    True
    """
    return "full" if os.environ.get("ACTLIB_ACCURACY", "").strip().lower() == "full" else "fast"


# ====================================================================== the grid
#: Inputs with a story, added to the grid with both signs. ``exp`` overflows beyond 709.78
#: (float64) and 88.7 (float32), the naive tanh quotient is NaN from 710 (float64) and 89
#: (float32), ``exp`` underflows to 0 beyond 745.1 (float64) and 103.9 (float32).
LANDMARKS = (88.0, 89.0, 104.0, 700.0, 709.0, 710.0, 745.0, 1000.0, 1e5, 1e300)


def grid(dtype: Any = np.float64, mode: Mode = "full", kinks: Iterable[float] = ()) -> np.ndarray:
    """The inputs, rounded to ``dtype``: finite values sorted, then ±0, ±inf and NaN.

    Full grid: [−50, 50] in steps of 1/32 (exact in float32 and float64), 2000 seeded uniform
    points in [−50, 50], magnitudes 1e−300 … 1e4 at 8 per decade with both signs, the
    :data:`LANDMARKS` with both signs, the kinks, ±0, ±inf and NaN. The fast grid keeps the
    kinks, the special values and the landmarks up to 1e5, but uses steps of 1, 50 random
    points and one magnitude every 4 decades.

    Args:
        dtype: the floating type (float64 or float32).
        mode: ``"fast"`` or ``"full"``.
        kinks: points added to the grid (the spec's kinks).

    Returns:
        A 1-d array of ``dtype``, without duplicates.

    Raises:
        ValueError: ``mode`` is neither ``"fast"`` nor ``"full"``.

    >>> x = grid(np.float32, mode="fast")
    >>> x.dtype, x.size, x[-5:].tolist()
    (dtype('float32'), 197, [0.0, -0.0, inf, -inf, nan])
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


def round_mp(value: Any, dtype: Any) -> float:
    """Round an mpmath number to the nearest ``dtype`` value (float64 or float32), as a float.

    Args:
        value: an mpmath ``mpf``.
        dtype: float64 or float32.

    Returns:
        The correctly rounded value, as a Python float.

    >>> round_mp(mpmath.mpf(1) / 3, np.float32)
    0.3333333432674408
    """
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
    """An activation at fixed parameter values, as measured by the harness.

    >>> config = Config(get("elu"), {"alpha": 2.0})
    >>> config.label, config.key
    ('elu(alpha=2)', ('elu', (('alpha', 2),)))
    """

    spec: Activation  #: The activation.
    params: dict[str, Any] = field(default_factory=dict)  #: The non-default parameter values.

    @property
    def label(self) -> str:
        """``name`` or ``name(p=v)`` for non-default parameters."""
        if not self.params:
            return self.spec.name
        args = ", ".join(f"{k}={v:g}" for k, v in self.params.items())
        return f"{self.spec.name}({args})"

    @property
    def values(self) -> dict[str, Any]:
        """All parameter values, defaults included, validated.

        >>> Config(get("leaky_relu")).values
        {'negative_slope': 0.01}
        """
        return self.spec.resolve(self.params)

    @property
    def key(self) -> tuple:
        """The name and the exact symbolic parameter values, as a hashable tuple.

        >>> Config(get("leaky_relu")).key
        ('leaky_relu', (('negative_slope', 1/100),))
        """
        return (self.spec.name, tuple(sorted(self.spec.symbolic_params(self.values).items())))

    def exprs(self) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
        """(f, f′, f″) as SymPy expressions in :data:`actlib.shapes.X`.

        They are those of the shape's slice (:meth:`~actlib.spec.Activation.scalar_expr`): the
        function itself for elementwise specs, e.g. softmax([x, 0])₀ or swiglu(x, 1) for the
        others.

        Returns:
            The function and its first two derivatives.

        >>> Config(get("elu"), {"alpha": 2.0}).exprs()[2]
        Piecewise((0, x > 0), (2*exp(x), True))
        """
        return _exprs(self.spec, self.key)


@lru_cache(maxsize=64)
def _exprs(spec: Activation, key: tuple) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    f = spec.shape.slice_expr(spec, dict(key[1]))
    d = sp.diff(f, X)
    return f, d, sp.diff(d, X)


def configs(mode: Mode = "full") -> list[Config]:
    """Every registered activation at its defaults, then at each spec's ``common_params``.

    Args:
        mode: ``"full"`` adds the common parameter values; ``"fast"`` keeps only the defaults.

    Returns:
        The configurations, in book order.

    >>> [c.label for c in configs("full") if c.label.startswith("elu")]
    ['elu', 'elu(alpha=0.5)', 'elu(alpha=2)']
    """
    out = [Config(spec) for spec in (get(n) for n in names())]
    if mode == "full":
        for name in names():
            out += [Config(get(name), dict(p)) for p in get(name).common_params]
    return out


_MP_CACHE: dict[tuple, dict[float, Any]] = {}


def reference(config: Config, which: int, xs: np.ndarray) -> list[Any]:
    """Reference values (mpmath numbers) of f (``which=0``), f′ (1) or f″ (2) at finite ``xs``.

    f and f′ are stable to :data:`~actlib.checks.reference.REFERENCE_DIGITS` digits. f″ only
    enters the conditioning allowance :math:`|f''(x)|\\,\\mathrm{ulp}(x)`, so 3 digits suffice,
    and only where that product can exceed a thousandth of the smallest subnormal float64
    (anything smaller cannot change a unit). Values are cached per configuration, so the float32
    grid reuses the float64 work.

    Args:
        config: the activation and its parameter values.
        which: 0 for f, 1 for f′, 2 for f″.
        xs: finite inputs.

    Returns:
        One mpmath number per input.

    Raises:
        ArithmeticError: a value does not stabilize (see
            :func:`~actlib.checks.reference.mp_value`).

    >>> reference(Config(get("sigmoid")), 1, np.array([0.0]))
    [mpf('0.25')]
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
    """(lim −∞, lim +∞) of f or f′ (of the shape's slice), computed by SymPy."""
    lo, hi = limits_at_infinity(_exprs(spec, key)[which])
    return lo, hi


@dataclass(frozen=True)
class Truth:
    """Exact values of one quantity on a grid, rounded to the grid's type.

    >>> truth(Config(get("relu")), "forward", np.array([-1.0, 2.0])).value
    array([0., 2.])
    """

    x: np.ndarray  #: The inputs (in their floating type).
    value: np.ndarray  #: f(x) (or f′(x)) rounded to the type, stored as float64.
    #: The absolute slope of the quantity, ``abs(f′(x))`` (or ``abs(f″(x))``) in float64, for
    #: the conditioning allowance.
    slope: np.ndarray


def truth(config: Config, quantity: str, x: np.ndarray) -> Truth:
    """The reference for ``quantity`` (``"forward"`` or ``"derivative"``) on the grid ``x``.

    Finite inputs use :func:`reference`; ±inf use the limits SymPy computes for the expression;
    NaN gives NaN.

    Args:
        config: the activation and its parameter values.
        quantity: ``"forward"`` or ``"derivative"``.
        x: the grid, in its floating type.

    Returns:
        The exact values and slopes on the grid.

    >>> truth(Config(get("relu")), "derivative", np.array([-np.inf, np.inf, np.nan])).value
    array([ 0.,  1., nan])
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
    """Error of ``computed`` in units (see the module docstring); ``inf`` for a wrong inf/NaN.

    Args:
        computed: an implementation's values on the grid ``t.x``.
        t: the exact values on that grid.

    Returns:
        The error of every value in units, a float64 array.

    >>> t = truth(Config(get("relu")), "forward", np.array([1.0, np.inf]))
    >>> units(np.array([1.0 + 2**-52, np.nan]), t)
    array([0.5, inf])
    """
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
#: A function of one array of inputs, returning the array of outputs.
ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Implementation:
    """One way of computing an activation: its forward and derivative on arrays of one dtype.

    >>> impl = Implementation("negation", np.negative, lambda x: -np.ones_like(x))
    >>> impl.forward(np.array([2.0]))
    array([-2.])
    """

    name: str  #: How tables name the implementation.
    forward: ArrayFn  #: The values of the slice on an array of inputs.
    derivative: ArrayFn  #: The derivative of the slice on an array of inputs.


def actlib_implementation(config: Config) -> Implementation:
    """actlib's NumPy forward and derivative, on the shape's slice.

    Args:
        config: the activation and its parameter values.

    Returns:
        The implementation named ``"actlib"``.

    >>> actlib_implementation(Config(get("softmax"))).forward(np.array([0.0]))
    array([0.5])
    """
    spec, shape = config.spec, config.spec.shape
    params = shape.slice_params(config.params)
    return Implementation(
        "actlib",
        lambda x: shape.pick_forward(spec.forward(shape.embed(x), **params)),
        lambda x: shape.pick_derivative(spec.derivative(shape.embed(x), **params)),
    )


def torch_implementation(config: Config) -> Implementation:
    """PyTorch's own implementation (``spec.torch``): forward, and the autograd derivative.

    Args:
        config: the activation and its parameter values.

    Returns:
        The implementation named ``"PyTorch"``, on float arrays of the input's dtype.

    >>> torch_implementation(Config(get("relu"))).derivative(np.array([0.0, 1.0]))
    array([0., 1.])
    """
    import torch

    spec, shape = config.spec, config.spec.shape
    values = shape.slice_params(config.values)

    def run(t):
        return shape.pick_forward(spec.torch_forward(shape.embed(t), **values))

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

    They run in the input's dtype (parameters cast to it), laid out by the spec's shape and
    measured on its slice, like actlib's own implementation.

    Args:
        config: the activation and its parameter values.

    Returns:
        The implementation named ``"naive"``, or ``None`` when the textbook formula is already
        the stable one.

    >>> naive_implementation(Config(get("relu"))) is None
    True
    >>> naive_implementation(Config(get("sigmoid"))).forward(np.array([0.0]))
    array([0.5])
    """
    spec, shape = config.spec, config.spec.shape
    naive_forward, naive_derivative = spec.naive_forward, spec.naive_derivative
    if naive_forward is None or naive_derivative is None:
        return None
    values = shape.slice_params(config.values)

    def typed(which: str, pick: Callable[[Any], Any]) -> ArrayFn:
        def run(x: np.ndarray) -> np.ndarray:
            out = spec.naive(which, shape.embed(x), values)
            return np.asarray(pick(out)).astype(x.dtype)

        return run

    return Implementation(
        "naive",
        typed("forward", shape.pick_forward),
        typed("derivative", shape.pick_derivative),
    )


#: The implementations :func:`measure` knows, by name.
IMPLEMENTATIONS: dict[str, Callable[[Config], Implementation | None]] = {
    "actlib": actlib_implementation,
    "PyTorch": torch_implementation,
    "naive": naive_implementation,
}


# ====================================================================== measurement
@dataclass(frozen=True)
class Row:
    """The worst error of one implementation of one quantity on one grid.

    >>> Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10).ok
    False
    """

    function: str  #: The configuration's label, e.g. ``"elu(alpha=2)"``.
    quantity: str  #: ``"forward"`` or ``"derivative"``.
    implementation: str  #: ``"actlib"``, ``"PyTorch"`` or ``"naive"``.
    dtype: str  #: ``"float64"`` or ``"float32"``.
    max_units: float  #: Largest error over the finite inputs (∞ for a NaN or inf result).
    worst_x: float  #: The input where the largest error occurs.
    #: ±0, ±inf, NaN inputs whose result is wrong, as ``"input→result"`` strings.
    special: tuple[str, ...]
    warnings: int  #: Floating-point warnings raised while computing.
    nans: int  #: NaN results at finite inputs.
    points: int  #: The size of the grid.

    @property
    def ok(self) -> bool:
        """Within :data:`GOAL_UNITS`, no wrong special value, no warning, no spurious NaN.

        >>> Row("relu", "forward", "actlib", "float64", 0.0, 1.0, (), 0, 0, 10).ok
        True
        """
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

    Args:
        fn: an implementation's forward or derivative.
        x: the grid.

    Returns:
        The result as an array and the number of warnings.

    >>> run_recording(np.exp, np.array([0.0, 1000.0]))
    (array([ 1., inf]), 1)
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
    """Measure every implementation of one activation (forward and derivative) on one grid.

    Args:
        name: a registered name, a spec, or a :class:`Config` (then ``params`` is ignored).
        dtype: the floating type of the grid.
        mode: the grid (see :func:`grid`).
        implementations: names in :data:`IMPLEMENTATIONS`.
        **params: parameter values (defaults for the others).

    Returns:
        Two rows (forward, derivative) per implementation that exists for the spec.

    >>> [r.ok for r in measure("relu", mode="fast", implementations=["actlib"])]
    [True, True]
    """
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
    """Measure every configuration of :func:`configs` (mode from :func:`default_mode`).

    Args:
        mode: the grid and the configurations; ``None`` for :func:`default_mode`.
        dtypes: the floating types to measure.
        implementations: names in :data:`IMPLEMENTATIONS`.
        config_list: the configurations to measure instead of :func:`configs`.

    Returns:
        The table of every row.

    >>> table = accuracy_table("fast", ["float64"], ["actlib"], [Config(get("relu"))])
    >>> len(table.rows)
    2
    """
    mode = default_mode() if mode is None else mode
    rows: list[Row] = []
    for config in configs(mode) if config_list is None else config_list:
        for dtype in dtypes:
            rows += measure(config, dtype, mode, implementations)
    return AccuracyTable(tuple(rows), mode)


def _shown_implementation(name: str) -> str:
    """An implementation's name as the tables show it ("naive" is a word, the others names)."""
    return tr("naive") if name == "naive" else name


def _shown_quantity(quantity: str) -> str:
    """A quantity as the tables show it, in the reader's language."""
    words = {"forward": tr("forward"), "derivative": tr("derivative")}
    return words.get(quantity, quantity)


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
    """The rows of a measurement, with tables in Markdown and HTML.

    >>> rows = (
    ...     Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10),
    ...     Row("relu", "forward", "actlib", "float32", 0.5, 2.0, (), 0, 0, 10),
    ... )
    >>> table = AccuracyTable(rows, "fast")
    """

    rows: tuple[Row, ...]  #: One row per function, quantity, implementation and dtype.
    mode: str  #: The grid the rows were measured on.

    def select(self, **match: Any) -> list[Row]:
        """Rows whose fields equal the given values, e.g. ``select(implementation="actlib")``.

        Args:
            **match: field values of :class:`Row`.

        Returns:
            The matching rows, in table order.

        >>> rows = (Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10),)
        >>> AccuracyTable(rows, "fast").select(implementation="actlib")
        []
        """
        return [r for r in self.rows if all(getattr(r, k) == v for k, v in match.items())]

    def worst(self, **match: Any) -> Row:
        """The row with the largest error among those matching.

        Args:
            **match: field values of :class:`Row`.

        Returns:
            The matching row with the largest :attr:`Row.max_units`.

        Raises:
            ValueError: no row matches.

        >>> rows = (
        ...     Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10),
        ...     Row("elu", "forward", "naive", "float32", 20.0, 3.0, (), 0, 0, 10),
        ... )
        >>> AccuracyTable(rows, "fast").worst(implementation="naive").function
        'elu'
        """
        return max(self.select(**match), key=lambda r: r.max_units)

    def cell(self, row: Row) -> str:
        """``units @ x`` with warnings and NaN counts when there are any.

        Args:
            row: a row of the table.

        Returns:
            The text of the row's cell.

        >>> row = Row("elu", "forward", "naive", "float32", 20.0, -3.0, (), 2, 1, 10)
        >>> AccuracyTable((row,), "fast").cell(row)
        '20.00 @ −3 (1 NaN, 2 warn)'
        """
        s = _fmt_units(row.max_units)
        if row.max_units > 0:
            s += f" @ {_fmt_x(row.worst_x)}"
        extras = list(row.special)
        if row.nans:
            extras.append(f"{row.nans} NaN")
        if row.warnings:
            extras.append(tr("{n} warn").format(n=row.warnings))
        return s + (f" ({', '.join(extras)})" if extras else "")

    def columns(self) -> list[tuple[str, str]]:
        """(implementation, dtype) pairs present, in a stable order.

        Returns:
            The pairs in the order of their first row.

        >>> row = Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10)
        >>> AccuracyTable((row,), "fast").columns()
        [('naive', 'float32')]
        """
        seen: list[tuple[str, str]] = []
        for r in self.rows:
            if (r.implementation, r.dtype) not in seen:
                seen.append((r.implementation, r.dtype))
        return seen

    def grid_rows(self) -> list[list[str]]:
        """One line per (function, quantity), one column per (implementation, dtype).

        Returns:
            One list per line holding the function, the quantity, then one :meth:`cell` per
            column (``"—"`` where the row is missing).

        >>> row = Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10)
        >>> AccuracyTable((row,), "fast").grid_rows()
        [['relu', 'forward', '9.00 @ 1.5']]
        """
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
                found = index.get((f, q, impl, dt))
                line.append("—" if found is None else self.cell(found))
            out.append(line)
        return out

    def header(self) -> list[str]:
        """The column titles: function, quantity, then one per (implementation, dtype).

        Returns:
            The titles, e.g. ``"actlib float64"``.

        >>> row = Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10)
        >>> AccuracyTable((row,), "fast").header()
        ['function', 'quantity', 'naive float32']
        """
        return [
            tr("function"),
            tr("quantity"),
            *(f"{_shown_implementation(i)} {d}" for i, d in self.columns()),
        ]

    def table(self) -> Table:
        """The grid as a :class:`~actlib.display.table.Table`, cells over the goal marked failing.

        Returns:
            A table with :meth:`header` and :meth:`grid_rows`; a cell whose row is not
            :attr:`Row.ok` has the class :attr:`Table.FAIL <actlib.display.table.Table.FAIL>`.

        >>> row = Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10)
        >>> print(AccuracyTable((row,), "fast").table().to_text())
        function  quantity  naive float32
        --------  --------  -------------
        relu      forward   9.00 @ 1.5
        """
        index = {(r.function, r.quantity, r.implementation, r.dtype): r for r in self.rows}
        cols = self.columns()
        lines = self.grid_rows()
        classes = []
        for line in lines:
            marks: list[str | None] = [None, None]
            for impl, dt in cols:
                r = index.get((line[0], line[1], impl, dt))
                marks.append(None if r is None or r.ok else Table.FAIL)
            classes.append(marks)
        shown = [[f, _shown_quantity(q), *cells] for f, q, *cells in lines]
        return Table(self.header(), shown, classes=classes, css_class="actlib-accuracy")

    def to_markdown(self) -> str:
        """A Markdown table (cells: max units @ worst x, NaN and warning counts).

        Returns:
            A header line, a separator line, then one line per (function, quantity).

        >>> row = Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10)
        >>> print(AccuracyTable((row,), "fast").to_markdown())  # doctest: +ELLIPSIS
        | function | quantity | naive float32 |
        ...
        """
        return self.table().to_markdown()

    def _repr_html_(self) -> str:
        return self.table()._repr_html_()

    def __str__(self) -> str:
        return self.to_markdown()

    __repr__ = __str__


def summary(table: AccuracyTable) -> Mapping[str, float]:
    """Largest error in units per implementation over the whole table.

    Args:
        table: a measurement.

    Returns:
        The largest :attr:`Row.max_units` of each implementation.

    >>> rows = (
    ...     Row("relu", "forward", "naive", "float32", 9.0, 1.5, (), 0, 0, 10),
    ...     Row("elu", "forward", "naive", "float32", 20.0, 3.0, (), 0, 0, 10),
    ... )
    >>> summary(AccuracyTable(rows, "fast"))
    {'naive': 20.0}
    """
    out: dict[str, float] = {}
    for r in table.rows:
        out[r.implementation] = max(out.get(r.implementation, 0.0), r.max_units)
    return out
