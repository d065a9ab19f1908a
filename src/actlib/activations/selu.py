r"""The scaled exponential linear unit (SELU) and its two constants.

SELU is an ELU scaled by :math:`\lambda`, with :math:`\lambda` and :math:`\alpha` fixed so that
standard normal pre-activations give outputs of mean 0 and variance 1 (Klambauer, Unterthiner,
Mayr and Hochreiter, 2017). Both constants have closed forms in :math:`e`, :math:`\pi` and the
complementary error function (the SELU chapter derives them). Here they are the nearest
doubles, the same as PyTorch's, and the SymPy expression is written with these doubles, so that
the high-precision reference is SELU as every implementation computes it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import expm1_nonpositive, select
from actlib.spec import Activation, Reference, TorchReference

#: α, the nearest double to 1.67326324235437728481704299167... (PyTorch's ``SELU_ALPHA``).
ALPHA = 1.6732632423543772
#: λ, the nearest double to 1.05070098735548049341933498529... (PyTorch's ``SELU_SCALE``).
SCALE = 1.0507009873554805
#: The product λα of the two doubles, rounded once, as PyTorch forms it. It is the slope just
#: left of 0 and minus the saturation value, and it lies one unit in the last place below the
#: double nearest to the exact λα, 1.7580993408473768.
SCALE_ALPHA = SCALE * ALPHA


def forward(x: np.ndarray) -> np.ndarray:
    r"""Scaled exponential linear unit.

    .. math::
        \mathrm{selu}(x) = \lambda \begin{cases} x, & x > 0 \\ \alpha\,(e^{x} - 1), & x \le 0
        \end{cases}

    with :math:`\alpha \approx 1.6733` (:data:`ALPHA`) and :math:`\lambda \approx 1.0507`
    (:data:`SCALE`). expm1 (:func:`actlib.numerics.expm1_nonpositive`) gives e^x − 1 without
    cancellation near 0, and it is evaluated on ``min(x, 0)``, so the piece that is not
    selected never overflows and is 0: the two pieces are added, without a branch. λx
    overflows to inf for x above about 1.7e308, which is the correctly rounded result (PyTorch
    gives the same). The negative branch multiplies by
    :data:`SCALE_ALPHA` = λα, formed as PyTorch forms it.

    Args:
        x: the input, an array of real numbers.

    Returns:
        selu(x), an array shaped like ``x``.

    >>> forward(np.array([-1000.0, 0.0, 1.0]))
    array([-1.75809934,  0.        ,  1.05070099])

    See also: :func:`derivative`; ``torch.nn.functional.selu``; Klambauer et al. (2017),
    https://arxiv.org/abs/1706.02515.
    """
    with np.errstate(over="ignore"):  # λx beyond about 1.7e308 rounds to inf, correctly
        positive = SCALE * x
    # λ·max(x, 0) + λα·expm1(min(x, 0)): one of the two terms is zero, no branch.
    return np.maximum(positive, 0) + SCALE_ALPHA * expm1_nonpositive(np.minimum(x, 0))


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the scaled exponential linear unit.

    .. math::
        \mathrm{selu}'(x) = \begin{cases} \lambda, & x > 0 \\ \lambda\alpha\,e^{x}, & x \le 0
        \end{cases}

    At the kink x = 0 the value is that of the left piece, **selu′(0) = λα ≈ 1.7581**, as
    PyTorch's autograd returns; the right slope is λ ≈ 1.0507.

    Args:
        x: the input, an array of real numbers.

    Returns:
        selu′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 1.0]))
    array([0.        , 1.75809934, 1.05070099])
    """
    return select(np.greater(x, 0), SCALE, SCALE_ALPHA * np.exp(np.minimum(x, 0)), x.dtype)


def _sympy(x):
    # The constants as the decimals that round-trip to the doubles (17 significant digits):
    # readable in formulas, and SymPy's limits (which turn floats into rationals at their
    # printed precision) still land on the doubles themselves.
    scale, scale_alpha = sp.Float(repr(SCALE)), sp.Float(repr(SCALE_ALPHA))
    return sp.Piecewise((scale * x, x > 0), (scale_alpha * (sp.exp(x) - 1), True))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures it.
def _naive_forward(x):
    return SCALE * np.where(x > 0, x, ALPHA * (np.exp(x) - 1))  # exp overflows, cancels


def _naive_derivative(x):
    return SCALE * np.where(x > 0, 1, ALPHA * np.exp(x))


#: The SELU spec, registered as ``"selu"``.
SPECS = (
    Activation(
        name="selu",
        title="SELU",
        order=100,
        summary="An ELU scaled so that standard normal inputs give outputs of mean 0 and "
        "variance 1.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.selu", module="torch.nn.SELU"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        reference=Reference(
            key="klambauer2017self",
            authors="Klambauer, Unterthiner, Mayr and Hochreiter",
            title="Self-normalizing neural networks",
            year=2017,
            url="https://arxiv.org/abs/1706.02515",
        ),
        kinks=(0.0,),
        kink_convention="selu'(0) = λα ≈ 1.7581, the left slope, as PyTorch's autograd returns "
        "(the right slope is λ ≈ 1.0507).",
        stability_note=(
            "expm1 instead of exp(x) − 1, evaluated on min(x, 0) so the discarded branch cannot "
            "overflow; λα is formed once, as PyTorch forms it."
        ),
    ),
)
