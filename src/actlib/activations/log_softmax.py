"""Log-softmax: log-probabilities of a vector of scores, via the log-sum-exp."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.activations.softmax import _naive_forward as _naive_softmax
from actlib.activations.softmax import forward as softmax
from actlib.numerics import shifted_logits
from actlib.shapes import Normalizing, check_axis
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""Log-softmax along ``axis``: the logarithm of the softmax, without forming the softmax.

    .. math::
        \log\mathrm{softmax}(x)_i = x_i - \log\sum_j e^{x_j}
        = (x_i - m) - \operatorname{log1p}\Bigl(\sum_{j \ne k} e^{x_j - m}\Bigr),
        \qquad m = \max_j x_j = x_k

    Every exponent x_j − m is ≤ 0, so nothing overflows; the largest term e^0 = 1 is left out
    of the sum and added back exactly by ``log1p``, so a sum that is 1 plus something tiny
    keeps the tiny part (log_softmax([40, 0])₀ ≈ −4.2e−18 rather than 0). Both terms of the
    difference are ≤ 0 and ≥ 0, so it does not cancel either. Limits, as for
    :func:`actlib.activations.softmax.forward`: the k entries equal to +inf get
    log(1/k) and the others −inf; −inf entries get −inf; a slice that is all −inf or contains
    NaN gives NaN.

    Args:
        x: the input, an array of real numbers with at least one axis.
        axis: the axis along which each slice is normalized (PyTorch's ``dim``).

    Returns:
        An array shaped like ``x`` of non-positive numbers whose exponentials sum to 1 along
        ``axis``.

    Raises:
        ValueError: ``x`` is 0-d or ``axis`` is out of range.

    >>> forward(np.array([1000.0, 0.0, -1000.0]))
    array([    0., -1000., -2000.])

    See also: :func:`derivative`; ``torch.nn.functional.log_softmax``; Blanchard, Higham and
    Higham (2021), https://doi.org/10.1093/imanum/draa038.
    """
    check_axis(x, axis, what="log_softmax")
    if x.size == 0:
        return x.copy()
    ax, z, nan_slice = shifted_logits(x, axis, what="log_softmax")
    # z == 0 exactly where x equals the maximum (x - m is never rounded to 0 otherwise). One of
    # those terms is the 1 that log1p adds; the others (ties) count 1 each, exactly.
    top = z == 0.0
    ties = np.sum(top, axis=ax, keepdims=True)
    rest = np.sum(np.where(top, 0.0, np.exp(z)), axis=ax, keepdims=True)
    valid = ties > 0  # false only for a slice that is all -inf (or all NaN)
    lse = np.log1p(np.where(valid, rest + (ties - 1), 0.0))
    return np.where(nan_slice | ~valid, np.nan, z - lse)


def derivative(x: np.ndarray, axis: int = -1) -> np.ndarray:
    r"""The Jacobian of log-softmax, one n × n matrix per slice.

    .. math::
        J_{ij} = \frac{\partial \log\mathrm{softmax}(x)_i}{\partial x_j} = \delta_{ij} - s_j,
        \qquad s = \mathrm{softmax}(x)

    Every row is the same vector −s plus 1 on the diagonal. The diagonal 1 − s_i is computed
    as the sum of the other entries of s, which does not cancel when s_i is close to 1.

    Args:
        x: the input, an array of real numbers with at least one axis.
        axis: the axis along which each slice is normalized (PyTorch's ``dim``).

    Returns:
        An array of shape ``batch + (n, n)``: the normalized axis is removed from the batch
        shape and the last two axes are (output i, input j).

    Raises:
        ValueError: ``x`` is 0-d or ``axis`` is out of range.

    >>> derivative(np.array([0.0, 0.0]))
    array([[ 0.5, -0.5],
           [-0.5,  0.5]])
    """
    ax = check_axis(x, axis, what="log_softmax")
    s = np.moveaxis(softmax(x, axis=ax), ax, -1)
    n = s.shape[-1]
    jac = np.repeat(-s[..., None, :], n, axis=-2)
    if n:
        # 1 - s_i as the sum of the other entries: exclusive prefix and suffix sums.
        zeros = np.zeros_like(s[..., :1])
        before = np.concatenate([zeros, np.cumsum(s, axis=-1)[..., :-1]], axis=-1)
        after = np.concatenate([np.cumsum(s[..., ::-1], axis=-1)[..., -2::-1], zeros], axis=-1)
        idx = np.arange(n)
        jac[..., idx, idx] = before + after
    return jac


def _sympy(xs, **_):
    lse = sp.log(sum(xs.applyfunc(sp.exp)))
    return xs.applyfunc(lambda xi: xi - lse)


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_forward(x, axis=-1):
    return np.log(_naive_softmax(x, axis))  # inf/inf = NaN above 709; log(0) = -inf below


def _naive_derivative(x, axis=-1):
    s = np.moveaxis(_naive_softmax(x, axis), axis, -1)
    return np.eye(s.shape[-1], dtype=s.dtype) - s[..., None, :]  # 1 - s_i cancels


#: The log-softmax spec, registered as ``"log_softmax"``.
SPECS = (
    Activation(
        name="log_softmax",
        title="Log-softmax",
        order=206,
        summary="The logarithm of softmax, computed with the log-sum-exp: the log-probabilities "
        "a classifier's cross-entropy loss needs.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.log_softmax",
            module="torch.nn.LogSoftmax",
            keywords={"axis": "dim"},
        ),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        shape=Normalizing(axis=-1),
        roles=frozenset({"output"}),
        chapter="log_softmax",
        reference=Reference(
            key="goodfellow2016deep",
            authors="Goodfellow, Bengio and Courville",
            title="Deep Learning (section 6.2.2.3, softmax units for multinoulli outputs)",
            year=2016,
            url="https://www.deeplearningbook.org",
        ),
        stability_note=(
            "The maximum m of each slice is subtracted before exponentiating, so every exponent "
            "is ≤ 0; its own term e^0 = 1 is left out of the sum and restored by log1p, so "
            "log(1 + tiny) keeps the tiny part; the Jacobian's diagonal 1 − s_i is the sum of "
            "the other probabilities. Infinite entries give the logarithms of softmax's limits."
        ),
    ),
)
