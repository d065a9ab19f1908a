"""The declarative description of an activation function.

An :class:`Activation` bundles everything the course knows about one function: its SymPy
expression (the source of truth), the stable NumPy forward and derivative, the PyTorch reference,
its parameters with PyTorch's defaults and their valid ranges, the convention at kinks and the
original paper. Everything else in actlib (properties, verification, plots, tables, tests) is
computed from these specs.
"""

from __future__ import annotations

import difflib
import importlib
import inspect
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
import sympy as sp

from actlib._inputs import (
    as_real_array,
    check_bool,
    check_channels,
    check_generator,
    check_int,
    check_real,
)
from actlib.shapes import Elementwise, Shape, X

ParamKind = Literal["real", "int", "bool", "generator"]


@dataclass(frozen=True)
class Reference:
    """The paper (or documentation) that introduced an activation."""

    key: str  #: BibTeX key in ``book/references.bib``
    authors: str
    title: str
    year: int
    url: str

    def __str__(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.url}"


@dataclass(frozen=True)
class Param:
    """One parameter of an activation, with its default and the values it may take."""

    name: str
    default: Any
    description: str
    kind: ParamKind = "real"
    low: float = -math.inf
    high: float = math.inf
    low_open: bool = False
    high_open: bool = False
    learnable: bool = False
    #: (min, max, step) for interactive explorers; ``None`` when not a continuous quantity.
    slider: tuple[float, float, float] | None = None
    #: How the symbol is typeset in formulas (default: SymPy's rendering of ``name``).
    tex: str = ""
    #: A real parameter that may also be a 1-d array with one value per channel (axis 1 of an
    #: input with two or more dimensions), as PyTorch's ``PReLU(num_parameters=C)``.
    per_channel: bool = False
    #: A boolean switch that makes the function random when True (RReLU's ``training``).
    randomizes: bool = False

    @property
    def symbolic(self) -> bool:
        """Whether the parameter appears as a symbol in the SymPy expression."""
        return self.kind == "real"

    @cached_property
    def symbol(self) -> sp.Symbol:
        return sp.Symbol(self.name, real=True)

    def allowed(self) -> str:
        """Human-readable description of the allowed values."""
        if self.kind == "bool":
            return "True or False"
        if self.kind == "generator":
            return "None, a non-negative integer seed or a numpy.random.Generator"
        if self.kind == "int":
            return "an integer"
        if self.per_channel:
            return f"{self._real_allowed()}, or a 1-d array of such numbers (one per channel)"
        return self._real_allowed()

    def _real_allowed(self) -> str:
        lo = "(" if self.low_open else "["
        hi = ")" if self.high_open else "]"
        if math.isinf(self.low) and math.isinf(self.high):
            return "a finite real number"
        return f"a finite real number in {lo}{self.low:g}, {self.high:g}{hi}"

    def check(self, value: Any) -> Any:
        """Validate ``value`` and return it in canonical form; raise with a helpful message."""
        if self.kind == "bool":
            return check_bool(value, name=self.name)
        if self.kind == "generator":
            return check_generator(value, name=self.name)
        if self.kind == "int":
            return check_int(value, name=self.name)
        if self.per_channel and isinstance(value, (np.ndarray, list, tuple)):
            arr = check_channels(value, name=self.name)
            for v in arr:
                self._check_bounds(float(v))
            return arr
        value = check_real(value, name=self.name)
        self._check_bounds(value)
        return value

    def _check_bounds(self, value: float) -> None:
        too_low = value < self.low or (self.low_open and value == self.low)
        too_high = value > self.high or (self.high_open and value == self.high)
        if too_low or too_high:
            raise ValueError(f"parameter {self.name!r} must be {self.allowed()}, got {value:g}")


ArrayFn = Callable[..., np.ndarray]


def _no_cross_check(params: dict[str, Any]) -> None:
    return None


def _resolve_dotted(path: str) -> Any:
    module, _, attr = path.rpartition(".")
    return getattr(importlib.import_module(module), attr)


@dataclass(frozen=True)
class TorchReference:
    """PyTorch's implementation of an activation, written once.

    ``function`` is the dotted path of the functional form (what the book names), ``module``
    the dotted path of the ``torch.nn`` module; both are called with the spec's parameter values
    as keywords (renamed by ``keywords``, plus the constant ``fixed`` ones). Where that is not
    enough — a weight that must become a tensor, or an activation PyTorch does not have and that
    is written as a composition of its primitives (``composite=True``) — ``call`` and
    ``make_module`` take over.
    """

    function: str
    module: str | None = None
    #: actlib parameter name -> PyTorch keyword (``None``: not passed to PyTorch).
    keywords: Mapping[str, str | None] = field(default_factory=dict)
    #: Constant keywords, e.g. ``{"approximate": "tanh"}``.
    fixed: Mapping[str, Any] = field(default_factory=dict)
    call: Callable[..., Any] | None = None
    make_module: Callable[..., Any] | None = None
    #: True when PyTorch has no such function and ``call`` composes its primitives.
    composite: bool = False

    def kwargs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments PyTorch receives for the given actlib parameter values."""
        out = {}
        for k, v in values.items():
            target = self.keywords.get(k, k)
            if target is not None:
                out[target] = v
        return {**out, **self.fixed}

    def __call__(self, t: Any, **values: Any) -> Any:
        if self.call is not None:
            return self.call(t, **values)
        return _resolve_dotted(self.function)(t, **self.kwargs(values))

    def build_module(self, spec: Activation, values: Mapping[str, Any]) -> Any:
        """A ``torch.nn.Module`` applying the activation at ``values``."""
        if self.make_module is not None:
            return self.make_module(**values)
        if self.module is not None:
            return _resolve_dotted(self.module)(**self.kwargs(values))
        from actlib._torch import FunctionModule

        return FunctionModule(spec, dict(values))

    def __str__(self) -> str:
        if not self.fixed:
            return self.function
        args = ", ".join(
            f'{k}="{v}"' if isinstance(v, str) else f"{k}={v!r}" for k, v in self.fixed.items()
        )
        return f"{self.function}({args})"


@dataclass(frozen=True, eq=False)
class Activation:
    """Declarative spec of one activation function.

    Its :attr:`shape` (:class:`~actlib.shapes.Elementwise` by default,
    :class:`~actlib.shapes.Normalizing` or :class:`~actlib.shapes.Gated`) decides how the
    input is laid out, what the derivative is and how the function is shown; see
    :mod:`actlib.shapes` for the signatures of ``sympy_expr``, ``numpy_forward`` and
    ``numpy_derivative`` in each family. The NumPy callables receive float64 arrays and the
    validated parameter values. :meth:`forward` and :meth:`derivative` carry real signatures
    (``inspect.signature(get("elu").forward)`` lists ``alpha=1.0``).
    """

    name: str
    title: str
    order: int  #: position in the book; :func:`actlib.names` sorts by it
    summary: str
    #: Builds the SymPy expression from the shape's symbols and the parameter symbols.
    sympy_expr: Callable[..., Any]
    numpy_forward: ArrayFn
    numpy_derivative: ArrayFn
    #: PyTorch's implementation (function, module), written once.
    torch_reference: TorchReference
    reference: Reference
    parameters: tuple[Param, ...] = ()
    shape: Shape = field(default_factory=Elementwise)
    #: Where the role of the activation is in a network: "hidden" and/or "output".
    roles: frozenset[str] = frozenset({"hidden"})
    #: Points where the function (or its slice) is not differentiable.
    kinks: tuple[float, ...] = ()
    kink_convention: str = ""
    #: ``(x, **params) -> {param_name: d f / d param}`` for learnable parameters.
    numpy_param_gradients: ArrayFn | None = None
    #: Checks that involve several parameters at once (e.g. ``lower <= upper``).
    cross_check: Callable[[dict[str, Any]], None] = _no_cross_check
    aliases: tuple[str, ...] = ()
    #: The notebook (``notebooks/<chapter>.ipynb``) that presents this activation; defaults to
    #: the name. Families share a chapter (gelu_tanh is presented in the gelu chapter).
    chapter: str = ""
    #: How the NumPy implementation avoids overflow and cancellation (shown in the book).
    stability_note: str = ""
    #: The formula as textbooks write it, evaluated directly in the input's dtype with no
    #: validation. Kept ONLY as the "before" of the numerical-stability comparison (the accuracy
    #: harness measures how it fails); never used to compute anything. Same signature as
    #: ``numpy_forward`` / ``numpy_derivative``; ``None`` where the textbook form is already
    #: the stable one.
    naive_forward: ArrayFn | None = None
    naive_derivative: ArrayFn | None = None
    #: Other commonly used parameter values, measured by the accuracy harness besides the
    #: defaults (e.g. a leaky slope of 0.2).
    common_params: tuple[Mapping[str, Any], ...] = ()

    def __post_init__(self) -> None:
        # The shape's parameters (an axis) come first, then the spec's own.
        own = {p.name for p in self.parameters}
        added = tuple(p for p in self.shape.parameters() if p.name not in own)
        object.__setattr__(self, "parameters", added + tuple(self.parameters))

    # ------------------------------------------------------------------ parameters
    @property
    def params(self) -> dict[str, Any]:
        """The default value of every parameter (PyTorch's defaults where PyTorch has one)."""
        return {p.name: p.default for p in self.parameters}

    @property
    def param_specs(self) -> dict[str, Param]:
        """Every :class:`Param` by name, the shape's (``axis``) included."""
        return {p.name: p for p in self.parameters}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``params`` with the defaults and validate every value.

        Unknown names raise :class:`TypeError` listing the accepted ones (as Python does for an
        unexpected keyword argument); bad values raise through :meth:`Param.check`.
        """
        specs = self.param_specs
        unknown = [k for k in params if k not in specs]
        if unknown:
            allowed = ", ".join(specs) or "none"
            hints = []
            for k in unknown:
                close = difflib.get_close_matches(k, list(specs), n=1)
                if close:
                    hints.append(f" (did you mean {close[0]!r}?)")
            raise TypeError(
                f"{self.name} got unexpected parameter(s) {', '.join(map(repr, unknown))}"
                f"{''.join(hints)}; its parameters are: {allowed}"
            )
        values = {p.name: p.check(params.get(p.name, p.default)) for p in self.parameters}
        self.cross_check(values)
        return values

    def is_random(self, values: Mapping[str, Any]) -> bool:
        """Whether these parameter values make the function random (RReLU in training)."""
        return any(p.randomizes and values.get(p.name) for p in self.parameters)

    def deterministic(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with every randomizing switch turned off (RReLU's evaluation mode)."""
        out = dict(values)
        for p in self.parameters:
            if p.randomizes and p.name in out:
                out[p.name] = False
        return out

    def symbolic_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The SymPy values for the symbolic parameters (exact rationals where possible).

        Raises:
            ValueError: a per-channel parameter holds an array (symbolic work needs one value).
        """
        out = {}
        for p in self.parameters:
            if not p.symbolic:
                continue
            v = values[p.name]
            if isinstance(v, np.ndarray):
                raise ValueError(
                    f"parameter {p.name!r} holds {v.size} per-channel values; symbolic results "
                    "(expressions, properties, limits, verification) need a single number"
                )
            out[p.name] = _to_sympy_number(v)
        return out

    def _key(self, values: Mapping[str, Any]) -> tuple:
        return tuple(sorted(self.symbolic_params(values).items()))

    # ------------------------------------------------------------------ symbolic side
    @property
    def x(self) -> sp.Symbol:
        """The variable of elementwise expressions and of every slice."""
        return X

    def expr(self, symbolic: bool = False, n: int = 3, **params: Any):
        """The SymPy expression, in the shape's symbols (see :meth:`Shape.symbols`).

        With ``symbolic=True`` the parameters stay as symbols (``alpha``, ``beta``, ...);
        otherwise the given (or default) values are substituted exactly. Normalizing specs
        return a ``sympy.Matrix`` in ``x_0 ... x_{n-1}``; gated ones an expression in a, b.
        """
        if symbolic:
            if params:
                raise TypeError("give either symbolic=True or parameter values, not both")
            pvals = {p.name: p.symbol for p in self.parameters if p.symbolic}
        else:
            pvals = self.symbolic_params(self.resolve(params))
        return self.shape.build(self.sympy_expr, pvals, n)

    def derivative_expr(self, symbolic: bool = False, n: int = 3, **params: Any):
        """The derivative in SymPy: f′, the Jacobian matrix, or the gradient (∂f/∂a, ∂f/∂b)."""
        return self.shape.derivative(self.expr(symbolic=symbolic, n=n, **params), n)

    def scalar_expr(self, **params: Any) -> sp.Expr:
        """The scalar function of ``x`` that stands for the activation in properties and plots.

        Elementwise specs return :meth:`expr`; the others their shape's slice.
        """
        return self.shape.slice_expr(self, self.symbolic_params(self.resolve(params)))

    @property
    def tex_names(self) -> dict[sp.Symbol, str]:
        """``symbol_names`` for :func:`sympy.latex`: how each parameter is typeset."""
        return {p.symbol: p.tex for p in self.parameters if p.symbolic and p.tex}

    def to_latex(self, expr: Any) -> str:
        """:func:`sympy.latex` of ``expr`` with this spec's parameter symbols typeset."""
        return sp.latex(expr, symbol_names=self.tex_names)

    def latex(self, **params: Any) -> str:
        """LaTeX of f: with the parameters as symbols, or with the given values substituted."""
        return self.to_latex(self.expr(symbolic=not params, **params))

    def derivative_latex(self, **params: Any) -> str:
        """LaTeX of the simplified derivative (symbols, or the given values substituted)."""
        return self.to_latex(sp.simplify(self.derivative_expr(symbolic=not params, **params)))

    def properties(self, **params: Any) -> Any:
        """Range, derivative range, monotonicity, minimum, ... computed from the SymPy expression.

        See :func:`actlib.symbolic.properties.compute_properties` for the keys and the method.
        """
        from actlib.symbolic.properties import compute_properties

        values = self.resolve(params)
        key = tuple(sorted((k, v) for k, v in self.symbolic_params(values).items()))
        return compute_properties(self, key)

    # ------------------------------------------------------------------ numerical side
    @cached_property
    def forward(self) -> Callable[..., np.ndarray]:
        """f(x) with the stable NumPy implementation; keeps float16/32/64, else float64."""
        return self._signed("forward")

    @cached_property
    def derivative(self) -> Callable[..., np.ndarray]:
        """The derivative: f′ entrywise, a Jacobian or a gradient per half (see the shape)."""
        return self._signed("derivative")

    def _signed(self, which: str) -> Callable[..., np.ndarray]:
        """A function of ``x`` and keyword parameters whose signature ``help()`` shows."""
        spec = self

        def run(x: Any, **params: Any) -> np.ndarray:
            return spec._evaluate(which, x, params)

        impl = self.numpy_forward if which == "forward" else self.numpy_derivative
        run.__name__ = run.__qualname__ = f"{self.name}.{which}"
        run.__doc__ = inspect.getdoc(impl) or getattr(type(self), which).__doc__
        run.__signature__ = self.signature()  # type: ignore[attr-defined]
        return run

    def signature(self) -> inspect.Signature:
        """``(x, *, param=default, ...)``: the signature of :meth:`forward`/:meth:`derivative`."""
        kw = inspect.Parameter.KEYWORD_ONLY
        ps = [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        ps += [inspect.Parameter(p.name, kw, default=p.default) for p in self.parameters]
        return inspect.Signature(ps, return_annotation=np.ndarray)

    def param_gradients(self, x: Any, **params: Any) -> dict[str, np.ndarray]:
        """Elementwise d f / d p for each learnable parameter p (empty if there is none).

        For a per-channel parameter, entry i holds ∂f(x_i)/∂p_c for the channel c of x_i;
        summing over every axis but the channel axis gives the gradient of Σ f.
        """
        if self.numpy_param_gradients is None:
            return {}
        values = self.resolve(params)
        arr, out_dtype = as_real_array(x)
        with np.errstate(under="ignore"):
            grads = self.numpy_param_gradients(arr, **values)
        return {k: _finish(v, out_dtype) for k, v in grads.items()}

    def _evaluate(self, which: str, x: Any, params: Mapping[str, Any]):
        values = self.resolve(params)
        arr, out_dtype = as_real_array(x)
        with np.errstate(under="ignore"):
            out = self.shape.evaluate(self, which, arr, values)
        return _finish(out, out_dtype)

    def limits(self, which: Literal["forward", "derivative"] = "forward", **params: Any):
        """(lim_{x→-∞}, lim_{x→+∞}) of f or f′ (of the slice for non-elementwise shapes)."""
        if which not in ("forward", "derivative"):
            raise ValueError(f"which must be 'forward' or 'derivative', got {which!r}")
        return _limits_at_infinity(self, which, self._key(self.resolve(params)))

    # ------------------------------------------------------------------ PyTorch side
    @property
    def torch_name(self) -> str:
        """How PyTorch's implementation is written, e.g. ``torch.nn.functional.elu``."""
        return str(self.torch_reference)

    def torch_forward(self, t: Any, **values: Any) -> Any:
        """PyTorch's implementation on a tensor, with already validated parameter values."""
        return self.torch_reference(t, **values)

    def torch(self, x: Any, **params: Any):
        """Run PyTorch's own implementation on a tensor (see :attr:`torch_reference`).

        A NumPy array or list is converted with :func:`torch.as_tensor` after validation.
        """
        import torch

        values = self.resolve(params)
        if not isinstance(x, torch.Tensor):
            arr, out_dtype = as_real_array(x)
            x = torch.as_tensor(arr.astype(out_dtype))
        elif x.is_complex() or not x.is_floating_point():
            raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
        return self.torch_forward(x, **values)

    def torch_module(self, **params: Any):
        """A ``torch.nn.Module`` applying this activation (learnable parameters included)."""
        return self.torch_reference.build_module(self, self.resolve(params))

    @property
    def chapter_name(self) -> str:
        """The notebook that presents this activation."""
        return self.chapter or self.name

    # ------------------------------------------------------------------ display
    def __repr__(self) -> str:
        ps = ", ".join(f"{p.name}={p.default!r}" for p in self.parameters)
        return f"<Activation {self.name}({ps})>"


def _finish(out: Any, out_dtype: np.dtype) -> np.ndarray:
    out = np.asarray(out)
    if out.dtype != out_dtype:
        with np.errstate(over="ignore"):  # rounding a huge value to inf is the correct rounding
            out = out.astype(out_dtype)
    return out[()] if out.ndim == 0 else out


def _to_sympy_number(value: float):
    """Exact SymPy number for a float parameter (0.01 -> 1/100, 0.25 -> 1/4)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return sp.Integer(int(value))
    r = sp.nsimplify(value, rational=True)
    # Keep the rational only if it reproduces the float exactly.
    return r if float(r) == value else sp.Float(value, 30)


@lru_cache(maxsize=512)
def _limits_at_infinity(spec: Activation, which: str, key: tuple) -> tuple[float, float]:
    expr = spec.shape.slice_expr(spec, dict(key))
    if which == "derivative":
        expr = sp.diff(expr, X)
    lo, hi = (float(_piecewise_limit(expr, s)) for s in (-sp.oo, sp.oo))
    return lo, hi


def _piecewise_limit(expr: sp.Expr, point) -> sp.Expr:
    """Limit at ±oo, also for Piecewise expressions (SymPy's limit rejects those)."""
    expr = sp.piecewise_fold(expr)
    if isinstance(expr, sp.Piecewise):
        probe = sp.Integer(10**6) if point is sp.oo else -sp.Integer(10**6)
        for piece, cond in expr.args:
            if cond is sp.true or bool(cond.subs(X, probe)):
                return _piecewise_limit(piece, point)
        raise ValueError(f"no piece of {expr} covers {point}")
    return sp.limit(expr, X, point)
