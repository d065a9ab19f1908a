"""The exponential linear unit."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import expm1_nonpositive, select
from actlib.spec import Activation, Param, Reference, TorchReference


def forward(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Exponential linear unit.

    .. math::
        \mathrm{elu}(x) = \begin{cases} x, & x > 0 \\ \alpha\,(e^{x} - 1), & x \le 0 \end{cases}

    expm1 gives e^x − 1 without the cancellation of ``exp(x) - 1`` for small ``|x|``
    (:func:`actlib.numerics.expm1_nonpositive`, vectorised in float32), and it is evaluated on
    ``min(x, 0)``: the piece that is not selected never sees a large positive number, so
    nothing overflows (the "double where" pattern), and it is then 0, so the two pieces are
    simply added: max(x, 0) + α·expm1(min(x, 0)).

    Args:
        x: the input, an array of real numbers.
        alpha: α ≥ 0; elu(x) approaches −α as x → −∞ (PyTorch's default 1.0).

    Returns:
        elu(x), an array shaped like ``x``.

    >>> forward(np.array([-1e-20, 0.0, 1000.0]))
    array([-1.e-20,  0.e+00,  1.e+03])

    See also: :func:`derivative`; ``torch.nn.functional.elu``; Clevert et al. (2016),
    https://arxiv.org/abs/1511.07289.
    """
    # max(x, 0) + α·expm1(min(x, 0)): one of the two terms is zero, no branch.
    tail = expm1_nonpositive(np.minimum(x, 0))
    return np.maximum(x, 0) + (tail if alpha == 1 else alpha * tail)


def derivative(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    r"""Derivative of the exponential linear unit.

    .. math::
        \mathrm{elu}'(x) = \begin{cases} 1, & x > 0 \\ \alpha\,e^{x}, & x \le 0 \end{cases}

    At the kink x = 0 the value is that of the left piece, elu′(0) = α, as PyTorch's autograd
    returns (the function is differentiable there only for α = 1).

    Args:
        x: the input, an array of real numbers.
        alpha: the saturation parameter α ≥ 0 (PyTorch's default 1.0).

    Returns:
        elu′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 1000.0]), alpha=2.0)
    array([0., 2., 1.])
    """
    e = np.exp(np.minimum(x, 0))  # 1 for x > 0: already the right piece when α = 1
    return e if alpha == 1 else select(np.greater(x, 0), 1, alpha * e, x.dtype)


def _sympy(x, alpha):
    return sp.Piecewise((x, x > 0), (alpha * (sp.exp(x) - 1), True))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x, alpha):
    return np.where(x > 0, x, alpha * (np.exp(x) - 1))  # exp overflows in the unused branch


def _naive_derivative(x, alpha):
    return np.where(x > 0, 1, alpha * np.exp(x))


#: The ELU spec, registered as ``"elu"``.
SPECS = (
    Activation(
        name="elu",
        title="ELU",
        order=70,
        summary="Identity for positive inputs, a smooth exponential approach to −α for negative "
        "ones.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.elu", module="torch.nn.ELU"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        common_params=({"alpha": 0.5}, {"alpha": 2.0}),
        parameters=(
            Param("alpha", 1.0, "saturation value −α for x → −∞", low=0.0, slider=(0.0, 3.0, 0.05)),
        ),
        reference=Reference(
            key="clevert2016fast",
            authors="Clevert, Unterthiner and Hochreiter",
            title="Fast and accurate deep network learning by exponential linear units (ELUs)",
            year=2016,
            url="https://arxiv.org/abs/1511.07289",
        ),
        kinks=(0.0,),
        kink_convention="elu'(0) = α, as PyTorch's autograd (differentiable at 0 only for α = 1).",
        stability_note=(
            "expm1 instead of exp(x) − 1, evaluated on min(x, 0) so the discarded branch cannot "
            "overflow — the forward pass and its gradient stay finite for every input."
        ),
    ),
)
