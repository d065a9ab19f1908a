"""Errors in ulps against mpmath (actlib.checks.ulps)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

from actlib.checks.ulps import errors_in_ulps, ulp, ulp_errors


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_ulp_is_the_gap_between_neighbouring_floats(dtype):
    for v in (1.0, 1.5, 0.75, 3.0, 1e-3, float(np.finfo(dtype).tiny)):
        x = dtype(v)
        # Inside a binade the gap above x is the ulp of x (x is not the largest of its binade).
        assert float(ulp(float(x), dtype)) == float(np.spacing(x))
    # Just below a power of two the gap is half the gap above it.
    below_one = np.nextafter(dtype(1), dtype(0))
    assert float(ulp(float(below_one), dtype)) == float(np.spacing(dtype(1))) / 2
    # Subnormal range: the gap of the smallest binade.
    smallest = float(np.finfo(dtype).smallest_subnormal)
    assert float(ulp(0.0, dtype)) == smallest
    assert float(ulp(3 * smallest, dtype)) == smallest


def test_ulp_rejects_non_finite_values():
    with pytest.raises(ValueError, match="finite"):
        ulp(float("inf"))


def test_errors_in_ulps_counts_exactly_and_flags_non_finite_results():
    e = errors_in_ulps([1.0, 1.0 + 2.0**-52, np.inf, np.nan], [1.0, 1.0, 1.0, 1.0], np.float64)
    assert e.tolist() == [0.0, 1.0, np.inf, np.inf]
    # Half an ulp below 1 in float32 is 2**-25: the exact value 1 - 2**-25 rounds to either side.
    half = errors_in_ulps([1.0], [mpmath.mpf(1) - mpmath.mpf(2) ** -25], np.float32)
    assert half.tolist() == [0.5]


def test_ulp_errors_finds_a_wrong_implementation():
    x = np.linspace(0.1, 2.0, 20)
    assert ulp_errors(np.exp, mpmath.exp, x).max() <= 0.5 + 1e-9
    # e^x computed as 2^(x log2 e) loses accuracy: the rounding of the product is amplified.
    bad = ulp_errors(lambda v: np.exp2(v * np.log2(np.e) * (1 + 2**-40)), mpmath.exp, x)
    assert bad.max() > 10
