r"""Piecewise-linear activations, read off their SymPy expressions.

An activation :math:`f` is *piecewise linear* when the real line splits into finitely many
intervals on each of which :math:`f(x) = a x + c`; equivalently :math:`f'' = 0` on every piece.
ReLU, leaky ReLU, PReLU, RReLU (at its mean slope) and the identity are; ELU, GELU, tanh and
the sigmoid are not. A network built from a piecewise-linear activation is itself piecewise
linear (:func:`actlib.nn.diagnostics.linear_regions_1d` finds its pieces).

>>> [(p.lo, p.hi, p.slope) for p in affine_pieces("leaky_relu", negative_slope=0.5)]
[(-inf, 0.0, 0.5), (0.0, inf, 1.0)]
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import sympy as sp

from actlib.registry import get
from actlib.shapes import X
from actlib.spec import Activation
from actlib.symbolic.piecewise import pieces as _pieces

__all__ = ["AffinePiece", "affine_pieces", "is_affine", "is_piecewise_linear"]


@dataclass(frozen=True)
class AffinePiece:
    r"""An interval on which a function is affine.

    .. math::
        f(x) = \text{slope}\cdot x + \text{intercept} \quad \text{for } \text{lo} < x < \text{hi}.

    ``slope`` and ``intercept`` are floats for an activation, arrays (one entry per output)
    for a network (:class:`actlib.nn.diagnostics.Regions1D`).

    >>> AffinePiece(0.0, float("inf"), 1.0, 0.0).slope
    1.0
    """

    lo: float
    hi: float
    slope: Any
    intercept: Any


def is_piecewise_linear(activation: str | Activation, **params: Any) -> bool:
    r"""Whether the activation is piecewise linear: :math:`f''(x) = 0` on every piece.

    Decided from the SymPy expression: each piece's second derivative must vanish, checked
    first at a few rational points (a nonzero value settles it quickly) and then by
    :func:`sympy.simplify`. Vector-valued activations (softmax) are not elementwise and give
    ``False``.

    Args:
        activation: a registered name or a spec.
        params: activation parameters (the spec's defaults otherwise).

    Returns:
        ``True`` if every piece of the expression is affine.

    >>> is_piecewise_linear("relu"), is_piecewise_linear("gelu"), is_piecewise_linear("softmax")
    (True, False, False)
    """
    spec = get(activation)
    try:
        spec.shape.require_elementwise(spec, "piecewise linearity")
    except ValueError:
        return False
    values = spec.resolve(params)
    key = tuple(sorted((k, v) for k, v in spec.symbolic_params(values).items()))
    return _piecewise_linear(spec, key)


#: Points at which a second derivative is evaluated before SymPy is asked to simplify it.
_PROBES = tuple(sp.Rational(n, 7) for n in (-23, -9, -2, 3, 10, 25))


@lru_cache(maxsize=256)
def _piecewise_linear(spec: Activation, key: tuple) -> bool:
    for e, s in _pieces(spec.sympy_expr(X, **dict(key))):
        d2 = sp.diff(e, X, 2)
        if d2 == 0:
            continue
        # A nonzero value at a probe point inside the piece settles it quickly; otherwise
        # let SymPy decide whether the expression is identically zero.
        for t in _PROBES:
            if s.contains(t) is sp.true and abs(complex(sp.N(d2.subs(X, t), 20))) > 1e-12:
                return False
        if sp.simplify(d2) != 0:
            return False
    return True


def is_affine(activation: str | Activation, **params: Any) -> bool:
    r"""Whether the activation is one affine map :math:`f(x) = a x + c` on the whole real line.

    Args:
        activation: a registered name or a spec.
        params: activation parameters (the spec's defaults otherwise).

    Returns:
        ``True`` if the activation is piecewise linear with a single piece.

    >>> is_affine("identity"), is_affine("relu")
    (True, False)
    """
    spec = get(activation)
    return is_piecewise_linear(spec, **params) and len(affine_pieces(spec, **params)) == 1


def affine_pieces(activation: str | Activation, **params: Any) -> list[AffinePiece]:
    r"""The affine pieces of a piecewise-linear activation, from its SymPy expression.

    .. math::
        f(x) = a_k x + c_k \quad \text{for } x \in (\text{lo}_k, \text{hi}_k),
        \qquad a_k = f'(x),\ c_k = f(0) \text{ on piece } k.

    Adjacent pieces with the same slope and intercept are merged, so the boundaries returned
    are the kinks, in increasing order.

    Args:
        activation: a registered name or a spec.
        params: activation parameters (the spec's defaults otherwise).

    Returns:
        The pieces from left to right, as :class:`AffinePiece` with float slopes and intercepts.

    Raises:
        ValueError: the activation is not piecewise linear (e.g. ``gelu``), or a piece is not
            defined on an interval.

    >>> [(p.lo, p.hi, p.slope, p.intercept) for p in affine_pieces("relu")]
    [(-inf, 0.0, 0.0, 0.0), (0.0, inf, 1.0, 0.0)]
    """
    spec = get(activation)
    values = spec.resolve(params)
    if not is_piecewise_linear(spec, **values):
        raise ValueError(
            f"{spec.name} is not piecewise linear (its second derivative is not zero), so it "
            "has no finite set of affine pieces"
        )
    raw = []
    for e, s in _pieces(spec.expr(**values)):
        if not isinstance(s, sp.Interval):
            raise ValueError(f"piece {e} of {spec.name} is defined on {s}, not an interval")
        slope = float(sp.diff(e, X))
        intercept = float(e.subs(X, 0))
        raw.append((float(s.start), float(s.end), slope, intercept))
    raw.sort()
    merged: list[list[float]] = []
    for lo, hi, a, c in raw:
        if merged and merged[-1][2] == a and merged[-1][3] == c:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi, a, c])
    return [AffinePiece(lo, hi, a, c) for lo, hi, a, c in merged]
