"""Small NumPy building blocks shared by several activation implementations."""

from __future__ import annotations

import numpy as np


def step(x: np.ndarray, below: float | np.ndarray, above: float | np.ndarray) -> np.ndarray:
    """``above`` where x > 0, ``below`` where x <= 0, NaN where x is NaN.

    This is the derivative of every piecewise-linear activation, with the value at the kink
    x = 0 taken from the left piece, as PyTorch's autograd does.
    """
    out = np.where(x > 0, above, below).astype(np.float64)
    return np.where(np.isnan(x), np.nan, out)


def piecewise_linear(x: np.ndarray, slope: float | np.ndarray) -> np.ndarray:
    """``x`` for x > 0 and ``slope * x`` otherwise (NaN propagates)."""
    return np.where(x > 0, x, slope * x)
