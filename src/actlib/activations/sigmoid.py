"""The logistic sigmoid."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import sigmoid
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    Computed with :func:`scipy.special.expit`, which never overflows, and σ(x) = e^x for
    x < −708, where expit flushes the (subnormal) result to zero (see
    :func:`actlib.numerics.sigmoid`).

    Args:
        x: the input, an array of real numbers.

    Returns:
        σ(x), an array shaped like ``x``.

    >>> forward(np.array([-800.0, 0.0, 800.0]))
    array([0. , 0.5, 1. ])

    See also: :func:`derivative`; ``torch.sigmoid``; Rumelhart, Hinton and Williams (1986).
    """
    return sigmoid(x)


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the logistic sigmoid.

    .. math::
        \sigma'(x) = \sigma(x)\,\sigma(-x) = s\,(1 - s), \qquad s = \sigma(-|x|)

    (σ′ is even). The textbook form σ(x)(1 − σ(x)) rounds to 0 once σ(x) rounds to 1 (x > 37
    in float64); with :math:`s = \sigma(-|x|) \le 1/2` both factors keep full relative accuracy
    on both sides.

    Args:
        x: the input, an array of real numbers.

    Returns:
        σ′(x), an array shaped like ``x``.

    >>> derivative(np.array([0.0]))
    array([0.25])
    """
    s = sigmoid(-np.abs(x))  # σ(−|x|) ≤ 1/2, so 1 − s ∈ [1/2, 1) has no cancellation
    return s * (1.0 - s)


def _sympy(x):
    return 1 / (1 + sp.exp(-x))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x):
    return 1 / (1 + np.exp(-x))  # overflows for x < -709 (float64)


def _naive_derivative(x):
    s = _naive_forward(x)
    return s * (1 - s)  # rounds to 0 once s rounds to 1


#: The sigmoid spec, registered as ``"sigmoid"``.
SPECS = (
    Activation(
        name="sigmoid",
        title="Sigmoid (logistic)",
        order=10,
        summary="Squashes any real number into (0, 1); the classic neuron and the binary output.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.sigmoid", module="torch.nn.Sigmoid"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        reference=Reference(
            key="rumelhart1986",
            authors="Rumelhart, Hinton and Williams",
            title="Learning representations by back-propagating errors",
            year=1986,
            url="https://doi.org/10.1038/323533a0",
        ),
        roles=frozenset({"hidden", "output"}),
        stability_note=(
            "scipy.special.expit evaluates exp only of non-positive arguments (with e^x kept "
            "below −708, where expit would flush the subnormal result to zero), and the "
            "derivative is s(1 − s) with s = σ(−|x|) ≤ 1/2, which keeps its relative accuracy "
            "where σ(1−σ) would round to zero."
        ),
    ),
)
