"""The identity: the linear output of a regression head."""

from __future__ import annotations

import numpy as np

from actlib.numerics import step
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Identity (linear) activation.

    .. math::
        f(x) = x

    Args:
        x: the input, an array of real numbers.

    Returns:
        A new array equal to ``x`` (never the input itself).

    >>> forward(np.array([-3.0, 2.5]))
    array([-3. ,  2.5])

    See also: ``torch.nn.Identity``.
    """
    return np.array(x, copy=True)  # a copy, in the dtype of x


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the identity, 1 everywhere (NaN for NaN input).

    .. math::
        f'(x) = 1

    Args:
        x: the input, an array of real numbers.

    Returns:
        An array of ones shaped like ``x``.

    >>> derivative(np.array([-3.0, 2.5]))
    array([1., 1.])
    """
    return step(x, 1.0, 1.0)


def _sympy(x):
    return x


def _torch(t):
    return t.clone()


#: The identity spec, registered as ``"identity"`` (alias ``"linear"``).
SPECS = (
    Activation(
        name="identity",
        title="Linear (identity) output",
        order=210,
        summary="No nonlinearity at all: the output layer of a regression model.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.Identity", module="torch.nn.Identity", call=_torch
        ),
        roles=frozenset({"output"}),
        reference=Reference(
            key="bishop2006pattern",
            authors="Bishop",
            title="Pattern recognition and machine learning (section 5.2)",
            year=2006,
            url="https://www.microsoft.com/en-us/research/people/cmbishop/prml-book/",
        ),
        aliases=("linear",),
    ),
)
