"""Display helpers for the chapters: formulas, property tables and source listings.

Every chapter presents its activation the same way; these helpers keep that presentation in
one tested place instead of in each notebook.
"""

from __future__ import annotations

import html
import inspect
import math
from collections.abc import Callable
from typing import Any

import sympy as sp

from actlib.registry import get
from actlib.spec import Activation


def fmt_number(v: Any, digits: int = 4) -> str:
    """A float for prose and tables: ``∞``/``−∞`` for infinities, ``digits`` significant digits."""
    if v is None:
        return "—"
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v)).replace("-", "−")
    return f"{v:.{digits}g}".replace("-", "−")


def fmt_interval(bounds: tuple[float, float], attained: tuple[bool, bool] = (False, False)) -> str:
    """``(lo, hi)`` as an interval string, e.g. ``(0, 1)`` or ``[−0.2785, ∞)``."""
    lo, hi = bounds
    left = "[" if attained[0] and math.isfinite(lo) else "("
    right = "]" if attained[1] and math.isfinite(hi) else ")"
    return f"{left}{fmt_number(lo)}, {fmt_number(hi)}{right}"


class HTMLTable:
    """A small table that renders as HTML in notebooks and as aligned text in a terminal."""

    def __init__(self, header: list[str], rows: list[list[str]], caption: str = "") -> None:
        if any(len(r) != len(header) for r in rows):
            raise ValueError("every row must have as many cells as the header")
        self.header, self.rows, self.caption = header, rows, caption

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self.header)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in self.rows
        )
        cap = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f"<table class='actlib-table'>{cap}<thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def __str__(self) -> str:
        rows = [self.header, *self.rows]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self.header))]
        lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return (self.caption + "\n" if self.caption else "") + "\n".join(lines)

    __repr__ = __str__


def _exact(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, sp.Basic) and not (
        value.is_Float or value.is_Integer or value.is_infinite
    ):
        return str(value)
    return ""


def properties_table(name: str | Activation, **params: Any) -> HTMLTable:
    """The properties of one activation, computed by :meth:`Activation.properties`."""
    spec = get(name)
    p = spec.properties(**params)
    lo_ex, hi_ex = p["range_exact"]
    dlo_ex, dhi_ex = p["derivative_range_exact"]
    minimum = p["minimum"]
    saturates = ", ".join(p["saturates"]) or "neither side"
    f0, d0 = p["f(0)"], p["f'(0)"]

    def with_exact(text: str, *exacts: Any) -> str:
        shown = [e for e in map(_exact, exacts) if e and e not in text]
        return text + (f"   (exact: {', '.join(shown)})" if shown else "")

    rows = [
        ["range of f", with_exact(fmt_interval(p["range"], p["range_attained"]), lo_ex, hi_ex)],
        [
            "range of f′",
            with_exact(
                fmt_interval(p["derivative_range"], p["derivative_range_attained"]),
                dlo_ex,
                dhi_ex,
            ),
        ],
        ["monotonic", "yes" if p["monotonic"] else "no"],
        [
            "global minimum",
            "none (infimum not attained)"
            if minimum is None
            else f"f({fmt_number(minimum[0], 6)}) = {fmt_number(minimum[1], 6)}",
        ],
        ["zero-centred (f(0) = 0, both signs)", "yes" if p["zero_centred"] else "no"],
        ["saturates (f′ → 0) on", saturates],
        ["continuously differentiable", "yes" if p["continuously_differentiable"] else "no"],
        ["f(0), f′(0)", f"{fmt_number(f0)}, {fmt_number(d0)}"],
        ["limits at −∞, +∞", f"{fmt_number(p['limits'][0])}, {fmt_number(p['limits'][1])}"],
    ]
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    caption = f"Properties of {spec.title}" + (f" ({shown})" if shown else "")
    if spec.kind == "vector":
        caption += " — on the two-class slice softmax([t, 0])₀"
    return HTMLTable(["property", "value (computed from the SymPy expression)"], rows, caption)


def formula(name: str | Activation, symbolic: bool = True, **params: Any):
    """f and f′ as displayed LaTeX, f′ derived by :func:`sympy.diff` from f.

    Returns an ``IPython.display.Math`` object (it renders in notebooks and in the book).
    """
    from IPython.display import Math

    spec = get(name)
    if spec.kind == "vector":
        xs = sp.Matrix(sp.symbols("x_0:3", real=True))
        f = spec.expr(n=3, **params)
        j = f.jacobian(xs)
        body = (
            r"\mathrm{softmax}(x) = "
            + spec.to_latex(f)
            + r",\qquad J = "
            + spec.to_latex(sp.simplify(j))
        )
        return Math(body)
    f = spec.expr(symbolic=symbolic and not params, **params)
    d = sp.simplify(sp.diff(f, spec.x))
    return Math(r"f(x) = " + spec.to_latex(f) + r"\qquad f'(x) = " + spec.to_latex(d))


def source(func: Callable[..., Any]):
    """The source code of ``func`` as a highlighted block (``IPython.display.Code``)."""
    from IPython.display import Code

    if not callable(func):
        raise TypeError(f"source() needs a function, got {type(func).__name__}")
    return Code(inspect.getsource(func), language="python")
