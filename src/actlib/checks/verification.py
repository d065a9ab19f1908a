"""Cross-checks of the three implementations of an activation.

:func:`verify` evaluates the SymPy expression in 40-digit arithmetic (mpmath) on a standard grid
and measures how far the NumPy implementation and PyTorch's own implementation (forward and
autograd derivative, plus gradients with respect to learnable parameters) are from it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from actlib.registry import get
from actlib.spec import Activation, X

#: Working precision of the reference, in decimal digits.
REFERENCE_DIGITS = 40
#: NumPy must match the exact value to this relative tolerance everywhere on the grid, with the
#: usual allowance for conditioning: an error as small as that caused by changing x by this
#: relative amount also passes (|err| <= rtol * (|f(x)| + |x f'(x)|)).
NUMPY_RTOL = 1e-13
#: PyTorch is held to a mixed tolerance: relative 1e-12 plus an absolute floor of 1e-14, because
#: several of its float64 kernels (1 + erf, 1 - tanh², σ(1 - σ)) lose all relative accuracy in
#: the tails; the chapter on numerical stability measures how much.
TORCH_RTOL, TORCH_ATOL = 1e-12, 1e-14


def standard_grid(spec: Activation) -> np.ndarray:
    """801 points on [−20, 20], plus 0, ±1e−8, ±1e−300 and the spec's kinks."""
    extra = [0.0, 1e-8, -1e-8, 1e-300, -1e-300, *spec.kinks]
    return np.unique(np.concatenate([np.linspace(-20.0, 20.0, 801), extra]))


@dataclass(frozen=True)
class Check:
    """One comparison: an implementation against the high-precision reference."""

    quantity: str
    implementation: str
    max_abs: float
    max_rel: float
    worst_x: Any
    rtol: float
    atol: float
    passed: bool


@dataclass(frozen=True)
class VerifyReport:
    """Result of :func:`verify`: one :class:`Check` per row; ``passed`` if all rows pass."""

    name: str
    params: dict[str, Any]
    grid: str
    checks: tuple[Check, ...] = field(default_factory=tuple)

    @property
    def passed(self) -> bool:
        return all(c.passed for c in self.checks)

    def _rows(self) -> list[list[str]]:
        rows = []
        for c in self.checks:
            rows.append(
                [
                    c.quantity,
                    c.implementation,
                    f"{c.max_abs:.2e}",
                    f"{c.max_rel:.2e}",
                    _fmt_x(c.worst_x),
                    f"{c.rtol:.0e}" + (f" + {c.atol:.0e}" if c.atol > 1e-300 else ""),
                    "pass" if c.passed else "FAIL",
                ]
            )
        return rows

    _HEADER = [
        "quantity",
        "implementation",
        "max abs err",
        "max rel err",
        "worst at x",
        "tolerance (rel + abs)",
        "result",
    ]

    def __str__(self) -> str:
        rows = [self._HEADER, *self._rows()]
        widths = [max(len(r[i]) for r in rows) for i in range(len(self._HEADER))]
        lines = [
            f"verify({self.name!r}, {_fmt_params(self.params)}): "
            f"{'PASSED' if self.passed else 'FAILED'}",
            f"reference: SymPy expression in {REFERENCE_DIGITS}-digit arithmetic "
            f"(raised where it cancels); grid: {self.grid}",
        ]
        for i, r in enumerate(rows):
            lines.append("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)))
            if i == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEADER)
        body = ""
        for r in self._rows():
            colour = "#1a7f37" if r[-1] == "pass" else "#cf222e"
            cells = "".join(f"<td>{html.escape(v)}</td>" for v in r[:-1])
            body += f"<tr>{cells}<td style='color:{colour};font-weight:bold'>{r[-1]}</td></tr>"
        verdict = "PASSED" if self.passed else "FAILED"
        colour = "#1a7f37" if self.passed else "#cf222e"
        return (
            f"<div class='actlib-verify'><p><strong>verify('{html.escape(self.name)}', "
            f"{html.escape(_fmt_params(self.params))})</strong>: "
            f"<span style='color:{colour};font-weight:bold'>{verdict}</span><br>"
            f"<small>reference: the SymPy expression evaluated in {REFERENCE_DIGITS}-digit "
            f"arithmetic; grid: {html.escape(self.grid)}</small></p>"
            f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
        )


def _fmt_x(x: Any) -> str:
    if isinstance(x, str):
        return x
    return f"{x:.4g}"


def _fmt_params(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in params.items()) or "no parameters"


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
    )


def _mp_value(fn, args) -> Any:
    """Evaluate ``fn`` in mpmath at rising precision until two levels agree to 30 digits.

    A fixed precision is not enough: in x/2·(1 + erf(x/√2)) at x = −20 the sum cancels 89
    digits, and at 40 digits the reference itself would be 0. A result that stays exactly 0 up
    to 800 digits is taken as a true zero.
    """
    prev = None
    for dps in (REFERENCE_DIGITS, 2 * REFERENCE_DIGITS, 200, 400, 800):
        with mpmath.workdps(dps):
            value = fn(*(mpmath.mpf(float(a)) for a in args))
            if prev is not None and value != 0 and abs(value - prev) <= abs(value) * 1e-30:
                return value
        prev = value
    return value


def _mp_eval(expr: sp.Expr, symbols, points) -> np.ndarray:
    fn = sp.lambdify(symbols, expr, modules="mpmath")
    return np.array([float(_mp_value(fn, p)) for p in points])


def verify(name: str | Activation, **params: Any) -> VerifyReport:
    """Compare NumPy and PyTorch with the SymPy expression of activation ``name``.

    For elementwise activations: forward and derivative on :func:`standard_grid`, NumPy and
    PyTorch (float64, autograd for the derivative), plus the gradient with respect to every
    learnable parameter. For softmax: 64 seeded random logit vectors of length 5, forward and
    full Jacobian. Random-slope modes (rrelu with ``training=True``) are not deterministic and
    are rejected; their evaluation mode is verified.

    >>> verify("relu").passed
    True
    """
    spec = get(name)
    values = spec.resolve(params)
    if values.get("training"):
        raise ValueError(
            "verify compares deterministic functions; 'training=True' draws random slopes. "
            "Verify the evaluation mode (training=False) instead."
        )
    shown = {k: v for k, v in values.items() if k in params}
    if spec.kind == "vector":
        return _verify_vector(spec, values, shown)
    return _verify_elementwise(spec, values, shown)


def _verify_elementwise(spec: Activation, values: dict, shown: dict) -> VerifyReport:
    import torch

    xs = standard_grid(spec)
    pts = [(v,) for v in xs]
    pvals = spec.symbolic_params(values)
    f = spec.sympy_expr(X, **pvals)
    d = sp.diff(f, X)
    ref_f = _mp_eval(f, [X], pts)
    ref_d = _mp_eval(d, [X], pts)
    ref_d2 = _mp_eval(sp.diff(d, X), [X], pts)
    checks = [
        _compare(
            "forward",
            "NumPy",
            spec.forward(xs, **values),
            ref_f,
            xs,
            NUMPY_RTOL,
            1e-300,
            cond=np.abs(xs * ref_d),
        ),
        _compare(
            "derivative",
            "NumPy",
            spec.derivative(xs, **values),
            ref_d,
            xs,
            NUMPY_RTOL,
            1e-300,
            cond=np.abs(xs * ref_d2),
        ),
    ]
    t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
    learn = [p for p in spec.parameters if p.learnable]
    wts = {
        p.name: torch.tensor([values[p.name]], dtype=torch.float64, requires_grad=True)
        for p in learn
    }
    y = spec.torch_forward(t, **{**values, **wts})
    (g,) = torch.autograd.grad(y.sum(), t)
    checks += [
        _compare("forward", "PyTorch", y.detach().numpy(), ref_f, xs, TORCH_RTOL, TORCH_ATOL),
        _compare("derivative (autograd)", "PyTorch", g.numpy(), ref_d, xs, TORCH_RTOL, TORCH_ATOL),
    ]
    if learn:
        sym = spec.sympy_expr(X, **{p.name: p.symbol for p in spec.parameters if p.symbolic})
        np_grads = spec.param_gradients(xs, **values)
        for p in learn:
            dp = sp.diff(sym, p.symbol).subs(pvals)
            ref_p = _mp_eval(dp, [X], pts)
            jac = torch.func.jacrev(
                lambda w, p=p: spec.torch_forward(t.detach(), **{**values, p.name: w})
            )(wts[p.name].detach())
            checks += [
                _compare(f"∂f/∂{p.name}", "NumPy", np_grads[p.name], ref_p, xs, NUMPY_RTOL, 1e-300),
                _compare(
                    f"∂f/∂{p.name} (autograd)",
                    "PyTorch",
                    jac[:, 0].numpy(),
                    ref_p,
                    xs,
                    TORCH_RTOL,
                    TORCH_ATOL,
                ),
            ]
    grid = f"{len(xs)} points on [−20, 20] incl. 0, ±1e−8, ±1e−300 and kinks"
    return VerifyReport(spec.name, shown, grid, tuple(checks))


def _verify_vector(spec: Activation, values: dict, shown: dict) -> VerifyReport:
    import torch

    n, m = 5, 64
    rng = np.random.default_rng(20240601)
    logits = rng.normal(scale=5.0, size=(m, n))
    logits[0] = [1000.0, 999.0, 0.0, -1000.0, 3.0]  # the case the max-shift exists for
    xs_sym = sp.symbols(f"x_0:{n}", real=True)
    expr = spec.sympy_expr(sp.Matrix(xs_sym), **spec.symbolic_params(values))
    jac = expr.jacobian(sp.Matrix(xs_sym))
    ref_f = np.array([[_mp_eval(e, xs_sym, [row])[0] for e in expr] for row in logits])
    ref_j = np.array([[_mp_eval(e, xs_sym, [row])[0] for e in jac] for row in logits])
    ref_j = ref_j.reshape(m, n, n)
    values = {**values, "axis": -1}
    t = torch.tensor(logits, dtype=torch.float64)
    tj = torch.func.vmap(torch.func.jacrev(lambda r: spec.torch_forward(r, axis=-1)))(t)
    rows = np.repeat(np.arange(m), n)
    rows_j = np.repeat(np.arange(m), n * n)
    where = [f"row {i}" for i in rows]
    where_j = [f"row {i}" for i in rows_j]
    checks = (
        _compare(
            "forward",
            "NumPy",
            spec.forward(logits, **values).ravel(),
            ref_f.ravel(),
            where,
            NUMPY_RTOL,
            1e-300,
        ),
        _compare(
            "Jacobian",
            "NumPy",
            spec.derivative(logits, **values).ravel(),
            ref_j.ravel(),
            where_j,
            NUMPY_RTOL,
            1e-300,
        ),
        _compare(
            "forward",
            "PyTorch",
            spec.torch_forward(t, axis=-1).numpy().ravel(),
            ref_f.ravel(),
            where,
            TORCH_RTOL,
            TORCH_ATOL,
        ),
        _compare(
            "Jacobian (autograd)",
            "PyTorch",
            tj.numpy().ravel(),
            ref_j.ravel(),
            where_j,
            TORCH_RTOL,
            TORCH_ATOL,
        ),
    )
    grid = f"{m} seeded random logit vectors of length {n}, one with entries ±1000"
    return VerifyReport(spec.name, shown, grid, checks)
