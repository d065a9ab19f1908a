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
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import sympy as sp

if TYPE_CHECKING:  # pragma: no cover
    from actlib.spec import Activation, Param

#: The real variable every elementwise expression (and every slice) is written in.
X = sp.Symbol("x", real=True)
#: The two halves of a gated activation.
A, B = sp.symbols("a b", real=True)


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


@dataclass(frozen=True)
class Sample:
    """Inputs on which an implementation is compared with the SymPy expression.

    ``points[i]`` holds the values of :meth:`Shape.symbols` for sample ``i``; ``array`` is the
    same data laid out as the NumPy input (``array[i]`` is sample ``i``); ``labels[i]`` names
    the sample in reports; ``description`` says what the grid is.
    """

    points: np.ndarray
    array: np.ndarray
    labels: tuple[Any, ...]
    description: str


class Shape:
    """Base class: everything that differs between families of activations.

    Subclasses implement the symbolic side (:meth:`symbols`, :meth:`build`,
    :meth:`derivative_components`), the numerical side (:meth:`evaluate`), the slice
    (:meth:`slice_expr`, :meth:`embed`, :meth:`pick_forward`, :meth:`pick_derivative`) and
    their presentation (:meth:`slice_label`, :meth:`formula_latex`).
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
        """Parameters the shape adds to the spec's own (an ``axis``), in signature order."""
        return ()

    # ------------------------------------------------------------------ symbolic side
    def symbols(self, n: int = 3) -> tuple[sp.Symbol, ...]:
        """The SymPy variables of the expression (``n`` is the vector length, if any)."""
        raise NotImplementedError

    def build(self, sympy_expr: Callable[..., Any], pvals: Mapping[str, Any], n: int = 3) -> Any:
        """Call the spec's expression builder on :meth:`symbols` and the parameter values."""
        raise NotImplementedError

    def derivative(self, f: Any, n: int = 3) -> Any:
        """The derivative as SymPy: f′, the Jacobian matrix, or the gradient (∂f/∂a, ∂f/∂b)."""
        raise NotImplementedError

    def forward_components(self, f: Any) -> list[sp.Expr]:
        """The entries of f, flattened in the order of the NumPy output of one sample."""
        return list(f) if isinstance(f, sp.MatrixBase) else [f]

    def derivative_components(self, f: Any, n: int = 3) -> list[sp.Expr]:
        """The entries of the derivative, flattened like the NumPy derivative of one sample."""
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
        """
        fn = forward if which == "forward" else derivative
        return fn(arr, **values)

    def evaluate(
        self, spec: Activation, which: str, arr: np.ndarray, values: dict[str, Any]
    ) -> np.ndarray:
        """Run the spec's NumPy ``forward`` or ``derivative`` on a float64 array."""
        return self.apply(spec.numpy_forward, spec.numpy_derivative, which, arr, values)

    def verify_sample(self, spec: Activation) -> Sample:
        """The inputs :func:`actlib.verify` compares on."""
        raise NotImplementedError

    def torch_derivative(self, fn: Callable[[Any], Any], t: Any) -> Any:
        """The derivative PyTorch's autograd gives for ``fn`` at ``t``, laid out as ours."""
        import torch

        t = t.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(fn(t).sum(), t)
        return g

    # ------------------------------------------------------------------ the slice
    def slice_expr(self, spec: Activation, pvals: Mapping[str, Any]) -> sp.Expr:
        """The scalar function of :data:`X` used for properties, accuracy and plots."""
        raise NotImplementedError

    def slice_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Parameter values for evaluating :meth:`embed`'s array (an ``axis`` becomes −1)."""
        out = dict(values)
        if "axis" in out:
            out["axis"] = -1
        return out

    def embed(self, t: Any) -> Any:
        """The input array (NumPy or torch) whose outputs contain the slice at ``t``."""
        return t

    def pick_forward(self, y: Any) -> Any:
        """The slice's values, read from the forward output for :meth:`embed` ``(t)``."""
        return y

    def pick_derivative(self, d: Any) -> Any:
        """The slice's derivative, read from the derivative output for :meth:`embed` ``(t)``."""
        return d

    def slice_label(self, name: str) -> str:
        """How the slice is written in legends and captions."""
        return name

    def slice_caption(self, name: str) -> str:
        """A phrase for captions of tables and figures computed on the slice ('' if none)."""
        return ""

    # ------------------------------------------------------------------ presentation
    def formula_latex(self, spec: Activation, symbolic: bool, params: Mapping[str, Any]) -> str:
        """LaTeX of the definition and its derivative, as the chapters display them."""
        raise NotImplementedError

    def explorer(self, spec: Activation, **params: Any) -> Any:
        """The interactive figure that shows this family (see :mod:`actlib.display.explorer`)."""
        from actlib.display.explorer import Explorer

        return Explorer(spec, **params)

    def bench_input(self, x: np.ndarray) -> np.ndarray:
        """The benchmark input made from a flat array of values."""
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
        fn = spec.numpy_forward if which == "forward" else spec.numpy_derivative
        # A finite sum proves there is no infinity (nor NaN) at the cost of one reduction;
        # only otherwise is the elementwise test needed.
        with np.errstate(over="ignore", invalid="ignore"):  # the sum itself may overflow
            total = np.add.reduce(arr, axis=None)
        if np.isfinite(total):
            return fn(arr, **values)
        inf = np.isinf(arr)
        if not inf.any():
            return fn(arr, **values)
        out = np.asarray(fn(np.where(inf, 0.0, arr), **values), dtype=np.float64).copy()
        lo, hi = spec.limits(which, **values)
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
        )

    def slice_expr(self, spec, pvals):
        return spec.sympy_expr(X, **pvals)

    def formula_latex(self, spec, symbolic, params):
        f = spec.expr(symbolic=symbolic and not params, **params)
        d = sp.simplify(sp.diff(f, X))
        return r"f(x) = " + spec.to_latex(f) + r"\qquad f'(x) = " + spec.to_latex(d)


@dataclass(frozen=True)
class Normalizing(Shape):
    """f maps each slice along ``axis`` to a slice of the same length (softmax, log-softmax).

    The derivative of a slice of length n is its n × n Jacobian J_ij = ∂f_i/∂x_j: the NumPy
    derivative returns shape ``batch + (n, n)`` with the normalized axis removed from the batch
    shape. The slice used for properties and plots is the two-entry case
    ``t ↦ f([t, 0])₀``.
    """

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
            tuple(f"row {i}" for i in range(m)),
            f"{m} seeded random vectors of length {n}, one with entries ±1000",
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
        return f"on the two-entry slice {self.slice_label(name)}"

    def formula_latex(self, spec, symbolic, params):
        n = 3
        f = spec.expr(n=n, **params)
        j = self.derivative(f, n)
        name = spec.to_latex(sp.Function(spec.name)(sp.Symbol("x")))
        return name + " = " + spec.to_latex(f) + r",\qquad J = " + spec.to_latex(sp.simplify(j))

    def explorer(self, spec, **params):
        from actlib.display.explorer import SoftmaxExplorer

        return SoftmaxExplorer(spec, **params)

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
    """

    axis: int = -1
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
        """The halves (a, b) of ``arr`` along ``axis``; ValueError for an odd length."""
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
        return f"on the slice {self.slice_label(name)} (gated half t, {other} = 1)"

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
    """NumPy outputs for ``samples`` samples as a ``(samples, components)`` float64 array."""
    return np.asarray(out, dtype=np.float64).reshape(samples, -1)


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
