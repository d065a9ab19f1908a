"""The declarative description of an activation function.

An :class:`Activation` bundles everything the course knows about one function: its SymPy
expression (the source of truth), the stable NumPy forward and derivative, the PyTorch reference,
its parameters with PyTorch's defaults and their valid ranges, the convention at kinks and the
original paper. Everything else in actlib (properties, verification, plots, tables, tests) is
computed from these specs.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

import numpy as np
import sympy as sp

from actlib._inputs import as_real_array, check_bool, check_generator, check_int, check_real

#: The real variable every elementwise expression is written in.
X = sp.Symbol("x", real=True)

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
        value = check_real(value, name=self.name)
        too_low = value < self.low or (self.low_open and value == self.low)
        too_high = value > self.high or (self.high_open and value == self.high)
        if too_low or too_high:
            raise ValueError(f"parameter {self.name!r} must be {self.allowed()}, got {value:g}")
        return value


ArrayFn = Callable[..., np.ndarray]


def _no_cross_check(params: dict[str, Any]) -> None:
    return None


@dataclass(frozen=True, eq=False)
class Activation:
    """Declarative spec of one activation function.

    The NumPy callables receive a float64 array and the validated parameters. For elementwise
    activations they never see ``±inf`` (the spec replaces infinities by the mathematical limits
    computed from the SymPy expression), and NaN is propagated for them.
    """

    name: str
    title: str
    order: int  #: position in the book; :func:`actlib.names` sorts by it
    summary: str
    #: Builds the SymPy expression: ``(x, **param_symbols) -> Expr`` for elementwise specs,
    #: ``(xs: sympy.Matrix, **param_symbols) -> Matrix`` for vector-valued ones.
    sympy_expr: Callable[..., Any]
    numpy_forward: ArrayFn
    numpy_derivative: ArrayFn
    #: ``(tensor, **params) -> tensor`` running PyTorch's own implementation (imports lazily).
    torch_forward: Callable[..., Any]
    torch_name: str
    reference: Reference
    parameters: tuple[Param, ...] = ()
    kind: Literal["elementwise", "vector"] = "elementwise"
    #: Where the role of the activation is in a network: "hidden" and/or "output".
    roles: frozenset[str] = frozenset({"hidden"})
    #: Points where the function is not differentiable, and the value chosen there.
    kinks: tuple[float, ...] = ()
    kink_convention: str = ""
    #: ``(x, **params) -> {param_name: d f / d param}`` for learnable parameters.
    numpy_param_gradients: ArrayFn | None = None
    #: Checks that involve several parameters at once (e.g. ``lower <= upper``).
    cross_check: Callable[[dict[str, Any]], None] = _no_cross_check
    #: For vector-valued specs: the scalar slice used for properties and plots,
    #: ``(t, **param_symbols) -> Expr`` (e.g. softmax([t, 0])[0]).
    sympy_scalar_slice: Callable[..., sp.Expr] | None = None
    #: Builds a ``torch.nn.Module`` (for experiments); defaults to wrapping ``torch_forward``.
    torch_module_factory: Callable[..., Any] | None = None
    aliases: tuple[str, ...] = ()
    #: The notebook (``notebooks/<chapter>.ipynb``) that presents this activation; defaults to
    #: the name. Families share a chapter (gelu_tanh is presented in the gelu chapter).
    chapter: str = ""
    notes: str = ""
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
    extra: Mapping[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ parameters
    @property
    def params(self) -> dict[str, Any]:
        """The default value of every parameter (PyTorch's defaults where PyTorch has one)."""
        return {p.name: p.default for p in self.parameters}

    @property
    def param_specs(self) -> dict[str, Param]:
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

    def symbolic_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The SymPy values for the symbolic parameters (exact rationals where possible)."""
        return {p.name: _to_sympy_number(values[p.name]) for p in self.parameters if p.symbolic}

    # ------------------------------------------------------------------ symbolic side
    @property
    def x(self) -> sp.Symbol:
        return X

    def expr(self, symbolic: bool = False, n: int = 3, **params: Any):
        """The SymPy expression.

        With ``symbolic=True`` the parameters stay as symbols (``alpha``, ``beta``, ...);
        otherwise the given (or default) values are substituted exactly. Vector-valued specs
        return a ``sympy.Matrix`` in the symbols ``x_0 ... x_{n-1}``.
        """
        if symbolic:
            if params:
                raise TypeError("give either symbolic=True or parameter values, not both")
            pvals = {p.name: p.symbol for p in self.parameters if p.symbolic}
        else:
            pvals = self.symbolic_params(self.resolve(params))
        if self.kind == "vector":
            xs = sp.Matrix(sp.symbols(f"x_0:{n}", real=True))
            return self.sympy_expr(xs, **pvals)
        return self.sympy_expr(X, **pvals)

    def derivative_expr(self, symbolic: bool = False, n: int = 3, **params: Any):
        """d f / d x as a SymPy expression (the Jacobian matrix for vector-valued specs)."""
        f = self.expr(symbolic=symbolic, n=n, **params)
        if self.kind == "vector":
            xs = sp.Matrix(sorted(f.free_symbols - self._param_symbols(), key=str))
            return f.jacobian(xs)
        return sp.diff(f, X)

    def scalar_expr(self, **params: Any) -> sp.Expr:
        """A scalar function of ``x`` that represents the activation in properties and plots.

        Elementwise specs return :meth:`expr`; vector-valued ones their scalar slice.
        """
        if self.kind == "vector":
            assert self.sympy_scalar_slice is not None
            return self.sympy_scalar_slice(X, **self.symbolic_params(self.resolve(params)))
        return self.expr(**params)

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
        """LaTeX of the simplified f' (symbols, or the given parameter values substituted)."""
        return self.to_latex(sp.simplify(self.derivative_expr(symbolic=not params, **params)))

    def _param_symbols(self) -> set[sp.Symbol]:
        return {p.symbol for p in self.parameters if p.symbolic}

    def properties(self, **params: Any) -> dict[str, Any]:
        """Range, derivative range, monotonicity, minimum, ... computed from the SymPy expression.

        See :func:`actlib.symbolic.properties.compute_properties` for the keys and the method.
        """
        from actlib.symbolic.properties import compute_properties

        values = self.resolve(params)
        key = tuple(sorted((k, v) for k, v in self.symbolic_params(values).items()))
        return dict(compute_properties(self, key))

    # ------------------------------------------------------------------ numerical side
    def forward(self, x: Any, **params: Any) -> np.ndarray:
        """f(x) with the stable NumPy implementation; keeps float16/32/64, else float64."""
        return self._evaluate(self.numpy_forward, "forward", x, params)

    def derivative(self, x: Any, **params: Any) -> np.ndarray:
        """f'(x) elementwise, or the Jacobian for vector-valued specs (see their docstring)."""
        return self._evaluate(self.numpy_derivative, "derivative", x, params)

    def param_gradients(self, x: Any, **params: Any) -> dict[str, np.ndarray]:
        """Elementwise d f / d p for each learnable parameter p (empty if there is none)."""
        if self.numpy_param_gradients is None:
            return {}
        values = self.resolve(params)
        arr, out_dtype = as_real_array(x)
        with np.errstate(under="ignore"):
            grads = self.numpy_param_gradients(arr, **values)
        return {k: _finish(v, out_dtype) for k, v in grads.items()}

    def _evaluate(self, fn: ArrayFn, which: str, x: Any, params: Mapping[str, Any]):
        values = self.resolve(params)
        arr, out_dtype = as_real_array(x)
        with np.errstate(under="ignore"):
            if self.kind == "vector":
                out = fn(arr, **values)
            else:
                out = self._elementwise(fn, which, arr, values)
        return _finish(out, out_dtype)

    def _elementwise(self, fn: ArrayFn, which: str, arr: np.ndarray, values: dict[str, Any]):
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
        key = tuple(sorted((k, v) for k, v in self.symbolic_params(values).items()))
        lo, hi = _limits_at_infinity(self, which, key)
        out[inf & (arr < 0)] = lo
        out[inf & (arr > 0)] = hi
        return out

    def limits(self, which: Literal["forward", "derivative"] = "forward", **params: Any):
        """(lim_{x→-∞}, lim_{x→+∞}) of f or f', computed by SymPy."""
        values = self.resolve(params)
        key = tuple(sorted((k, v) for k, v in self.symbolic_params(values).items()))
        return _limits_at_infinity(self, which, key)

    # ------------------------------------------------------------------ PyTorch side
    def torch(self, x: Any, **params: Any):
        """Run PyTorch's own implementation (``torch_name``) on a tensor.

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
        values = self.resolve(params)
        if self.torch_module_factory is not None:
            return self.torch_module_factory(**values)
        from actlib._torch import FunctionModule

        return FunctionModule(self, values)

    @property
    def chapter_name(self) -> str:
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
    pvals = dict(key)
    expr = spec.sympy_expr(X, **pvals)
    if which == "derivative":
        expr = sp.diff(expr, X)
    return tuple(float(_piecewise_limit(expr, s)) for s in (-sp.oo, sp.oo))


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
