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

#: The kinds of value a :class:`Param` can hold (``"real"`` parameters appear in the formula).
ParamKind = Literal["real", "int", "bool", "generator"]


@dataclass(frozen=True)
class Reference:
    """The paper (or documentation) that introduced an activation.

    ``str()`` gives the citation as one line.

    >>> from actlib import get
    >>> ref = get("relu").reference
    >>> ref.key, ref.year
    ('nair2010rectified', 2010)
    """

    key: str  #: BibTeX key in ``book/references.bib``
    authors: str  #: The authors as the book cites them (``"Nair and Hinton"``).
    title: str  #: The title of the paper or book.
    year: int  #: The year of publication.
    url: str  #: A link to the paper (DOI or arXiv where there is one).

    def __str__(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.url}"


@dataclass(frozen=True)
class Param:
    """One parameter of an activation, with its default and the values it may take.

    >>> p = Param("alpha", 1.0, "saturation value", low=0.0)
    >>> p.check(2)
    2.0
    >>> p.allowed()
    'a finite real number in [0, inf]'
    """

    name: str  #: The keyword name, as PyTorch names it where PyTorch has the parameter.
    default: Any  #: The default value (PyTorch's default where PyTorch has one).
    description: str  #: What the parameter does, in a few words (shown in tables).
    kind: ParamKind = "real"  #: The kind of value; only ``"real"`` parameters are symbols.
    low: float = -math.inf  #: The smallest allowed value of a real parameter.
    high: float = math.inf  #: The largest allowed value of a real parameter.
    low_open: bool = False  #: Whether ``low`` itself is excluded.
    high_open: bool = False  #: Whether ``high`` itself is excluded.
    learnable: bool = False  #: Whether gradient descent learns it (PReLU's ``weight``).
    #: (min, max, step) for interactive explorers; ``None`` when not a continuous quantity.
    slider: tuple[float, float, float] | None = None
    #: The LaTeX of the symbol in formulas; empty for SymPy's rendering of ``name``.
    tex: str = ""
    #: A real parameter that may also be a 1-d array with one value per channel (axis 1 of an
    #: input with two or more dimensions), as PyTorch's ``PReLU(num_parameters=C)``.
    per_channel: bool = False
    #: A boolean switch that makes the function random when True (RReLU's ``training``).
    randomizes: bool = False

    @property
    def symbolic(self) -> bool:
        """Whether the parameter appears as a symbol in the SymPy expression.

        >>> Param("training", False, "random slopes", kind="bool").symbolic
        False
        """
        return self.kind == "real"

    @cached_property
    def symbol(self) -> sp.Symbol:
        """The real SymPy symbol named like the parameter.

        >>> Param("alpha", 1.0, "saturation value").symbol
        alpha
        """
        return sp.Symbol(self.name, real=True)

    def allowed(self) -> str:
        """Human-readable description of the allowed values, for error messages.

        Returns:
            A phrase such as ``"an integer"`` or ``"a finite real number in [0, 1]"``.

        >>> Param("lower", 0.125, "lower bound", low=0.0, high=1.0).allowed()
        'a finite real number in [0, 1]'
        """
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
        """Validate ``value`` and return it in canonical form; raise with a helpful message.

        Args:
            value: a candidate value of the parameter.

        Returns:
            The value as a Python ``float``, ``int`` or ``bool``, a
            :class:`numpy.random.Generator` (or ``None``) for a generator, or a read-only
            float64 array for per-channel values.

        Raises:
            TypeError: the value has the wrong kind (a string for a real number, ...).
            ValueError: the value is outside the allowed range; the message names the range.

        >>> Param("alpha", 1.0, "saturation value", low=0.0).check(-1.0)
        Traceback (most recent call last):
            ...
        ValueError: parameter 'alpha' must be a finite real number in [0, inf], got -1
        """
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


#: A NumPy implementation, called with arrays and keyword parameter values; returns an array.
ArrayFn = Callable[..., np.ndarray]
#: The gradients with respect to learnable parameters, ``(x, **params) -> {name: array}``.
GradientFn = Callable[..., dict[str, np.ndarray]]


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
    ``make_module`` take over. Calling the reference on a tensor runs PyTorch's function.

    >>> ref = TorchReference("torch.nn.functional.gelu", fixed={"approximate": "tanh"})
    >>> str(ref)
    'torch.nn.functional.gelu(approximate="tanh")'
    """

    #: Dotted path of PyTorch's functional form, e.g. ``"torch.nn.functional.elu"``.
    function: str
    #: Dotted path of the ``torch.nn`` module class, or ``None`` when there is none.
    module: str | None = None
    #: actlib parameter name -> PyTorch keyword (``None``: not passed to PyTorch).
    keywords: Mapping[str, str | None] = field(default_factory=dict)
    #: Constant keywords, e.g. ``{"approximate": "tanh"}``.
    fixed: Mapping[str, Any] = field(default_factory=dict)
    #: ``(tensor, **values) -> tensor`` replacing the call of ``function``, or ``None``.
    call: Callable[..., Any] | None = None
    #: ``(**values) -> torch.nn.Module`` replacing the construction of ``module``, or ``None``.
    make_module: Callable[..., Any] | None = None
    #: True when PyTorch has no such function and ``call`` composes its primitives.
    composite: bool = False

    def kwargs(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The keyword arguments PyTorch receives for the given actlib parameter values.

        Args:
            values: actlib's parameter values by actlib's names.

        Returns:
            The values under PyTorch's keywords (those mapped to ``None`` left out), plus the
            ``fixed`` keywords.

        >>> TorchReference("torch.nn.functional.softmax", keywords={"axis": "dim"}).kwargs(
        ...     {"axis": -1}
        ... )
        {'dim': -1}
        """
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
        """A ``torch.nn.Module`` applying the activation at ``values``.

        Args:
            spec: the activation this reference belongs to.
            values: validated parameter values (see :meth:`Activation.resolve`).

        Returns:
            The module built by ``make_module``, else PyTorch's ``module`` class, else a
            parameter-free module that calls :meth:`Activation.torch_forward`.

        >>> from actlib import get
        >>> spec = get("elu")
        >>> spec.torch_reference.build_module(spec, {"alpha": 2.0})
        ELU(alpha=2.0)
        """
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

    >>> from actlib import get
    >>> elu = get("elu")
    >>> elu
    <Activation elu(alpha=1.0)>
    >>> elu.forward([-1.0, 0.0, 2.0], alpha=2.0)
    array([-1.26424112,  0.        ,  2.        ])
    >>> elu.derivative([-1.0, 0.0, 2.0])
    array([0.36787944, 1.        , 1.        ])
    """

    name: str  #: The registered name, e.g. ``"leaky_relu"``.
    title: str  #: The name as a heading shows it, e.g. ``"Leaky ReLU"``.
    order: int  #: Position in the book, by which :func:`~actlib.registry.names` sorts.
    summary: str  #: One sentence saying what the function does.
    #: Builds the SymPy expression from the shape's symbols and the parameter symbols.
    sympy_expr: Callable[..., Any]
    #: The stable NumPy forward (see :mod:`actlib.shapes` for its signature per family).
    numpy_forward: ArrayFn
    #: The stable NumPy derivative, laid out as the shape says (a gated spec's returns the pair
    #: (∂f/∂a, ∂f/∂b)).
    numpy_derivative: Callable[..., Any]
    #: PyTorch's implementation (function, module), written once.
    torch_reference: TorchReference
    reference: Reference  #: The paper that introduced the activation.
    #: The parameters, the shape's own (an ``axis``) first once the spec is built.
    parameters: tuple[Param, ...] = ()
    #: The family of the activation, :class:`~actlib.shapes.Elementwise`,
    #: :class:`~actlib.shapes.Normalizing` or :class:`~actlib.shapes.Gated`.
    shape: Shape = field(default_factory=Elementwise)
    #: The roles the activation plays in a network, ``"hidden"`` and/or ``"output"``.
    roles: frozenset[str] = frozenset({"hidden"})
    #: Points where the function (or its slice) is not differentiable.
    kinks: tuple[float, ...] = ()
    #: The value the derivative takes at the kinks, in words (PyTorch's autograd value).
    kink_convention: str = ""
    #: ``(x, **params) -> {param_name: d f / d param}`` for learnable parameters.
    numpy_param_gradients: GradientFn | None = None
    #: Checks that involve several parameters at once (e.g. ``lower <= upper``).
    cross_check: Callable[[dict[str, Any]], None] = _no_cross_check
    #: Other names :func:`~actlib.registry.get` accepts (``"silu"`` for swish).
    aliases: tuple[str, ...] = ()
    #: The notebook (``notebooks/<chapter>.ipynb``) that presents this activation; defaults to
    #: the name. Families share a chapter (gelu_tanh is presented in the gelu chapter).
    chapter: str = ""
    #: How the NumPy implementation avoids overflow and cancellation (shown in the book).
    stability_note: str = ""
    #: The formula as textbooks write it, evaluated directly in the input's dtype with no
    #: validation. Kept ONLY as the "before" of the numerical-stability comparison (the accuracy
    #: harness measures how it fails) and as the yardstick of the speed benchmark (see
    #: :meth:`naive`); never used to compute a result. Same signature as ``numpy_forward`` /
    #: ``numpy_derivative``; ``None`` where the textbook form is already the stable one.
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
        """The default value of every parameter (PyTorch's defaults where PyTorch has one).

        >>> from actlib import get
        >>> get("leaky_relu").params
        {'negative_slope': 0.01}
        """
        return {p.name: p.default for p in self.parameters}

    @property
    def param_specs(self) -> dict[str, Param]:
        """Every :class:`Param` by name, the shape's (``axis``) included.

        >>> from actlib import get
        >>> list(get("softmax").param_specs)
        ['axis']
        """
        return {p.name: p for p in self.parameters}

    def resolve(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """Merge ``params`` with the defaults and validate every value.

        Args:
            params: parameter values by name; the missing ones take their defaults.

        Returns:
            Every parameter's value in canonical form (see :meth:`Param.check`).

        Raises:
            TypeError: an unknown parameter name (the message lists the accepted ones, as
                Python does for an unexpected keyword argument), or a value of the wrong kind.
            ValueError: a value outside its range, or values that contradict each other.

        >>> from actlib import get
        >>> get("elu").resolve({"alpha": 2})
        {'alpha': 2.0}
        >>> get("elu").resolve({"alpah": 2})  # doctest: +ELLIPSIS
        Traceback (most recent call last):
            ...
        TypeError: elu got unexpected parameter(s) 'alpah' (did you mean 'alpha'?); ...
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
        """Whether these parameter values make the function random (RReLU in training).

        Args:
            values: parameter values by name.

        Returns:
            True if a parameter with ``randomizes=True`` is switched on.

        >>> from actlib import get
        >>> get("rrelu").is_random({"training": True})
        True
        """
        return any(p.randomizes and values.get(p.name) for p in self.parameters)

    def deterministic(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """``values`` with every randomizing switch turned off (RReLU's evaluation mode).

        Args:
            values: parameter values by name.

        Returns:
            A new dictionary; the input is left unchanged.

        >>> from actlib import get
        >>> get("rrelu").deterministic({"training": True, "lower": 0.1})
        {'training': False, 'lower': 0.1}
        """
        out = dict(values)
        for p in self.parameters:
            if p.randomizes and p.name in out:
                out[p.name] = False
        return out

    def symbolic_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """The SymPy values for the symbolic parameters (exact rationals where possible).

        Args:
            values: validated parameter values (see :meth:`resolve`).

        Returns:
            The real parameters by name, as SymPy numbers (``0.01`` becomes ``1/100``).

        Raises:
            ValueError: a per-channel parameter holds an array (symbolic work needs one value).

        >>> from actlib import get
        >>> get("leaky_relu").symbolic_params({"negative_slope": 0.01})
        {'negative_slope': 1/100}
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
        """The variable of elementwise expressions and of every slice.

        >>> from actlib import get
        >>> get("relu").x
        x
        """
        return X

    def expr(self, symbolic: bool = False, n: int = 3, **params: Any) -> Any:
        """The SymPy expression, in the shape's symbols (see :meth:`~actlib.shapes.Shape.symbols`).

        Args:
            symbolic: keep the parameters as symbols (``alpha``, ``beta``, ...) instead of
                substituting their values exactly.
            n: the vector length of a normalizing activation (ignored otherwise).
            **params: parameter values (defaults for the others); not with ``symbolic=True``.

        Returns:
            A SymPy expression in ``x`` for elementwise specs, a ``sympy.Matrix`` in
            ``x_0 ... x_{n-1}`` for normalizing ones, an expression in ``a``, ``b`` for gated
            ones.

        Raises:
            TypeError: ``symbolic=True`` together with parameter values.

        >>> from actlib import get
        >>> get("elu").expr(alpha=2)
        Piecewise((x, x > 0), (2*exp(x) - 2, True))
        >>> get("elu").expr(symbolic=True)
        Piecewise((x, x > 0), (alpha*(exp(x) - 1), True))
        """
        if symbolic:
            if params:
                raise TypeError("give either symbolic=True or parameter values, not both")
            pvals = {p.name: p.symbol for p in self.parameters if p.symbolic}
        else:
            pvals = self.symbolic_params(self.resolve(params))
        return self.shape.build(self.sympy_expr, pvals, n)

    def derivative_expr(self, symbolic: bool = False, n: int = 3, **params: Any) -> Any:
        """The derivative in SymPy: f′, the Jacobian matrix, or the gradient (∂f/∂a, ∂f/∂b).

        Args:
            symbolic: keep the parameters as symbols (see :meth:`expr`).
            n: the vector length of a normalizing activation (ignored otherwise).
            **params: parameter values (defaults for the others).

        Returns:
            The derivative of :meth:`expr`, as the spec's shape defines it.

        >>> from actlib import get
        >>> get("elu").derivative_expr()
        Piecewise((1, x > 0), (exp(x), True))
        """
        return self.shape.derivative(self.expr(symbolic=symbolic, n=n, **params), n)

    def scalar_expr(self, **params: Any) -> sp.Expr:
        """The scalar function of ``x`` that stands for the activation in properties and plots.

        Args:
            **params: parameter values (defaults for the others).

        Returns:
            :meth:`expr` for elementwise specs; the shape's slice for the others.

        >>> from actlib import get
        >>> get("softmax").scalar_expr()
        exp(x)/(exp(x) + 1)
        """
        return self.shape.slice_expr(self, self.symbolic_params(self.resolve(params)))

    @property
    def tex_names(self) -> dict[sp.Symbol, str]:
        """How each parameter symbol is typeset, as ``symbol_names`` for :func:`sympy.latex`.

        >>> from actlib import get
        >>> get("leaky_relu").tex_names
        {negative_slope: 'a'}
        """
        return {p.symbol: p.tex for p in self.parameters if p.symbolic and p.tex}

    def to_latex(self, expr: Any) -> str:
        """:func:`sympy.latex` of ``expr`` with this spec's parameter symbols typeset.

        Args:
            expr: a SymPy expression (or matrix).

        Returns:
            Its LaTeX source.

        >>> from actlib import get
        >>> spec = get("leaky_relu")
        >>> spec.to_latex(spec.param_specs["negative_slope"].symbol * spec.x)
        'a x'
        """
        expr = decimal_constants(expr)  # registers the names of its placeholders first
        return sp.latex(expr, symbol_names={**self.tex_names, **_DECIMAL_NAMES})

    def latex(self, **params: Any) -> str:
        """LaTeX of f: with the parameters as symbols, or with the given values substituted.

        Args:
            **params: parameter values; none keeps every parameter as a symbol.

        Returns:
            The LaTeX source of :meth:`expr`.

        >>> from actlib import get
        >>> print(get("tanh").latex())
        \\tanh{\\left(x \\right)}
        """
        return self.to_latex(self.expr(symbolic=not params, **params))

    def derivative_latex(self, **params: Any) -> str:
        """LaTeX of the simplified derivative (symbols, or the given values substituted).

        Args:
            **params: parameter values; none keeps every parameter as a symbol.

        Returns:
            The LaTeX source of the simplified :meth:`derivative_expr`.

        >>> from actlib import get
        >>> get("identity").derivative_latex()
        '1'
        """
        return self.to_latex(sp.simplify(self.derivative_expr(symbolic=not params, **params)))

    def properties(self, **params: Any) -> Any:
        """Range, derivative range, monotonicity, minimum, ... computed from the SymPy expression.

        See :func:`actlib.symbolic.properties.compute_properties` for the fields and the method.

        Args:
            **params: parameter values (defaults for the others).

        Returns:
            The properties of the function (of its slice for non-elementwise shapes), as a
            :class:`~actlib.symbolic.properties.Properties`.

        >>> from actlib import get
        >>> get("relu").properties().monotonic
        True
        """
        from actlib.symbolic.properties import compute_properties

        values = self.resolve(params)
        key = tuple(sorted((k, v) for k, v in self.symbolic_params(values).items()))
        return compute_properties(self, key)

    # ------------------------------------------------------------------ numerical side
    @cached_property
    def forward(self) -> Callable[..., np.ndarray]:
        """f(x) with the stable NumPy implementation; keeps float16/32/64, else float64.

        The function takes ``x`` and the parameters as keywords, validates both and shows its
        signature to ``help()``; its docstring is that of the spec's NumPy forward. Infinite
        inputs give the limits of f.

        >>> from actlib import get
        >>> get("relu").forward([-1.0, 2.0])
        array([0., 2.])
        """
        return self._signed("forward")

    @cached_property
    def derivative(self) -> Callable[..., np.ndarray]:
        """The derivative, f′ entrywise or a Jacobian or a gradient per half (see the shape).

        Called like :attr:`forward`; the value at a kink is the one :attr:`kink_convention`
        states (PyTorch's autograd value).

        >>> from actlib import get
        >>> get("relu").derivative([-1.0, 0.0, 2.0])
        array([0., 0., 1.])
        """
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
        """The signature ``(x, *, param=default, ...)`` of :attr:`forward` and :attr:`derivative`.

        Returns:
            An :class:`inspect.Signature` with ``x`` and one keyword-only parameter per
            :class:`Param`.

        >>> from actlib import get
        >>> str(get("elu").signature())
        '(x, *, alpha=1.0) -> numpy.ndarray'
        """
        kw = inspect.Parameter.KEYWORD_ONLY
        ps = [inspect.Parameter("x", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
        ps += [inspect.Parameter(p.name, kw, default=p.default) for p in self.parameters]
        return inspect.Signature(ps, return_annotation=np.ndarray)

    def param_gradients(self, x: Any, **params: Any) -> dict[str, np.ndarray]:
        """Elementwise d f / d p for each learnable parameter p (empty if there is none).

        For a per-channel parameter, entry i holds ∂f(x_i)/∂p_c for the channel c of x_i;
        summing over every axis but the channel axis gives the gradient of Σ f.

        Args:
            x: the input values (any real array, as for :attr:`forward`).
            **params: parameter values (defaults for the others).

        Returns:
            One array shaped like ``x`` per learnable parameter, by name.

        >>> from actlib import get
        >>> get("prelu").param_gradients([-2.0, 1.0])
        {'weight': array([-2.,  0.])}
        """
        if self.numpy_param_gradients is None:
            return {}
        values = self.resolve(params)
        arr, out_dtype = as_real_array(x)
        with np.errstate(under="ignore"):
            grads = self.numpy_param_gradients(arr, **values)
        return {k: _finish(v, out_dtype) for k, v in grads.items()}

    def _evaluate(self, which: str, x: Any, params: Mapping[str, Any]) -> np.ndarray:
        values = self.resolve(params)
        # float32 and float64 stay as they are; the shape decides where they are computed.
        arr, out_dtype = as_real_array(x, native=True)
        with np.errstate(under="ignore"):
            out = self.shape.evaluate(self, which, arr, values)
        return _finish(out, out_dtype)

    def naive(self, which: str, x: np.ndarray, values: Mapping[str, Any]) -> np.ndarray:
        """The textbook formula, evaluated directly in the dtype of ``x``, without any checks.

        This is the "before" of the numerical-stability chapter and the yardstick of the speed
        benchmark: :attr:`naive_forward` / :attr:`naive_derivative`, or the spec's own NumPy
        functions where the textbook form is already the stable one (ReLU: ``max(x, 0)``). Real
        parameters are cast to the dtype of ``x``, as a user writing the formula would; no
        validation, no float64 round trip, no special handling of ±inf.

        Args:
            which: ``"forward"`` or ``"derivative"``.
            x: a float array, laid out as the spec's shape takes it.
            values: validated parameter values (see :meth:`resolve`).

        Returns:
            What the formula returns (``x``'s dtype for float parameters).

        >>> from actlib import get
        >>> sigmoid = get("sigmoid")
        >>> sigmoid.naive("forward", np.array([0.0], dtype=np.float32), {}).dtype
        dtype('float32')
        """
        forward = self.naive_forward or self.numpy_forward
        derivative = self.naive_derivative or self.numpy_derivative
        dtype = x.dtype.type
        cast = {}
        for p in self.parameters:
            v = values[p.name]
            if p.symbolic:
                v = v.astype(dtype) if isinstance(v, np.ndarray) else dtype(v)
            cast[p.name] = v
        return self.shape.apply(forward, derivative, which, x, cast)

    def limits(
        self, which: Literal["forward", "derivative"] = "forward", **params: Any
    ) -> tuple[float, float]:
        """The limits of f or f′ at −∞ and +∞ (of the slice for non-elementwise shapes).

        Args:
            which: ``"forward"`` for f, ``"derivative"`` for f′.
            **params: parameter values (defaults for the others).

        Returns:
            The pair :math:`(\\lim_{x \\to -\\infty}, \\lim_{x \\to +\\infty})`, computed by SymPy.

        Raises:
            ValueError: ``which`` is neither ``"forward"`` nor ``"derivative"``.

        >>> from actlib import get
        >>> get("elu").limits(alpha=2.0)
        (-2.0, inf)
        """
        if which not in ("forward", "derivative"):
            raise ValueError(f"which must be 'forward' or 'derivative', got {which!r}")
        return _limits_at_infinity(self, which, self._key(self.resolve(params)))

    # ------------------------------------------------------------------ PyTorch side
    @property
    def torch_name(self) -> str:
        """How PyTorch's implementation is written, e.g. ``torch.nn.functional.elu``.

        >>> from actlib import get
        >>> get("gelu_tanh").torch_name
        'torch.nn.functional.gelu(approximate="tanh")'
        """
        return str(self.torch_reference)

    def torch_forward(self, t: Any, **values: Any) -> Any:
        """PyTorch's implementation on a tensor, with already validated parameter values.

        Args:
            t: a floating-point tensor.
            **values: validated parameter values (see :meth:`resolve`).

        Returns:
            The output tensor.

        >>> import torch
        >>> from actlib import get
        >>> get("relu").torch_forward(torch.tensor([-1.0, 2.0]))
        tensor([0., 2.])
        """
        return self.torch_reference(t, **values)

    def torch(self, x: Any, **params: Any) -> Any:
        """Run PyTorch's own implementation on a tensor (see :attr:`torch_reference`).

        A NumPy array or list is converted with :func:`torch.as_tensor` after validation.

        Args:
            x: a floating-point tensor, or anything :attr:`forward` accepts.
            **params: parameter values (defaults for the others), validated first.

        Returns:
            A tensor (float64 for a list of Python numbers, otherwise the input's dtype).

        Raises:
            TypeError: ``x`` is an integer or complex tensor, or not a real array.

        >>> from actlib import get
        >>> get("elu").torch([-1.0, 1.0], alpha=2.0)
        tensor([-1.2642,  1.0000], dtype=torch.float64)
        """
        import torch

        values = self.resolve(params)
        if not isinstance(x, torch.Tensor):
            arr, out_dtype = as_real_array(x)
            x = torch.as_tensor(arr.astype(out_dtype))
        elif x.is_complex() or not x.is_floating_point():
            raise TypeError(f"x must be a floating-point tensor, got dtype {x.dtype}")
        return self.torch_forward(x, **values)

    def torch_module(self, **params: Any) -> Any:
        """A ``torch.nn.Module`` applying this activation (learnable parameters included).

        Args:
            **params: parameter values (defaults for the others), validated first.

        Returns:
            PyTorch's module where PyTorch has one, else a module that calls
            :meth:`torch_forward`.

        >>> from actlib import get
        >>> get("leaky_relu").torch_module(negative_slope=0.2)
        LeakyReLU(negative_slope=0.2)
        """
        return self.torch_reference.build_module(self, self.resolve(params))

    @property
    def chapter_name(self) -> str:
        """The notebook that presents this activation (``notebooks/<chapter_name>.ipynb``).

        >>> from actlib import get
        >>> get("gelu_tanh").chapter_name
        'gelu'
        """
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
    from actlib.symbolic.properties import limits_at_infinity  # it imports this module

    lo, hi = limits_at_infinity(expr)
    return lo, hi


#: Placeholder symbols standing for published decimal constants, and how they are typeset.
_DECIMALS: dict[sp.Rational, sp.Symbol] = {}
_DECIMAL_NAMES: dict[sp.Symbol, str] = {}


def decimal_constants(expr: Any) -> Any:
    """Published decimal constants (exact rationals like 44715/10⁶) kept as decimals.

    A rational whose denominator is 2ᵃ·5ᵇ ≥ 1000 is a finite decimal that a paper printed as
    such (GELU's 0.044715); SymPy would typeset it as a reduced fraction (8943/200000) and fold
    it into other coefficients when differentiating. Each such constant becomes a positive
    placeholder symbol that :meth:`Activation.to_latex` writes as the decimal; differentiate
    the result to keep the constant visible in the derivative. Small fractions (1/2, 1/8) stay.

    Args:
        expr: a SymPy expression (anything else is returned unchanged).

    Returns:
        ``expr`` with those constants replaced by their placeholders.

    >>> import sympy as sp
    >>> x = sp.Symbol("x")
    >>> e = decimal_constants(sp.Rational(44715, 10**6) * x**3 + x / 2)
    >>> print(sp.latex(sp.diff(e, x), symbol_names=_DECIMAL_NAMES))
    3 \\cdot 0.044715 x^{2} + \\frac{1}{2}
    """
    if not isinstance(expr, sp.Basic):
        return expr
    swap = {}
    for r in expr.atoms(sp.Rational):
        q = int(r.q)
        rest = q
        for prime in (2, 5):
            while rest % prime == 0:
                rest //= prime
        if q >= 1000 and rest == 1:
            if r not in _DECIMALS:
                symbol = sp.Symbol(f"decimal_{r.p}_{q}", positive=True)
                decimals = len(str(q))  # p/q has at most this many decimals
                _DECIMALS[r] = symbol
                _DECIMAL_NAMES[symbol] = f"{float(r):.{decimals}f}".rstrip("0")
            swap[r] = _DECIMALS[r]
    return expr.xreplace(swap) if swap else expr
