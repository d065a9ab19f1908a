"""Leaky ReLU: a fixed small slope for negative inputs."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import piecewise_linear, step
from actlib.spec import Activation, Param, Reference, TorchReference


def forward(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    r"""Leaky rectified linear unit.

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ a\,x, & x \le 0 \end{cases}
        \qquad a = \texttt{negative\_slope}

    Args:
        x: the input, an array of real numbers.
        negative_slope: the slope a for x ≤ 0 (PyTorch's default 0.01).

    Returns:
        f(x), an array shaped like ``x``.

    >>> forward(np.array([-100.0, 0.0, 2.0]))
    array([-1.,  0.,  2.])

    See also: :mod:`actlib.activations.prelu` (learned slope), ``torch.nn.functional.leaky_relu``;
    Maas, Hannun and Ng (2013).
    """
    return piecewise_linear(x, negative_slope)


def derivative(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    r"""Derivative of the leaky rectified linear unit.

    .. math::
        f'(x) = \begin{cases} 1, & x > 0 \\ a, & x \le 0 \end{cases}
        \qquad a = \texttt{negative\_slope}

    At the kink x = 0 the value is that of the left piece, f′(0) = a, as PyTorch's autograd
    returns.

    Args:
        x: the input, an array of real numbers.
        negative_slope: the slope a for x ≤ 0 (PyTorch's default 0.01).

    Returns:
        f′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1.0, 0.0, 1.0]))
    array([0.01, 0.01, 1.  ])
    """
    return step(x, negative_slope, 1.0)


def _sympy(x, negative_slope):
    return sp.Piecewise((x, x > 0), (negative_slope * x, True))


#: The leaky ReLU spec, registered as ``"leaky_relu"``.
SPECS = (
    Activation(
        name="leaky_relu",
        title="Leaky ReLU",
        order=40,
        summary="ReLU with a small fixed slope on the negative side, so no unit is ever flat.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.leaky_relu", module="torch.nn.LeakyReLU"
        ),
        common_params=({"negative_slope": 0.2},),
        parameters=(
            Param(
                "negative_slope",
                0.01,
                "slope for x ≤ 0",
                slider=(0.0, 0.5, 0.01),
                tex="a",
            ),
        ),
        reference=Reference(
            key="maas2013rectifier",
            authors="Maas, Hannun and Ng",
            title="Rectifier nonlinearities improve neural network acoustic models",
            year=2013,
            url="https://ai.stanford.edu/~amaas/papers/relu_hybrid_icml2013_final.pdf",
        ),
        kinks=(0.0,),
        kink_convention="f'(0) = negative_slope, the value PyTorch's autograd returns.",
    ),
)
