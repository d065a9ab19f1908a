"""Squared ReLU, max(0, x)², the feed-forward activation found by the Primer search."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Squared rectified linear unit.

    .. math::
        \mathrm{relu}^2(x) = \max(0, x)^2
        = \begin{cases} x^2, & x > 0 \\ 0, & x \le 0 \end{cases}

    The square of a number above :math:`\sqrt{\mathrm{max}} \approx 1.34 \cdot 10^{154}`
    overflows (about 1.8·10¹⁹ in float32); that is the correctly rounded result (+inf), so it
    is returned without the overflow warning the plain product raises.

    Args:
        x: the input, an array of real numbers.

    Returns:
        max(0, x)², an array shaped like ``x``.

    >>> forward(np.array([-3.0, 0.0, 0.5, 1e200]))
    array([0.  , 0.  , 0.25,  inf])

    See also: :func:`derivative`; ``torch.relu(x) ** 2`` (PyTorch has no function of its
    own); So et al. (2021), https://arxiv.org/abs/2109.08668.
    """
    r = np.maximum(x, 0)
    with np.errstate(over="ignore"):  # +inf is the correctly rounded square of a huge r
        return np.square(r)


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the squared rectified linear unit.

    .. math::
        \frac{d}{dx}\max(0, x)^2 = 2\max(0, x)
        = \begin{cases} 2x, & x > 0 \\ 0, & x \le 0 \end{cases}

    The derivative is continuous: both pieces give 0 at x = 0, the value PyTorch's autograd
    returns for ``torch.relu(x) ** 2`` (2·relu(0)·relu′(0) = 0). The kink is one order up: the
    second derivative jumps from 0 to 2 there.

    Args:
        x: the input, an array of real numbers.

    Returns:
        2·max(0, x), an array shaped like ``x``.

    >>> derivative(np.array([-1.0, 0.0, 3.0]))
    array([0., 0., 6.])
    """
    r = np.maximum(x, 0)
    with np.errstate(over="ignore"):  # +inf is the correctly rounded double of a huge r
        return r + r


def _sympy(x):
    return sp.Piecewise((x**2, x > 0), (0, True))


def _torch(t):
    import torch

    # PyTorch has no squared ReLU; this is the composition of its own primitives.
    return torch.relu(t) ** 2


#: The squared ReLU spec, registered as ``"squared_relu"``.
SPECS = (
    Activation(
        name="squared_relu",
        title="Squared ReLU",
        order=150,
        summary="ReLU squared: zero for negative inputs, a parabola for positive ones.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.relu(x) ** 2", call=_torch, composite=True),
        reference=Reference(
            key="so2021primer",
            authors="So, Mańke, Liu, Dai, Shazeer and Le",
            title="Primer: searching for efficient transformers for language modeling",
            year=2021,
            url="https://arxiv.org/abs/2109.08668",
        ),
        kinks=(0.0,),
        kink_convention=(
            "f′(0) = 0 from both sides, the value PyTorch's autograd returns for "
            "torch.relu(x) ** 2; the second derivative jumps from 0 to 2 at 0."
        ),
        chapter="gated",
        stability_note=(
            "max(0, x) is exact and so is its square up to rounding; squares (and doubles, in "
            "the derivative) beyond the largest float are returned as +inf without an overflow "
            "warning, and infinite inputs are mapped to the limits SymPy computes."
        ),
    ),
)
