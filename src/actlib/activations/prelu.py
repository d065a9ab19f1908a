"""PReLU: Leaky ReLU whose negative slope is learned."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib._numerics import piecewise_linear, step
from actlib.spec import Activation, Param, Reference


def forward(x: np.ndarray, weight: float = 0.25) -> np.ndarray:
    r"""Parametric rectified linear unit.

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ w\,x, & x \le 0 \end{cases}

    Args:
        x: float64 array.
        weight: the learnable slope w (PyTorch's ``nn.PReLU`` starts at 0.25).

    >>> forward(np.array([-4.0, 3.0]))
    array([-1.,  3.])

    See also: :func:`weight_gradient`; ``torch.nn.functional.prelu``.
    """
    return piecewise_linear(x, weight)


def derivative(x: np.ndarray, weight: float = 0.25) -> np.ndarray:
    """∂f/∂x: 1 for x > 0, w for x ≤ 0 (f'(0) = w, as PyTorch's autograd)."""
    return step(x, weight, 1.0)


def weight_gradient(x: np.ndarray, weight: float = 0.25) -> dict[str, np.ndarray]:
    r"""∂f/∂w: x for x ≤ 0 and 0 for x > 0 — what gradient descent uses to learn w.

    >>> weight_gradient(np.array([-2.0, 5.0]))["weight"]
    array([-2.,  0.])
    """
    return {"weight": np.where(x > 0, 0.0, x)}


def _sympy(x, weight):
    return sp.Piecewise((x, x > 0), (weight * x, True))


def _torch(t, weight):
    import torch
    import torch.nn.functional as F

    w = weight if isinstance(weight, torch.Tensor) else torch.tensor([weight], dtype=t.dtype)
    return F.prelu(t, w)


def _module(weight):
    import torch

    return torch.nn.PReLU(num_parameters=1, init=weight)


SPECS = (
    Activation(
        name="prelu",
        title="PReLU",
        order=50,
        summary="Leaky ReLU whose negative slope is a parameter learned by gradient descent.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        numpy_param_gradients=weight_gradient,
        torch_forward=_torch,
        torch_module_factory=_module,
        torch_name="torch.nn.functional.prelu",
        parameters=(
            Param(
                "weight",
                0.25,
                "learnable slope for x ≤ 0 (initial value)",
                learnable=True,
                slider=(-0.5, 1.0, 0.05),
                tex="a",
            ),
        ),
        reference=Reference(
            key="he2015delving",
            authors="He, Zhang, Ren and Sun",
            title="Delving deep into rectifiers: surpassing human-level performance on "
            "ImageNet classification",
            year=2015,
            url="https://arxiv.org/abs/1502.01852",
        ),
        kinks=(0.0,),
        kink_convention="∂f/∂x at 0 is the slope w, and ∂f/∂w at 0 is 0, as PyTorch's autograd.",
    ),
)
