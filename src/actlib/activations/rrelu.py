"""RReLU: a randomized negative slope while training, its mean at evaluation."""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from actlib.numerics import piecewise_linear, step
from actlib.spec import Activation, Param, Reference, TorchReference


def _slopes(x: np.ndarray, lower: float, upper: float, training: bool, generator) -> Any:
    if not training:
        return (lower + upper) / 2.0
    rng = generator if generator is not None else np.random.default_rng()
    return rng.uniform(lower, upper, size=x.shape).astype(x.dtype, copy=False)


def forward(
    x: np.ndarray,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Randomized leaky rectified linear unit.

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ a\,x, & x \le 0 \end{cases}
        \qquad a \sim U(\text{lower}, \text{upper}) \text{ (training)},\quad
        a = \tfrac{\text{lower} + \text{upper}}{2} \text{ (evaluation)}

    In training mode one slope is drawn per element from ``generator``; passing the same seed
    to :func:`derivative` reproduces the same slopes.

    Args:
        x: the input, an array of real numbers.
        lower: the lower bound of the random slope (PyTorch's default 1/8).
        upper: the upper bound of the random slope (PyTorch's default 1/3).
        training: draw random slopes (True) or use their mean (False, the default).
        generator: the random source in training mode: ``None`` (a fresh, unseeded one), a
            non-negative integer seed or a :class:`numpy.random.Generator`.

    Returns:
        f(x), an array shaped like ``x``.

    >>> forward(np.array([-6.0, 1.0]), lower=0.0, upper=1.0)
    array([-3.,  1.])

    See also: :mod:`actlib.activations.leaky_relu`; ``torch.nn.functional.rrelu``; Xu et al.
    (2015), https://arxiv.org/abs/1505.00853.
    """
    return piecewise_linear(x, _slopes(x, lower, upper, training, generator))


def derivative(
    x: np.ndarray,
    lower: float = 1 / 8,
    upper: float = 1 / 3,
    training: bool = False,
    generator: np.random.Generator | None = None,
) -> np.ndarray:
    r"""Derivative of the randomized leaky rectified linear unit.

    .. math::
        f'(x) = \begin{cases} 1, & x > 0 \\ a, & x \le 0 \end{cases}

    with the slope a of :func:`forward` (drawn per element in training mode, the mean slope
    otherwise). At the kink x = 0 the value is that of the left piece, f′(0) = a, as PyTorch's
    autograd returns.

    Args:
        x: the input, an array of real numbers.
        lower: the lower bound of the random slope (PyTorch's default 1/8).
        upper: the upper bound of the random slope (PyTorch's default 1/3).
        training: draw random slopes (True) or use their mean (False, the default).
        generator: the random source in training mode (the same seed as for :func:`forward`
            gives the same slopes).

    Returns:
        f′(x), an array shaped like ``x``.

    >>> derivative(np.array([-1.0, 0.0, 1.0]), lower=0.0, upper=1.0)
    array([0.5, 0.5, 1. ])
    """
    return step(x, _slopes(x, lower, upper, training, generator), 1.0)


def _sympy(x, lower, upper):
    # The evaluation-mode function; in training the slope is a random variable.
    return sp.Piecewise((x, x > 0), ((lower + upper) / 2 * x, True))


def _module(lower, upper, training, generator):
    from actlib._torch import SeededRReLU

    # The module starts in the mode asked for; model.train()/model.eval() switch it as usual.
    # With a generator, its random slopes are drawn from a torch generator seeded from it.
    return SeededRReLU(lower, upper, generator).train(training)


def _cross_check(values: dict[str, Any]) -> None:
    if values["lower"] > values["upper"]:
        raise ValueError(
            f"parameter 'lower' must be <= 'upper', got lower={values['lower']:g} > "
            f"upper={values['upper']:g}"
        )


#: The RReLU spec, registered as ``"rrelu"``.
SPECS = (
    Activation(
        name="rrelu",
        title="RReLU (randomized leaky ReLU)",
        order=60,
        summary="Leaky ReLU whose slope is drawn at random in training and fixed at its mean in "
        "evaluation.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.rrelu", keywords={"generator": None}, make_module=_module
        ),
        parameters=(
            Param(
                "lower",
                1 / 8,
                "lower bound of the random slope",
                low=0.0,
                high=1.0,
                slider=(0.0, 1.0, 0.01),
                tex="l",
            ),
            Param(
                "upper",
                1 / 3,
                "upper bound of the random slope",
                low=0.0,
                high=1.0,
                slider=(0.0, 1.0, 0.01),
                tex="u",
            ),
            Param(
                "training",
                False,
                "draw random slopes (True) or use their mean (False)",
                kind="bool",
                randomizes=True,
            ),
            Param(
                "generator", None, "random source for the slopes in training mode", kind="generator"
            ),
        ),
        cross_check=_cross_check,
        reference=Reference(
            key="xu2015empirical",
            authors="Xu, Wang, Chen and Li",
            title="Empirical evaluation of rectified activations in convolutional network",
            year=2015,
            url="https://arxiv.org/abs/1505.00853",
        ),
        kinks=(0.0,),
        kink_convention="f'(0) is the slope (mean slope in evaluation), as PyTorch's autograd.",
    ),
)
