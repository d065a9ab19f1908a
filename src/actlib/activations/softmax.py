"""Softmax: a vector of scores to a probability distribution."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import shifted_logits
from actlib.shapes import Normalizing, check_axis
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Softmax along ``axis``.

    .. math::
        \mathrm{softmax}(x)_i = \frac{e^{x_i}}{\sum_j e^{x_j}}
        = \frac{e^{x_i - m}}{\sum_j e^{x_j - m}}, \qquad m = \max_j x_j

    Subtracting the maximum changes nothing mathematically (shift invariance) but keeps every
    exponent ≤ 0, so nothing overflows. Limits: entries equal to +inf share the mass equally;
    −inf entries get 0; a slice that is all −inf or contains NaN gives NaN.

    Args:
        x: the input, an array of real numbers with at least one axis.
        axis: the axis along which each slice is normalized (PyTorch's ``dim``).

    Returns:
        An array shaped like ``x`` whose slices along ``axis`` sum to 1.

    Raises:
        ValueError: ``x`` is 0-d or ``axis`` is out of range.

    >>> forward(np.array([1000.0, 1000.0]))
    array([0.5, 0.5])

    See also: :func:`derivative` (the Jacobian); ``torch.nn.functional.softmax``.
    """
    check_axis(x, axis, what="softmax")
    if x.size == 0:
        return x.copy()
    ax, z, nan_slice = shifted_logits(x, axis, what="softmax")
    e = np.exp(z)
    s = np.sum(e, axis=ax, keepdims=True)
    out = e / np.where(s > 0, s, 1.0)
    return np.where(nan_slice | (s == 0), np.nan, out)


def derivative(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""The Jacobian of softmax, one n × n matrix per slice.

    .. math::
        J_{ij} = \frac{\partial\,\mathrm{softmax}(x)_i}{\partial x_j} = s_i\,(\delta_{ij} - s_j),
        \qquad s = \mathrm{softmax}(x)

    The diagonal s_i (1 − s_i) is computed as s_i times the sum of the other entries, which
    does not cancel when s_i is close to 1.

    Args:
        x: the input, an array of real numbers with at least one axis.
        axis: the axis along which each slice is normalized (PyTorch's ``dim``).

    Returns:
        An array of shape ``batch + (n, n)``: the softmax axis is removed from the batch shape
        and the last two axes are (output i, input j).

    Raises:
        ValueError: ``x`` is 0-d or ``axis`` is out of range.

    >>> derivative(np.array([0.0, 0.0]))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    ax = check_axis(x, axis, what="softmax")
    s = np.moveaxis(forward(x, axis=ax), ax, -1)
    n = s.shape[-1]
    jac = -s[..., :, None] * s[..., None, :]
    # Diagonal s_i (1 - s_i): 1 - s_i cancels when s_i is close to 1, so use the sum of the
    # other entries instead, built from exclusive prefix and suffix sums (no subtraction).
    if n:
        zeros = np.zeros_like(s[..., :1])
        before = np.concatenate([zeros, np.cumsum(s, axis=-1)[..., :-1]], axis=-1)
        after = np.concatenate([np.cumsum(s[..., ::-1], axis=-1)[..., -2::-1], zeros], axis=-1)
        idx = np.arange(n)
        jac[..., idx, idx] = s * (before + after)
    return jac


def _sympy(xs, **_):
    e = xs.applyfunc(sp.exp)
    return e / sum(e)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability chapter; the accuracy harness measures its failures.
def _naive_forward(x, axis=-1):
    e = np.exp(x)  # no max shift: overflows for entries above 709 (float64)
    return e / e.sum(axis=axis, keepdims=True)


def _naive_derivative(x, axis=-1):
    s = np.moveaxis(_naive_forward(x, axis), axis, -1)
    return s[..., :, None] * (np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :])


#: The softmax spec, registered as ``"softmax"``.
SPECS = (
    Activation(
        name="softmax",
        title="Softmax",
        order=200,
        summary="Turns a vector of scores (logits) into a probability distribution.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.softmax", module="torch.nn.Softmax", keywords={"axis": "dim"}
        ),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        shape=Normalizing(axis=-1),
        roles=frozenset({"output"}),
        reference=Reference(
            key="bridle1990probabilistic",
            authors="Bridle",
            title="Probabilistic interpretation of feedforward classification network outputs, "
            "with relationships to statistical pattern recognition",
            year=1990,
            url="https://doi.org/10.1007/978-3-642-76153-9_28",
        ),
        stability_note=(
            "The maximum of each slice is subtracted before exponentiating (shift invariance), so "
            "every exponent is ≤ 0; infinite entries are handled as limits."
        ),
    ),
)
