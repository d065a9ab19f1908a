r"""Shapes: what differs between elementwise, normalizing and gated activations.

An activation's *shape* says how its input is laid out and what "the derivative" means:

* :class:`Elementwise` — f acts on each entry alone; the derivative is f′ entry by entry.
* :class:`Normalizing` — f maps a whole slice along ``axis`` to another (softmax); the
  derivative is the Jacobian of each slice.
* :class:`Gated` — the input is split along ``axis`` into two halves a and b and
  f(a, b) is computed entry by entry (GLU: a·σ(b), SwiGLU: swish(a)·b); the derivative is
  the gradient with respect to both halves, laid out like the input.

Every consumer (properties, verification, accuracy, plots, explorers, tables, benchmarks) asks
the spec's shape, never the activation's name. For the things that need one real variable
(properties, accuracy in units, plots), each shape offers a **slice**: a scalar function
``t ↦ f(…)`` of one input with the others held fixed, together with :meth:`Shape.embed`, which
builds the array input of that slice, and :meth:`Shape.pick_forward` /
:meth:`Shape.pick_derivative`, which read the slice's value and derivative back from the full
outputs.

>>> import numpy as np
>>> from actlib import get
>>> g = get("softmax").shape
>>> g.embed(np.array([0.0, 1.0])).tolist()
[[0.0, 0.0], [1.0, 0.0]]
>>> Gated(gated="second").slice_label("glu")
'glu(1, t)'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

from actlib.display.i18n import tr

if TYPE_CHECKING:  # pragma: no cover
    from actlib.spec import Activation, Param

#: The real variable every elementwise expression (and every slice) is written in.
X = sp.Symbol("x", real=True)
#: The first half of the input of a gated activation (the real symbol ``a``).
A = sp.Symbol("a", real=True)
#: The second half of the input of a gated activation (the real symbol ``b``).
B = sp.Symbol("b", real=True)


def _axis_param(default: int, description: str) -> Param:
    from actlib.spec import Param

    return Param("axis", default, description, kind="int")


def check_axis(x: np.ndarray, axis: int, *, what: str) -> int:
    """``axis`` as a non-negative index into ``x``'s dimensions; a clear error otherwise.

    Args:
        x: the input array.
        axis: the requested axis (negative counts from the end).
        what: the name of the operation, for the error message.

    Returns:
        The axis in ``range(x.ndim)``.

    Raises:
        ValueError: ``x`` is 0-d, or ``axis`` is outside ``[-x.ndim, x.ndim - 1]``.

    >>> check_axis(np.zeros((2, 3)), -1, what="softmax")
    1
    """
    if x.ndim == 0:
        raise ValueError(f"{what} needs an input with at least one axis, got a 0-d value")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(
            f"parameter 'axis' must be in [{-x.ndim}, {x.ndim - 1}] for a {x.ndim}-d input, "
            f"got {axis}"
        )
    return axis % x.ndim


#: Inputs smaller than this are not worth a probe. The probe compares the function at ±inf
#: with SymPy's limits, a tenth of a second or more for every new parameter value, to save one
#: reduction over the input, microseconds for an array of this size (an explorer's curve, a
#: test's handful of points). Large arrays (a benchmark's 10⁶ values) are probed once per
#: spec, quantity, dtype and parameter values.
PROBE_MIN_SIZE = 1 << 16


def _handles_infinity(
    spec: Activation, which: str, dtype: np.dtype, values: Mapping[str, Any]
) -> bool:
    """Whether the spec's NumPy function itself returns the limits at ±inf and NaN at NaN.

    Then :meth:`Elementwise.evaluate` can skip the search for infinities (one pass over the
    input). Random parameter values (RReLU in training) and per-channel arrays are never
    probed; the answer is cached per spec, quantity, dtype and parameter values.
    """
    if spec.is_random(values):
        return False
    try:
        key = tuple(sorted(values.items()))
        hash(key)
    except TypeError:  # a per-channel array
        return False
    return _probe_infinity(spec, which, dtype.name, key)


@lru_cache(maxsize=1024)
def _probe_infinity(spec: Activation, which: str, dtype: str, key: tuple) -> bool:
    """Evaluate the spec's function at −inf, +inf and NaN and compare with SymPy's limits.

    The probe runs with every floating-point warning but underflow turned into an error, so
    that a function that reaches the right value through inf − inf or inf·0 (with a warning)
    does not qualify.
    """
    values = dict(key)
    fn = spec.numpy_forward if which == "forward" else spec.numpy_derivative
    x = np.array([-np.inf, np.inf, np.nan], dtype=dtype)
    try:
        with np.errstate(all="raise", under="ignore"):
            out = np.asarray(fn(x, **values))
    except (FloatingPointError, ValueError, TypeError):
        return False
    lo, hi = spec.limits("forward" if which == "forward" else "derivative", **values)
    with np.errstate(over="ignore"):
        want = np.array([lo, hi], dtype=dtype)
    return (
        out.dtype == np.dtype(dtype)
        and out.shape == (3,)
        and bool(np.array_equal(out[:2], want))
        and bool(np.isnan(out[2]))
    )


def _in_dtype(values: Mapping[str, Any], dtype: np.dtype) -> dict[str, Any]:
    """``values`` with per-channel arrays cast to ``dtype`` (Python floats already follow the
    array's dtype in NumPy's arithmetic), so that nothing promotes float32 to float64."""
    return {
        k: v.astype(dtype) if isinstance(v, np.ndarray) and v.dtype != dtype else v
        for k, v in values.items()
    }


@dataclass(frozen=True)
class Sample:
    """Inputs on which an implementation is compared with the SymPy expression.

    ``points[i]`` holds the values of :meth:`Shape.symbols` for sample ``i``; ``array`` is the
    same data laid out as the NumPy input (``array[i]`` is sample ``i``); ``labels[i]`` names
    the sample in reports (in the reader's language); ``description`` says what the grid is, in
    English, and ``shown`` says the same in the reader's language (what reports show).

    >>> from actlib import get
    >>> sample = Normalizing().verify_sample(get("softmax"))
    >>> sample.points.shape, sample.labels[0]
    ((64, 5), 'row 0')
    """

    points: np.ndarray  #: One row per sample, one column per symbol.
    array: np.ndarray  #: The same samples as the NumPy input.
    labels: tuple[Any, ...]  #: How each sample is named in reports.
    description: str  #: What the grid is, in a few words (English).
    shown: str = ""  #: The description in the reader's language (:mod:`actlib.display.i18n`).


class Shape:
    """Base class: everything that differs between families of activations.

    Subclasses implement the symbolic side (:meth:`symbols`, :meth:`build`,
    :meth:`derivative_components`), the numerical side (:meth:`evaluate`), the slice
    (:meth:`slice_expr`, :meth:`embed`, :meth:`pick_forward`, :meth:`pick_derivative`) and
    their presentation (:meth:`slice_label`, :meth:`formula_latex`).

    >>> from actlib import get
    >>> get("relu").shape.family, get("softmax").shape.family
    ('elementwise', 'normalizing')
    """

    #: Name of the family, for messages and tables.
    family: str = ""
    #: Whether verification adds the conditioning allowance Σ|x_j ∂e/∂x_j| to each tolerance.
    conditioning: bool = True
    #: Whether the derivative equals autograd's gradient of Σ f (False for a Jacobian).
    derivative_is_gradient: bool = True
    #: The task of an output layer whose values lie in [0, 1].
    output_task: str = "binary"
    #: What the derivative is called in reports.
    derivative_name: str = "derivative"
    #: How the entries of the input interact, for error messages.
    coupling: str = "each output entry depends on its own input entry only"
    #: Whether f acts on every entry alone, so it can follow any layer of any width (an MLP's
    #: hidden layer, a convolution). Gated and normalizing activations cannot.
    entrywise: bool = False

    # ------------------------------------------------------------------ parameters
    def parameters(self) -> tuple[Param, ...]:
        """Parameters the shape adds to the spec's own (an ``axis``), in signature order.

        Returns:
            A tuple of :class:`~actlib.spec.Param`; empty for elementwise activations.

        >>> [p.name for p in Normalizing().parameters()]
        ['axis']
        """
        return ()

    # ------------------------------------------------------------------ symbolic side
    def symbols(self, n: int = 3) -> tuple[sp.Symbol, ...]:
        """The SymPy variables of the expression.

        Args:
            n: the vector length of a normalizing activation (ignored otherwise).

        Returns:
            ``(x,)`` for elementwise, ``(x_0, ..., x_{n-1})`` for normalizing, ``(a, b)`` for
            gated activations.

        >>> Elementwise().symbols(), Normalizing().symbols(2), Gated().symbols()
        ((x,), (x_0, x_1), (a, b))
        """
        raise NotImplementedError

    def build(self, sympy_expr: Callable[..., Any], pvals: Mapping[str, Any], n: int = 3) -> Any:
        """Call the spec's expression builder on :meth:`symbols` and the parameter values.

        Args:
            sympy_expr: the spec's builder (its ``sympy_expr`` field).
            pvals: the parameter values (or symbols) by name.
            n: the vector length of a normalizing activation (ignored otherwise).

        Returns:
            The expression (a ``sympy.Matrix`` for normalizing activations).

        >>> Elementwise().build(lambda x, alpha: alpha * x, {"alpha": 2})
        2*x
        """
        raise NotImplementedError

    def derivative(self, f: Any, n: int = 3) -> Any:
        """The derivative as SymPy: f′, the Jacobian matrix, or the gradient (∂f/∂a, ∂f/∂b).

        Args:
            f: the expression :meth:`build` returned.
            n: the vector length of a normalizing activation (ignored otherwise).

        Returns:
            f′ for elementwise, the n × n Jacobian for normalizing, the column
            (∂f/∂a, ∂f/∂b) for gated activations.

        >>> Gated().derivative(A * B).T
        Matrix([[b, a]])
        """
        raise NotImplementedError

    def forward_components(self, f: Any) -> list[sp.Expr]:
        """The entries of f, flattened in the order of the NumPy output of one sample.

        Args:
            f: the expression :meth:`build` returned.

        Returns:
            A list of scalar SymPy expressions.

        >>> Normalizing().forward_components(sp.Matrix([X, 2 * X]))
        [x, 2*x]
        """
        return list(f) if isinstance(f, sp.MatrixBase) else [f]

    def derivative_components(self, f: Any, n: int = 3) -> list[sp.Expr]:
        """The entries of the derivative, flattened like the NumPy derivative of one sample.

        Args:
            f: the expression :meth:`build` returned.
            n: the vector length of a normalizing activation (ignored otherwise).

        Returns:
            A list of scalar SymPy expressions.

        >>> Gated().derivative_components(A * B)
        [b, a]
        """
        d = self.derivative(f, n)
        return list(d) if isinstance(d, sp.MatrixBase) else [d]

    # ------------------------------------------------------------------ numerical side
    def apply(
        self,
        forward: Callable[..., Any],
        derivative: Callable[..., Any],
        which: str,
        arr: np.ndarray,
        values: Mapping[str, Any],
    ) -> np.ndarray:
        """Call a pair of NumPy functions laid out as this family's specs write them.

        Used for the spec's stable functions and for its naive textbook formulas alike.

        Args:
            forward: the NumPy forward, in the family's signature.
            derivative: the NumPy derivative, in the family's signature.
            which: ``"forward"`` or ``"derivative"``.
            arr: the float64 input.
            values: validated parameter values.

        Returns:
            The output of the chosen function, laid out like the spec's ``forward`` and
            ``derivative`` return it.

        Raises:
            ValueError: the input does not fit the family (a bad ``axis``, an odd length to
                split into halves).

        >>> Elementwise().apply(np.negative, np.sign, "forward", np.array([1.0, -2.0]), {})
        array([-1.,  2.])
        """
        fn = forward if which == "forward" else derivative
        return fn(arr, **values)

    def evaluate(
        self, spec: Activation, which: str, arr: np.ndarray, values: dict[str, Any]
    ) -> np.ndarray:
        """Run the spec's NumPy ``forward`` or ``derivative`` on a float array.

        The base class computes in float64 (the input is converted if it is float32);
        :class:`Elementwise` computes float32 input in float32.

        Args:
            spec: the activation.
            which: ``"forward"`` or ``"derivative"``.
            arr: the float32 or float64 input.
            values: validated parameter values.

        Returns:
            The output (elementwise shapes replace infinite inputs by the limits).

        >>> from actlib import get
        >>> relu = get("relu")
        >>> relu.shape.evaluate(relu, "forward", np.array([-np.inf, 2.0]), {})
        array([0., 2.])
        """
        arr = arr.astype(np.float64, copy=False)
        return self.apply(spec.numpy_forward, spec.numpy_derivative, which, arr, values)

    def verify_sample(self, spec: Activation) -> Sample:
        """The inputs :func:`~actlib.checks.verification.verify` compares on.

        Args:
            spec: the activation (its kinks join the grid).

        Returns:
            A :class:`Sample`.

        >>> from actlib import get
        >>> Elementwise().verify_sample(get("relu")).description
        '805 points on [−20, 20] incl. 0, ±1e−8, ±1e−300 and kinks'
        """
        raise NotImplementedError

    def torch_derivative(self, fn: Callable[[Any], Any], t: Any) -> Any:
        """The derivative PyTorch's autograd gives for ``fn`` at ``t``, laid out as ours.

        Args:
            fn: a function from tensors to tensors (PyTorch's implementation).
            t: the input tensor.

        Returns:
            The gradient of ``fn(t).sum()`` (the Jacobian of each slice for normalizing
            activations).

        >>> import torch
        >>> Elementwise().torch_derivative(torch.relu, torch.tensor([-1.0, 0.0, 2.0]))
        tensor([0., 0., 1.])
        """
        import torch

        t = t.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(fn(t).sum(), t)
        return g

    # ------------------------------------------------------------------ the slice
    def slice_expr(self, spec: Activation, pvals: Mapping[str, Any]) -> sp.Expr:
        """The scalar function of :data:`X` used for properties, accuracy and plots.

        Args:
            spec: the activation.
            pvals: SymPy parameter values (see :meth:`~actlib.spec.Activation.symbolic_params`).

        Returns:
            A SymPy expression in ``x``.

        >>> from actlib import get
        >>> Elementwise().slice_expr(get("elu"), {"alpha": 2})
        Piecewise((x, x > 0), (2*exp(x) - 2, True))
        """
        raise NotImplementedError

    def slice_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Parameter values for evaluating :meth:`embed`'s array (an ``axis`` becomes −1).

        Args:
            values: parameter values by name.

        Returns:
            A copy of ``values`` with any ``axis`` set to −1.

        >>> Normalizing().slice_params({"axis": 0})
        {'axis': -1}
        """
        out = dict(values)
        if "axis" in out:
            out["axis"] = -1
        return out

    def embed(self, t: Any) -> Any:
        """The input array (NumPy or torch) whose outputs contain the slice at ``t``.

        Args:
            t: the points of the slice, a NumPy array or a tensor.

        Returns:
            ``t`` itself for elementwise shapes; ``[t, 0]`` (normalizing) or the halves with
            the other one at 1 (gated) stacked along a new last axis.

        >>> Normalizing().embed(np.array([1.0, 2.0])).tolist()
        [[1.0, 0.0], [2.0, 0.0]]
        """
        return t

    def pick_forward(self, y: Any) -> Any:
        """The slice's values, read from the forward output for :meth:`embed` ``(t)``.

        Args:
            y: the forward output for the embedded input.

        Returns:
            The values of the slice, shaped like ``t``.

        >>> Normalizing().pick_forward(np.array([[0.7, 0.3]]))
        array([0.7])
        """
        return y

    def pick_derivative(self, d: Any) -> Any:
        """The slice's derivative, read from the derivative output for :meth:`embed` ``(t)``.

        Args:
            d: the derivative output for the embedded input.

        Returns:
            The derivative of the slice, shaped like ``t``.

        >>> Normalizing().pick_derivative(np.array([[[0.25, -0.25], [-0.25, 0.25]]]))
        array([0.25])
        """
        return d

    def slice_label(self, name: str) -> str:
        """How the slice is written in legends and captions.

        Args:
            name: the activation's name.

        Returns:
            The name itself for elementwise shapes, e.g. ``softmax([t, 0])₀`` otherwise.

        >>> Normalizing().slice_label("softmax")
        'softmax([t, 0])₀'
        """
        return name

    def slice_caption(self, name: str) -> str:
        """A phrase for captions of tables and figures computed on the slice.

        Args:
            name: the activation's name.

        Returns:
            The phrase, or ``""`` for elementwise shapes (no slice to explain).

        >>> Normalizing().slice_caption("softmax")
        'on the two-entry slice softmax([t, 0])₀'
        """
        return ""

    # ------------------------------------------------------------------ presentation
    def formula_latex(self, spec: Activation, symbolic: bool, params: Mapping[str, Any]) -> str:
        """LaTeX of the definition and its derivative, as the chapters display them.

        Args:
            spec: the activation.
            symbolic: keep the parameters as symbols (when no values are given).
            params: parameter values to substitute.

        Returns:
            The LaTeX source of one display line.

        >>> from actlib import get
        >>> print(Elementwise().formula_latex(get("identity"), True, {}))
        f(x) = x\\qquad f'(x) = 1
        """
        raise NotImplementedError

    def explorer(self, spec: Activation, **params: Any) -> Any:
        """The interactive figure that shows this family (see :mod:`actlib.display.explorer`).

        Args:
            spec: the activation.
            **params: initial parameter values.

        Returns:
            An :class:`~actlib.display.explorer.Explorer` (a
            :class:`~actlib.display.explorer.NormalizingExplorer` for normalizing activations).

        >>> from actlib import get
        >>> type(get("relu").shape.explorer(get("relu"))).__name__
        'Explorer'
        """
        from actlib.display.explorer import Explorer

        return Explorer(spec, **params)

    def bench_input(self, x: np.ndarray) -> np.ndarray:
        """The benchmark input made from a flat array of values.

        Args:
            x: a flat float array.

        Returns:
            ``x`` laid out as the family's input (rows of slices or of pairs of halves).

        >>> Normalizing().bench_input(np.arange(25.0)).shape
        (2, 10)
        """
        return x

    def require_elementwise(self, spec: Activation, purpose: str) -> None:
        """Raise a clear ``ValueError`` unless the activation acts entry by entry.

        Args:
            spec: the activation.
            purpose: what needs the activation, e.g. "a hidden layer", for the message.

        Raises:
            ValueError: the shape is not :attr:`entrywise`.

        >>> from actlib import get
        >>> get("relu").shape.require_elementwise(get("relu"), "a hidden layer")
        """
        if self.entrywise:
            return
        raise ValueError(
            f"{purpose} needs an elementwise activation; {spec.name!r} is {self.family}: "
            f"{self.coupling}"
        )


@dataclass(frozen=True)
class Elementwise(Shape):
    """f acts on every entry alone; any input shape; the derivative is f′ entry by entry.

    Infinite inputs never reach the spec's NumPy code: they are replaced by the limits of f (or
    f′) at ±∞, which SymPy computes from the expression.

    >>> from actlib import get
    >>> Elementwise().slice_expr(get("tanh"), {})
    tanh(x)
    """

    family = "elementwise"
    entrywise = True

    def symbols(self, n: int = 3) -> tuple[sp.Symbol, ...]:
        return (X,)

    def build(self, sympy_expr, pvals, n=3):
        return sympy_expr(X, **pvals)

    def derivative(self, f, n=3):
        return sp.diff(f, X)

    def evaluate(self, spec, which, arr, values):
        # float32 is computed in float32: every elementwise implementation is written for the
        # dtype of its input, and the accuracy harness holds both dtypes to the same goal.
        fn = spec.numpy_forward if which == "forward" else spec.numpy_derivative
        typed = _in_dtype(values, arr.dtype)
        if arr.size >= PROBE_MIN_SIZE and _handles_infinity(spec, which, arr.dtype, values):
            return fn(arr, **typed)  # ±inf give the limits already: no pass over the input
        # A finite sum proves there is no infinity (nor NaN) at the cost of one reduction;
        # only otherwise is the elementwise test needed.
        with np.errstate(over="ignore", invalid="ignore"):  # the sum itself may overflow
            total = np.add.reduce(arr, axis=None)
        if np.isfinite(total):
            return fn(arr, **typed)
        inf = np.isinf(arr)
        if not inf.any():
            return fn(arr, **typed)
        out = np.array(fn(np.where(inf, arr.dtype.type(0), arr), **typed), dtype=arr.dtype)
        lo, hi = spec.limits(which, **values)
        with np.errstate(over="ignore"):  # a limit beyond the dtype's range rounds to ±inf
            out[inf & (arr < 0)] = lo
            out[inf & (arr > 0)] = hi
        return out

    def verify_sample(self, spec):
        extra = [0.0, 1e-8, -1e-8, 1e-300, -1e-300, *spec.kinks]
        xs = np.unique(np.concatenate([np.linspace(-20.0, 20.0, 801), extra]))
        return Sample(
            xs[:, None],
            xs,
            tuple(float(v) for v in xs),
            f"{len(xs)} points on [−20, 20] incl. 0, ±1e−8, ±1e−300 and kinks",
            tr("{n} points on [−20, 20] incl. 0, ±1e−8, ±1e−300 and kinks").format(n=len(xs)),
        )

    def slice_expr(self, spec, pvals):
        return spec.sympy_expr(X, **pvals)

    def formula_latex(self, spec, symbolic, params):
        from actlib.spec import decimal_constants  # spec imports this module

        f = decimal_constants(spec.expr(symbolic=symbolic and not params, **params))
        d = sp.simplify(sp.diff(f, X))
        return r"f(x) = " + spec.to_latex(f) + r"\qquad f'(x) = " + spec.to_latex(d)


@dataclass(frozen=True)
class Normalizing(Shape):
    """f maps each slice along ``axis`` to a slice of the same length (softmax, log-softmax).

    The derivative of a slice of length n is its n × n Jacobian J_ij = ∂f_i/∂x_j: the NumPy
    derivative returns shape ``batch + (n, n)`` with the normalized axis removed from the batch
    shape. The slice used for properties and plots is the two-entry case
    ``t ↦ f([t, 0])₀``.

    >>> from actlib import get
    >>> Normalizing().slice_expr(get("softmax"), {})
    exp(x)/(exp(x) + 1)
    """

    #: The default axis of the slices (the spec's ``axis`` parameter starts here).
    axis: int = -1
    #: Length of the vectors verification draws.
    verify_length: int = 5

    family = "normalizing"
    conditioning = False
    derivative_is_gradient = False
    output_task = "multiclass"
    derivative_name = "Jacobian"
    coupling = "each output entry depends on the whole slice along its axis"

    def parameters(self):
        return (_axis_param(self.axis, "axis along which each slice is normalized"),)

    def symbols(self, n=3):
        return tuple(sp.symbols(f"x_0:{n}", real=True))

    def build(self, sympy_expr, pvals, n=3):
        return sympy_expr(sp.Matrix(self.symbols(n)), **pvals)

    def derivative(self, f, n=3):
        return f.jacobian(sp.Matrix(self.symbols(n)))

    def apply(self, forward, derivative, which, arr, values):
        check_axis(arr, values.get("axis", self.axis), what="a normalizing activation")
        return super().apply(forward, derivative, which, arr, values)

    def verify_sample(self, spec):
        n, m = self.verify_length, 64
        rng = np.random.default_rng(20240601)
        logits = rng.normal(scale=5.0, size=(m, n))
        logits[0, :5] = [1000.0, 999.0, 0.0, -1000.0, 3.0]  # what the max-shift exists for
        return Sample(
            logits,
            logits,
            tuple(tr("row {i}").format(i=i) for i in range(m)),
            f"{m} seeded random vectors of length {n}, one with entries ±1000",
            tr("{m} seeded random vectors of length {n}, one with entries ±1000").format(m=m, n=n),
        )

    def torch_derivative(self, fn, t):
        import torch

        return torch.func.vmap(torch.func.jacrev(fn))(t.detach())

    def slice_expr(self, spec, pvals):
        return spec.sympy_expr(sp.Matrix([X, 0]), **pvals)[0]

    def embed(self, t):
        if isinstance(t, np.ndarray):
            return np.stack([t, np.zeros_like(t)], axis=-1)
        import torch

        return torch.stack([t, torch.zeros_like(t)], dim=-1)

    def pick_forward(self, y):
        return y[..., 0]

    def pick_derivative(self, d):
        return d[..., 0, 0]

    def slice_label(self, name):
        return f"{name}([t, 0])₀"

    def slice_caption(self, name):
        return tr("on the two-entry slice {label}").format(label=self.slice_label(name))

    def formula_latex(self, spec, symbolic, params):
        n = 3
        f = spec.expr(n=n, **params)
        j = self.derivative(f, n)
        name = spec.to_latex(sp.Function(spec.name)(sp.Symbol("x")))
        return name + " = " + spec.to_latex(f) + r",\qquad J = " + spec.to_latex(sp.simplify(j))

    def explorer(self, spec, **params):
        from actlib.display.explorer import NormalizingExplorer

        return NormalizingExplorer(spec, **params)

    #: Entries per slice in the speed benchmark.
    bench_width = 10

    def bench_input(self, x):
        w = self.bench_width
        return x[: x.size - x.size % w].reshape(-1, w)


@dataclass(frozen=True)
class Gated(Shape):
    """The input is split along ``axis`` into halves a (first) and b (second); f(a, b) entrywise.

    ``gated`` names the half that goes through the nonlinearity: ``"second"`` for GLU's
    a·σ(b) (PyTorch's ``glu``), ``"first"`` for ReGLU, GEGLU and SwiGLU's g(a)·b. The output
    has half the length of the input along ``axis``. The derivative is the gradient of
    Σ f(a, b) with respect to the input — (∂f/∂a, ∂f/∂b) joined along ``axis`` — which is what
    autograd returns. The slice for properties and plots varies the gated half and holds the
    other at 1.

    The spec's NumPy functions take the halves: ``forward(a, b, **params)`` and
    ``derivative(a, b, **params) -> (∂f/∂a, ∂f/∂b)``; its SymPy builder ``(a, b, **params)``.

    >>> Gated(gated="second").embed(np.array([2.0])).tolist()
    [[1.0, 2.0]]
    """

    #: The default axis split into halves (the spec's ``axis`` parameter starts here).
    axis: int = -1
    #: The half that goes through the nonlinearity, ``"first"`` (a) or ``"second"`` (b).
    gated: Literal["first", "second"] = "first"

    family = "gated"
    derivative_name = "gradient (∂f/∂a, ∂f/∂b)"
    coupling = "each output entry multiplies one entry of each half of the input"

    def __post_init__(self) -> None:
        if self.gated not in ("first", "second"):
            raise ValueError(f"gated must be 'first' or 'second', got {self.gated!r}")

    @property
    def _index(self) -> int:
        return 0 if self.gated == "first" else 1

    def parameters(self):
        return (_axis_param(self.axis, "axis split into the halves a (first) and b (second)"),)

    def symbols(self, n=3):
        return (A, B)

    def build(self, sympy_expr, pvals, n=3):
        return sympy_expr(A, B, **pvals)

    def derivative(self, f, n=3):
        return sp.Matrix([sp.diff(f, A), sp.diff(f, B)])

    def split(self, arr: np.ndarray, axis: int, what: str) -> tuple[np.ndarray, np.ndarray]:
        """The halves (a, b) of ``arr`` along ``axis``.

        Args:
            arr: the input array.
            axis: the axis to split (negative counts from the end).
            what: the name of the operation, for error messages.

        Returns:
            The first and the second half, as views of ``arr``.

        Raises:
            ValueError: a bad axis, or an odd length along it.

        >>> Gated().split(np.arange(4.0), -1, "glu")
        (array([0., 1.]), array([2., 3.]))
        """
        ax = check_axis(arr, axis, what=what)
        size = arr.shape[ax]
        if size % 2:
            raise ValueError(
                f"{what} splits axis {axis} into two halves, so its length must be even; got {size}"
            )
        a, b = np.split(arr, 2, axis=ax)
        return a, b

    def apply(self, forward, derivative, which, arr, values):
        own = {k: v for k, v in values.items() if k != "axis"}
        axis = values.get("axis", self.axis)
        a, b = self.split(arr, axis, "a gated activation")
        if which == "forward":
            return forward(a, b, **own)
        da, db = derivative(a, b, **own)
        return np.concatenate([da, db], axis=axis)

    def verify_sample(self, spec):
        extra = [0.0, 1e-8, -1e-8, *spec.kinks]
        gated = np.unique(np.concatenate([np.linspace(-20.0, 20.0, 161), extra]))
        other = np.array([-3.0, -0.5, 0.0, 1.0, 2.5])
        g, o = (v.ravel() for v in np.meshgrid(gated, other, indexing="ij"))
        pts = np.stack([g, o] if self.gated == "first" else [o, g], axis=-1)
        return Sample(
            pts,
            pts,
            tuple(f"(a, b) = ({p[0]:.4g}, {p[1]:.4g})" for p in pts),
            f"{len(pts)} pairs: the {self.gated} half on {len(gated)} points of [−20, 20] "
            f"(incl. 0, ±1e−8 and kinks), the other half in {other.tolist()}",
            {
                "first": tr(
                    "{n} pairs: the first half on {k} points of [−20, 20] (incl. 0, ±1e−8 and "
                    "kinks), the other half in {other}"
                ),
                "second": tr(
                    "{n} pairs: the second half on {k} points of [−20, 20] (incl. 0, ±1e−8 and "
                    "kinks), the other half in {other}"
                ),
            }[self.gated].format(n=len(pts), k=len(gated), other=other.tolist()),
        )

    def slice_expr(self, spec, pvals):
        f = self.build(spec.sympy_expr, pvals)
        g, o = (A, B) if self.gated == "first" else (B, A)
        return f.subs({g: X, o: 1})

    def embed(self, t):
        if isinstance(t, np.ndarray):
            one = np.ones_like(t)
            return np.stack([t, one] if self.gated == "first" else [one, t], axis=-1)
        import torch

        one = torch.ones_like(t)
        return torch.stack([t, one] if self.gated == "first" else [one, t], dim=-1)

    def pick_forward(self, y):
        return y[..., 0]

    def pick_derivative(self, d):
        return d[..., self._index]

    def slice_label(self, name):
        return f"{name}(t, 1)" if self.gated == "first" else f"{name}(1, t)"

    def slice_caption(self, name):
        other = "b" if self.gated == "first" else "a"
        return tr("on the slice {label} (gated half t, {other} = 1)").format(
            label=self.slice_label(name), other=other
        )

    def formula_latex(self, spec, symbolic, params):
        f = spec.expr(symbolic=symbolic and not params, **params)
        da, db = (sp.simplify(e) for e in self.derivative(f))
        return (
            r"f(a, b) = "
            + spec.to_latex(f)
            + r",\qquad \frac{\partial f}{\partial a} = "
            + spec.to_latex(da)
            + r",\qquad \frac{\partial f}{\partial b} = "
            + spec.to_latex(db)
        )

    def bench_input(self, x):
        return x[: x.size - x.size % 2].reshape(-1, 2)


def flatten_outputs(out: np.ndarray, samples: int) -> np.ndarray:
    """NumPy outputs for ``samples`` samples as a ``(samples, components)`` float64 array.

    Args:
        out: the output for a batch of samples (``out[i]`` belongs to sample ``i``).
        samples: the number of samples.

    Returns:
        A float64 array with one row per sample.

    >>> flatten_outputs(np.zeros((4, 2, 2)), 4).shape
    (4, 4)
    """
    return np.asarray(out, dtype=np.float64).reshape(samples, -1)


#: The names ``from actlib.shapes import *`` brings in.
__all__: Sequence[str] = (
    "A",
    "B",
    "X",
    "Elementwise",
    "Gated",
    "Normalizing",
    "Sample",
    "Shape",
    "check_axis",
)
