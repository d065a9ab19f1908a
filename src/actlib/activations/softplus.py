"""Softplus, (1/β)·log(1 + e^{βx}): a smooth rectifier whose derivative is the sigmoid."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import exp_neg_abs, log1p_unit, sigmoid
from actlib.spec import Activation, Param, Reference, TorchReference

#: |βx| is clipped here before exponentiating: e^(−1000) is 0 in float64 and σ(±1000) is
#: exactly 0 or 1, so no result changes, and βx cannot overflow for any β.
_BX_MAX = 1000.0


def _scaled(x: np.ndarray, beta: float) -> np.ndarray:
    """βx with |βx| ≤ 1000, computed without overflow for every β > 0."""
    if beta == 1:
        return x
    # The limit may exceed the dtype's range for a tiny β, where βx cannot overflow anyway.
    limit = min(_BX_MAX / beta, float(np.finfo(x.dtype).max))
    return beta * np.clip(x, -limit, limit)


def forward(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""Softplus, a smooth approximation of ReLU.

    .. math::
        \mathrm{softplus}_\beta(x) = \frac{1}{\beta}\,\log\bigl(1 + e^{\beta x}\bigr)
        = \max(x, 0) + \frac{1}{\beta}\,\log\bigl(1 + e^{-\beta|x|}\bigr)

    The right-hand form exponentiates only non-positive numbers, so nothing overflows, and
    log1p (:func:`actlib.numerics.log1p_unit`, vectorised) keeps the tiny values
    log(1 + ε) ≈ ε that ``log(1 + exp(x))`` rounds to 0 for x < −37. Unlike
    ``torch.nn.functional.softplus`` there is no threshold above which x is returned instead:
    the result is within a few units in the last place for every input.

    Args:
        x: the input, an array of real numbers.
        beta: the sharpness β > 0; β → ∞ tends to ReLU (PyTorch's default 1.0).

    Returns:
        softplus(x), an array shaped like ``x``.

    >>> forward(np.array([-800.0, 0.0, 30.0]))
    array([ 0.        ,  0.69314718, 30.        ])
    >>> float(forward(np.array([-40.0]))[0])  # log(1 + exp(-40)) would round to 0
    4.248354255291589e-18

    See also: :func:`derivative`; ``torch.nn.functional.softplus``; Dugas et al. (2001),
    https://proceedings.neurips.cc/paper/2000/file/44968aece94f667e4095002d140b5896-Paper.pdf.
    """
    tail = log1p_unit(exp_neg_abs(_scaled(x, beta)))
    return np.maximum(x, 0) + (tail if beta == 1 else tail / beta)


def derivative(x: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""Derivative of softplus: the logistic sigmoid of βx.

    .. math::
        \mathrm{softplus}_\beta'(x) = \sigma(\beta x) = \frac{1}{1 + e^{-\beta x}}

    σ comes from :func:`actlib.numerics.sigmoid`, which exponentiates only non-positive numbers
    and keeps the subnormal values σ(βx) ≈ e^{βx} for βx < −708.

    Args:
        x: the input, an array of real numbers.
        beta: the sharpness β > 0.

    Returns:
        softplus′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    return sigmoid(_scaled(x, beta))


def _sympy(x, beta):
    return sp.log(1 + sp.exp(beta * x)) / beta


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_forward(x, beta):
    return np.log(1 + np.exp(beta * x)) / beta  # exp overflows; 1 + e^x rounds to 1 for x << 0


def _naive_derivative(x, beta):
    return 1 / (1 + np.exp(-beta * x))  # exp(-βx) overflows for βx < −709 (float64)


#: The softplus spec, registered as ``"softplus"``.
SPECS = (
    Activation(
        name="softplus",
        title="Softplus",
        order=120,
        summary="A smooth ReLU: the logarithm of 1 + e^x, whose derivative is the sigmoid.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.softplus", module="torch.nn.Softplus"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        common_params=({"beta": 0.5}, {"beta": 2.0}, {"beta": 10.0}),
        parameters=(
            Param(
                "beta",
                1.0,
                "sharpness β; β → ∞ tends to ReLU",
                low=0.0,
                low_open=True,
                slider=(0.1, 10.0, 0.1),
            ),
        ),
        reference=Reference(
            key="dugas2001incorporating",
            authors="Dugas, Bengio, Bélisle, Nadeau and Garcia",
            title="Incorporating second-order functional knowledge for better option pricing",
            year=2001,
            url="https://proceedings.neurips.cc/paper/2000/file/"
            "44968aece94f667e4095002d140b5896-Paper.pdf",
        ),
        chapter="smooth_rectifiers",
        stability_note=(
            "max(x, 0) + log1p(e^(−β|x|))/β exponentiates only non-positive numbers and keeps the "
            "tiny values of the left tail; σ(βx) keeps its subnormal values. No threshold: "
            "unlike PyTorch's softplus, the result never switches to x."
        ),
    ),
)
