"""The comparison table of all registered activations, generated from the specs.

Every cell comes from the registry: the formula from :meth:`~actlib.spec.Activation.latex`, the
ranges, monotonicity, smoothness, zero-centring and saturation from
:meth:`~actlib.spec.Activation.properties`, the typical use from ``spec.roles``, the shape and
the computed range, and the cost from a measurement passed in (the chapter uses
:func:`actlib.checks.speed.training_cost`: PyTorch's forward and backward pass relative to
ReLU). Registering a new activation adds its row; nothing here names an activation.

>>> from actlib.display.comparison import comparison_rows, to_markdown
>>> rows = comparison_rows(["relu"], cost={"relu": 1.0})
>>> rows[0].saturates
'x → −∞'
>>> to_markdown(rows).splitlines()[0].startswith("| Activation |")
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from actlib.display.i18n import join_names, tr, tr_data, yes_no
from actlib.display.table import Table
from actlib.registry import get, names
from actlib.spec import Activation
from actlib.symbolic.properties import Properties

__all__ = [
    "GATE_USE",
    "ActivationRow",
    "comparison_rows",
    "format_interval",
    "to_markdown",
    "typical_use",
]

#: LaTeX longer than this for an exact bound is replaced by its value to 3 significant digits.
_MAX_EXACT_LATEX = 16

#: The typical use of an entrywise hidden-role function whose output is a fraction in [0, 1]
#: (in English; :func:`typical_use` gives it in the reader's language).
GATE_USE = "gates (LSTM/GRU cells, GLU, squeeze-and-excitation)"


@dataclass(frozen=True)
class ActivationRow:
    """One row of the comparison table (strings ready to print, plus the spec's name)."""

    name: str
    title: str
    formula: str  #: LaTeX, without dollars
    range: str  #: LaTeX, without dollars
    derivative_range: str  #: LaTeX, without dollars
    monotonic: bool
    smooth: bool
    zero_centred: bool
    mean_normal: float  #: E f(Z) for Z ~ N(0, 1)
    saturates: str
    cost: float  #: time relative to a baseline, as measured by the caller (NaN if not measured)
    typical_use: str
    extra: Mapping[str, str] = field(default_factory=dict)


def _bound_latex(value: float, exact: Any) -> str:
    if math.isinf(value):
        return r"+\infty" if value > 0 else r"-\infty"
    if exact is not None:
        text = sp.latex(exact)
        if len(text) <= _MAX_EXACT_LATEX:
            return text
    return f"{value:.3g}"


def format_values(values: Sequence[float]) -> str:
    r"""LaTeX for the finite set of values a function takes (a piecewise-constant f′).

    >>> format_values((0.0, 1.0))
    '\\{0,\\ 1\\}'
    """
    return r"\{" + r",\ ".join(_bound_latex(v, None) for v in values) + r"\}"


def format_interval(
    bounds: Sequence[float],
    exact: Sequence[Any] | None = None,
    attained: Sequence[bool] | None = None,
) -> str:
    r"""LaTeX for an interval from its infimum, supremum and whether each is attained.

    Exact SymPy values are used when given and short; otherwise the float to 3 significant
    digits. An infinite end is always open.

    >>> format_interval((0.0, 0.25), exact=(0, sp.Rational(1, 4)), attained=(False, True))
    '\\left(0,\\ \\frac{1}{4}\\right]'
    >>> format_interval((0.0, math.inf), attained=(True, False))
    '\\left[0,\\ +\\infty\\right)'
    """
    if len(bounds) != 2:
        raise ValueError(f"bounds must be (infimum, supremum), got {bounds!r}")
    exact = exact if exact is not None else (None, None)
    attained = attained if attained is not None else (False, False)
    lo, hi = (float(v) for v in bounds)
    left = "[" if attained[0] and math.isfinite(lo) else "("
    right = "]" if attained[1] and math.isfinite(hi) else ")"
    lo_tex, hi_tex = (_bound_latex(v, e) for v, e in zip((lo, hi), exact, strict=True))
    return f"\\left{left}{lo_tex},\\ {hi_tex}\\right{right}"


def typical_use(spec: Activation | str, props: Properties | None = None) -> str:
    """Where the activation is used, derived from ``spec.roles``, its shape and computed range.

    Inside a network: a unit that takes two halves of its layer (not entrywise) is a gated
    unit of a feed-forward block; an entrywise function whose range lies within [0, 1] outputs
    a fraction, which today serves as a *gate* that scales another signal (the gates of LSTM
    and GRU cells, GLU, squeeze-and-excitation), not as the activation of a hidden layer,
    where an all-positive output with both sides saturating trains poorly; any other entrywise
    function is a hidden-layer activation. An output activation's task follows from what it
    can represent: a vector-valued map onto (0, 1) gives class probabilities (multiclass), an
    elementwise map onto (0, 1) the probability of a binary label, an unbounded one a
    real-valued target (regression).

    Args:
        spec: the activation or its registered name.
        props: its :class:`~actlib.symbolic.properties.Properties` if already at hand
            (computed otherwise).

    Returns:
        The uses joined by ``"; "``, e.g. ``"hidden layers"`` or ``"output, binary"``.

    >>> typical_use("relu")
    'hidden layers'
    >>> typical_use("sigmoid")
    'gates (LSTM/GRU cells, GLU, squeeze-and-excitation); output, binary'
    """
    spec = get(spec)
    props = spec.properties() if props is None else props
    lo, hi = props.range
    uses: list[str] = []
    if "hidden" in spec.roles:
        if not spec.shape.entrywise:
            uses.append(tr("feed-forward blocks (gated unit)"))
        elif lo >= 0 and hi <= 1:
            uses.append(tr("gates (LSTM/GRU cells, GLU, squeeze-and-excitation)"))
        else:
            uses.append(tr("hidden layers"))
    if "output" in spec.roles:
        if lo >= 0 and hi <= 1:
            task = spec.shape.output_task
            tasks = {"binary": tr("output, binary"), "multiclass": tr("output, multiclass")}
            uses.append(tasks.get(task, f"output, {task}"))
        elif math.isinf(lo) and math.isinf(hi):
            uses.append(tr("output, regression"))
        else:
            uses.append(tr("output"))
    return tr("; ").join(uses)


def _check_names(selection: Iterable[str] | None) -> list[Activation]:
    if selection is None:
        return [get(n) for n in names()]
    if isinstance(selection, str):
        raise TypeError("give a list of activation names, not a single string")
    return [get(n) for n in selection]


def comparison_rows(
    selection: Iterable[str] | None = None,
    *,
    cost: Mapping[str, float] | None = None,
    extra: Mapping[str, Mapping[str, str]] | None = None,
) -> list[ActivationRow]:
    """One :class:`ActivationRow` per activation (all registered ones, in book order, by default).

    Args:
        selection: activation names; ``None`` for the whole registry.
        cost: relative costs by name (for instance the ``relative`` of
            :func:`actlib.checks.speed.training_cost`); missing names get NaN.
        extra: additional columns, ``{column title: {name: text}}``; names without a value get
            an em dash.
    """
    specs = _check_names(selection)
    cost = dict(cost or {})
    extra = dict(extra or {})
    rows = []
    for spec in specs:
        p = spec.properties()
        sat = p.saturates
        rows.append(
            ActivationRow(
                name=spec.name,
                title=tr_data(spec.title),
                formula=spec.latex(),
                range=format_interval(p.range, p.range_exact, p.range_attained),
                derivative_range=format_interval(
                    p.derivative_range,
                    p.derivative_range_exact,
                    p.derivative_range_attained,
                )
                if p.derivative_values is None
                else format_values(p.derivative_values),
                monotonic=p.monotonic,
                smooth=p.continuously_differentiable,
                zero_centred=p.zero_centred,
                mean_normal=p.mean_normal,
                saturates=join_names(
                    [{"negative": "x → −∞", "positive": "x → +∞"}[side] for side in sat], None
                )
                or tr("none"),
                cost=float(cost.get(spec.name, math.nan)),
                typical_use=typical_use(spec, p),
                extra={col: str(values.get(spec.name, "—")) for col, values in extra.items()},
            )
        )
    return rows


def _math(latex: str) -> str:
    # A "|" would end a table cell even inside $...$; MathJax reads \vert the same way.
    flat = " ".join(latex.split())
    return "$" + flat.replace("|", r"\vert ") + "$"


def to_markdown(rows: Sequence[ActivationRow], *, cost_header: str | None = None) -> str:
    r"""A GitHub-flavoured Markdown table with ``$...$`` math (for MyST or Jupyter).

    A ``|`` in a formula becomes ``\vert`` (MathJax reads it the same way), so that the math
    survives Markdown renderers that do not unescape ``\|`` inside ``$...$``.

    Args:
        rows: the rows from :func:`comparison_rows`; the extra columns are those of the first.
        cost_header: the title of the cost column (say what was measured against what);
            "Cost (× baseline)" when ``None``.

    Returns:
        A Markdown table with a header line, a separator line and one line per row.

    Raises:
        ValueError: ``rows`` is empty.

    >>> row = ActivationRow("abs", "Absolute value", "|x|", "[0, 1]", "[-1, 1]",
    ...                     False, False, False, 0.798, "none", 2.0, "hidden layers")
    >>> print(to_markdown([row]).splitlines()[2])
    | Absolute value | $\vert x\vert $ | $[0, 1]$ | $[-1, 1]$ | no | no | 0.80 | none | 2.0 | hidden layers |
    """  # noqa: E501
    if not rows:
        raise ValueError("no rows to format")
    extra_cols = list(rows[0].extra)
    header = [
        tr("Activation"),
        tr("Formula"),
        tr("Range"),
        tr("Range of f′"),
        tr("Monotonic"),
        tr("Smooth (C¹)"),
        tr("Mean output, N(0, 1) input"),
        tr("Saturates"),
        tr("Cost (× baseline)") if cost_header is None else cost_header,
        tr("Typical use"),
        *extra_cols,
    ]
    cells = [
        [
            r.title,
            _math(r.formula),
            _math(r.range),
            _math(r.derivative_range),
            yes_no(r.monotonic),
            yes_no(r.smooth),
            f"{r.mean_normal:.2f}" + (tr(" (zero-centred)") if r.zero_centred else ""),
            r.saturates,
            "—" if math.isnan(r.cost) else f"{r.cost:.1f}",
            r.typical_use,
            *(r.extra.get(c, "—") for c in extra_cols),
        ]
        for r in rows
    ]
    return Table(header, cells).to_markdown()
