"""The high-precision reference: a SymPy expression evaluated in mpmath until it is stable.

Every check in actlib measures against this one mechanism. Sums that cancel
(``1 + erf(u)``, ``1 − tanh(u)²``, ``e^u − 1`` ...) are first rewritten into equivalent forms
without cancellation (:func:`stable_form`; each rule in :data:`REWRITE_RULES` is an identity
checked by the tests); then each value is computed at two precisions, raised until they agree
(:func:`mp_value`), so a cancellation that no rule removed is still caught.

>>> fn = mp_function(X / 2 * (1 + sp.erf(X / sp.sqrt(2))))
>>> float(mp_value(fn, -20.0)) < 1e-88
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy as sp
from sympy.codegen.cfunctions import expm1 as sp_expm1

from actlib.shapes import X

#: Significant digits the reference must be stable to (it is computed with more).
REFERENCE_DIGITS = 50
#: Precision is raised up to this many digits before a reference value is declared unstable.
MAX_DIGITS = 3200
#: A zero reference value must persist up to this precision.
ZERO_DIGITS = 400


@dataclass(frozen=True)
class RewriteRule:
    """A cancellation-free replacement for ``k·g + sign·k``, where g = ``head(u)**power``.

    >>> rule = REWRITE_RULES[0]
    >>> rule.name, rule.replace(X, sp.Integer(3))
    ('1 + erf(u) = erfc(−u)', 3*erfc(-x))
    """

    name: str  #: The identity, as text.
    #: The function whose occurrence g = head(u) (or head(u)**power) triggers the rule.
    head: type
    power: int
    #: +1 for k + k·g, −1 for k·g − k.
    sign: int
    #: Builds the replacement of ``k·g + sign·k`` from (u, k).
    replace: Callable[[sp.Expr, sp.Expr], sp.Expr]

    def identity(self, u: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
        """(original, replacement) with k = 1: the identity the rule relies on.

        Args:
            u: the symbol that stands for the argument.

        Returns:
            The two sides of the identity, which must be equal.

        >>> REWRITE_RULES[-1].identity(X)
        (exp(x) - 1, expm1(x))
        """
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

    Args:
        expr: a SymPy expression.

    Returns:
        An equal expression in which no rewritten sum cancels.

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


def mp_function(
    expr: sp.Expr, symbols: Sequence[sp.Symbol] = (X,), stable: bool = True
) -> Callable[..., Any]:
    """An mpmath function of ``symbols`` for ``expr``.

    Args:
        expr: a SymPy expression.
        symbols: its variables, in the order the function takes them (default: x alone).
        stable: rewrite cancelling sums first (:func:`stable_form`).

    Returns:
        A function of mpmath numbers.

    >>> f = mp_function(sp.exp(X) - 1)  # evaluated as expm1: e^x − 1 = x + x²/2 + …
    >>> with mpmath.workdps(30):
    ...     print(f(mpmath.mpf("1e-20")))
    1.000000000000000000005e-20
    """
    return sp.lambdify(list(symbols), stable_form(expr) if stable else expr, modules=_MP_MODULES)


def mp_value(
    fn: Callable[..., Any], *xs: float, digits: int = REFERENCE_DIGITS, abs_tol: Any = 0
) -> Any:
    """``fn(*xs)`` in mpmath, to ``digits`` significant digits (or to ``abs_tol`` absolutely).

    The function is evaluated at ``digits + 10`` digits and at twice that; the precision is
    doubled until two successive values agree to ``digits`` digits or differ by at most
    ``abs_tol``. A value of exactly zero is accepted only once it has survived
    :data:`ZERO_DIGITS` digits (a sum that cancels below that would round to 0 in any float).

    Args:
        fn: a function of mpmath numbers (see :func:`mp_function`).
        *xs: the arguments, as floats.
        digits: the significant digits the value must be stable to.
        abs_tol: an absolute tolerance that is also enough (for values that only matter up to
            a bound).

    Returns:
        The value, an mpmath number.

    Raises:
        ArithmeticError: no agreement up to :data:`MAX_DIGITS` digits.

    >>> value = mp_value(mp_function(1 - sp.tanh(X) ** 2), 30.0)
    >>> float(value) > 0
    True
    """
    dps = digits + 10
    with mpmath.workdps(dps):
        prev = mpmath.mpf(fn(*(mpmath.mpf(float(x)) for x in xs)))
    while dps < MAX_DIGITS:
        dps *= 2
        with mpmath.workdps(dps):
            value = mpmath.mpf(fn(*(mpmath.mpf(float(x)) for x in xs)))
            if value == 0 and prev == 0 and dps < ZERO_DIGITS:
                continue  # a sum that cancels completely at this precision looks like 0
            diff = abs(value - prev)
            if diff <= abs(value) * mpmath.mpf(10) ** (-digits) or diff <= abs_tol:
                return value
        prev = value
    raise ArithmeticError(f"reference not stable to {digits} digits at {xs!r}")
