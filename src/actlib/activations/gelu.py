"""GELU: exact (error-function) form and its tanh approximation."""

from __future__ import annotations

import math

import numpy as np
import sympy as sp
from scipy.special import erf, erfc, erfcx

from actlib.numerics import exp_neg_abs, sigmoid
from actlib.spec import Activation, Reference, TorchReference

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_TANH_C = math.sqrt(2.0 / math.pi)
_TANH_K = 0.044715
# Beyond this |x| the tanh-approximation's sigmoid is exactly 0 or 1 in float64; clipping
# the argument there avoids overflow of x**3 without changing any result.
_TANH_CLIP = 1e3
# Left of this, gelu' uses erfcx: erfc(−x/√2) underflows to 0 for x < −37.6.
_TAIL = -20.0


def forward(x: np.ndarray) -> np.ndarray:
    r"""Gaussian error linear unit, exact form.

    .. math::
        \mathrm{gelu}(x) = x\,\Phi(x)
        = \frac{x}{2}\,\operatorname{erfc}\!\left(-\frac{x}{\sqrt 2}\right)

    where Φ is the standard normal distribution function. The usual ``x/2 (1 + erf(x/√2))``
    cancels to 0 for x < −8 (1 + erf rounds to 0); erfc of the negated argument keeps the tiny
    tail values.

    Args:
        x: the input, an array of real numbers.

    Returns:
        gelu(x), an array shaped like ``x``.

    >>> float(forward(np.array([-10.0]))[0]) != 0.0
    True

    See also: :func:`forward_tanh`; ``torch.nn.functional.gelu``; Hendrycks and Gimpel
    (2016), https://arxiv.org/abs/1606.08415.
    """
    return 0.5 * x * erfc(-x * _SQRT1_2)


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the exact GELU.

    .. math::
        \mathrm{gelu}'(x) = \Phi(x) + x\,\varphi(x), \qquad
        \varphi(x) = \frac{e^{-x^2/2}}{\sqrt{2\pi}}

    For x < −20 it is evaluated as e^{−x²/2} (erfcx(−x/√2)/2 + x/√(2π)), with the scaled
    complementary error function erfcx(z) = e^{z²} erfc(z): ``erfc`` alone returns 0 beyond
    −x/√2 ≈ 26.6 although Φ(x) is still a (subnormal) part of a normal-sized result.

    Args:
        x: the input, an array of real numbers.

    Returns:
        gelu′(x), an array shaped like ``x``.

    >>> derivative(np.array([0.0]))
    array([0.5])
    """
    # x φ(x) is 0 in float64 beyond |x| = 40; clipping there keeps x² finite.
    xc = np.clip(x, -40.0, 40.0)
    out = 0.5 * erfc(-x * _SQRT1_2) + xc * _INV_SQRT_2PI * np.exp(-0.5 * xc * xc)
    tail = x < _TAIL
    if np.any(tail):
        xt = np.maximum(x[tail] if out.ndim else x, -40.0)
        scaled = np.exp(-0.5 * xt * xt) * (0.5 * erfcx(-xt * _SQRT1_2) + xt * _INV_SQRT_2PI)
        if out.ndim:
            out[tail] = scaled
        else:
            out = scaled
    return out


def _tanh_arg2(x: np.ndarray) -> np.ndarray:
    xc = np.clip(x, -_TANH_CLIP, _TANH_CLIP)
    return 2.0 * _TANH_C * (xc + _TANH_K * (xc * xc * xc))


def forward_tanh(x: np.ndarray) -> np.ndarray:
    r"""GELU, tanh approximation (Hendrycks and Gimpel 2016).

    .. math::
        \mathrm{gelu}_{\tanh}(x) = \frac{x}{2}\left(1 + \tanh\!\left(\sqrt{2/\pi}\,
        (x + 0.044715\,x^3)\right)\right)

    Uses 1 + tanh(u) = 2σ(2u), which does not cancel for x ≪ 0; σ keeps its subnormal values
    (:func:`actlib.numerics.sigmoid`), because x·σ(2u) is still a normal number there.

    Args:
        x: the input, an array of real numbers.

    Returns:
        The tanh approximation of gelu(x), an array shaped like ``x``.

    >>> forward_tanh(np.array([0.0, 1000.0]))
    array([   0., 1000.])
    """
    return x * sigmoid(_tanh_arg2(x))


def derivative_tanh(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the tanh approximation of GELU.

    .. math::
        \mathrm{gelu}_{\tanh}'(x) = \sigma(2u) + 2x\,u'(x)\,\sigma(2u)\,\sigma(-2u),
        \qquad u = \sqrt{2/\pi}\,(x + 0.044715\,x^3)

    Args:
        x: the input, an array of real numbers.

    Returns:
        The derivative, an array shaped like ``x``.

    >>> derivative_tanh(np.array([0.0]))
    array([0.5])
    """
    v = _tanh_arg2(x)
    xc = np.clip(x, -_TANH_CLIP, _TANH_CLIP)
    dv = 2.0 * _TANH_C * (1.0 + 3.0 * _TANH_K * xc * xc)
    e = exp_neg_abs(v)  # σ(v) and σ(−v) share the exponential e^{−|v|}
    d = 1 + e
    s = np.maximum(e, np.greater_equal(v, 0)) / d
    s_neg = np.maximum(e, np.less_equal(v, 0)) / d
    return s + xc * dv * s * s_neg


def _sympy_exact(x):
    return x / 2 * (1 + sp.erf(x / sp.sqrt(2)))


def _sympy_tanh(x):
    k = sp.Rational(44715, 1000000)
    return x / 2 * (1 + sp.tanh(sp.sqrt(2 / sp.pi) * (x + k * x**3)))


_REFERENCE = Reference(
    key="hendrycks2016gaussian",
    authors="Hendrycks and Gimpel",
    title="Gaussian error linear units (GELUs)",
    year=2016,
    url="https://arxiv.org/abs/1606.08415",
)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x):
    return 0.5 * x * (1 + erf(x / np.sqrt(x.dtype.type(2))))  # 1 + erf cancels for x < -8


def _naive_derivative(x):
    density = np.exp(-(x**2) / 2) / np.sqrt(2 * x.dtype.type(np.pi))
    return 0.5 * (1 + erf(x / np.sqrt(x.dtype.type(2)))) + x * density


def _naive_tanh_inner(x):
    c = np.sqrt(x.dtype.type(2) / x.dtype.type(np.pi))
    return np.tanh(c * (x + x.dtype.type(0.044715) * x**3)), c


def _naive_forward_tanh(x):
    th, _ = _naive_tanh_inner(x)
    return 0.5 * x * (1 + th)  # 1 + tanh cancels for x << 0


def _naive_derivative_tanh(x):
    th, c = _naive_tanh_inner(x)
    du = c * (1 + 3 * x.dtype.type(0.044715) * x**2)
    return 0.5 * (1 + th) + 0.5 * x * (1 - th**2) * du


#: The two GELU specs, registered as ``"gelu"`` (exact) and ``"gelu_tanh"``.
SPECS = (
    Activation(
        name="gelu",
        title="GELU (exact)",
        order=90,
        summary="x weighted by the probability that a standard normal variable is below x.",
        sympy_expr=_sympy_exact,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference("torch.nn.functional.gelu", module="torch.nn.GELU"),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        reference=_REFERENCE,
        stability_note=(
            "x/2·erfc(−x/√2) instead of x/2·(1 + erf(x/√2)): no cancellation in the left tail."
        ),
    ),
    Activation(
        name="gelu_tanh",
        title="GELU (tanh approximation)",
        order=91,
        summary="The tanh-based approximation of GELU, used for instance in GPT-2.",
        sympy_expr=_sympy_tanh,
        numpy_forward=forward_tanh,
        numpy_derivative=derivative_tanh,
        torch_reference=TorchReference(
            "torch.nn.functional.gelu", module="torch.nn.GELU", fixed={"approximate": "tanh"}
        ),
        naive_forward=_naive_forward_tanh,
        naive_derivative=_naive_derivative_tanh,
        reference=_REFERENCE,
        chapter="gelu",
        stability_note=(
            "1 + tanh(u) is rewritten as 2σ(2u), with σ and σ(−2u) from the one exponential "
            "e^(−|2u|), which does not cancel for x ≪ 0; x³ is computed on a clipped copy so it "
            "cannot overflow."
        ),
    ),
)
