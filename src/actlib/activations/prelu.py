"""PReLU: Leaky ReLU whose negative slope is learned."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import piecewise_linear, step
from actlib.spec import Activation, Param, Reference, TorchReference


def channel_slopes(x: np.ndarray, weight: float | np.ndarray) -> float | np.ndarray:
    """The slope(s) broadcast against ``x``, as ``torch.nn.functional.prelu`` applies them.

    A number (or an array of one slope) applies to every entry; an array of C slopes applies
    slope c to channel c, the entries ``x[:, c, ...]`` of an input with two or more axes.

    Args:
        x: the input, an array of real numbers.
        weight: a number, or a 1-d array of per-channel slopes.

    Returns:
        ``weight`` itself, or an array shaped ``(1, C, 1, ..., 1)`` that broadcasts against x.

    Raises:
        ValueError: C slopes with C > 1 for an input with fewer than two axes, or C not equal
            to the number of channels ``x.shape[1]``.

    >>> channel_slopes(np.zeros((2, 3, 4)), np.array([0.1, 0.2, 0.3])).shape
    (1, 3, 1)
    """
    if not isinstance(weight, np.ndarray):
        return weight
    if weight.size == 1:
        return float(weight[0])
    if x.ndim < 2:
        raise ValueError(
            f"parameter 'weight' holds {weight.size} per-channel slopes, which needs an input "
            f"with channels on axis 1 (two or more axes); got a {x.ndim}-d input"
        )
    if x.shape[1] != weight.size:
        raise ValueError(
            f"parameter 'weight' holds {weight.size} slopes but the input has {x.shape[1]} "
            "channels on axis 1; give one slope per channel or a single slope"
        )
    return weight.reshape((1, -1) + (1,) * (x.ndim - 2))


def forward(x: np.ndarray, weight: float | np.ndarray = 0.25) -> np.ndarray:
    r"""Parametric rectified linear unit.

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ w\,x, & x \le 0 \end{cases}

    Args:
        x: the input, an array of real numbers.
        weight: the learnable slope w (PyTorch's ``nn.PReLU`` starts at 0.25), or one slope
            per channel (axis 1), as ``nn.PReLU(num_parameters=C)``.

    Returns:
        f(x), shaped like x.

    >>> forward(np.array([-4.0, 3.0]))
    array([-1.,  3.])
    >>> forward(np.array([[-1.0, -1.0]]), weight=np.array([0.1, 0.5]))
    array([[-0.1, -0.5]])

    See also: :func:`weight_gradient`; ``torch.nn.functional.prelu``; He et al. (2015),
    https://arxiv.org/abs/1502.01852.
    """
    return piecewise_linear(x, channel_slopes(x, weight))


def derivative(x: np.ndarray, weight: float | np.ndarray = 0.25) -> np.ndarray:
    r"""Derivative of the parametric rectified linear unit with respect to x.

    .. math::
        \frac{\partial f}{\partial x} = \begin{cases} 1, & x > 0 \\ w, & x \le 0 \end{cases}

    At the kink x = 0 the value is that of the left piece, f′(0) = w, as PyTorch's autograd
    returns.

    Args:
        x: the input, an array of real numbers.
        weight: the slope w, or one slope per channel (axis 1).

    Returns:
        ∂f/∂x, an array shaped like ``x``.

    Raises:
        ValueError: the number of slopes does not match the channels of ``x``.

    >>> derivative(np.array([-1.0, 0.0, 2.0]))
    array([0.25, 0.25, 1.  ])
    """
    return step(x, channel_slopes(x, weight), 1.0)


def weight_gradient(x: np.ndarray, weight: float | np.ndarray = 0.25) -> dict[str, np.ndarray]:
    r"""Derivative with respect to the slope w, what gradient descent uses to learn w.

    .. math::
        \frac{\partial f}{\partial w} = \begin{cases} 0, & x > 0 \\ x, & x \le 0 \end{cases}

    (0 at the kink x = 0 from either piece, as PyTorch's autograd). Entry i is the derivative
    of f(x_i) with respect to the slope that applies to x_i; with per-channel slopes, the
    gradient of Σ f with respect to slope c is the sum of the entries of channel c.

    Args:
        x: the input, an array of real numbers.
        weight: the slope w, or one slope per channel (axis 1).

    Returns:
        ``{"weight": ∂f/∂w}``, the array shaped like ``x``.

    Raises:
        ValueError: the number of slopes does not match the channels of ``x``.

    >>> weight_gradient(np.array([-2.0, 5.0]))["weight"]
    array([-2.,  0.])
    """
    channel_slopes(x, weight)  # validates the number of slopes against the channels
    return {"weight": np.where(x > 0, 0.0, x)}


def _sympy(x, weight):
    return sp.Piecewise((x, x > 0), (weight * x, True))


def _torch(t, weight):
    import torch
    import torch.nn.functional as F

    if not isinstance(weight, torch.Tensor):
        weight = torch.tensor(np.array(weight, ndmin=1), dtype=t.dtype)
    return F.prelu(t, weight)


def _module(weight):
    import torch

    slopes = np.array(weight, dtype=np.float64, ndmin=1)
    module = torch.nn.PReLU(num_parameters=slopes.size)
    with torch.no_grad():
        module.weight.copy_(torch.as_tensor(slopes, dtype=module.weight.dtype))
    return module


#: The PReLU spec, registered as ``"prelu"``.
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
        torch_reference=TorchReference(
            "torch.nn.functional.prelu", module="torch.nn.PReLU", call=_torch, make_module=_module
        ),
        parameters=(
            Param(
                "weight",
                0.25,
                "learnable slope for x ≤ 0 (initial value)",
                learnable=True,
                per_channel=True,
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
