"""Cross-checks of the three implementations of an activation.

:func:`verify` evaluates the SymPy expression in high precision (:mod:`actlib.checks.reference`)
on inputs chosen by the activation's shape and measures how far the NumPy implementation and
PyTorch's own implementation (forward and autograd derivative, plus gradients with respect to
learnable parameters) are from it.

>>> print(verify("relu"))  # doctest: +ELLIPSIS
verify('relu', no parameters): PASSED
...
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from actlib.checks.reference import REFERENCE_DIGITS, mp_function, mp_value
from actlib.display.i18n import tr
from actlib.display.table import Table
from actlib.registry import get
from actlib.shapes import flatten_outputs
from actlib.spec import Activation

#: The relative tolerance of NumPy against the exact value everywhere on the grid, with the
#: usual allowance for conditioning. An error as small as that caused by changing x by this
#: relative amount also passes, :math:`|\mathrm{err}| \le \mathrm{rtol}\,(|f(x)| + |x f'(x)|)`.
NUMPY_RTOL = 1e-13
#: The relative part of PyTorch's mixed tolerance (see :data:`TORCH_ATOL` for the reason).
TORCH_RTOL = 1e-12
#: The absolute floor of PyTorch's mixed tolerance. Several of its float64 kernels (1 + erf,
#: 1 − tanh², σ(1 − σ)) lose all relative accuracy in the tails; the chapter on numerical
#: stability measures how much.
TORCH_ATOL = 1e-14


@dataclass(frozen=True)
class Check:
    """One comparison: an implementation against the high-precision reference.

    >>> verify("relu").checks[0].implementation
    'NumPy'
    """

    quantity: str  #: What is compared (``"forward"``, ``"derivative"``, ``"∂f/∂weight"`` ...).
    implementation: str  #: ``"NumPy"`` or ``"PyTorch"``.
    max_abs: float  #: The largest absolute error.
    max_rel: float  #: The largest relative error (∞ where the reference is 0 and the value not).
    worst_x: Any  #: The sample with the largest error relative to its tolerance.
    rtol: float  #: The relative tolerance.
    atol: float  #: The absolute tolerance.
    passed: bool  #: Whether every sample is within tolerance.
    #: Whether some sample passes only thanks to the absolute part of the tolerance. Near a
    #: zero of f a tiny absolute error is a large relative one (up to 100 % where f rounds to 0).
    by_floor: bool = False


@dataclass(frozen=True)
class VerifyReport:
    """Result of :func:`verify`: one :class:`Check` per row; ``passed`` if all rows pass.

    It prints as an aligned table and renders as HTML in a notebook.

    >>> report = verify("elu", alpha=2.0)
    >>> report.params, len(report.checks)
    ({'alpha': 2.0}, 4)
    """

    name: str  #: The activation's name.
    params: dict[str, Any]  #: The parameter values given to :func:`verify`.
    grid: str  #: What the inputs were (English).
    checks: tuple[Check, ...] = field(default_factory=tuple)  #: One check per comparison.
    #: What the inputs were, in the reader's language (what the report shows); ``grid`` if empty.
    grid_shown: str = ""

    @property
    def passed(self) -> bool:
        """Whether every check passed.

        >>> VerifyReport("relu", {}, "no inputs").passed
        True
        """
        return all(c.passed for c in self.checks)

    def _rows(self) -> list[list[str]]:
        rows = []
        for c in self.checks:
            if not c.passed:
                result = tr("FAIL")
            else:
                result = tr("pass (absolute floor)") if c.by_floor else tr("pass")
            rows.append(
                [
                    _shown_quantity(c.quantity),
                    c.implementation,
                    f"{c.max_abs:.2e}",
                    f"{c.max_rel:.2e}",
                    _fmt_x(c.worst_x),
                    f"{c.rtol:.0e}" + (f" + {c.atol:.0e}" if c.atol > 1e-300 else ""),
                    result,
                ]
            )
        return rows

    def _note(self) -> str:
        """The sentence under the table that explains rows passing by the absolute floor."""
        if not any(c.passed and c.by_floor for c in self.checks):
            return ""
        return tr(
            "pass (absolute floor): the largest relative error of that row occurs where the "
            "value is close to 0; the error is within the absolute part of the tolerance, "
            "which is what matters for values of that size."
        )

    @staticmethod
    def _header() -> list[str]:
        return [
            tr("quantity"),
            tr("implementation"),
            tr("max abs err"),
            tr("max rel err"),
            tr("worst at x"),
            tr("tolerance (rel + abs)"),
            tr("result"),
        ]

    def table(self) -> Table:
        """The checks as a :class:`~actlib.display.table.Table`, results marked pass/fail.

        Returns:
            One row per check; the result cell carries the pass or fail class.

        >>> verify("relu").table().header[-1]
        'result'
        """
        rows = self._rows()
        marks = [[None] * 6 + [Table.PASS if c.passed else Table.FAIL] for c in self.checks]
        return Table(self._header(), rows, classes=marks, css_class="")

    def _verdict(self) -> str:
        return tr("PASSED") if self.passed else tr("FAILED")

    def __str__(self) -> str:
        lines = [
            f"verify({self.name!r}, {_fmt_params(self.params)}){tr(': ')}{self._verdict()}",
            tr(
                "reference: SymPy expression in {digits}-digit arithmetic (raised where it "
                "cancels); grid: {grid}"
            ).format(digits=REFERENCE_DIGITS, grid=self.grid_shown or self.grid),
            self.table().to_text(),
        ]
        return "\n".join(lines + ([self._note()] if self._note() else []))

    __repr__ = __str__

    def _repr_html_(self) -> str:
        colour = "#1a7f37" if self.passed else "#cf222e"
        reference = tr(
            "reference: the SymPy expression evaluated in {digits}-digit arithmetic; grid: {grid}"
        ).format(digits=REFERENCE_DIGITS, grid=self.grid_shown or self.grid)
        return (
            f"<div class='actlib-verify'><p><strong>verify('{html.escape(self.name)}', "
            f"{html.escape(_fmt_params(self.params))})</strong>{html.escape(tr(': '))}"
            f"<span style='color:{colour};font-weight:bold'>{self._verdict()}</span><br>"
            f"<small>{html.escape(reference)}</small></p>"
            f"{self.table()._repr_html_()}"
            + (f"<p><small>{html.escape(self._note())}</small></p>" if self._note() else "")
            + "</div>"
        )


def _fmt_x(x: Any) -> str:
    if isinstance(x, str):
        return x
    return f"{x:.4g}"


def _fmt_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items()) or tr("no parameters")


def _shown_quantity(quantity: str) -> str:
    """A check's quantity as the report shows it, in the reader's language.

    >>> _shown_quantity("derivative (autograd)"), _shown_quantity("∂f/∂weight")
    ('derivative (autograd)', '∂f/∂weight')
    """
    base = quantity.removesuffix(" (autograd)")
    words = {
        "forward": tr("forward"),
        "derivative": tr("derivative"),
        "Jacobian": tr("Jacobian"),
        "gradient (∂f/∂a, ∂f/∂b)": tr("gradient (∂f/∂a, ∂f/∂b)"),
    }
    shown = words.get(base, base)
    return shown + tr(" (autograd)") if base != quantity else shown


def _compare(quantity, implementation, got, ref, xs, rtol, atol, cond=None) -> Check:
    """``cond`` (optional) is |x·f'(x)|, added to |f(x)| in the relative allowance."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref, dtype=np.float64)
    scale = np.abs(ref) if cond is None else np.abs(ref) + np.asarray(cond)
    err = np.abs(got - ref)
    # Exact agreement (including equal infinities) is zero error.
    err = np.where(got == ref, 0.0, err)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref != 0, err / np.abs(ref), np.where(err == 0, 0.0, np.inf))
    bad = ~(err <= rtol * scale + atol)
    by_floor = bool(np.any(~bad & (err > rtol * scale)))
    score = np.where(bad, np.inf, err / (rtol * scale + atol + 1e-300))
    worst = int(np.argmax(score)) if score.size else 0
    return Check(
        quantity=quantity,
        implementation=implementation,
        max_abs=float(np.max(err)) if err.size else 0.0,
        max_rel=float(np.max(rel)) if rel.size else 0.0,
        worst_x=xs[worst] if len(xs) else float("nan"),
        rtol=rtol,
        atol=atol,
        passed=not bool(bad.any()),
        by_floor=by_floor,
    )


def _reference(exprs: list[sp.Expr], symbols, points: np.ndarray) -> np.ndarray:
    """``exprs`` at every row of ``points``, in high precision: shape (samples, len(exprs))."""
    fns = [mp_function(e, symbols) for e in exprs]
    return np.array([[float(mp_value(fn, *row)) for fn in fns] for row in points])


def verify(name: str | Activation, **params: Any) -> VerifyReport:
    """Compare NumPy and PyTorch with the SymPy expression of activation ``name``.

    The inputs come from the spec's shape (:meth:`actlib.shapes.Shape.verify_sample`): a grid
    on [−20, 20] for elementwise activations, seeded random vectors for normalizing ones,
    pairs of halves for gated ones. Forward and derivative (f′, the Jacobian, or the gradient
    with respect to both halves) are compared for NumPy and for PyTorch (float64; autograd for
    the derivative), plus the gradient with respect to every learnable parameter. Random modes
    (RReLU with ``training=True``) are not deterministic and are rejected.

    Args:
        name: a registered name or a spec.
        **params: parameter values (defaults for the others).

    Returns:
        A :class:`VerifyReport`; ``report.passed`` tells whether every check passed.

    Raises:
        ValueError: the parameter values make the function random.

    >>> verify("relu").passed
    True
    """
    import torch

    spec = get(name)
    values = spec.resolve(params)
    if spec.is_random(values):
        raise ValueError(
            f"verify compares deterministic functions, but these parameters make {spec.name} "
            f"draw random values; verify its deterministic mode instead: "
            f"{_fmt_params({k: v for k, v in spec.deterministic(values).items() if k in params})}"
        )
    shown = {k: v for k, v in values.items() if k in params}
    shape = spec.shape
    sample = shape.verify_sample(spec)
    m = len(sample.points)
    values = shape.slice_params(values)  # the sample's layout puts any axis last
    symbols = shape.symbols(sample.points.shape[1])
    pvals = spec.symbolic_params(values)
    f = shape.build(spec.sympy_expr, pvals, len(symbols))
    quantities = {
        "forward": shape.forward_components(f),
        "derivative": shape.derivative_components(f, len(symbols)),
    }
    reference = {q: _reference(es, symbols, sample.points) for q, es in quantities.items()}
    cond: dict[str, np.ndarray | None] = {q: None for q in quantities}
    if shape.conditioning:
        xs = sample.points
        for q, es in quantities.items():
            total = np.zeros((m, len(es)))
            for j, s in enumerate(symbols):
                slopes = _reference([sp.diff(e, s) for e in es], symbols, xs)
                total += np.abs(xs[:, j : j + 1] * slopes)
            cond[q] = total

    def where(q: str) -> list[Any]:
        return list(np.repeat(np.array(sample.labels, dtype=object), len(quantities[q])))

    derivative_name = shape.derivative_name
    checks = []
    numpy_out = {
        "forward": spec.forward(sample.array, **values),
        "derivative": spec.derivative(sample.array, **values),
    }
    for q in quantities:
        allowance = cond[q]
        checks.append(
            _compare(
                q if q == "forward" else derivative_name,
                "NumPy",
                flatten_outputs(numpy_out[q], m).ravel(),
                reference[q].ravel(),
                where(q),
                NUMPY_RTOL,
                1e-300,
                None if allowance is None else allowance.ravel(),
            )
        )
    t = torch.tensor(sample.array, dtype=torch.float64)
    learn = [p for p in spec.parameters if p.learnable]
    wts = {p.name: torch.tensor([values[p.name]], dtype=torch.float64) for p in learn}
    torch_values = {**values, **wts}

    def run(x):
        return spec.torch_forward(x, **torch_values)

    with torch.no_grad():
        y = run(t)
    g = shape.torch_derivative(run, t)
    checks += [
        _compare(
            "forward",
            "PyTorch",
            flatten_outputs(y.numpy(), m).ravel(),
            reference["forward"].ravel(),
            where("forward"),
            TORCH_RTOL,
            TORCH_ATOL,
        ),
        _compare(
            f"{derivative_name} (autograd)",
            "PyTorch",
            flatten_outputs(g.numpy(), m).ravel(),
            reference["derivative"].ravel(),
            where("derivative"),
            TORCH_RTOL,
            TORCH_ATOL,
        ),
    ]
    if learn:
        sym = shape.build(
            spec.sympy_expr, {p.name: p.symbol for p in spec.parameters if p.symbolic}
        )
        np_grads = spec.param_gradients(sample.array, **values)
        for p in learn:
            dp = sp.diff(sym, p.symbol).subs(
                {spec.param_specs[k].symbol: v for k, v in pvals.items()}
            )
            ref_p = _reference(shape.forward_components(dp), symbols, sample.points)
            jac = torch.func.jacrev(
                lambda w, p=p: spec.torch_forward(t, **{**torch_values, p.name: w})
            )(wts[p.name])
            checks += [
                _compare(
                    f"∂f/∂{p.name}",
                    "NumPy",
                    flatten_outputs(np_grads[p.name], m).ravel(),
                    ref_p.ravel(),
                    where("forward"),
                    NUMPY_RTOL,
                    1e-300,
                ),
                _compare(
                    f"∂f/∂{p.name} (autograd)",
                    "PyTorch",
                    flatten_outputs(jac[..., 0].numpy(), m).ravel(),
                    ref_p.ravel(),
                    where("forward"),
                    TORCH_RTOL,
                    TORCH_ATOL,
                ),
            ]
    return VerifyReport(spec.name, shown, sample.description, tuple(checks), sample.shown)
