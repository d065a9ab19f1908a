"""Cheap activations: hard-sigmoid, hard-swish, ReLU6, hard-tanh (piecewise linear) and softsign.

The first four are made of straight pieces joined at kinks, so they need only additions,
comparisons and one multiplication (no exponential): they run on integer and fixed-point
hardware and keep a known output range after quantization. Softsign is rational, ``x/(1 + |x|)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from actlib.numerics import keep_nan
from actlib.spec import Activation, Param, Reference, TorchReference

_SIXTH = 1.0 / 6.0  # correctly rounded in float64


def _window(x: np.ndarray, lo: float, hi: float, inside: float) -> np.ndarray:
    """``inside`` where lo < x < hi, 0 elsewhere (the kinks included), NaN where x is NaN."""
    # x * 0.0 is ±0 for finite x and NaN for NaN (infinities never get here: the spec replaces
    # them by the limits first), so adding it carries NaN through without changing a value.
    # A mask times a number is exact and branch-free (np.where on a random pattern is slow).
    return keep_nan(np.multiply(np.greater(x, lo) & np.less(x, hi), inside, dtype=x.dtype), x)


# ----------------------------------------------------------------------------- hard-sigmoid
def hard_sigmoid(x: np.ndarray) -> np.ndarray:
    r"""Hard sigmoid, PyTorch's and MobileNetV3's convention.

    .. math::
        \mathrm{hard\_sigmoid}(x) = \frac{\mathrm{relu6}(x + 3)}{6}
        = \begin{cases} 0, & x \le -3 \\ \dfrac{x + 3}{6}, & -3 < x < 3 \\
        1, & x \ge 3 \end{cases}

    Adding 3 before dividing (rather than forming x/6 + 1/2) keeps the result accurate near the
    lower corner, where it is small: there ``x + 3`` is exact (Sterbenz: x is within a factor 2
    of −3) and only the division rounds.

    Args:
        x: the input, an array of real numbers.

    Returns:
        hard_sigmoid(x), an array shaped like ``x``.

    >>> hard_sigmoid(np.array([-4.0, 0.0, 1.5, 10.0]))
    array([0.  , 0.5 , 0.75, 1.  ])

    See also: :func:`hard_sigmoid_derivative`; ``torch.nn.functional.hardsigmoid``; Howard et
    al. (2019), https://arxiv.org/abs/1905.02244. Keras 2 and ONNX use 0.2x + 0.5 instead.
    """
    return (np.clip(x, -3, 3) + 3) / 6


def hard_sigmoid_derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the hard sigmoid.

    .. math::
        \mathrm{hard\_sigmoid}'(x) = \begin{cases} 0, & x \le -3 \\ 1/6, & -3 < x < 3 \\
        0, & x \ge 3 \end{cases}

    At both kinks x = ±3 the value is **0**, as PyTorch's autograd returns (the flat piece is
    taken on both sides).

    Args:
        x: the input, an array of real numbers.

    Returns:
        hard_sigmoid′(x), an array shaped like ``x``.

    >>> hard_sigmoid_derivative(np.array([-3.0, 0.0, 3.0])) * 6
    array([0., 1., 0.])
    """
    return _window(x, -3.0, 3.0, _SIXTH)


def _sympy_hard_sigmoid(x):
    return sp.Piecewise((0, x <= -3), ((x + 3) / 6, x < 3), (1, True))


def _torch_hard_sigmoid(t: Any) -> Any:
    import torch.nn.functional as F

    # F.hardsigmoid gives these values to the last bit in float32 and float64, but its CPU
    # backward multiplies by 1/6 rounded to float32 even for float64 tensors (a relative error
    # of 3e-8, far outside the 1e-12 that verification allows). relu6(x + 3)/6, written with
    # PyTorch's own relu6, has the same values and an exact float64 gradient. Both facts are
    # checked in tests/test_hard_activations.py and shown in the chapter.
    return F.relu6(t + 3.0) / 6.0


# ------------------------------------------------------------------------------- hard-swish
def hard_swish(x: np.ndarray) -> np.ndarray:
    r"""Hard swish, x times the hard sigmoid (MobileNetV3).

    .. math::
        \mathrm{hard\_swish}(x) = x\,\frac{\mathrm{relu6}(x + 3)}{6}
        = \begin{cases} 0, & x \le -3 \\ \dfrac{x\,(x + 3)}{6}, & -3 < x < 3 \\
        x, & x \ge 3 \end{cases}

    The gate relu6(x + 3)/6 is formed first and then multiplied by x. Evaluated left to right,
    ``x * relu6(x + 3) / 6`` overflows for x > 3·10³⁰⁷ (the product x·6 is computed before
    the division), although the result is just x there.

    Args:
        x: the input, an array of real numbers.

    Returns:
        hard_swish(x), an array shaped like ``x``.

    >>> hard_swish(np.array([-1.5, 0.0, 3.0]))
    array([-0.375,  0.   ,  3.   ])
    >>> float(hard_swish(np.array([1e308]))[0])
    1e+308

    See also: :func:`hard_swish_derivative`; ``torch.nn.functional.hardswish``; Howard et al.
    (2019), https://arxiv.org/abs/1905.02244.
    """
    return x * hard_sigmoid(x)


def hard_swish_derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the hard swish.

    .. math::
        \mathrm{hard\_swish}'(x) = \begin{cases} 0, & x \le -3 \\ \dfrac{2x + 3}{6}, &
        -3 < x < 3 \\ 1, & x \ge 3 \end{cases}

    At the kinks the value is that of the outer piece, as PyTorch's autograd returns:
    **hard_swish′(−3) = 0** (the slope of the middle piece there is −1/2) and
    **hard_swish′(3) = 1** (the middle piece has slope 3/2 there). 2x + 3 is exact near its
    zero x = −3/2, so the derivative keeps its relative accuracy where it changes sign; it is
    evaluated on x clipped to [−3, 3], so the branch that ``np.where`` discards never
    overflows.

    Args:
        x: the input, an array of real numbers.

    Returns:
        hard_swish′(x), an array shaped like ``x``.

    >>> hard_swish_derivative(np.array([-3.0, -1.5, 0.0, 3.0]))
    array([0. , 0. , 0.5, 1. ])
    """
    middle = (2 * np.clip(x, -3, 3) + 3) / 6
    # middle where −3 < x < 3, then 1 where x ≥ 3: masks times numbers, exact and branch-free
    # (NaN propagates through the middle piece, NaN·0 = NaN).
    inside = np.greater(x, -3) & np.less(x, 3)
    return middle * inside + np.greater_equal(x, 3)


def _sympy_hard_swish(x):
    return sp.Piecewise((0, x <= -3), (x * (x + 3) / 6, x < 3), (x, True))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_hard_swish(x):
    return x * np.minimum(np.maximum(x + 3, 0), 6) / 6  # x·6 overflows for huge x


def _naive_hard_swish_derivative(x):
    return np.where(x <= -3, 0, np.where(x >= 3, 1, (2 * x + 3) / 6))


# ------------------------------------------------------------------------------------ ReLU6
def relu6(x: np.ndarray) -> np.ndarray:
    r"""ReLU capped at 6.

    .. math::
        \mathrm{relu6}(x) = \min(\max(0, x), 6)
        = \begin{cases} 0, & x \le 0 \\ x, & 0 < x < 6 \\ 6, & x \ge 6 \end{cases}

    Args:
        x: the input, an array of real numbers.

    Returns:
        relu6(x), an array shaped like ``x``.

    >>> relu6(np.array([-1.0, 2.5, 7.0]))
    array([0. , 2.5, 6. ])

    See also: :func:`relu6_derivative`; ``torch.nn.functional.relu6``; Krizhevsky (2010);
    Howard et al. (2017), https://arxiv.org/abs/1704.04861.
    """
    return np.clip(x, 0.0, 6.0)


def relu6_derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of ReLU6.

    .. math::
        \mathrm{relu6}'(x) = \begin{cases} 0, & x \le 0 \\ 1, & 0 < x < 6 \\
        0, & x \ge 6 \end{cases}

    At both kinks, x = 0 and x = 6, the value is **0**, as PyTorch's autograd returns.

    Args:
        x: the input, an array of real numbers.

    Returns:
        relu6′(x), an array shaped like ``x``.

    >>> relu6_derivative(np.array([0.0, 3.0, 6.0]))
    array([0., 1., 0.])
    """
    return _window(x, 0.0, 6.0, 1.0)


def _sympy_relu6(x):
    return sp.Piecewise((0, x <= 0), (x, x < 6), (6, True))


# ------------------------------------------------------------------------------- hard-tanh
def hard_tanh(x: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
    r"""Hard hyperbolic tangent: the identity clipped to [min_val, max_val].

    .. math::
        \mathrm{hard\_tanh}(x) = \begin{cases} v_{\min}, & x \le v_{\min} \\
        x, & v_{\min} < x < v_{\max} \\ v_{\max}, & x \ge v_{\max} \end{cases}

    Args:
        x: the input, an array of real numbers.
        min_val: the lower end v_min of the linear region (PyTorch's default −1).
        max_val: the upper end v_max, greater than ``min_val`` (PyTorch's default 1).

    Returns:
        hard_tanh(x), an array shaped like ``x``.

    >>> hard_tanh(np.array([-2.0, 0.5, 2.0]))
    array([-1. ,  0.5,  1. ])

    See also: :func:`hard_tanh_derivative`; ``torch.nn.functional.hardtanh``; Collobert et
    al. (2011), https://jmlr.org/papers/v12/collobert11a.html.
    """
    return np.clip(x, min_val, max_val)


def hard_tanh_derivative(x: np.ndarray, min_val: float = -1.0, max_val: float = 1.0) -> np.ndarray:
    r"""Derivative of the hard hyperbolic tangent.

    .. math::
        \mathrm{hard\_tanh}'(x) = \begin{cases} 0, & x \le v_{\min} \\
        1, & v_{\min} < x < v_{\max} \\ 0, & x \ge v_{\max} \end{cases}

    At both kinks, x = min_val and x = max_val, the value is **0**, as PyTorch's autograd
    returns.

    Args:
        x: the input, an array of real numbers.
        min_val: the lower end of the linear region (PyTorch's default −1).
        max_val: the upper end of the linear region (PyTorch's default 1).

    Returns:
        hard_tanh′(x), an array shaped like ``x``.

    >>> hard_tanh_derivative(np.array([-1.0, 0.0, 1.0]))
    array([0., 1., 0.])
    """
    return _window(x, min_val, max_val, 1.0)


def _sympy_hard_tanh(x, min_val, max_val):
    return sp.Piecewise((min_val, x <= min_val), (x, x < max_val), (max_val, True))


def _hard_tanh_cross_check(values: dict[str, Any]) -> None:
    if not values["min_val"] < values["max_val"]:
        raise ValueError(
            f"parameter 'min_val' must be < 'max_val', got min_val={values['min_val']:g} >= "
            f"max_val={values['max_val']:g}"
        )


# -------------------------------------------------------------------------------- softsign
#: Beyond this, x/(1 + |x|) rounds to ±1 in float32 and float64 alike.
_SOFTSIGN_CLIP = 2.0**60


def softsign(x: np.ndarray) -> np.ndarray:
    r"""Softsign, a rational sigmoid-shaped function with range (−1, 1).

    .. math::
        \mathrm{softsign}(x) = \frac{x}{1 + |x|}

    The textbook form is already safe: ``1 + |x|`` rounds to ``|x|`` long before it could overflow
    (at the largest float it is that float again), so the quotient is ±1 there, and each of
    the two roundings costs at most half a unit. It is evaluated on x clipped to ±2⁶⁰, where
    the quotient already rounds to ±1 in float32 and float64: ±inf then gives ±1 without the
    NaN of inf/inf, so no separate search for infinities is needed.

    Args:
        x: the input, an array of real numbers.

    Returns:
        softsign(x), an array shaped like ``x``.

    >>> softsign(np.array([-3.0, 0.0, 1.0, 1.7976931348623157e308]))
    array([-0.75,  0.  ,  0.5 ,  1.  ])

    See also: :func:`softsign_derivative`; ``torch.nn.functional.softsign``; Bergstra et al.
    (2009); Glorot and Bengio (2010).
    """
    xc = np.clip(x, -_SOFTSIGN_CLIP, _SOFTSIGN_CLIP)  # NaN stays NaN
    return xc / (1 + np.abs(xc))


def softsign_derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of softsign.

    .. math::
        \mathrm{softsign}'(x) = \frac{1}{(1 + |x|)^2} = r^2, \qquad r = \frac{1}{1 + |x|}

    Squaring r ≤ 1 instead of ``1 + |x|`` never overflows: ``(1 + |x|)**2`` is infinite beyond
    ``|x|`` ≈ 1.3·10¹⁵⁴, where 1/x² is still a (subnormal) float64, which r·r keeps. r² carries
    the rounding of ``1 + |x|`` twice: at most 3 units in the last place near ``|x| = 1``, within
    the accuracy goal, and it costs four passes over the input, as the textbook form does.
    The derivative is continuous (softsign has no kink: f′(0) = 1 from both sides).

    Args:
        x: the input, an array of real numbers.

    Returns:
        softsign′(x), an array shaped like ``x``.

    >>> softsign_derivative(np.array([0.0, 1.0, 3.0]))
    array([1.    , 0.25  , 0.0625])
    >>> bool(softsign_derivative(np.array([1e155]))[0] > 0)  # 1e−310, subnormal
    True
    """
    r = 1 / (1 + np.abs(x))
    return r * r


def _sympy_softsign(x):
    # |x| written as a Piecewise: SymPy differentiates Abs(x) into sign(x) and then into a
    # Dirac delta, which the properties (range of f') cannot evaluate. The pieces sit in the
    # denominator so that no piece has a pole (x/(1 - x) would, at x = 1).
    return x / (1 + sp.Piecewise((-x, x < 0), (x, True)))


# --- DELIBERATELY NAIVE: the textbook formulas, evaluated in the input's dtype. The forward is
# already fine; the derivative squares 1 + |x| first and overflows.
def _naive_softsign(x):
    xc = np.clip(x, -_SOFTSIGN_CLIP, _SOFTSIGN_CLIP)  # NaN stays NaN
    return xc / (1 + np.abs(xc))


def _naive_softsign_derivative(x):
    return 1 / (1 + np.abs(x)) ** 2  # (1 + |x|)² overflows for |x| > 1.3e154 (float64)


# ------------------------------------------------------------------------------------ specs
_MOBILENETV3 = Reference(
    key="howard2019searching",
    authors="Howard et al.",
    title="Searching for MobileNetV3",
    year=2019,
    url="https://arxiv.org/abs/1905.02244",
)
_CHAPTER = "hard_activations"

#: The five specs, registered as ``"hard_sigmoid"``, ``"hard_swish"``, ``"relu6"``,
#: ``"hard_tanh"`` and ``"softsign"``.
SPECS = (
    Activation(
        name="hard_sigmoid",
        title="Hard sigmoid",
        order=140,
        summary="A three-piece linear stand-in for the sigmoid: 0, then (x + 3)/6, then 1.",
        sympy_expr=_sympy_hard_sigmoid,
        numpy_forward=hard_sigmoid,
        numpy_derivative=hard_sigmoid_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.hardsigmoid",
            module="torch.nn.Hardsigmoid",
            call=_torch_hard_sigmoid,
        ),
        reference=_MOBILENETV3,
        kinks=(-3.0, 3.0),
        kink_convention="hard_sigmoid'(±3) = 0, the value PyTorch's autograd returns.",
        chapter=_CHAPTER,
        stability_note=(
            "(clip(x, −3, 3) + 3)/6: no exponential, and x + 3 is exact near −3 where the "
            "result is small. PyTorch's own float64 backward uses 1/6 rounded to float32; the "
            "PyTorch reference is therefore relu6(x + 3)/6, which has the same values."
        ),
    ),
    Activation(
        name="hard_swish",
        title="Hard swish",
        order=141,
        summary="x times the hard sigmoid: swish with the sigmoid replaced by straight pieces.",
        sympy_expr=_sympy_hard_swish,
        numpy_forward=hard_swish,
        numpy_derivative=hard_swish_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.hardswish", module="torch.nn.Hardswish"
        ),
        naive_forward=_naive_hard_swish,
        naive_derivative=_naive_hard_swish_derivative,
        reference=_MOBILENETV3,
        kinks=(-3.0, 3.0),
        kink_convention=(
            "hard_swish'(−3) = 0 and hard_swish'(3) = 1 (the outer pieces), as PyTorch's "
            "autograd returns."
        ),
        chapter=_CHAPTER,
        stability_note=(
            "The gate relu6(x + 3)/6 is formed before multiplying by x, so nothing overflows "
            "(x·relu6(x + 3) is infinite for x > 3e307); the derivative's 2x + 3 is exact near "
            "its zero at −3/2."
        ),
    ),
    Activation(
        name="relu6",
        title="ReLU6",
        order=142,
        summary="ReLU capped at 6: a bounded output range that survives low-precision arithmetic.",
        sympy_expr=_sympy_relu6,
        numpy_forward=relu6,
        numpy_derivative=relu6_derivative,
        torch_reference=TorchReference("torch.nn.functional.relu6", module="torch.nn.ReLU6"),
        reference=Reference(
            key="krizhevsky2010convolutional",
            authors="Krizhevsky",
            title="Convolutional deep belief networks on CIFAR-10",
            year=2010,
            url="https://www.cs.toronto.edu/~kriz/conv-cifar10-aug2010.pdf",
        ),
        kinks=(0.0, 6.0),
        kink_convention="relu6'(0) = relu6'(6) = 0, the values PyTorch's autograd returns.",
        chapter=_CHAPTER,
        stability_note="min(max(x, 0), 6) is exact: no arithmetic at all, only comparisons.",
    ),
    Activation(
        name="hard_tanh",
        title="Hard tanh",
        order=143,
        summary="The identity clipped to [min_val, max_val]: a piecewise-linear tanh.",
        sympy_expr=_sympy_hard_tanh,
        numpy_forward=hard_tanh,
        numpy_derivative=hard_tanh_derivative,
        torch_reference=TorchReference("torch.nn.functional.hardtanh", module="torch.nn.Hardtanh"),
        parameters=(
            Param(
                "min_val",
                -1.0,
                "lower end of the linear region (output floor)",
                slider=(-3.0, 0.0, 0.1),
                tex=r"v_{\min}",
            ),
            Param(
                "max_val",
                1.0,
                "upper end of the linear region (output ceiling), > min_val",
                slider=(0.1, 6.0, 0.1),
                tex=r"v_{\max}",
            ),
        ),
        cross_check=_hard_tanh_cross_check,
        common_params=({"min_val": -2.0, "max_val": 2.0}, {"min_val": 0.0, "max_val": 1.0}),
        reference=Reference(
            key="collobert2011natural",
            authors="Collobert, Weston, Bottou, Karlen, Kavukcuoglu and Kuksa",
            title="Natural language processing (almost) from scratch",
            year=2011,
            url="https://jmlr.org/papers/v12/collobert11a.html",
        ),
        kinks=(-1.0, 1.0),
        kink_convention=(
            "hard_tanh'(min_val) = hard_tanh'(max_val) = 0, the values PyTorch's autograd "
            "returns (the kinks listed are those of the defaults, ±1)."
        ),
        chapter=_CHAPTER,
        stability_note="clip(x, min_val, max_val) is exact: only comparisons.",
    ),
    Activation(
        name="softsign",
        title="Softsign",
        order=144,
        summary="x/(1 + |x|): a rational, tanh-shaped squashing function with polynomial tails.",
        sympy_expr=_sympy_softsign,
        numpy_forward=softsign,
        numpy_derivative=softsign_derivative,
        torch_reference=TorchReference("torch.nn.functional.softsign", module="torch.nn.Softsign"),
        naive_forward=_naive_softsign,
        naive_derivative=_naive_softsign_derivative,
        reference=Reference(
            key="bergstra2009quadratic",
            authors="Bergstra, Desjardins, Lamblin and Bengio",
            title="Quadratic polynomials learn better image features",
            year=2009,
            url="https://www.iro.umontreal.ca/~lisa/publications2/index.php/attachments/single/205",
        ),
        chapter=_CHAPTER,
        stability_note=(
            "x/(1 + |x|) cannot overflow (1 + |x| rounds to |x| for huge |x|); the derivative "
            "is r·r with r = 1/(1 + |x|) ≤ 1, where 1/(1 + |x|)² would overflow the square."
        ),
    ),
)
