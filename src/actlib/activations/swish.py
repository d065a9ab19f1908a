"""Swish, x·σ(βx); SiLU is the case β = 1."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.activations.sigmoid import _naive_forward as _naive_sigmoid
from actlib.numerics import exp_neg_abs, sigmoid
from actlib.spec import Activation, Param, Reference, TorchReference


def forward(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""Swish (β = 1: SiLU, the sigmoid-weighted linear unit).

    .. math::
        \mathrm{swish}_\beta(x) = \frac{x}{1 + e^{-\beta x}} = x\,\sigma(\beta x)

    σ comes from :func:`actlib.numerics.sigmoid`, which keeps σ(βx) ≈ e^{βx} when it is a
    subnormal number: for βx between −745 and −709, x·σ(βx) is still a normal number, and
    ``scipy.special.expit`` (which returns 0 there) would lose it. Everything runs in the dtype
    of ``x``.

    Args:
        x: the input, an array of real numbers.
        beta: the sharpness β ≥ 0; β = 1 is SiLU, β → ∞ tends to ReLU.

    Returns:
        swish(x), an array shaped like ``x``.

    >>> forward(np.array([0.0, 1000.0]))
    array([   0., 1000.])

    See also: :func:`derivative`; ``torch.nn.functional.silu`` (β = 1 only); Ramachandran,
    Zoph and Le (2017), https://arxiv.org/abs/1710.05941.
    """
    return x * sigmoid(x if beta == 1 else beta * x)


def derivative(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""Derivative of swish.

    .. math::
        \mathrm{swish}_\beta'(x) = \sigma(\beta x)\,\bigl(1 + \beta x\,\sigma(-\beta x)\bigr)

    σ(βx) and σ(−βx) are formed from the one exponential :math:`e^{-|\beta x|}` (see
    :func:`actlib.numerics.sigmoid_from`). The factored form never subtracts two nearly equal
    numbers except near the minimum of
    swish, where the derivative crosses zero.

    Args:
        x: the input, an array of real numbers.
        beta: the sharpness β ≥ 0.

    Returns:
        swish′(x), an array shaped like ``x``.

    >>> derivative(np.array([0.0]))
    array([0.5])
    """
    bx = x if beta == 1 else beta * x
    e = exp_neg_abs(bx)  # σ(βx) and σ(−βx) share the exponential e^{−|βx|}
    d = 1 + e
    s = np.maximum(e, np.greater_equal(bx, 0)) / d  # σ(βx)
    s_neg = np.maximum(e, np.less_equal(bx, 0)) / d  # σ(−βx)
    return s * (1 + bx * s_neg)


def _sympy(x, beta):
    return x / (1 + sp.exp(-beta * x))


def _torch(t, beta):
    import torch
    import torch.nn.functional as F

    if beta == 1.0:
        return F.silu(t)
    # PyTorch has no Swish with β ≠ 1; this is the composition of its own primitives.
    return t * torch.sigmoid(beta * t)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x, beta):
    return x * _naive_sigmoid(beta * x)


def _naive_derivative(x, beta):
    s = _naive_sigmoid(beta * x)
    return s + beta * x * s * (1 - s)


#: The swish spec, registered as ``"swish"`` (alias ``"silu"``).
SPECS = (
    Activation(
        name="swish",
        title="Swish / SiLU",
        order=80,
        summary="x gated by its own sigmoid: smooth, non-monotonic, unbounded above.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.silu", call=_torch),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        common_params=({"beta": 0.5}, {"beta": 2.0}),
        parameters=(
            Param(
                "beta",
                1.0,
                "sharpness β; β = 1 is SiLU, β → ∞ tends to ReLU",
                low=0.0,
                slider=(0.0, 10.0, 0.1),
            ),
        ),
        aliases=("silu",),
        reference=Reference(
            key="ramachandran2017searching",
            authors="Ramachandran, Zoph and Le",
            title="Searching for activation functions",
            year=2017,
            url="https://arxiv.org/abs/1710.05941",
        ),
        stability_note=(
            "x·σ(βx) and σ(βx)(1 + βxσ(−βx)) use a sigmoid that only exponentiates "
            "non-positive numbers and keeps subnormal values, so x·σ(βx) stays accurate even at "
            "x = −745; infinite inputs are mapped to the limits SymPy computes (swish(−∞) = 0)."
        ),
    ),
)
