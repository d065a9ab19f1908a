"""Errors in units in the last place (ulps), measured against an mpmath reference.

The floats of a binary format with p significant bits are evenly spaced inside each binade
[2^k, 2^(k+1)): the gap there is 2^(k − p + 1), the **ulp** of every real number of that binade.
Below the smallest normal number the gap stays that of the smallest binade (the subnormal
numbers). A result that is *correctly rounded* (the float nearest to the exact value) is off by
at most half an ulp; a *faithfully rounded* one (one of the two floats around the exact value)
by less than one.

Unlike :func:`numpy.spacing`, which measures the gap above a float, :func:`ulp` uses the binade
of the exact value: just below 1, one ulp is 2^−p, half the gap above 1.

>>> import numpy as np
>>> errors = ulp_errors(np.exp, mpmath.exp, np.array([0.5, 1.0, 2.0]))
>>> bool(np.all(errors <= 0.5))
True
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import mpmath
import numpy as np

#: Significant decimal digits of the reference values, far more than float64's 16.
DIGITS = 40


def ulp(value: Any, dtype: Any = np.float64) -> mpmath.mpf:
    """The ulp of a real number in a floating type: the gap between the floats around it.

    .. math::
        \\mathrm{ulp}(y) = 2^{\\max(k,\\,e_{\\min}) - p + 1}, \\qquad 2^k \\le |y| < 2^{k+1}

    with p the significant bits and e_min the exponent of the smallest normal number.

    Args:
        value: a real number (float or mpmath ``mpf``); 0 gives the smallest subnormal.
        dtype: a NumPy floating type (float16, float32 or float64).

    Returns:
        The ulp, an exact power of two as an mpmath number.

    >>> float(ulp(1.0)) == 2.0**-52, float(ulp(0.75)) == 2.0**-53
    (True, True)
    >>> float(ulp(1.0, np.float32)) == 2.0**-23, float(ulp(0.0)) == 5e-324
    (True, True)
    """
    info = np.finfo(dtype)
    p = info.nmant + 1
    y = mpmath.mpf(value)
    if not mpmath.isfinite(y):
        raise ValueError(f"value must be finite, got {value!r}")
    k = info.minexp if y == 0 else max(int(mpmath.frexp(abs(y))[1]) - 1, info.minexp)
    return mpmath.ldexp(mpmath.mpf(1), k - p + 1)


def errors_in_ulps(computed: Iterable[Any], exact: Iterable[Any], dtype: Any) -> np.ndarray:
    """The error of each computed value in ulps of the exact value, without rounding error.

    .. math::
        \\mathrm{err} = \\frac{|\\hat y - y|}{\\mathrm{ulp}(y)}

    Args:
        computed: floats of ``dtype`` (an array or any iterable).
        exact: the exact values (mpmath numbers or floats), as many as ``computed``.
        dtype: the floating type the ulp refers to.

    Returns:
        A float64 array of errors; ``inf`` where the computed value is infinite or NaN.

    >>> errors_in_ulps([1.0 + 2.0**-52], [1.0], np.float64).tolist()
    [1.0]
    """
    out = []
    with mpmath.workdps(DIGITS):
        for c, e in zip(computed, exact, strict=True):
            c = float(c)
            if not np.isfinite(c):
                out.append(np.inf)
                continue
            out.append(float(abs(mpmath.mpf(c) - e) / ulp(e, dtype)))
    return np.array(out, dtype=np.float64)


def ulp_errors(
    numpy_fn: Callable[[np.ndarray], np.ndarray],
    mpmath_fn: Callable[[Any], Any],
    x: np.ndarray,
) -> np.ndarray:
    """The error in ulps of ``numpy_fn`` at every input, against ``mpmath_fn`` at 40 digits.

    The reference is the function of the float input itself (not of a decimal number it
    approximates), so the error measures the implementation only.

    Args:
        numpy_fn: the implementation, applied to the whole array (its result has x's dtype).
        mpmath_fn: the same function in mpmath.
        x: a 1-d array of finite floats; its dtype sets the ulp.

    Returns:
        A float64 array of errors in ulps, shaped like ``x``.

    >>> x = np.linspace(-3, 3, 7, dtype=np.float32)
    >>> bool(ulp_errors(np.tanh, mpmath.tanh, x).max() < 1)
    True
    """
    x = np.asarray(x)
    computed = numpy_fn(x)
    with mpmath.workdps(DIGITS):
        exact = [mpmath_fn(mpmath.mpf(float(v))) for v in x]
    return errors_in_ulps(computed, exact, x.dtype)
