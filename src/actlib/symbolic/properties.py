"""Properties of an activation computed from its SymPy expression.

Nothing here is typed in by hand: the range, the range of the derivative, monotonicity, the
global minimum, the saturating sides, smoothness and zero-centredness all follow from the
expression. SymPy's exact answers are used where :func:`sympy.solveset` finds the critical
points in closed form; otherwise the roots of the derivative are bracketed on a wide grid and
refined with :func:`scipy.optimize.brentq`.

The result is a frozen :class:`Properties` object. Because symbolic limits can take seconds,
results are also kept on disk (see :func:`cache_dir`) as plain JSON: numbers, booleans, strings
and exact values written as a small expression tree over an allowlist of SymPy classes, read
back without ``eval``, :func:`sympy.sympify` or :mod:`pickle`, so a cache folder that someone
else can write cannot make actlib run code.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

import mpmath
import numpy as np
import sympy as sp
from scipy.optimize import brentq

from actlib.shapes import X
from actlib.spec import Activation
from actlib.symbolic.piecewise import limit_at_infinity
from actlib.symbolic.piecewise import pieces as _pieces

try:
    import fcntl
except ImportError:  # not POSIX: entries are computed without a lock
    fcntl = None  # type: ignore[assignment]

T = TypeVar("T")

__all__ = [
    "Bounds",
    "Limits",
    "Point",
    "Properties",
    "cache_dir",
    "cache_key",
    "compute_properties",
]


# ---------------------------------------------------------------------------------- the result
class Bounds(NamedTuple):
    """Infimum and supremum of a function over the reals (``±inf`` when unbounded).

    A named pair: ``lo, hi = props.range`` unpacks it and ``props.range.sup`` reads one end.
    """

    inf: float
    """Greatest lower bound."""
    sup: float
    """Least upper bound."""


class Limits(NamedTuple):
    """The limits of f as x → −∞ and as x → +∞ (``±inf`` when f grows without bound)."""

    negative: float
    """lim f(x) for x → −∞."""
    positive: float
    """lim f(x) for x → +∞."""


class Point(NamedTuple):
    """A point ``(x, f(x))`` of a graph: floats, or SymPy numbers for a closed form."""

    x: float | sp.Expr
    """The abscissa."""
    value: float | sp.Expr
    """f at :attr:`x`."""


@dataclass(frozen=True)
class Properties:
    r"""What the SymPy expression says about an activation f (or its scalar slice).

    Returned by :meth:`actlib.spec.Activation.properties` and :func:`compute_properties`.
    Ranges are taken over the real line,

    .. math::

        \operatorname{range} f = \bigl(\inf_{x\in\mathbb R} f(x),\ \sup_{x\in\mathbb R} f(x)\bigr),

    with a flag per end telling whether the bound is a value f takes (a closed bracket) or only
    approached; exact SymPy values accompany the floats wherever they are known in closed form.
    Instances are immutable and compare equal field by field.

    >>> import actlib
    >>> props = actlib.get("relu").properties()
    >>> props.range, props.range_attained
    (Bounds(inf=0.0, sup=inf), (True, False))
    >>> props.minimum, props.saturates, props.slope_at_zero
    (Point(x=0.0, value=0.0), ('negative',), 0.0)
    """

    range: Bounds
    """(inf f, sup f) as floats; ``±inf`` where f is unbounded."""
    range_attained: tuple[bool, bool]
    """Whether f takes its infimum / supremum at a finite x (closed bracket) or only tends to
    it (open bracket)."""
    range_exact: tuple[sp.Expr | None, sp.Expr | None]
    """The two ends of :attr:`range` as exact SymPy numbers, ``None`` where only a numerical
    value is known."""
    derivative_range: Bounds
    """(inf f′, sup f′) as floats."""
    derivative_range_attained: tuple[bool, bool]
    """Whether f′ takes its infimum / supremum at a finite x."""
    derivative_range_exact: tuple[sp.Expr | None, sp.Expr | None]
    """The two ends of :attr:`derivative_range` as exact SymPy numbers, or ``None``."""
    derivative_values: tuple[float, ...] | None
    """The values f′ takes, in increasing order, when it takes only finitely many (f piecewise
    linear: ReLU's f′ is 0 or 1, never anything between); ``None`` when f′ varies
    continuously. :attr:`derivative_range` then gives only the smallest and largest."""
    monotonic: bool
    """f′ ≥ 0 everywhere or f′ ≤ 0 everywhere."""
    minimum: Point | None
    """``Point(x*, f(x*))`` of a global minimum attained at a finite point (the largest such x*
    if there are several, as for ReLU whose minimum 0 is taken on all of x ≤ 0), else
    ``None``."""
    minimum_exact: Point | None
    """:attr:`minimum` as exact SymPy numbers when it is known in closed form, else ``None``."""
    limits: Limits
    """(f(−∞), f(+∞)) as floats, ``±inf`` where f grows without bound."""
    saturates: tuple[Literal["negative", "positive"], ...]
    """The sides (``"negative"``, ``"positive"``) where f tends to a finite limit, so f′ → 0
    there and gradients vanish."""
    mean_normal: float
    """The mean output E f(Z) of a unit whose pre-activation Z is standard normal, computed by
    numerical quadrature at 30 significant digits."""
    zero_centred: bool
    """The mean output for a standard normal input is zero (``abs(mean_normal)`` below
    :data:`ZERO_MEAN_TOLERANCE`). Taking both signs with f(0) = 0 is not enough: leaky ReLU
    does, yet its mean output is close to ReLU's."""
    continuously_differentiable: bool
    """f′ is continuous (no jump at any kink)."""
    value_at_zero: float
    """f(0)."""
    slope_at_zero: float
    """f′(0); at a kink, the value of the derivative expression at 0 (the autograd
    convention of the spec)."""

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict of plain numbers, booleans, strings, lists and expression trees.

        Non-finite floats are written as the strings ``"inf"``, ``"-inf"`` and ``"nan"`` (so
        the text is standard JSON); exact values as trees such as
        ``{"f": "Rational", "p": 1, "q": 4}`` built only from the classes :meth:`from_json`
        accepts.

        Returns:
            ``{"schema": ..., "properties": {field name: value}}``.

        Raises:
            ValueError: an exact value contains something outside the allowlist.

        >>> import actlib
        >>> data = actlib.get("leaky_relu").properties().to_json()
        >>> data["properties"]["derivative_range_exact"][0]
        {'f': 'Rational', 'p': 1, 'q': 100}
        >>> data["properties"]["range"]
        ['-inf', 'inf']
        """
        out = {
            "range": _floats_to_json(self.range),
            "range_attained": list(self.range_attained),
            "range_exact": [_expr_to_json_or_none(v) for v in self.range_exact],
            "derivative_range": _floats_to_json(self.derivative_range),
            "derivative_range_attained": list(self.derivative_range_attained),
            "derivative_range_exact": [
                _expr_to_json_or_none(v) for v in self.derivative_range_exact
            ],
            "derivative_values": (
                None if self.derivative_values is None else _floats_to_json(self.derivative_values)
            ),
            "monotonic": self.monotonic,
            "minimum": None if self.minimum is None else _floats_to_json(self.minimum),
            "minimum_exact": (
                None
                if self.minimum_exact is None
                else [_expr_to_json(v) for v in self.minimum_exact]
            ),
            "limits": _floats_to_json(self.limits),
            "saturates": list(self.saturates),
            "mean_normal": _float_to_json(self.mean_normal),
            "zero_centred": self.zero_centred,
            "continuously_differentiable": self.continuously_differentiable,
            "value_at_zero": _float_to_json(self.value_at_zero),
            "slope_at_zero": _float_to_json(self.slope_at_zero),
        }
        return {"schema": SCHEMA_VERSION, "properties": out}

    @classmethod
    def from_json(cls, data: Any) -> Properties:
        """Rebuild :class:`Properties` from the output of :meth:`to_json`, validating it all.

        Nothing in ``data`` is evaluated: exact values are rebuilt node by node from an
        allowlist of SymPy classes (integers, rationals, floats with their precision, symbols,
        ``Add``, ``Mul``, ``Pow``, a few functions such as ``exp``, ``log``, ``erf`` and
        ``LambertW``, and the constants π, e, ±∞).

        Args:
            data: the parsed JSON document.

        Returns:
            The properties, equal to the object that was written.

        Raises:
            ValueError: wrong schema version, missing or extra fields, a value of the wrong
                type, or a name outside the allowlist.

        >>> import actlib
        >>> props = actlib.get("relu").properties()
        >>> Properties.from_json(props.to_json()) == props
        True
        >>> Properties.from_json({"schema": -1, "properties": {}})
        Traceback (most recent call last):
        ...
        ValueError: cache entry has schema -1, expected 3
        """
        if not isinstance(data, dict) or set(data) != {"schema", "properties"}:
            raise ValueError("cache entry must be {'schema': ..., 'properties': {...}}")
        if data["schema"] != SCHEMA_VERSION or isinstance(data["schema"], bool):
            raise ValueError(
                f"cache entry has schema {data['schema']!r}, expected {SCHEMA_VERSION}"
            )
        p = data["properties"]
        names = {f.name for f in fields(cls)}
        if not isinstance(p, dict) or set(p) != names:
            raise ValueError(f"cache entry must have exactly the fields {sorted(names)}")
        saturates = _list(p["saturates"], None)
        if len(set(saturates)) != len(saturates) or any(
            s not in ("negative", "positive") for s in saturates
        ):
            raise ValueError(f"bad saturating sides {saturates!r}")
        return cls(
            range=Bounds(*_floats_from_json(p["range"], 2)),
            range_attained=_bools_from_json(p["range_attained"]),
            range_exact=_exact_pair(p["range_exact"]),
            derivative_range=Bounds(*_floats_from_json(p["derivative_range"], 2)),
            derivative_range_attained=_bools_from_json(p["derivative_range_attained"]),
            derivative_range_exact=_exact_pair(p["derivative_range_exact"]),
            derivative_values=(
                None
                if p["derivative_values"] is None
                else tuple(_floats_from_json(p["derivative_values"], None))
            ),
            monotonic=_bool(p["monotonic"]),
            minimum=None if p["minimum"] is None else Point(*_floats_from_json(p["minimum"], 2)),
            minimum_exact=(
                None
                if p["minimum_exact"] is None
                else Point(*(_expr_from_json(v) for v in _list(p["minimum_exact"], 2)))
            ),
            limits=Limits(*_floats_from_json(p["limits"], 2)),
            saturates=tuple(saturates),
            mean_normal=_float_from_json(p["mean_normal"]),
            zero_centred=_bool(p["zero_centred"]),
            continuously_differentiable=_bool(p["continuously_differentiable"]),
            value_at_zero=_float_from_json(p["value_at_zero"]),
            slope_at_zero=_float_from_json(p["slope_at_zero"]),
        )


# ------------------------------------------------------------------------- computing them
#: Grid on which roots of f' are bracketed when SymPy has no closed form: sinh-spaced, so it is
#: dense near 0 and still reaches |x| = 1e4.
_ROOT_GRID = np.sinh(np.linspace(-np.arcsinh(1e4), np.arcsinh(1e4), 40001))
#: Values of f' smaller than this are treated as numerical zero when bracketing roots.
_NOISE = 1e-9


@dataclass(frozen=True)
class _Candidate:
    """A value of g at a point (or a limit), and whether it is attained."""

    x: float  # ±inf for limits at infinity
    value: sp.Expr | float
    attained: bool
    exact: bool
    x_exact: Any = None


def _as_float(v: Any) -> float:
    if v is sp.oo:
        return math.inf
    if v is -sp.oo:
        return -math.inf
    return float(sp.N(v, 30)) if isinstance(v, sp.Basic) else float(v)


def _critical_points(e: sp.Expr, interval: sp.Interval) -> tuple[list, bool]:
    """Interior points of ``interval`` where de/dx = 0; (points, exact?)."""
    d = sp.diff(e, X)
    if not d.has(X):
        return [], True  # constant derivative: no isolated critical point
    try:
        sol = sp.solveset(d, X, interval)
    except (NotImplementedError, ValueError, TypeError):
        sol = None
    if isinstance(sol, sp.FiniteSet) and all(s.is_real for s in sol):
        return sorted(sol, key=_as_float), True
    if sol is sp.S.EmptySet:
        return [], True
    # Numerical fall-back: bracket sign changes of d on the grid, refine with brentq.
    df = sp.lambdify(X, d, modules=["scipy", "numpy"])
    lo, hi = _as_float(interval.start), _as_float(interval.end)
    grid = _ROOT_GRID[(_ROOT_GRID > lo) & (_ROOT_GRID < hi)]
    with np.errstate(all="ignore"):
        vals = np.asarray(df(grid), dtype=float) * np.ones_like(grid)
    # Far in the tails the naive lambdified expression is rounding noise around 0 (e.g.
    # 1 + tanh(u) for u << 0), whose sign flips are not roots: only sign changes between values
    # above _NOISE in magnitude count.
    ok = np.isfinite(vals) & (np.abs(vals) > _NOISE)
    roots = []
    for i in range(len(grid) - 1):
        if not (ok[i] and ok[i + 1]):
            continue
        if vals[i] * vals[i + 1] < 0:
            with np.errstate(all="ignore"):
                roots.append(brentq(df, grid[i], grid[i + 1], xtol=1e-300, rtol=1e-15))
    return roots, False


def _interior_point(s: sp.Interval) -> sp.Expr:
    a, b = s.start, s.end
    if a is -sp.oo and b is sp.oo:
        return sp.Integer(0)
    if a is -sp.oo:
        return b - 1
    if b is sp.oo:
        return a + 1
    return (a + b) / 2


def _candidates(g: sp.Expr) -> list[_Candidate]:
    cands: list[_Candidate] = []
    for e, s in _pieces(g):
        if not isinstance(s, sp.Interval):
            raise NotImplementedError(f"piece set {s} is not an interval")
        a, b = s.start, s.end
        for end, direction, is_open in ((a, "+", s.left_open), (b, "-", s.right_open)):
            if end in (sp.oo, -sp.oo):
                # The piece that reaches ±∞ is the one whose limit there is g's: computed once
                # with limits_at_infinity's (kept on disk, shared with the numerics' probe).
                value = _exact_limits(g)[end is sp.oo]
                cands.append(_Candidate(_as_float(end), value, False, True))
            elif is_open:
                value = sp.limit(e, X, end, direction)
                cands.append(_Candidate(_as_float(end), value, False, True))
            else:
                cands.append(_Candidate(_as_float(end), e.subs(X, end), True, True, end))
        if not e.has(X):
            # A constant piece takes its value everywhere inside the interval.
            inner = _interior_point(s)
            cands.append(_Candidate(_as_float(inner), e, True, True, inner))
            continue
        points, exact = _critical_points(e, s)
        for p in points:
            value = e.subs(X, p) if exact else float(sp.lambdify(X, e, "mpmath")(p))
            cands.append(_Candidate(_as_float(p), value, True, exact, p if exact else None))
    return cands


@dataclass(frozen=True)
class _Extent:
    inf: float
    sup: float
    inf_exact: Any
    sup_exact: Any
    argmin: _Candidate | None  # attained global minimum at a finite point
    inf_attained: bool = False
    sup_attained: bool = False


def _extent(g: sp.Expr) -> _Extent:
    cands = _candidates(g)
    values = [_as_float(c.value) for c in cands]
    lo, hi = min(values), max(values)
    tol = 1e-12 * max(1.0, abs(lo)) if math.isfinite(lo) else 0.0
    argmin = None
    for c, v in zip(cands, values, strict=True):
        if c.attained and math.isfinite(c.x) and abs(v - lo) <= tol:
            if argmin is None or c.x > argmin.x:
                argmin = c
    lo_c = cands[values.index(lo)]
    hi_c = cands[values.index(hi)]

    def attained(v: float) -> bool:
        t = 1e-12 * max(1.0, abs(v))
        return any(
            c.attained and math.isfinite(c.x) and abs(w - v) <= t
            for c, w in zip(cands, values, strict=True)
        )

    return _Extent(
        lo,
        hi,
        lo_c.value if lo_c.exact else None,
        hi_c.value if hi_c.exact else None,
        argmin,
        math.isfinite(lo) and attained(lo),
        math.isfinite(hi) and attained(hi),
    )


def _is_c1(f: sp.Expr) -> bool:
    """Whether f' is continuous: its one-sided limits agree at every piece boundary."""
    f = sp.piecewise_fold(f)
    if not isinstance(f, sp.Piecewise):
        return True
    d = sp.diff(f, X)
    bounds: set[sp.Expr] = set()
    for _, s in _pieces(f):
        bounds.update(b for b in (s.start, s.end) if b not in (sp.oo, -sp.oo))
    for b in bounds:
        left = [e for e, s in _pieces(d) if s.contains(b - sp.Rational(1, 10**9)) is sp.true]
        right = [e for e, s in _pieces(d) if s.contains(b + sp.Rational(1, 10**9)) is sp.true]
        lim_l = sp.limit(left[0], X, b, "-")
        lim_r = sp.limit(right[0], X, b, "+")
        if sp.simplify(lim_l - lim_r) != 0:
            return False
    return True


# ---------------------------------------------------------------------------- the disk cache
#: Version of the JSON layout of a cache entry; an entry with another version is recomputed.
SCHEMA_VERSION = 3
#: Entries larger than this are not read (a real one is a few kilobytes).
_MAX_ENTRY_BYTES = 1 << 20
#: Exact values nested deeper than this are rejected.
_MAX_DEPTH = 64
#: Constants an exact value may contain, by the name used in the JSON tree.
_CONSTANTS: dict[str, sp.Expr] = {
    "pi": sp.pi,
    "E": sp.E,
    "EulerGamma": sp.EulerGamma,
    "oo": sp.oo,
    "-oo": -sp.oo,
    "zoo": sp.zoo,
    "nan": sp.nan,
}
#: Operators and functions an exact value may contain (rebuilt with ``evaluate=False``, so the
#: tree comes back exactly as it was written and nothing is computed while reading).
_OPERATORS: dict[str, type] = {"Add": sp.Add, "Mul": sp.Mul, "Pow": sp.Pow}
_FUNCTIONS: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        sp.exp,
        sp.log,
        sp.LambertW,
        sp.erf,
        sp.erfc,
        sp.tanh,
        sp.sinh,
        sp.cosh,
        sp.atan,
        sp.Abs,
        sp.sign,
    )
}
#: Assumptions a symbol may carry (SymPy's own list of assumption names).
_ASSUMPTIONS = frozenset(
    "algebraic antihermitian commutative complex composite even extended_negative "
    "extended_nonnegative extended_nonpositive extended_nonzero extended_positive "
    "extended_real finite hermitian imaginary infinite integer irrational negative "
    "noninteger nonnegative nonpositive nonzero odd polar positive prime rational real "
    "transcendental zero".split()
)
_NONFINITE = {"inf": math.inf, "-inf": -math.inf, "nan": math.nan}


def _float_to_json(v: float) -> float | str:
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return v


def _floats_to_json(values: tuple) -> list[float | str]:
    return [_float_to_json(v) for v in values]


def _float_from_json(v: Any) -> float:
    if isinstance(v, str) and v in _NONFINITE:
        return _NONFINITE[v]
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    raise ValueError(f"expected a number, got {v!r}")


def _list(v: Any, length: int | None) -> list:
    if not isinstance(v, list) or (length is not None and len(v) != length):
        raise ValueError(f"expected a list of length {length}, got {v!r}")
    return v


def _floats_from_json(v: Any, length: int | None) -> tuple[float, ...]:
    return tuple(_float_from_json(x) for x in _list(v, length))


def _bool(v: Any) -> bool:
    if not isinstance(v, bool):
        raise ValueError(f"expected true or false, got {v!r}")
    return v


def _bools_from_json(v: Any) -> tuple[bool, bool]:
    lo, hi = (_bool(x) for x in _list(v, 2))
    return lo, hi


def _int(v: Any, max_bits: int = 8192) -> int:
    if not isinstance(v, int) or isinstance(v, bool) or v.bit_length() > max_bits:
        raise ValueError(f"expected an integer, got {v!r}")
    return v


def _expr_to_json(e: Any) -> dict[str, Any]:
    """An exact SymPy value as a JSON tree of allowlisted nodes (``ValueError`` otherwise)."""
    if not isinstance(e, sp.Basic):
        raise ValueError(f"not a SymPy value: {e!r}")
    for name, const in _CONSTANTS.items():
        if e is const:
            return {"f": name}
    if e.is_Integer:
        return {"f": "Integer", "v": int(e)}
    if e.is_Rational:
        return {"f": "Rational", "p": int(e.p), "q": int(e.q)}
    if e.is_Float:
        sign, man, exp, bc = e._mpf_
        return {"f": "Float", "mpf": [int(sign), int(man), int(exp), int(bc)], "prec": e._prec}
    if type(e) is sp.Symbol:
        assumptions = getattr(e, "_assumptions_orig", None) or e.assumptions0
        return {"f": "Symbol", "name": e.name, "assumptions": dict(sorted(assumptions.items()))}
    name = type(e).__name__
    if _OPERATORS.get(name) is type(e) or _FUNCTIONS.get(name) is type(e):
        return {"f": name, "args": [_expr_to_json(a) for a in sp.sympify(e).args]}
    raise ValueError(f"{name} is not among the classes the properties cache can store")


def _expr_to_json_or_none(e: Any) -> dict[str, Any] | None:
    return None if e is None else _expr_to_json(e)


def _expr_from_json(node: Any, depth: int = 0) -> sp.Expr:
    """Rebuild an exact value from :func:`_expr_to_json`'s tree; never evaluates code."""
    if depth > _MAX_DEPTH:
        raise ValueError("exact value nested too deeply")
    if not isinstance(node, dict) or not isinstance(node.get("f"), str):
        raise ValueError(f"expected an expression node, got {node!r}")
    name = node["f"]

    def keys(*expected: str) -> None:
        if set(node) != {"f", *expected}:
            raise ValueError(f"node {name!r} must have exactly the keys f, {', '.join(expected)}")

    if name in _CONSTANTS:
        keys()
        return _CONSTANTS[name]
    if name == "Integer":
        keys("v")
        return sp.Integer(_int(node["v"]))
    if name == "Rational":
        keys("p", "q")
        p, q = _int(node["p"]), _int(node["q"])
        if q < 2 or math.gcd(p, q) != 1:
            raise ValueError(f"{p}/{q} is not a rational in lowest terms")
        return sp.Rational(p, q)
    if name == "Float":
        keys("mpf", "prec")
        sign, man, exp, bc = (_int(v) for v in _list(node["mpf"], 4))
        prec = _int(node["prec"])
        zero = (sign, man, exp, bc) == (0, 0, 0, 0)
        normal = sign in (0, 1) and man > 0 and man % 2 == 1 and bc == man.bit_length()
        if not (zero or normal) or abs(exp) > 10**6 or not 1 <= prec <= 10**4:
            raise ValueError(f"malformed float {node!r}")
        return sp.Float._new((sign, man, exp, bc), prec, zero=False)
    if name == "Symbol":
        keys("name", "assumptions")
        sym_name, assumptions = node["name"], node["assumptions"]
        if not isinstance(sym_name, str) or not isinstance(assumptions, dict):
            raise ValueError(f"malformed symbol {node!r}")
        if not set(assumptions) <= _ASSUMPTIONS or not all(
            isinstance(v, bool) for v in assumptions.values()
        ):
            raise ValueError(f"unknown assumptions in {node!r}")
        return sp.Symbol(sym_name, **assumptions)
    cls = _OPERATORS.get(name) or _FUNCTIONS.get(name)
    if cls is None:
        raise ValueError(f"{name!r} is not an allowed name in a cached value")
    keys("args")
    args = [_expr_from_json(a, depth + 1) for a in _list(node["args"], None)]
    if cls is sp.Pow:
        ok = len(args) == 2
    elif cls in (sp.Add, sp.Mul):
        ok = len(args) >= 2
    else:
        ok = len(args) in getattr(cls, "nargs", ())
    if not ok:
        raise ValueError(f"{name} cannot take {len(args)} arguments")
    return cls(*args, evaluate=False)


def _exact_pair(v: Any) -> tuple[sp.Expr | None, sp.Expr | None]:
    lo, hi = (None if x is None else _expr_from_json(x) for x in _list(v, 2))
    return lo, hi


def _reject_constant(token: str) -> float:
    raise ValueError(f"non-standard JSON constant {token}")


def cache_dir() -> Path | None:
    """Where computed properties are kept between processes (``None``: no disk cache).

    ``$ACTLIB_CACHE_DIR`` if set (``off``, ``none``, ``0`` or empty disable the cache), else
    ``$XDG_CACHE_HOME/actlib`` or ``~/.cache/actlib``. Entries are JSON files named by
    :func:`cache_key`; nothing read from this folder is ever executed.

    Returns:
        The folder (it may not exist yet), or ``None`` when the cache is switched off.

    >>> from unittest import mock
    >>> with mock.patch.dict("os.environ", {"ACTLIB_CACHE_DIR": "off"}):
    ...     print(cache_dir())
    None
    >>> with mock.patch.dict("os.environ", {"ACTLIB_CACHE_DIR": "/tmp/props"}):
    ...     print(cache_dir())
    /tmp/props
    """
    env = os.environ.get("ACTLIB_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "0", "off", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "actlib"


@lru_cache(maxsize=1)
def _algorithm_fingerprint() -> str:
    """Changes whenever this module or SymPy changes, so stale cache entries are never read."""
    return hashlib.sha256(Path(__file__).read_bytes() + sp.__version__.encode()).hexdigest()


def cache_key(expr: sp.Expr) -> str:
    """Disk-cache key of the properties of ``expr``: its exact structure plus the algorithm.

    The key is the SHA-256 of :func:`sympy.srepr` of the expression together with a
    fingerprint of this module's source and of the SymPy version, so editing the algorithm
    (or upgrading SymPy) makes every old entry unreachable.

    Args:
        expr: the scalar SymPy expression in :data:`actlib.shapes.X`.

    Returns:
        64 hexadecimal digits, used as the file name of the entry.

    >>> key = cache_key(sp.Max(X, 0))
    >>> len(key), key == cache_key(sp.Max(X, 0)), key == cache_key(sp.Max(X, 1))
    (64, True, False)
    """
    return hashlib.sha256((_algorithm_fingerprint() + sp.srepr(expr)).encode()).hexdigest()


@lru_cache(maxsize=1024)
def limits_at_infinity(expr: sp.Expr) -> Limits:
    """(lim f at −∞, lim f at +∞) of a scalar expression in x, as floats, cached on disk.

    SymPy's limits of the smooth activations take seconds (GELU's tanh form and its
    derivatives most), and every chapter, test session and benchmark runs in a fresh process;
    the pair is kept as JSON in the ``limits`` folder of :func:`cache_dir`, named by
    :func:`cache_key`.

    Args:
        expr: a SymPy expression in :data:`actlib.shapes.X`, possibly piecewise.

    Returns:
        The two limits, ``±inf`` where the expression grows without bound.

    >>> limits_at_infinity(sp.tanh(X))
    Limits(negative=-1.0, positive=1.0)
    """
    return _limits_entry(expr).limits


@lru_cache(maxsize=1024)
def _exact_limits(expr: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """The exact (SymPy) limits at −∞ and +∞, from the same disk entry as the floats."""
    exact = _limits_entry(expr).exact
    if exact is None:  # an entry whose exact values the cache could not store
        return limit_at_infinity(expr, -sp.oo), limit_at_infinity(expr, sp.oo)
    return exact


@dataclass(frozen=True)
class _LimitsEntry:
    limits: Limits
    exact: tuple[sp.Expr, sp.Expr] | None  # None: not expressible in the cache's JSON nodes


def _limits_entry(expr: sp.Expr) -> _LimitsEntry:
    folder = cache_dir()
    path = folder / "limits" / f"{cache_key(expr)}.json" if folder is not None else None

    def compute() -> _LimitsEntry:
        lo, hi = (limit_at_infinity(expr, p) for p in (-sp.oo, sp.oo))
        return _LimitsEntry(Limits(_as_float(lo), _as_float(hi)), (lo, hi))

    return _kept_on_disk(path, _read_limits, compute, _write_limits)


def _kept_on_disk(
    path: Path | None,
    read: Callable[[Path], T | None],
    compute: Callable[[], T],
    write: Callable[[Path, T], None],
) -> T:
    """The entry at ``path`` if it reads, else ``compute()``, stored there (no cache: ``None``).

    The computation holds the entry's lock (:func:`_exclusive`), and the entry is read again
    once the lock is taken: a process that waited for another computing it reads its result.
    """
    if path is not None:
        cached = read(path)
        if cached is not None:
            return cached
    with _exclusive(path):
        if path is not None:  # computed by another process while this one waited?
            cached = read(path)
            if cached is not None:
                return cached
        result = compute()
        if path is not None:
            write(path, result)
    return result


def _write_limits(path: Path, entry: _LimitsEntry) -> None:
    try:
        exact = None if entry.exact is None else [_expr_to_json(v) for v in entry.exact]
    except ValueError:  # a class outside the allowlist: the floats alone are kept
        exact = None
    data = {"schema": SCHEMA_VERSION, "limits": _floats_to_json(entry.limits), "exact": exact}
    _write_text(path, json.dumps(data))


def _read_limits(path: Path) -> _LimitsEntry | None:
    """The limits stored at ``path``, or ``None`` if missing, unreadable or malformed."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"), parse_constant=_reject_constant)
        if data.get("schema") == SCHEMA_VERSION:
            limits = Limits(*_floats_from_json(data["limits"], 2))
            exact = None if data["exact"] is None else _exact_pair(data["exact"])
            if exact is not None and (None in exact or Limits(*map(_as_float, exact)) != limits):
                return None  # exact values that disagree with the floats: recompute
            return _LimitsEntry(limits, exact)
    except Exception:  # missing, unreadable or malformed: recompute and overwrite
        pass
    return None


@contextmanager
def _exclusive(path: Path | None) -> Iterator[None]:
    """Hold a lock on the cache entry ``path`` while it is computed.

    Two processes that need the same entry at the same time (chapters executing side by side,
    test workers) then compute it once: the second waits, and finds the entry written. Where
    there is no lock to take (no cache, a platform without ``fcntl``, a folder that cannot be
    written), both compute it, which is only slower.
    """
    handle = None
    if path is not None and fcntl is not None:
        try:
            locks = path.parent / "locks"
            locks.mkdir(mode=0o700, parents=True, exist_ok=True)
            handle = open(locks / f"{path.stem}.lock", "a")  # noqa: SIM115 (closed below)
            fcntl.flock(handle, fcntl.LOCK_EX)
        except OSError:
            pass
    try:
        yield
    finally:
        if handle is not None:
            handle.close()  # releases the lock


def _read_entry(path: Path) -> Properties | None:
    """The properties stored at ``path``, or ``None`` if it is missing, unreadable or invalid."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(_MAX_ENTRY_BYTES + 1)
    except OSError:
        return None
    if len(raw) > _MAX_ENTRY_BYTES:
        return None
    try:
        return Properties.from_json(
            json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        )
    except Exception:  # any malformed entry (bad JSON, wrong types, SymPy refusing a node)
        return None


def _write_entry(path: Path, props: Properties) -> None:
    """Store ``props`` at ``path`` atomically, if JSON can represent it exactly."""
    try:
        text = json.dumps(props.to_json(), allow_nan=False, indent=1)
        if Properties.from_json(json.loads(text)) != props:
            return  # not faithfully representable (e.g. a NaN): keep it in memory only
    except ValueError:
        return
    _write_text(path, text)


def _write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a folder that cannot be written costs the cache."""
    tmp = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(
            "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
        ) as fh:
            tmp = fh.name
            fh.write(text)
        os.replace(tmp, path)
    except OSError:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)


@lru_cache(maxsize=256)
def compute_properties(spec: Activation, key: tuple) -> Properties:
    """Properties of ``spec`` at the (SymPy) parameter values in ``key``, cached on disk.

    Usually reached through :meth:`actlib.spec.Activation.properties`, which validates the
    parameters and builds ``key``. Symbolic limits can take seconds (the tanh form of GELU
    needs about three) and every chapter runs in a fresh kernel, so results are also kept in
    :func:`cache_dir` as JSON, under :func:`cache_key` of the expression. An entry that cannot
    be read, has another schema version or names anything outside the allowlist is ignored,
    recomputed and overwritten.

    Args:
        spec: the activation.
        key: sorted ``(name, value)`` pairs of its symbolic parameters, values as SymPy
            numbers (as :meth:`~actlib.spec.Activation.symbolic_params` gives them).

    Returns:
        The frozen :class:`Properties` of ``spec.scalar_expr`` at those parameters.

    >>> import actlib
    >>> key = (("negative_slope", sp.Rational(1, 5)),)
    >>> props = compute_properties(actlib.get("leaky_relu"), key)
    >>> props.derivative_range, props.derivative_range_exact
    (Bounds(inf=0.2, sup=1.0), (1/5, 1))
    """
    f = spec.scalar_expr(**{k: _py(v) for k, v in dict(key).items()})
    folder = cache_dir()
    path = folder / f"{cache_key(f)}.json" if folder is not None else None
    return _kept_on_disk(path, _read_entry, lambda: _compute_properties(f), _write_entry)


def _compute_properties(f: sp.Expr) -> Properties:
    """Properties of the scalar expression ``f`` in :data:`actlib.shapes.X` (no caching)."""
    d = sp.diff(f, X)
    fr, dr = _extent(f), _extent(d)
    lims = limits_at_infinity(f)
    f0 = _as_float(_at(f, 0))
    argmin = fr.argmin
    saturates: list[Literal["negative", "positive"]] = []
    if math.isfinite(lims.negative):
        saturates.append("negative")
    if math.isfinite(lims.positive):
        saturates.append("positive")
    return Properties(
        range=Bounds(float(fr.inf), float(fr.sup)),
        range_attained=(fr.inf_attained, fr.sup_attained),
        range_exact=(_exact(fr.inf_exact), _exact(fr.sup_exact)),
        derivative_range=Bounds(float(dr.inf), float(dr.sup)),
        derivative_range_attained=(dr.inf_attained, dr.sup_attained),
        derivative_range_exact=(_exact(dr.inf_exact), _exact(dr.sup_exact)),
        derivative_values=_finitely_many_values(d),
        monotonic=bool(dr.inf >= 0 or dr.sup <= 0),
        minimum=None if argmin is None else Point(float(argmin.x), _as_float(argmin.value)),
        minimum_exact=(
            Point(_exact(argmin.x_exact), _exact(argmin.value))
            if argmin is not None and argmin.exact
            else None
        ),
        limits=lims,
        saturates=tuple(saturates),
        mean_normal=(mean := _normal_mean(f)),
        zero_centred=bool(abs(mean) < ZERO_MEAN_TOLERANCE),
        continuously_differentiable=bool(_is_c1(f)),
        value_at_zero=f0,
        slope_at_zero=_as_float(_at(d, 0)),
    )


def _finitely_many_values(d: sp.Expr) -> tuple[float, ...] | None:
    """The values of ``d`` if every piece of it is a constant, else ``None``.

    >>> _finitely_many_values(sp.Piecewise((0, X < 0), (1, True)))
    (0.0, 1.0)
    >>> _finitely_many_values(sp.exp(X)) is None
    True
    """
    values = set()
    for e, s in _pieces(d):
        if s.is_empty or isinstance(s, sp.FiniteSet):
            continue  # a kink: the derivative's value there is a convention
        if X in e.free_symbols:
            return None
        values.add(_as_float(e))
    return tuple(sorted(values))


#: ``abs(E[f(Z)])`` below this counts as zero mean; the published SELU constants, rounded,
#: leave a mean of order 1e-17, and the smallest non-zero mean in the registry is above 0.1.
ZERO_MEAN_TOLERANCE = 1e-9


def _normal_mean(f: sp.Expr) -> float:
    """E[f(Z)] for Z ~ N(0, 1), by mpmath quadrature split at the kinks of ``f``."""
    breaks = sorted({float(b) for _, s in _pieces(f) for b in s.boundary if b.is_finite})
    g = sp.lambdify(X, f, "mpmath")
    with mpmath.workdps(30):
        total = mpmath.quad(
            lambda t: g(t) * mpmath.exp(-t * t / 2), [-mpmath.inf, *breaks, mpmath.inf]
        )
        return float(total / mpmath.sqrt(2 * mpmath.pi))


def _exact(v: Any) -> sp.Expr | None:
    """An exact value as a SymPy object (Python numbers converted), ``None`` kept."""
    if v is None or isinstance(v, sp.Basic):
        return v
    if isinstance(v, bool):
        raise TypeError(f"not a number: {v!r}")
    if isinstance(v, int):
        return sp.Integer(v)
    return sp.Float(float(v))


def _py(v: Any) -> Any:
    """SymPy number back to a Python number, for :meth:`Activation.resolve`."""
    if isinstance(v, sp.Integer):
        return int(v)
    return float(v)


def _at(g: sp.Expr, point) -> sp.Expr:
    return g.subs(X, point)
