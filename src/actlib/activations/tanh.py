"""The hyperbolic tangent."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent.

    .. math::
        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}

    Computed with :func:`numpy.tanh` (the C library's tanh), not with the quotient above,
    which is ``inf/inf = nan`` for :math:`|x| > 710` in float64.

    Args:
        x: the input, an array of real numbers.

    Returns:
        tanh(x), an array shaped like ``x``.

    >>> forward(np.array([-1000.0, 0.0, 1000.0]))
    array([-1.,  0.,  1.])

    See also: :func:`derivative`; ``torch.tanh``; LeCun et al. (1998), Efficient BackProp.
    """
    return np.tanh(x)


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the hyperbolic tangent.

    .. math::
        \tanh'(x) = \operatorname{sech}^2(x) = 1 - \tanh^2(x) = \frac{4e}{(1 + e)^2},
        \qquad e = e^{-2|x|}

    ``1 - tanh(x)**2`` rounds to 0 for :math:`|x| > 19` in float64 although
    :math:`\operatorname{sech}^2(x) \approx 4e^{-2|x|}` is not 0; the last form only
    exponentiates non-positive numbers and keeps full relative accuracy.

    Args:
        x: the input, an array of real numbers.

    Returns:
        tanh′(x), an array shaped like ``x``.

    >>> derivative(np.array([0.0]))
    array([1.])
    """
    # exp(-2000) is 0 in float64, so clipping |x| at 1000 changes no result and keeps -2|x|
    # finite at the largest floats.
    e = np.exp(-2 * np.minimum(np.abs(x), 1e3))  # in (0, 1]: never overflows
    d = 1 + e
    return 4 * e / (d * d)


def _sympy(x):
    return sp.tanh(x)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))  # inf/inf = nan for |x| > 710


def _naive_derivative(x):
    return 1 - np.tanh(x) ** 2  # rounds to 0 for |x| > 19


#: The tanh spec, registered as ``"tanh"``.
SPECS = (
    Activation(
        name="tanh",
        title="Hyperbolic tangent",
        order=20,
        summary="A rescaled sigmoid with range (−1, 1), centred on zero.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.tanh", module="torch.nn.Tanh"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        reference=Reference(
            key="lecun1998efficient",
            authors="LeCun, Bottou, Orr and Müller",
            title="Efficient BackProp",
            year=1998,
            url="https://doi.org/10.1007/3-540-49430-8_2",
        ),
        stability_note=(
            "numpy.tanh never forms the quotient of exponentials; the derivative is written as "
            "4e/(1+e)² with e = exp(−2|x|) so it keeps its relative accuracy in both tails."
        ),
    ),
)
