"""Mish, x·tanh(softplus(x)): a smooth, non-monotonic rectifier."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import exp_neg_abs, select
from actlib.spec import Activation, Reference, TorchReference

#: Left of this, e^x is 0 in float64 (it underflows below −745.2); clipping there keeps 4(1 + x)
#: finite without changing any result.
_X_MIN = -800.0


def _tanh_softplus(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    r"""tanh(softplus(x)) from w = e^{−|x|}, without overflow or cancellation.

    With e = e^x and u = 1 + e, tanh(log u) = (u² − 1)/(u² + 1) = e(e + 2)/(e² + 2e + 2). For
    x ≤ 0 this is evaluated with e = w; for x > 0 numerator and denominator are divided by
    e², giving (1 + 2w)/(1 + 2w + 2w²). Only positive numbers of at most 5 are added. Both
    sides are (a + 2w)/(a + 2w + 2c) with (a, c) = (w², 1) for x ≤ 0 and (1, w²) for x > 0;
    as w² ≤ 1, a = max(w², [x > 0]) and c = max(w², [x ≤ 0]) pick them exactly, without a
    branch.
    """
    w2 = w * w
    n = np.maximum(w2, np.greater(x, 0)) + 2 * w
    return n / (n + 2 * np.maximum(w2, np.less_equal(x, 0)))


def forward(x: np.ndarray) -> np.ndarray:
    r"""Mish, a self-regularized non-monotonic activation.

    .. math::
        \mathrm{mish}(x) = x \tanh\bigl(\mathrm{softplus}(x)\bigr)
        = x\,\frac{e^{x}(e^{x} + 2)}{e^{2x} + 2e^{x} + 2}

    The quotient comes from tanh(log u) = (u² − 1)/(u² + 1) with u = 1 + e^x. It is evaluated
    with w = e^{−|x|} on each side (numerator and denominator divided by e^{2x} for x > 0), so
    no exponential overflows and only positive numbers are added: one exponential instead of
    the three of ``x * tanh(log1p(exp(x)))``, whose ``exp`` overflows for x > 709.

    Args:
        x: the input, an array of real numbers.

    Returns:
        mish(x), an array shaped like ``x``.

    >>> forward(np.array([-800.0, 0.0, 1000.0]))
    array([  -0.,    0., 1000.])

    See also: :func:`derivative`; ``torch.nn.functional.mish``; Misra (2020),
    https://arxiv.org/abs/1908.08681.
    """
    return x * _tanh_softplus(x, exp_neg_abs(x))


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of Mish.

    .. math::
        \mathrm{mish}'(x) = \tanh\bigl(\mathrm{softplus}(x)\bigr)
        + x\,\sigma(x)\,\operatorname{sech}^2\bigl(\mathrm{softplus}(x)\bigr)
        = \frac{e^{x}\bigl(e^{x} + 2\bigr)}{\delta} + \frac{4x\,e^{x}(1 + e^{x})}{\delta^{2}},
        \qquad \delta = e^{2x} + 2e^{x} + 2

    With w = e^{−|x|}: for x > 0 both terms are positive and are evaluated as
    tanh(softplus(x)) = (1 + 2w)/(1 + 2w + 2w²) plus x·4w²(1 + w)/(1 + 2w + 2w²)². For x ≤ 0
    (where e^x = w) the two terms have opposite signs and their sum is put over one
    denominator, ordered by powers of w,

    .. math::
        \mathrm{mish}'(x) = \frac{w\,\bigl(4(1 + x) + w\,(6 + 4x + w\,(4 + w))\bigr)}
        {4 + w\,(8 + w\,(8 + w\,(4 + w)))},

    whose terms share the sign of the result except between x = −1.5 and x = −1, around the
    minimum of Mish where the derivative crosses zero. The denominator (w² + 2w + 2)² is
    expanded and evaluated by Horner's rule, which rounds less than squaring the sum.

    Args:
        x: the input, an array of real numbers.

    Returns:
        mish′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.6, 1. ])
    """
    w = np.exp(-np.abs(x))
    # x > 0: tanh(softplus(x)) + x·(1 − tanh²)·σ(x), both terms positive.
    m = 1.0 + 2.0 * w
    d_pos = m + 2.0 * w * w
    right = m / d_pos + x * (4.0 * w * w * (1.0 + w)) / (d_pos * d_pos)
    # x <= 0: one quotient. x is clipped to [−800, 0]: below, w = 0 already; above, this
    # branch is not selected. So 4(1 + x) stays finite.
    xc = np.clip(x, _X_MIN, 0.0)
    bracket = 4.0 * (1.0 + xc) + w * (6.0 + 4.0 * xc + w * (4.0 + w))
    left = w * bracket / (4.0 + w * (8.0 + w * (8.0 + w * (4.0 + w))))
    return select(np.greater(x, 0), right, left, x.dtype)


def _sympy(x):
    # tanh(log(1 + e^x)) = e^x(e^x + 2)/(e^(2x) + 2e^x + 2), an identity the chapter proves.
    # The exponential form is the one stored: evaluated in high precision, log(1 + e^x) loses
    # e^x once it is below the working precision, and the reference for mish′ =
    # tanh(log(1 + e^x)) + … silently dropped its first term below x ≈ −280 (a relative error
    # of 1/|x|); the quotient has no such sum.
    e = sp.exp(x)
    return x * e * (e + 2) / (e**2 + 2 * e + 2)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_forward(x):
    return x * np.tanh(np.log(1 + np.exp(x)))  # 1 + e^x rounds to 1 for x << 0; exp overflows


def _naive_derivative(x):
    t = np.tanh(np.log(1 + np.exp(x)))
    return t + x * (1 - t * t) / (1 + np.exp(-x))  # 1 − t² cancels; exp(−x) overflows


#: The Mish spec, registered as ``"mish"``.
SPECS = (
    Activation(
        name="mish",
        title="Mish",
        order=130,
        summary="x gated by tanh(softplus(x)): smooth, non-monotonic, unbounded above.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.mish", module="torch.nn.Mish"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        reference=Reference(
            key="misra2020mish",
            authors="Misra",
            title="Mish: a self regularized non-monotonic activation function",
            year=2020,
            url="https://arxiv.org/abs/1908.08681",
        ),
        chapter="smooth_rectifiers",
        stability_note=(
            "tanh(softplus(x)) = e^x(e^x + 2)/(e^(2x) + 2e^x + 2), evaluated with w = e^(−|x|) "
            "on each side: only sums of positive terms, no overflow, no cancellation in either "
            "tail; the derivative is built from the same quotients."
        ),
    ),
)
