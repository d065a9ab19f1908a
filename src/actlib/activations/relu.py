"""The rectified linear unit."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import step
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit.

    .. math::
        \mathrm{relu}(x) = \begin{cases} x, & x > 0 \\ 0, & x \le 0 \end{cases}

    Args:
        x: the input, an array of real numbers.

    Returns:
        relu(x), an array shaped like ``x``.

    >>> forward(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])

    See also: :func:`derivative`; ``torch.nn.functional.relu``; Nair and Hinton (2010).
    """
    return np.maximum(x, 0.0)


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the rectified linear unit.

    .. math::
        \mathrm{relu}'(x) = \begin{cases} 1, & x > 0 \\ 0, & x \le 0 \end{cases}

    At the kink x = 0 the value is that of the left piece, **relu′(0) = 0**, as PyTorch's
    autograd returns.

    Args:
        x: the input, an array of real numbers.

    Returns:
        relu′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1.0, 0.0, 1.0]))
    array([0., 0., 1.])
    """
    return step(x, 0.0, 1.0)


def _sympy(x):
    return sp.Piecewise((x, x > 0), (0, True))


#: The ReLU spec, registered as ``"relu"``.
SPECS = (
    Activation(
        name="relu",
        title="ReLU",
        order=30,
        summary="Zero for negative inputs, identity for positive ones: cheap and non-saturating.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.relu", module="torch.nn.ReLU"),
        reference=Reference(
            key="nair2010rectified",
            authors="Nair and Hinton",
            title="Rectified linear units improve restricted Boltzmann machines",
            year=2010,
            url="https://dl.acm.org/doi/10.5555/3104322.3104425",
        ),
        kinks=(0.0,),
        kink_convention="relu'(0) = 0, the value PyTorch's autograd returns.",
    ),
)
