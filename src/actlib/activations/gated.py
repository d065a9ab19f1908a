r"""Gated linear units: GLU, ReGLU, GEGLU and SwiGLU.

Each function splits its input into two halves a (first) and b (second) along ``axis`` (see
:class:`~actlib.shapes.Gated`) and multiplies them entry by entry after passing one of them
through a gate:

* GLU, a·σ(b): the gate acts on the **second** half, as in ``torch.nn.functional.glu``
  (Dauphin et al. 2017);
* ReGLU, relu(a)·b; GEGLU, gelu(a)·b (exact, erf-based GELU); SwiGLU, swish_β(a)·b: the gate
  acts on the **first** half, as Shazeer (2020) writes them.

The gates are actlib's own elementwise activations (sigmoid, relu, gelu, swish), evaluated by
their specs: the same stable code, and the same limits at ±inf.

**Infinite inputs.** A finite half is held at its value and the output is the limit as the
infinite half (or both) goes to ±∞; where that limit does not exist the output is NaN.
Concretely, a product g·h whose factor g or h is infinite is

* 0 if the other factor is exactly 0 at its input (relu(a)·b for a ≤ 0 whatever b is; g·0);
* ±∞ with the sign of the exact product, if the other factor is not 0 (even where its value
  underflows: gelu(−40)·∞ = −∞, since gelu(−40) < 0);
* NaN if the other factor only tends to 0 as its own input goes to ±∞ (GLU at a = ∞,
  b = −∞: a·σ(b) with σ(b) → 0; GEGLU and SwiGLU at a = −∞, b = ±∞).

PyTorch multiplies the IEEE values instead, so it returns NaN wherever a 0 meets an ∞
(relu(0)·∞, gelu(−1000)·∞, glu(∞, −800) because σ(−800) underflows) and wherever its gate is
NaN itself (``silu(-inf)`` and ``gelu(-inf)`` are NaN in PyTorch, 0 here). NaN in either half
gives NaN in every output that depends on that entry.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from actlib.activations.gelu import _naive_derivative as _naive_gelu_derivative
from actlib.activations.gelu import _naive_forward as _naive_gelu
from actlib.activations.sigmoid import _naive_forward as _naive_sigmoid
from actlib.activations.swish import _naive_derivative as _naive_swish_derivative
from actlib.activations.swish import _naive_forward as _naive_swish
from actlib.registry import get
from actlib.shapes import Gated
from actlib.spec import Activation, Param, Reference, TorchReference


# ---------------------------------------------------------------------- shared pieces
def _elementwise(name: str, which: str, x: np.ndarray, **params: Any) -> np.ndarray:
    """A registered elementwise activation (or its derivative) on float64 ``x``.

    Infinite entries get the limits SymPy computes for that activation, as in its own
    ``forward`` and ``derivative``.
    """
    spec = get(name)
    return np.asarray(spec.shape.evaluate(spec, which, x, params), dtype=np.float64)


def gate_times(gate: np.ndarray, sign: np.ndarray, zero: Any, other: np.ndarray) -> np.ndarray:
    r"""The product of a gate and the other half, with the limits of the module's convention.

    .. math::
        g \cdot h = \begin{cases}
        \text{NaN}, & g \text{ or } h \text{ is NaN} \\
        0, & g \text{ or } h \text{ is infinite and the other factor is exactly } 0 \\
        \operatorname{sign}(g)\operatorname{sign}(h)\,\infty,
            & g \text{ or } h \text{ is infinite and the other is not } 0 \\
        \text{NaN}, & g \text{ or } h \text{ is infinite and the other only tends to } 0 \\
        g\,h \text{ (rounded)}, & \text{otherwise}
        \end{cases}

    A finite product beyond the largest float is rounded to ±inf (no warning).

    Args:
        gate: the gate's values g (its limits where its input is infinite).
        sign: the sign of the exact gate value: −1, 0 or 1; non-zero where the value
            underflowed to 0, and 0 where the gate only tends to 0 at an infinite input.
        zero: where the gate is exactly 0 (a boolean array, or a boolean for all entries).
        other: the other half h, the raw input (±inf included).

    Returns:
        g·h, an array of the broadcast shape.

    >>> gate_times(np.array([0.0, 0.0, 0.0, 2.0]), np.array([0.0, -1.0, 0.0, 1.0]),
    ...            np.array([True, False, False, False]), np.array([np.inf, np.inf, np.inf, 3.0]))
    array([  0., -inf,  nan,   6.])
    """
    infinite = np.isinf(gate) | np.isinf(other)
    with np.errstate(over="ignore"):  # a finite product beyond the largest float is ±inf
        product = np.where(infinite, 0.0, gate) * np.where(infinite, 0.0, other)
    s = sign * np.sign(other)
    limit = np.where(s != 0, np.copysign(np.inf, s), np.nan)
    limit = np.where(zero | (other == 0), 0.0, limit)
    out = np.where(infinite, limit, product)
    return np.where(np.isnan(gate) | np.isnan(other), np.nan, out)


def _sign_of_odd_gate(a: np.ndarray) -> np.ndarray:
    """Sign of gelu(a) or swish(a): that of a, but 0 at a = −∞ where the gate tends to 0."""
    return np.where(np.isneginf(a), 0.0, np.sign(a))


def _sign_of_slope(d: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Sign of gelu′(a) or swish′(a) from its computed value ``d``.

    The zero of either derivative is irrational, so no float input hits it; a computed 0 at a
    finite input is an underflow on the far left, where the exact slope is negative. At
    a = −∞ the slope only tends to 0.
    """
    return np.where(d != 0, np.sign(d), np.where(np.isfinite(a), -1.0, 0.0))


def _with_nan_of(value: np.ndarray, other: np.ndarray) -> np.ndarray:
    """``value`` with NaN wherever ``other`` is NaN (a NaN in either half spoils the entry)."""
    return np.where(np.isnan(other), np.nan, value)


# ---------------------------------------------------------------------- GLU
def glu_forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""Gated linear unit: the first half times the sigmoid of the second.

    .. math::
        \mathrm{glu}(a, b) = a\,\sigma(b) = \frac{a}{1 + e^{-b}}

    σ is actlib's sigmoid, which never overflows and keeps its subnormal values for b < −708.
    ``torch.nn.functional.glu(x, dim)`` computes exactly this on the halves of x.

    Args:
        a: the first half (the signal), an array of real numbers.
        b: the second half (the gate's input), shaped like ``a``.

    Returns:
        a·σ(b), shaped like ``a``.

    >>> glu_forward(np.array([2.0, 2.0, np.inf]), np.array([0.0, -800.0, -800.0]))
    array([ 1.,  0., inf])

    See also: :func:`glu_derivative`; Dauphin, Fan, Auli and Grangier (2017),
    https://arxiv.org/abs/1612.08083.
    """
    s = _elementwise("sigmoid", "forward", b)
    return gate_times(s, np.where(np.isneginf(b), 0.0, 1.0), False, a)


def glu_derivative(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of the gated linear unit with respect to both halves.

    .. math::
        \frac{\partial\,\mathrm{glu}}{\partial a} = \sigma(b), \qquad
        \frac{\partial\,\mathrm{glu}}{\partial b} = a\,\sigma(b)\,\sigma(-b)

    σ(b)σ(−b) is the sigmoid's own derivative, computed without the cancellation of
    σ(1 − σ).

    Args:
        a: the first half, an array of real numbers.
        b: the second half, shaped like ``a``.

    Returns:
        The pair (∂f/∂a, ∂f/∂b), each shaped like ``a``.

    >>> glu_derivative(np.array([1.0]), np.array([0.0]))
    (array([0.5]), array([0.25]))
    """
    s = _elementwise("sigmoid", "forward", b)
    ds = _elementwise("sigmoid", "derivative", b)
    da = _with_nan_of(s, a)
    db = gate_times(ds, np.where(np.isinf(b), 0.0, 1.0), False, a)
    return da, db


# ---------------------------------------------------------------------- ReGLU
def reglu_forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""ReGLU: the ReLU of the first half times the second half.

    .. math::
        \mathrm{reglu}(a, b) = \max(0, a)\,b
        = \begin{cases} a\,b, & a > 0 \\ 0, & a \le 0 \end{cases}

    For a ≤ 0 the output is 0 whatever b is, ±inf included (PyTorch's ``relu(a) * b`` gives
    NaN for 0·inf).

    Args:
        a: the first half (through the ReLU), an array of real numbers.
        b: the second half (linear), shaped like ``a``.

    Returns:
        relu(a)·b, shaped like ``a``.

    >>> reglu_forward(np.array([2.0, -1.0, 0.0]), np.array([3.0, 5.0, np.inf]))
    array([6., 0., 0.])

    See also: :func:`reglu_derivative`; Shazeer (2020), https://arxiv.org/abs/2002.05202.
    """
    r = _elementwise("relu", "forward", a)
    return gate_times(r, (a > 0).astype(np.float64), a <= 0, b)


def reglu_derivative(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of ReGLU with respect to both halves.

    .. math::
        \frac{\partial\,\mathrm{reglu}}{\partial a}
        = \begin{cases} b, & a > 0 \\ 0, & a \le 0 \end{cases}, \qquad
        \frac{\partial\,\mathrm{reglu}}{\partial b} = \max(0, a)

    At the kink a = 0 the value is relu′(0)·b = 0, as PyTorch's autograd returns.

    Args:
        a: the first half, an array of real numbers.
        b: the second half, shaped like ``a``.

    Returns:
        The pair (∂f/∂a, ∂f/∂b), each shaped like ``a``.

    >>> reglu_derivative(np.array([-1.0, 0.0, 2.0]), np.array([3.0, 3.0, 3.0]))
    (array([0., 0., 3.]), array([0., 0., 2.]))
    """
    step = _elementwise("relu", "derivative", a)
    r = _elementwise("relu", "forward", a)
    da = gate_times(step, (a > 0).astype(np.float64), a <= 0, b)
    return da, _with_nan_of(r, b)


# ---------------------------------------------------------------------- GEGLU
def geglu_forward(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    r"""GEGLU: the (exact) GELU of the first half times the second half.

    .. math::
        \mathrm{geglu}(a, b) = \mathrm{gelu}(a)\,b = a\,\Phi(a)\,b
        = \frac{a}{2}\operatorname{erfc}\!\left(-\frac{a}{\sqrt 2}\right) b

    GELU is actlib's, with erfc instead of the 1 + erf that cancels for a < −8.

    Args:
        a: the first half (through the GELU), an array of real numbers.
        b: the second half (linear), shaped like ``a``.

    Returns:
        gelu(a)·b, shaped like ``a``.

    >>> geglu_forward(np.array([0.0, -40.0, -np.inf]), np.array([np.inf, np.inf, 2.0]))
    array([  0., -inf,   0.])

    See also: :func:`geglu_derivative`; Shazeer (2020), https://arxiv.org/abs/2002.05202.
    """
    g = _elementwise("gelu", "forward", a)
    return gate_times(g, _sign_of_odd_gate(a), a == 0, b)


def geglu_derivative(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of GEGLU with respect to both halves.

    .. math::
        \frac{\partial\,\mathrm{geglu}}{\partial a} = \bigl(\Phi(a) + a\,\varphi(a)\bigr)\,b,
        \qquad \frac{\partial\,\mathrm{geglu}}{\partial b} = a\,\Phi(a)

    with φ the standard normal density.

    Args:
        a: the first half, an array of real numbers.
        b: the second half, shaped like ``a``.

    Returns:
        The pair (∂f/∂a, ∂f/∂b), each shaped like ``a``.

    >>> geglu_derivative(np.array([0.0]), np.array([2.0]))
    (array([1.]), array([0.]))
    """
    d = _elementwise("gelu", "derivative", a)
    g = _elementwise("gelu", "forward", a)
    da = gate_times(d, _sign_of_slope(d, a), False, b)
    return da, _with_nan_of(g, b)


# ---------------------------------------------------------------------- SwiGLU
def swiglu_forward(a: np.ndarray, b: np.ndarray, beta: float = 1.0) -> np.ndarray:
    r"""SwiGLU: the swish of the first half times the second half.

    .. math::
        \mathrm{swiglu}_\beta(a, b) = \mathrm{swish}_\beta(a)\,b = a\,\sigma(\beta a)\,b
        = \frac{a\,b}{1 + e^{-\beta a}}

    β = 1 (swish is then SiLU) is what LLaMA-style models use. Swish is actlib's, whose
    sigmoid keeps its subnormal values.

    Args:
        a: the first half (through the swish), an array of real numbers.
        b: the second half (linear), shaped like ``a``.
        beta: the swish's sharpness β > 0.

    Returns:
        swish_β(a)·b, shaped like ``a``.

    >>> swiglu_forward(np.array([0.0, 1000.0, -np.inf]), np.array([1.0, 2.0, 3.0]))
    array([   0., 2000.,    0.])

    See also: :func:`swiglu_derivative`; Shazeer (2020), https://arxiv.org/abs/2002.05202.
    """
    g = _elementwise("swish", "forward", a, beta=beta)
    return gate_times(g, _sign_of_odd_gate(a), a == 0, b)


def swiglu_derivative(
    a: np.ndarray, b: np.ndarray, beta: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    r"""Gradient of SwiGLU with respect to both halves.

    .. math::
        \frac{\partial\,\mathrm{swiglu}}{\partial a}
        = \sigma(\beta a)\bigl(1 + \beta a\,\sigma(-\beta a)\bigr)\,b, \qquad
        \frac{\partial\,\mathrm{swiglu}}{\partial b} = a\,\sigma(\beta a)

    Args:
        a: the first half, an array of real numbers.
        b: the second half, shaped like ``a``.
        beta: the swish's sharpness β > 0.

    Returns:
        The pair (∂f/∂a, ∂f/∂b), each shaped like ``a``.

    >>> swiglu_derivative(np.array([0.0]), np.array([2.0]))
    (array([1.]), array([0.]))
    """
    d = _elementwise("swish", "derivative", a, beta=beta)
    g = _elementwise("swish", "forward", a, beta=beta)
    da = gate_times(d, _sign_of_slope(d, a), False, b)
    return da, _with_nan_of(g, b)


# ---------------------------------------------------------------------- SymPy
def _sympy_glu(a, b):
    return a * get("sigmoid").sympy_expr(b)


def _sympy_reglu(a, b):
    return get("relu").sympy_expr(a) * b


def _sympy_geglu(a, b):
    return get("gelu").sympy_expr(a) * b


def _sympy_swiglu(a, b, beta):
    return get("swish").sympy_expr(a, beta=beta) * b


# ---------------------------------------------------------------------- PyTorch
def _halves(t, axis):
    """The halves of a tensor along ``axis`` (PyTorch's ``glu`` refuses an odd length too)."""
    if t.dim() == 0:
        raise ValueError("a gated activation needs a tensor with at least one dimension")
    n = t.shape[axis]
    if n % 2:
        raise ValueError(f"a gated activation splits dim {axis} into halves; got length {n}")
    return t.chunk(2, dim=axis)


# PyTorch has no ReGLU, GEGLU or SwiGLU: these are compositions of its own primitives.
def _torch_reglu(t, axis):
    import torch.nn.functional as F

    a, b = _halves(t, axis)
    return F.relu(a) * b


def _torch_geglu(t, axis):
    import torch.nn.functional as F

    a, b = _halves(t, axis)
    return F.gelu(a) * b


def _torch_swiglu(t, axis, beta):
    import torch
    import torch.nn.functional as F

    a, b = _halves(t, axis)
    if beta == 1.0:
        return F.silu(a) * b
    return a * torch.sigmoid(beta * a) * b


# --- DELIBERATELY NAIVE: the textbook formulas, evaluated in the input's dtype. Kept only as
# the "before" of the accuracy comparison; the accuracy harness measures their failures.
def _naive_glu(a, b):
    return a * _naive_sigmoid(b)  # exp(-b) overflows for b < -709 (float64)


def _naive_glu_derivative(a, b):
    s = _naive_sigmoid(b)
    return s, a * s * (1 - s)  # 1 - s rounds to 0 once s rounds to 1


def _naive_geglu(a, b):
    return _naive_gelu(a) * b  # 1 + erf cancels for a < -8


def _naive_geglu_derivative(a, b):
    return _naive_gelu_derivative(a) * b, _naive_gelu(a)


def _naive_swiglu(a, b, beta):
    return _naive_swish(a, beta) * b


def _naive_swiglu_derivative(a, b, beta):
    return _naive_swish_derivative(a, beta) * b, _naive_swish(a, beta)


_SHAZEER = Reference(
    key="shazeer2020glu",
    authors="Shazeer",
    title="GLU variants improve Transformer",
    year=2020,
    url="https://arxiv.org/abs/2002.05202",
)

_INFINITIES = (
    " Infinite inputs give the limit with the finite half held fixed (NaN only where no limit "
    "exists), where PyTorch's product returns NaN for every 0·∞."
)

#: The four gated specs, registered as ``"glu"``, ``"reglu"``, ``"geglu"`` and ``"swiglu"``.
SPECS = (
    Activation(
        name="glu",
        title="GLU",
        order=160,
        summary="The first half of the input, let through by the sigmoid of the second half.",
        sympy_expr=_sympy_glu,
        numpy_forward=glu_forward,
        numpy_derivative=glu_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.glu", module="torch.nn.GLU", keywords={"axis": "dim"}
        ),
        naive_forward=_naive_glu,
        naive_derivative=_naive_glu_derivative,
        shape=Gated(axis=-1, gated="second"),
        reference=Reference(
            key="dauphin2017language",
            authors="Dauphin, Fan, Auli and Grangier",
            title="Language modeling with gated convolutional networks",
            year=2017,
            url="https://arxiv.org/abs/1612.08083",
        ),
        chapter="gated",
        stability_note=(
            "σ(b) and σ′(b) = σ(b)σ(−b) are actlib's sigmoid and its derivative: no overflow, "
            "no cancellation, subnormal values kept." + _INFINITIES
        ),
    ),
    Activation(
        name="reglu",
        title="ReGLU",
        order=161,
        summary="The second half of the input, let through where the first half is positive.",
        sympy_expr=_sympy_reglu,
        numpy_forward=reglu_forward,
        numpy_derivative=reglu_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.relu(a) * b", call=_torch_reglu, composite=True
        ),
        shape=Gated(axis=-1, gated="first"),
        reference=_SHAZEER,
        kinks=(0.0,),
        kink_convention=(
            "∂f/∂a at a = 0 is relu′(0)·b = 0, as PyTorch's autograd returns for "
            "relu(a) * b; ∂f/∂b there is relu(0) = 0."
        ),
        chapter="gated",
        stability_note=(
            "relu(a)·b is exact up to one rounding; for a ≤ 0 the output is 0 even when b is "
            "infinite." + _INFINITIES
        ),
    ),
    Activation(
        name="geglu",
        title="GEGLU",
        order=162,
        summary="The second half of the input, scaled by the GELU of the first half.",
        sympy_expr=_sympy_geglu,
        numpy_forward=geglu_forward,
        numpy_derivative=geglu_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.gelu(a) * b", call=_torch_geglu, composite=True
        ),
        naive_forward=_naive_geglu,
        naive_derivative=_naive_geglu_derivative,
        shape=Gated(axis=-1, gated="first"),
        reference=_SHAZEER,
        chapter="gated",
        stability_note=(
            "The GELU is actlib's: a/2·erfc(−a/√2) instead of a/2·(1 + erf(a/√2)), which "
            "cancels for a < −8, and erfcx in the far tail of its derivative." + _INFINITIES
        ),
    ),
    Activation(
        name="swiglu",
        title="SwiGLU",
        order=163,
        summary="The second half of the input, scaled by the swish (SiLU) of the first half.",
        sympy_expr=_sympy_swiglu,
        numpy_forward=swiglu_forward,
        numpy_derivative=swiglu_derivative,
        torch_reference=TorchReference(
            "torch.nn.functional.silu(a) * b", call=_torch_swiglu, composite=True
        ),
        naive_forward=_naive_swiglu,
        naive_derivative=_naive_swiglu_derivative,
        common_params=({"beta": 0.5}, {"beta": 2.0}),
        parameters=(
            Param(
                "beta",
                1.0,
                "sharpness β of the swish on the first half; β = 1 is SiLU",
                low=0.0,
                low_open=True,
                slider=(0.1, 10.0, 0.1),
            ),
        ),
        shape=Gated(axis=-1, gated="first"),
        reference=_SHAZEER,
        chapter="gated",
        stability_note=(
            "The swish is actlib's: a·σ(βa) with a sigmoid that never overflows and keeps its "
            "subnormal values, so a·σ(βa) stays accurate down to βa = −745." + _INFINITIES
        ),
    ),
)
