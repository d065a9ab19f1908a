"""Small NumPy building blocks shared by several activation implementations."""

from __future__ import annotations

import math
from typing import Any

import numpy as np


def step(x: np.ndarray, below: float | np.ndarray, above: float | np.ndarray) -> np.ndarray:
    r"""``above`` where x > 0, ``below`` where x <= 0, NaN where x is NaN.

    .. math::
        \mathrm{step}(x) = \begin{cases} \text{above}, & x > 0 \\
        \text{below}, & x \le 0 \end{cases}

    This is the derivative of every piecewise-linear activation, with the value at the kink
    x = 0 taken from the left piece, as PyTorch's autograd does.

    Args:
        x: float32 or float64 array without infinities.
        below: the value (or values, broadcast against ``x``) for x ≤ 0.
        above: the value for x > 0.

    Returns:
        An array of the broadcast shape, in the dtype of ``x``.

    >>> step(np.array([-1.0, 0.0, 2.0, np.nan]), 0.1, 1.0)
    array([0.1, 0.1, 1. , nan])
    >>> step(np.array([1.0], dtype=np.float32), 0.1, 1.0).dtype
    dtype('float32')
    """
    # Branch-free arithmetic: np.where with a sign mask that changes at random is several times
    # slower. (x > 0)·above + (x ≤ 0)·below is exact (one term is zero); both masks are False
    # for NaN, which keep_nan puts back.
    dtype = x.dtype
    out = np.multiply(np.greater(x, 0), above, dtype=dtype)
    return keep_nan(out + np.multiply(np.less_equal(x, 0), below, dtype=dtype), x)


def keep_nan(out: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``out`` with NaN wherever ``x`` is NaN, quietly, also where ``x`` is infinite.

    max(x, +inf) is +inf for every number, ±inf included, and NaN for NaN (``np.maximum``
    propagates NaN without a warning), so min(out, max(x, +inf)) is ``out`` or NaN. The usual
    ``out + 0·x`` does the same only for finite x (0·inf is NaN, with a warning).

    Args:
        out: values computed from ``x`` that lost its NaN (a comparison is False for NaN).
        x: the input.

    Returns:
        ``out``, NaN where ``x`` is NaN.

    >>> keep_nan(np.array([1.0, 1.0, 1.0]), np.array([np.inf, np.nan, -np.inf]))
    array([ 1., nan,  1.])
    """
    return np.minimum(out, np.maximum(x, np.inf))


def piecewise_linear(x: np.ndarray, slope: float | np.ndarray) -> np.ndarray:
    r"""``x`` for x > 0 and ``slope * x`` otherwise (NaN propagates).

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ \text{slope}\cdot x, & x \le 0 \end{cases}
        = \max(x, 0) + \text{slope}\cdot\min(x, 0)

    The right-hand form is exact (one of the terms is zero) and branch-free, which NumPy runs
    several times faster than ``np.where`` on a random sign pattern.

    Args:
        x: float32 or float64 array.
        slope: the slope (or slopes, broadcast against ``x``) for x ≤ 0.

    Returns:
        An array of the broadcast shape, in the dtype of ``x``.

    >>> piecewise_linear(np.array([-2.0, 3.0]), 0.5)
    array([-1.,  3.])
    """
    return np.maximum(x, 0) + slope * np.minimum(x, 0)


def exp_neg_abs(x: np.ndarray) -> np.ndarray:
    r""":math:`e^{-|x|} \in (0, 1]`: the one exponential of the sigmoid family, never overflowing.

    Args:
        x: float32 or float64 array.

    Returns:
        An array in the dtype of ``x`` (NaN where x is NaN, 0 at ±inf).

    >>> exp_neg_abs(np.array([-1.0, 0.0, 1.0])).round(4)
    array([0.3679, 1.    , 0.3679])
    """
    e = np.abs(x)
    if e.ndim == 0:
        return np.exp(-e)
    np.negative(e, out=e)
    return np.exp(e, out=e)


def sigmoid_from(x: np.ndarray, e: np.ndarray) -> np.ndarray:
    r"""σ(x), given :math:`e = e^{-|x|}` (see :func:`exp_neg_abs`).

    .. math::
        \sigma(x) = \frac{\max(e, [x \ge 0])}{1 + e}
        = \begin{cases} \dfrac{1}{1 + e^{-x}}, & x \ge 0 \\[1ex]
        \dfrac{e^{x}}{1 + e^{x}}, & x < 0 \end{cases}

    :math:`[x \ge 0]` is 1 or 0, and e ≤ 1, so the maximum selects the numerator of each
    branch exactly, without a branch (``np.where`` on a random sign pattern is several times
    slower than an exponential). Each branch rounds three times (e, 1 + e, the quotient), and
    1 + e ∈ [1, 2] carries at most half of the error of e, so the result is within about two
    ulps in float64 and float32 alike. For x < −709 (float64; −87 in float32) e is subnormal and
    so is σ(x) ≈ e: it is kept, not flushed to zero.

    Args:
        x: float32 or float64 array.
        e: :math:`e^{-|x|}`, same shape and dtype.

    Returns:
        σ(x), in the dtype of ``x``.

    >>> x = np.array([-1.0, 0.0, 1.0])
    >>> sigmoid_from(x, exp_neg_abs(x)).round(4)
    array([0.2689, 0.5   , 0.7311])
    """
    return np.maximum(e, np.greater_equal(x, 0)) / (1 + e)


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""The logistic sigmoid with full accuracy, subnormal results included, in x's dtype.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    Computed by :func:`sigmoid_from` from the one exponential :math:`e^{-|x|}`, which never
    overflows. :func:`scipy.special.expit` is accurate too, but it is a scalar loop (several
    times slower than NumPy's vectorised ``exp`` on a large array), computes float32 through
    float64, and returns 0 for x < −709, where σ(x) = e^x/(1 + e^x) rounds to e^x, a subnormal
    number. That matters when σ is multiplied by a large x (swish, GELU's tanh form): x·σ(x)
    is a normal number there.

    Args:
        x: float32 or float64 array (or 0-d array).

    Returns:
        σ(x), an array shaped like ``x``, in its dtype.

    >>> sigmoid(np.array([0.0, -720.0])) > 0
    array([ True,  True])
    >>> sigmoid(np.array([0.0], dtype=np.float32)).dtype
    dtype('float32')
    """
    return sigmoid_from(x, exp_neg_abs(x))


def select(cond: np.ndarray, a: Any, b: Any, dtype: np.dtype) -> np.ndarray:
    r"""``a`` where ``cond`` is True, ``b`` elsewhere: :func:`numpy.where` for finite values.

    .. math::
        \mathrm{select}(c, a, b) = [c]\,a + [\lnot c]\,b

    One of the two products is an exact zero, so the sum is exactly ``a`` or ``b``; NaN in the
    selected value propagates, and so does NaN in the other one (NaN·0 is NaN), which suits
    activations (a NaN input makes both NaN). On a random pattern of ``cond`` this is several
    times faster than ``np.where``, which branches on every element. Both values must be finite
    where they are not selected (inf·0 is NaN), and a selected −0 may come out as +0 (the
    other product is +0, and −0 + +0 = +0): equal values, only the sign of zero differs.

    Args:
        cond: boolean array.
        a: values (array or scalar) where ``cond`` is True.
        b: values where it is False.
        dtype: the dtype of the result.

    Returns:
        An array of the broadcast shape, in ``dtype``.

    >>> select(np.array([True, False]), 1.0, np.array([5.0, 6.0]), np.dtype(np.float32))
    array([1., 6.], dtype=float32)
    """
    out = np.multiply(cond, a, dtype=dtype)
    return out + np.multiply(np.logical_not(cond), b, dtype=dtype)


def log1p_unit(e: np.ndarray) -> np.ndarray:
    r"""log(1 + e) for e in [0, 1], accurately, with NumPy's vectorised ``log`` (e's dtype).

    .. math::
        \operatorname{log1p}(e) = \log u - \frac{(u - 1) - e}{u}, \qquad u = 1 \oplus e

    u = 1 ⊕ e is 1 + e rounded, and δ = (u − 1) − e is that rounding error, computed exactly
    (u − 1 is exact by Sterbenz's lemma, u ∈ [1, 2], and so is the difference of two numbers
    that agree to within δ). Then log(1 + e) = log(u − δ) = log u − δ/u − δ²/(2u²) − …, and
    the first correction is all that matters: ``|δ|`` is at most half an ulp of 1, so δ²/2 is far
    below an ulp of the result. Where u rounds to 1 (e below half an ulp of 1), log u = 0 and
    the correction gives e itself, exactly, without a branch. The error is that of ``log`` plus
    about one rounding, a couple of ulps. ``np.log1p`` computes the same function one element
    at a time (a scalar loop, several times slower than ``np.log`` on a large array).

    Args:
        e: float32 or float64 array with values in [0, 1] (or NaN).

    Returns:
        log(1 + e), in the dtype of ``e``.

    >>> float(log1p_unit(np.array([1e-20]))[0])
    1e-20
    >>> float(log1p_unit(np.array([1.0]))[0]) == float(np.log(2.0))
    True
    """
    u = 1 + e
    q = u - 1  # exact: u is in [1, 2]
    if q.ndim == 0:
        return np.log(u) - (q - e) / u
    q -= e  # δ, exact
    q /= u
    out = np.log(u)
    out -= q
    return out


#: 1/k! for k = 1..9: the Taylor polynomial of expm1 used by :func:`expm1_nonpositive`.
_EXPM1_TAYLOR = tuple(1.0 / math.factorial(k) for k in range(1, 10))
#: At and below this, float32 ``exp(x) - 1`` is accurate (within about three ulps).
_EXPM1_SPLIT = -0.5


def expm1_nonpositive(x: np.ndarray) -> np.ndarray:
    r""":math:`e^x - 1` for x ≤ 0, in the dtype of ``x``, vectorised in float32.

    float64 uses :func:`numpy.expm1`. NumPy's float32 ``expm1`` is a scalar loop, several
    times slower than its vectorised ``exp``; for float32 this function computes

    .. math::
        e^x - 1 = \begin{cases} \exp(x) - 1, & x \le -1/2 \\[0.5ex]
        x\left(1 + \dfrac{x}{2!} + \dfrac{x^2}{3!} + \dots + \dfrac{x^8}{9!}\right),
        & -1/2 < x \le 0 \end{cases}

    on every element and selects without a branch. *Left piece:* e^x ∈ [1/2, 0.61] for
    x ∈ [−ln 2, −1/2], so exp(x) − 1 is an exact subtraction (Sterbenz) and the error is that of
    exp(x), about one ulp of a number below 1 (2⁻²⁴), against a result of magnitude ≥ 0.39
    (ulp 2⁻²⁵): two to three ulps of the result; below −ln 2 the result is in [−1, −1/2] and the
    subtraction rounds once more, still below three ulps. *Right piece:* the first omitted
    Taylor term is ``|x|¹⁰/10! ≤ 5.4·10⁻¹⁰·|x| < 2⁻³⁰·|x|`` for ``|x| < 1/2``, a small
    fraction of an ulp; Horner's scheme rounds about once per step on a sum within [0.79, 1], so the
    polynomial is within about 2 ulps. The polynomial is evaluated on max(x, −1/2), so it is
    finite everywhere; NaN propagates. ``tests/test_numerics.py`` measures it against mpmath on
    a dense grid (at most 4 ulps), and the accuracy harness confirms ELU, SELU and CELU on its
    full grid.

    Args:
        x: float32 or float64 array of non-positive values (or NaN).

    Returns:
        :math:`e^x - 1`, in the dtype of ``x``.

    >>> x = np.array([-1e-30, -0.1, -1.0, -200.0], dtype=np.float32)
    >>> bool(np.allclose(expm1_nonpositive(x), np.expm1(x.astype(np.float64)), rtol=1e-6))
    True
    """
    if x.dtype != np.float32:
        return np.expm1(x)
    xs = np.maximum(x, _EXPM1_SPLIT)
    p = _EXPM1_TAYLOR[-1] * xs
    for c in _EXPM1_TAYLOR[-2::-1]:
        p += c
        p *= xs
    small = np.greater(x, _EXPM1_SPLIT)
    return select(small, p, np.exp(x) - 1, x.dtype)


def shifted_logits(x: np.ndarray, axis: int, *, what: str) -> tuple[int, np.ndarray, np.ndarray]:
    r"""Each slice along ``axis`` minus its maximum, with infinities and NaN sorted out.

    .. math::
        z_i = x_i - \max_j x_j \le 0

    This is the first step of softmax and log-softmax: nothing overflows in :math:`e^{z}`.
    A slice that holds +inf gives 0 at those entries and −inf elsewhere (the limit); −inf
    entries give −inf; NaN entries are treated as −inf here and reported in the mask, so the
    caller can make the whole slice NaN.

    Args:
        x: float64 array with at least one axis, not empty.
        axis: the axis of the slices (negative counts from the end).
        what: the name of the activation, for error messages.

    Returns:
        ``(axis, z, nan_slice)``: the non-negative axis index, the shifted values, and a
        boolean array (keeping the reduced axis) that is True for slices holding a NaN.

    Raises:
        ValueError: ``x`` is 0-d or ``axis`` is out of range.

    >>> ax, z, nan = shifted_logits(np.array([[1.0, 3.0], [np.inf, 0.0]]), -1, what="softmax")
    >>> ax, z.tolist(), nan.ravel().tolist()
    (1, [[-2.0, 0.0], [0.0, -inf]], [False, False])
    """
    from actlib.shapes import check_axis

    ax = check_axis(x, axis, what=what)
    nan_slice = np.isnan(x).any(axis=ax, keepdims=True)
    posinf = np.isposinf(x)
    inf_slice = posinf.any(axis=ax, keepdims=True)
    xc = np.where(np.isnan(x), -np.inf, x)
    m = np.max(xc, axis=ax, keepdims=True)
    shift = np.where(np.isfinite(m), m, 0.0)
    # xc - shift can only overflow (to -inf) when the true value is below -1.8e308, where -inf
    # is the correctly rounded result (and exp of it exactly 0).
    with np.errstate(over="ignore"):
        z = np.where(inf_slice, np.where(posinf, 0.0, -np.inf), xc - shift)
    return ax, z, nan_slice
