"""CELU: the continuously differentiable exponential linear unit."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import expm1_nonpositive
from actlib.spec import Activation, Param, Reference, TorchReference

#: x/α is clipped at −800 before exponentiating: e^(−800) is 0 in float64, so expm1 is −1 and
#: exp is 0 exactly as for any smaller argument, and x/α cannot overflow for a tiny α.
_U_MIN = -800.0


def _scaled(x: np.ndarray, alpha: float) -> np.ndarray:
    """min(x, 0)/α, clipped at −800: never overflows and never positive."""
    low = max(_U_MIN * alpha, float(np.finfo(x.dtype).min))  # representable in x's dtype
    u = np.clip(x, low, 0)
    return u if alpha == 1 else u / alpha


def forward(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Continuously differentiable exponential linear unit.

    .. math::
        \mathrm{celu}_\alpha(x) = \max(0, x) + \min\bigl(0, \alpha\,(e^{x/\alpha} - 1)\bigr)
        = \begin{cases} x, & x > 0 \\ \alpha\,\bigl(e^{x/\alpha} - 1\bigr), & x \le 0
        \end{cases}

    expm1 (:func:`actlib.numerics.expm1_nonpositive`) gives e^u − 1 without cancellation for
    small ``|u|``, and it only sees min(x, 0)/α (clipped at −800), so the piece that is not
    selected never overflows; it is then 0, and the two pieces are added without a branch.

    Args:
        x: the input, an array of real numbers.
        alpha: α > 0; celu(x) approaches −α as x → −∞ (PyTorch's default 1.0).

    Returns:
        celu(x), an array shaped like ``x``.

    >>> forward(np.array([-1e-20, 0.0, 1000.0]), alpha=2.0)
    array([-1.e-20,  0.e+00,  1.e+03])

    See also: :func:`derivative`; ``torch.nn.functional.celu``; Barron (2017),
    https://arxiv.org/abs/1704.07483.
    """
    # max(x, 0) + α·expm1(min(x, 0)/α): one of the two terms is zero, no branch.
    tail = expm1_nonpositive(_scaled(x, alpha))
    return np.maximum(x, 0) + (tail if alpha == 1 else alpha * tail)


def derivative(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Derivative of CELU.

    .. math::
        \mathrm{celu}_\alpha'(x) = \begin{cases} 1, & x > 0 \\ e^{x/\alpha}, & x \le 0
        \end{cases}

    Both pieces equal 1 at x = 0 for every α, so there is no kink: celu′(0) = 1. (PyTorch's
    autograd computes α·(1/α)·e^{x/α} on the left piece, which can differ from 1 at 0 by one
    unit in the last place for some α.)

    Args:
        x: the input, an array of real numbers.
        alpha: α > 0 (PyTorch's default 1.0).

    Returns:
        celu′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 1000.0]), alpha=0.5)
    array([0., 1., 1.])
    """
    return np.exp(_scaled(x, alpha))  # exp(0) = 1 for x > 0: no branch needed


def _sympy(x, alpha):
    return sp.Piecewise((x, x > 0), (alpha * (sp.exp(x / alpha) - 1), True))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_forward(x, alpha):
    # exp overflows in the branch min() discards; e^u − 1 cancels for small |u|.
    return np.maximum(0, x) + np.minimum(0, alpha * (np.exp(x / alpha) - 1))


def _naive_derivative(x, alpha):
    return np.where(x > 0, 1, np.exp(x / alpha))  # exp overflows in the unused branch


#: The CELU spec, registered as ``"celu"``.
SPECS = (
    Activation(
        name="celu",
        title="CELU",
        order=110,
        summary="ELU with the exponential's input divided by α, so that the slope is "
        "continuous at 0 for every α.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.celu", module="torch.nn.CELU"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        common_params=({"alpha": 0.5}, {"alpha": 2.0}, {"alpha": 3.0}),
        parameters=(
            Param(
                "alpha",
                1.0,
                "saturation value −α for x → −∞ and scale of the exponential",
                low=0.0,
                low_open=True,
                slider=(0.1, 3.0, 0.05),
            ),
        ),
        reference=Reference(
            key="barron2017continuously",
            authors="Barron",
            title="Continuously differentiable exponential linear units",
            year=2017,
            url="https://arxiv.org/abs/1704.07483",
        ),
        chapter="smooth_rectifiers",
        stability_note=(
            "α·expm1(x/α) instead of α(e^(x/α) − 1), evaluated on min(x, 0)/α clipped at −800, "
            "so the discarded branch cannot overflow and small negative inputs keep every digit."
        ),
    ),
)
