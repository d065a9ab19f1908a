"""Piecewise SymPy expressions: their pieces and their limits at ±∞.

Activations with a kink are written as :class:`sympy.Piecewise` expressions, which SymPy's
``limit`` and ``solveset`` do not take directly. These two helpers are the only place that takes
such an expression apart; properties, limits and the piecewise-linear analysis all use them.

>>> import sympy as sp
>>> from actlib.shapes import X
>>> relu2 = 2 * sp.Piecewise((X, X > 0), (0, True))
>>> [(e, s) for e, s in pieces(relu2)]
[(2*x, Interval.open(0, oo)), (0, Interval(-oo, 0))]
>>> limit_at_infinity(relu2, sp.oo), limit_at_infinity(relu2, -sp.oo)
(oo, 0)
"""

from __future__ import annotations

from functools import lru_cache

import sympy as sp

from actlib.shapes import X


def pieces(expr: sp.Expr) -> list[tuple[sp.Expr, sp.Set]]:
    """``(expression, set)`` pairs that cover the real line, one per piece.

    :func:`sympy.piecewise_fold` first moves products and sums inside the ``Piecewise``
    (``2*Piecewise((x, x > 0), (0, True))`` becomes ``Piecewise((2*x, x > 0), (0, True))``);
    without it the product would look like one smooth piece whose derivative is itself
    piecewise. An expression without ``Piecewise`` is one piece on the whole line.

    Args:
        expr: a SymPy expression in :data:`actlib.shapes.X`.

    Returns:
        The pieces with non-empty sets, in the order of the ``Piecewise`` conditions.

    >>> pieces(X**2)
    [(x**2, Reals)]
    """
    return list(_pieces(expr))


@lru_cache(maxsize=1024)
def _pieces(expr: sp.Expr) -> tuple[tuple[sp.Expr, sp.Set], ...]:
    # Solving each condition for its set takes SymPy tens of milliseconds, and the properties,
    # the limits and the piecewise-linear analysis take the same expressions apart again.
    expr = sp.piecewise_fold(expr)
    if isinstance(expr, sp.Piecewise):
        return tuple(
            (e, s) for e, s in expr.as_expr_set_pairs(sp.S.Reals) if s is not sp.S.EmptySet
        )
    return ((expr, sp.S.Reals),)


def limit_at_infinity(expr: sp.Expr, point: sp.Expr) -> sp.Expr:
    """The limit of ``expr`` as x → ``point`` (``sympy.oo`` or ``-sympy.oo``), pieces included.

    Args:
        expr: a SymPy expression in :data:`actlib.shapes.X`, possibly piecewise.
        point: ``sympy.oo`` or ``-sympy.oo``.

    Returns:
        The limit of the piece that reaches ``point``, as SymPy computes it.

    Raises:
        ValueError: ``point`` is not ±∞, or no piece reaches it.

    >>> limit_at_infinity(sp.exp(X), -sp.oo)
    0
    """
    if point not in (sp.oo, -sp.oo):
        raise ValueError(f"point must be sympy.oo or -sympy.oo, got {point!r}")
    for e, s in pieces(expr):
        if (s.sup is sp.oo) if point is sp.oo else (s.inf is -sp.oo):
            # SymPy takes two to three times longer over a hyperbolic function of a polynomial
            # than over the same function written with exponentials (GELU's tanh form: its f′
            # at +∞ in 3.5 s instead of 1.2 s); the limit is the same.
            if e.has(sp.tanh, sp.sinh, sp.cosh):
                e = e.rewrite(sp.exp)
            return sp.limit(e, X, point)
    raise ValueError(f"no piece of {expr} reaches {point}")
