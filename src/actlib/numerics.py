"""Small NumPy building blocks shared by several activation implementations."""

from __future__ import annotations

import numpy as np
from scipy.special import expit


def step(x: np.ndarray, below: float | np.ndarray, above: float | np.ndarray) -> np.ndarray:
    r"""``above`` where x > 0, ``below`` where x <= 0, NaN where x is NaN.

    .. math::
        \mathrm{step}(x) = \begin{cases} \text{above}, & x > 0 \\
        \text{below}, & x \le 0 \end{cases}

    This is the derivative of every piecewise-linear activation, with the value at the kink
    x = 0 taken from the left piece, as PyTorch's autograd does.

    Args:
        x: float64 array without infinities.
        below: the value (or values, broadcast against ``x``) for x ≤ 0.
        above: the value for x > 0.

    Returns:
        A float64 array of the broadcast shape.

    >>> step(np.array([-1.0, 0.0, 2.0, np.nan]), 0.1, 1.0)
    array([0.1, 0.1, 1. , nan])
    """
    # Branch-free arithmetic: np.where with a sign mask that changes at random is several times
    # slower. m * above + (1 - m) * below is exact for m in {0, 1}; x * 0 carries NaN through
    # (callers never pass infinities: the spec replaces them by limits first).
    m = np.greater(x, 0.0).astype(np.float64)
    return m * above + (1.0 - m) * below + x * 0.0


def piecewise_linear(x: np.ndarray, slope: float | np.ndarray) -> np.ndarray:
    r"""``x`` for x > 0 and ``slope * x`` otherwise (NaN propagates).

    .. math::
        f(x) = \begin{cases} x, & x > 0 \\ \text{slope}\cdot x, & x \le 0 \end{cases}
        = \max(x, 0) + \text{slope}\cdot\min(x, 0)

    The right-hand form is exact (one of the terms is zero) and branch-free, which NumPy runs
    several times faster than ``np.where`` on a random sign pattern.

    Args:
        x: float64 array.
        slope: the slope (or slopes, broadcast against ``x``) for x ≤ 0.

    Returns:
        A float64 array of the broadcast shape.

    >>> piecewise_linear(np.array([-2.0, 3.0]), 0.5)
    array([-1.,  3.])
    """
    return np.maximum(x, 0.0) + slope * np.minimum(x, 0.0)


#: Below this, scipy's ``expit`` returns 0 although σ(x) ≈ e^x is a subnormal number.
_EXPIT_FLUSH = -708.0


def sigmoid(x: np.ndarray) -> np.ndarray:
    r"""The logistic sigmoid with full accuracy, subnormal results included.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}}

    :func:`scipy.special.expit` is accurate but returns 0 for x < −709 (it forms e^(−x), which
    overflows), where σ(x) = e^x/(1 + e^x) rounds to e^x, a subnormal number. That matters when
    σ is multiplied by a large x (swish, GELU's tanh form): x·σ(x) is a normal number there.

    Args:
        x: float64 array (or 0-d array).

    Returns:
        σ(x), a float64 array shaped like ``x``.

    >>> sigmoid(np.array([0.0, -720.0])) > 0
    array([ True,  True])
    """
    out = np.asarray(expit(x), dtype=np.float64)
    low = x < _EXPIT_FLUSH
    if out.ndim == 0:
        return np.exp(x) if low else out
    if np.any(low):
        out[low] = np.exp(x[low])
    return out


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
