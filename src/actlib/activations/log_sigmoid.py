"""Log-sigmoid, log σ(x): the log-probability of the positive class of a binary classifier."""

from __future__ import annotations

import numpy as np
import sympy as sp

from actlib.numerics import exp_neg_abs, log1p_unit
from actlib.spec import Activation, Reference, TorchReference


def forward(x: np.ndarray) -> np.ndarray:
    r"""Logarithm of the logistic sigmoid.

    .. math::
        \log\sigma(x) = -\log\left(1 + e^{-x}\right) = -\operatorname{softplus}(-x)
        = \begin{cases} -\operatorname{log1p}(e^{-x}), & x \ge 0 \\
        x - \operatorname{log1p}(e^{x}), & x < 0 \end{cases}

    Computed as min(x, 0) − log1p(e^{−|x|}), the two branches of the right-hand side in one
    expression (:func:`actlib.numerics.log1p_unit`, vectorised): the exponential only ever
    sees a non-positive number, ``log1p`` keeps the
    tiny values for large positive x (log σ(40) ≈ −4.2e−18), and for very negative x the result
    is x itself to the last bit (log σ(−1000) = −1000), where the textbook ``log(1/(1 +
    exp(-x)))`` gives −inf.

    Args:
        x: the input, an array of real numbers.

    Returns:
        log σ(x) ≤ 0, an array shaped like ``x``.

    >>> forward(np.array([-1000.0, 0.0, 40.0]))
    array([-1.00000000e+03, -6.93147181e-01, -4.24835426e-18])

    See also: :func:`derivative`; ``torch.nn.functional.logsigmoid``; Goodfellow, Bengio and
    Courville (2016), section 6.2.2.2, https://www.deeplearningbook.org.
    """
    return np.minimum(x, 0) - log1p_unit(exp_neg_abs(x))


def derivative(x: np.ndarray) -> np.ndarray:
    r"""Derivative of the log-sigmoid.

    .. math::
        \frac{d}{dx}\log\sigma(x) = \frac{\sigma'(x)}{\sigma(x)} = 1 - \sigma(x) = \sigma(-x)

    Evaluated as σ(−x) (:func:`actlib.numerics.sigmoid_from` with e^{−|x|}), never as
    1 − σ(x), which cancels to 0 once σ(x) rounds to 1 (x > 37 in float64) although
    σ(−x) ≈ e^{−x} is still a normal number.

    Args:
        x: the input, an array of real numbers.

    Returns:
        σ(−x) ∈ (0, 1), an array shaped like ``x``.

    >>> derivative(np.array([-1000.0, 0.0, 40.0]))
    array([1.00000000e+00, 5.00000000e-01, 4.24835426e-18])
    """
    e = exp_neg_abs(x)
    return np.maximum(e, np.less_equal(x, 0)) / (1 + e)  # σ(−x), as in sigmoid_from


def _sympy(x):
    return -sp.log(1 + sp.exp(-x))


# --- DELIBERATELY NAIVE: the textbook formula, evaluated in the input's dtype. Kept only as
# the "before" of the numerical-stability comparison; the accuracy harness measures its failures.
def _naive_forward(x):
    return np.log(1 / (1 + np.exp(-x)))  # exp overflows for x < -709: log(0) = -inf


def _naive_derivative(x):
    return 1 - 1 / (1 + np.exp(-x))  # 1 - σ(x) cancels to 0 for x > 37 (float64)


#: The log-sigmoid spec, registered as ``"log_sigmoid"``.
SPECS = (
    Activation(
        name="log_sigmoid",
        title="Log-sigmoid",
        order=205,
        summary="The logarithm of the sigmoid: the log-probability of the positive class, "
        "computed without ever forming the probability.",
        sympy_expr=_sympy,
        numpy_forward=forward,
        numpy_derivative=derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.logsigmoid", module="torch.nn.LogSigmoid"
        ),
        naive_forward=_naive_forward,
        naive_derivative=_naive_derivative,
        roles=frozenset({"output"}),
        chapter="log_softmax",
        reference=Reference(
            key="goodfellow2016deep",
            authors="Goodfellow, Bengio and Courville",
            title="Deep Learning (section 6.2.2.2, sigmoid units for Bernoulli outputs)",
            year=2016,
            url="https://www.deeplearningbook.org",
        ),
        stability_note=(
            "scipy.special.log_expit computes −log1p(e^{−x}) for x ≥ 0 and x − log1p(e^{x}) "
            "for x < 0, so the exponential never overflows and log σ(−1000) = −1000 exactly; "
            "the derivative is σ(−x), which keeps its relative accuracy where 1 − σ(x) would "
            "round to zero."
        ),
    ),
)
