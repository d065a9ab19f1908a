"""Properties of an activation computed from its SymPy expression.

Nothing here is typed in by hand: the range, the range of the derivative, monotonicity, the
global minimum, the saturating sides, smoothness and zero-centredness all follow from the
expression. SymPy's exact answers are used where :func:`sympy.solveset` finds the critical
points in closed form; otherwise the roots of the derivative are bracketed on a wide grid and
refined with :func:`scipy.optimize.brentq`.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from scipy.optimize import brentq

from actlib.spec import Activation, X

#: Grid on which roots of f' are bracketed when SymPy has no closed form: sinh-spaced, so it is
#: dense near 0 and still reaches |x| = 1e4.
_ROOT_GRID = np.sinh(np.linspace(-np.arcsinh(1e4), np.arcsinh(1e4), 40001))
#: Values of f' smaller than this are treated as numerical zero when bracketing roots.
_NOISE = 1e-9


@dataclass(frozen=True)
class Candidate:
    """A value of g at a point (or a limit), and whether it is attained."""

    x: float  # ±inf for limits at infinity
    value: sp.Expr | float
    attained: bool
    exact: bool
    x_exact: Any = None


def _pieces(g: sp.Expr) -> list[tuple[sp.Expr, sp.Set]]:
    g = sp.piecewise_fold(g)  # e.g. scale * Piecewise(...) -> Piecewise(scale * ...)
    if isinstance(g, sp.Piecewise):
        return [(e, s) for e, s in g.as_expr_set_pairs(sp.S.Reals) if s is not sp.S.EmptySet]
    return [(g, sp.S.Reals)]


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


def _one_sided(e: sp.Expr, point, direction: str):
    if point in (sp.oo, -sp.oo):
        return sp.limit(e, X, point)
    return sp.limit(e, X, point, direction)


def _candidates(g: sp.Expr) -> list[Candidate]:
    cands: list[Candidate] = []
    for e, s in _pieces(g):
        if not isinstance(s, sp.Interval):
            raise NotImplementedError(f"piece set {s} is not an interval")
        a, b = s.start, s.end
        for end, direction, is_open in ((a, "+", s.left_open), (b, "-", s.right_open)):
            infinite = end in (sp.oo, -sp.oo)
            if infinite or is_open:
                cands.append(Candidate(_as_float(end), _one_sided(e, end, direction), False, True))
            else:
                cands.append(Candidate(_as_float(end), e.subs(X, end), True, True, end))
        if not e.has(X):
            # A constant piece takes its value everywhere inside the interval.
            inner = _interior_point(s)
            cands.append(Candidate(_as_float(inner), e, True, True, inner))
            continue
        points, exact = _critical_points(e, s)
        for p in points:
            value = e.subs(X, p) if exact else float(sp.lambdify(X, e, "mpmath")(p))
            cands.append(Candidate(_as_float(p), value, True, exact, p if exact else None))
    return cands


@dataclass(frozen=True)
class Extent:
    inf: float
    sup: float
    inf_exact: Any
    sup_exact: Any
    argmin: Candidate | None  # attained global minimum at a finite point
    inf_attained: bool = False
    sup_attained: bool = False


def _extent(g: sp.Expr) -> Extent:
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

    return Extent(
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
    bounds = set()
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


def cache_dir() -> Path | None:
    """Where computed properties are kept between processes (``None``: no disk cache).

    ``$ACTLIB_CACHE_DIR`` if set (``off`` disables the cache), else ``$XDG_CACHE_HOME/actlib``
    or ``~/.cache/actlib``.
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
    """Disk-cache key of the properties of ``expr``: its exact structure plus the algorithm."""
    return hashlib.sha256((_algorithm_fingerprint() + sp.srepr(expr)).encode()).hexdigest()


@lru_cache(maxsize=256)
def compute_properties(spec: Activation, key: tuple) -> tuple[tuple[str, Any], ...]:
    """Properties of ``spec`` at the (SymPy) parameter values in ``key``, cached on disk.

    Symbolic limits can take seconds (the tanh form of GELU needs about three), and every
    chapter runs in a fresh kernel, so results are also kept in :func:`cache_dir`, keyed by the
    expression and a fingerprint of this module (see :func:`cache_key`).
    """
    f = spec.scalar_expr(**{k: _py(v) for k, v in dict(key).items()})
    folder = cache_dir()
    path = folder / f"{cache_key(f)}.pickle" if folder is not None else None
    if path is not None and path.exists():
        try:
            with path.open("rb") as fh:
                return pickle.load(fh)
        except (OSError, EOFError, pickle.UnpicklingError):
            pass  # unreadable entry: recompute and overwrite it
    result = _compute_properties(f)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("wb", dir=path.parent, delete=False) as fh:
                pickle.dump(result, fh)
            os.replace(fh.name, path)
        except OSError:
            pass  # a read-only home directory only costs the cache
    return result


def _compute_properties(f: sp.Expr) -> tuple[tuple[str, Any], ...]:
    """Properties of the scalar expression ``f`` in :data:`actlib.spec.X`.

    Keys of the result:

    ``range``, ``derivative_range``
        (infimum, supremum) over the reals, as floats (±inf allowed).
    ``range_attained``, ``derivative_range_attained``
        whether the infimum / supremum is a value taken at a finite x (closed bracket).
    ``range_exact``, ``derivative_range_exact``
        the same as SymPy numbers where they are known exactly, else ``None`` entries.
    ``monotonic``
        f' ≥ 0 everywhere or f' ≤ 0 everywhere.
    ``minimum``
        ``(x*, f(x*))`` of a global minimum attained at a finite point (the largest such x* if
        there are several), else ``None``; ``minimum_exact`` tells whether it is a closed form.
    ``limits``
        (f(−∞), f(+∞)).
    ``saturates``
        the sides (``"negative"``, ``"positive"``) where f tends to a finite limit, so f' → 0.
    ``zero_centred``
        f(0) = 0 and f takes both signs.
    ``continuously_differentiable``
        f' has no jumps.
    """
    d = sp.diff(f, X)
    fr, dr = _extent(f), _extent(d)
    lims = tuple(_as_float(_one_sided_piecewise(f, p)) for p in (-sp.oo, sp.oo))
    f0 = _as_float(_at(f, 0))
    minimum = None
    if fr.argmin is not None:
        minimum = (fr.argmin.x, _as_float(fr.argmin.value))
    props = {
        "range": (fr.inf, fr.sup),
        "range_exact": (fr.inf_exact, fr.sup_exact),
        "range_attained": (fr.inf_attained, fr.sup_attained),
        "derivative_range": (dr.inf, dr.sup),
        "derivative_range_attained": (dr.inf_attained, dr.sup_attained),
        "derivative_range_exact": (dr.inf_exact, dr.sup_exact),
        "monotonic": bool(dr.inf >= 0 or dr.sup <= 0),
        "minimum": minimum,
        "minimum_exact": (
            (fr.argmin.x_exact, fr.argmin.value)
            if fr.argmin is not None and fr.argmin.exact
            else None
        ),
        "limits": lims,
        "saturates": tuple(
            side for side, v in zip(("negative", "positive"), lims, strict=True) if math.isfinite(v)
        ),
        "zero_centred": bool(f0 == 0 and fr.inf < 0 < fr.sup),
        "continuously_differentiable": _is_c1(f),
        "f(0)": f0,
        "f'(0)": _as_float(_at(d, 0)),
    }
    return tuple(props.items())


def _py(v: Any) -> Any:
    """SymPy number back to a Python number, for :meth:`Activation.resolve`."""
    if isinstance(v, sp.Integer):
        return int(v)
    return float(v)


def _at(g: sp.Expr, point) -> sp.Expr:
    return g.subs(X, point)


def _one_sided_piecewise(g: sp.Expr, point) -> sp.Expr:
    for e, s in _pieces(g):
        inside = s.end is sp.oo if point is sp.oo else s.start is -sp.oo
        if inside:
            return sp.limit(e, X, point)
    raise ValueError(f"no piece of {g} reaches {point}")
