"""The logistic sigmoid."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import exp_neg_abs, sigmoid
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Logistic sigmoid.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    Computed from the one exponential :math:`e = e^{-|x|} \le 1`, which never overflows, as
    1/(1 + e) for x ≥ 0 and e/(1 + e) for x < 0, without a branch, in the dtype of ``x``
    (see :func:`actlib.numerics.sigmoid`); subnormal results (x < −708) are kept.

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
    on both sides. With :math:`e = e^{-|x|}`, s = e/(1 + e) and 1 − s = 1/(1 + e), so

    .. math::
        \sigma'(x) = \frac{e}{(1 + e)^2}, \qquad e = e^{-|x|} \in (0, 1],

    one exponential and no branch; 1 + e ∈ [1, 2] does not cancel.

    Args:
        x: the input, an array of real numbers.

    Returns:
        σ′(x), an array shaped like ``x``.

    >>> derivative(np.array([0.0]))
    array([0.25])
    """
    e = exp_neg_abs(x)
    d = 1 + e
    return e / (d * d)


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
            "One exponential e = exp(−|x|) ≤ 1, which never overflows: σ = 1/(1 + e) for x ≥ 0 "
            "and e/(1 + e) for x < 0 (subnormal results kept), and the derivative is e/(1 + e)², "
            "which keeps its relative accuracy where σ(1−σ) would round to zero."
        ),
    ),
)
