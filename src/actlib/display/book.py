"""Display helpers for the chapters: formulas, property tables and source listings.

Every chapter presents its activation the same way; these helpers keep that presentation in
one tested place instead of in each notebook.
"""

from __future__ import annotations

import inspect
import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import sympy as sp

from actlib.display.i18n import join_names, tr, tr_data, yes_no
from actlib.display.table import Table
from actlib.registry import get
from actlib.spec import Activation


def fmt_number(v: Any, digits: int = 4) -> str:
    """A number for prose and tables, with ``digits`` significant digits and a true minus sign.

    Integers below a million are written without a decimal point, infinities as ``∞`` and
    ``−∞``, and ``None`` as a dash.

    Args:
        v: a real number (or anything :class:`float` accepts), or ``None``.
        digits: significant digits of a non-integer value.

    Returns:
        The text.

    >>> fmt_number(-0.278464), fmt_number(2.0), fmt_number(float("inf")), fmt_number(None)
    ('−0.2785', '2', '∞', '—')
    """
    if v is None:
        return "—"
    v = float(v)
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == int(v) and abs(v) < 1e6:
        return str(int(v)).replace("-", "−")
    return f"{v:.{digits}g}".replace("-", "−")


def fmt_values(values: Sequence[float]) -> str:
    """The finitely many values a function takes, in words.

    >>> fmt_values((0.0, 1.0))
    'only the values 0 and 1'
    >>> fmt_values((1.0,))
    'only the value 1'
    """
    shown = [fmt_number(v) for v in values]
    if len(shown) == 1:
        return tr("only the value {value}").format(value=shown[0])
    return tr("only the values {values}").format(values=join_names(shown))


def fmt_interval(bounds: tuple[float, float], attained: tuple[bool, bool] = (False, False)) -> str:
    """``(lo, hi)`` as an interval string, e.g. ``(0, 1)`` or ``[−0.2785, ∞)``."""
    lo, hi = bounds
    left = "[" if attained[0] and math.isfinite(lo) else "("
    right = "]" if attained[1] and math.isfinite(hi) else ")"
    return f"{left}{fmt_number(lo)}, {fmt_number(hi)}{right}"


#: The chapters' name for :class:`~actlib.display.table.Table` (the one table renderer):
#: HTML in notebooks and the book, aligned text in a terminal, Markdown on request.
HTMLTable = Table


def _exact(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, sp.Basic) and not (
        value.is_Float or value.is_Integer or value.is_infinite
    ):
        return str(value)
    return ""


def properties_table(name: str | Activation, **params: Any) -> HTMLTable:
    """The properties of one activation as a two-column table, one row per property.

    Every value comes from :meth:`~actlib.spec.Activation.properties` (see
    :class:`~actlib.symbolic.properties.Properties`): intervals are written with a square
    bracket at an end the function attains and a round one at an end it only approaches, and
    exact values SymPy found are shown next to their floats.

    Args:
        name: the activation or its registered name.
        **params: parameter values (the spec's defaults otherwise).

    Returns:
        The table; it renders as HTML in a notebook and as aligned text in a terminal.

    >>> rows = dict(properties_table("leaky_relu").rows)
    >>> rows["range of f′"]
    'only the values 0.01 and 1'
    >>> rows["saturates (f′ → 0) on"]
    'neither side'
    """
    spec = get(name)
    p = spec.properties(**params)
    minimum = p.minimum
    sides = {"negative": tr("negative"), "positive": tr("positive")}
    saturates = join_names([sides[s] for s in p.saturates], None) or tr("neither side")

    def with_exact(text: str, *exacts: Any) -> str:
        shown = [e for e in map(_exact, exacts) if e and e not in text]
        if not shown:
            return text
        return text + tr("   (exact: {values})").format(values=", ".join(shown))

    rows = [
        [tr("range of f"), with_exact(fmt_interval(p.range, p.range_attained), *p.range_exact)],
        [
            tr("range of f′"),
            with_exact(
                fmt_interval(p.derivative_range, p.derivative_range_attained),
                *p.derivative_range_exact,
            )
            if p.derivative_values is None
            else fmt_values(p.derivative_values),
        ],
        [tr("monotonic"), yes_no(p.monotonic)],
        [
            tr("global minimum"),
            tr("none (infimum not attained)")
            if minimum is None
            else f"f({fmt_number(minimum.x, 6)}) = {fmt_number(minimum.value, 6)}",
        ],
        [tr("mean output E f(Z) for Z ~ N(0, 1)"), fmt_number(p.mean_normal, 4)],
        [tr("zero-centred (that mean is 0)"), yes_no(p.zero_centred)],
        [tr("saturates (f′ → 0) on"), saturates],
        [tr("continuously differentiable"), yes_no(p.continuously_differentiable)],
        ["f(0), f′(0)", f"{fmt_number(p.value_at_zero)}, {fmt_number(p.slope_at_zero)}"],
        [
            tr("limits at −∞, +∞"),
            f"{fmt_number(p.limits.negative)}, {fmt_number(p.limits.positive)}",
        ],
    ]
    shown = ", ".join(f"{k}={v!r}" for k, v in params.items())
    title = tr_data(spec.title)
    caption = (
        tr("Properties of {title} ({params})").format(title=title, params=shown)
        if shown
        else tr("Properties of {title}").format(title=title)
    )
    if spec.shape.slice_caption(spec.name):
        caption += " — " + spec.shape.slice_caption(spec.name)
    header = [tr("property"), tr("value (computed from the SymPy expression)")]
    return HTMLTable(header, rows, caption)


def formula(name: str | Activation, symbolic: bool = True, **params: Any) -> Any:
    """f and f′ as displayed LaTeX, f′ derived by :func:`sympy.diff` from f.

    Normalizing activations show the Jacobian and gated ones the gradient with respect to both
    halves (see :meth:`~actlib.shapes.Shape.formula_latex`).

    Args:
        name: the activation or its registered name.
        symbolic: keep the parameters as symbols (when no values are given).
        **params: parameter values to substitute.

    Returns:
        An ``IPython.display.Math`` object (it renders in notebooks and in the book).

    >>> print(formula("identity").data)
    f(x) = x\\qquad f'(x) = 1
    """
    from IPython.display import Math

    spec = get(name)
    return Math(spec.shape.formula_latex(spec, symbolic, params))


def source(func: Callable[..., Any]) -> Any:
    """The source code of ``func`` as a highlighted block (``IPython.display.Code``).

    Args:
        func: a function (or class) defined in a file.

    Returns:
        An ``IPython.display.Code`` object holding the source, highlighted as Python.

    Raises:
        TypeError: ``func`` is not callable.

    >>> from actlib.activations import relu
    >>> print(source(relu.forward).data.splitlines()[0])
    def forward(x: np.ndarray) -> np.ndarray:
    """
    from IPython.display import Code

    if not callable(func):
        raise TypeError(f"source() needs a function, got {type(func).__name__}")
    return Code(inspect.getsource(func), language="python")


#: The MIME prefix under which myst-nb finds values glued with ``display=False``.
GLUE_PREFIX = "application/papermill.record/"


def glue(name: str, variable: Any, display: bool = True, *, varies: bool = False) -> None:
    """Store the displayed form of ``variable`` under ``name`` for the book's ``{glue}`` roles.

    The same output as ``myst_nb.glue`` (a display message whose metadata names the value,
    its MIME types prefixed when it is not to be shown), without importing myst-nb's glue
    module: that module imports nbformat, whose schema validator pulls in a URI grammar that
    takes seconds to build, in every chapter's kernel.

    Args:
        name: the key the prose refers to, as in ``{glue:text}`name:.3f```.
        variable: any object; what is stored is what Jupyter would display for it.
        display: also show the value in the notebook.
        varies: the value is (or is computed from) a time measurement, so it changes from run
            to run; the test that executes every chapter twice does not compare it. Everything
            else a chapter glues must come out the same in every run.

    Raises:
        TypeError: ``name`` is not a string, or ``display`` or ``varies`` not a bool.
        ValueError: ``name`` is empty or contains whitespace.

    >>> glue("answer", 42, display=False)  # outside a kernel, nothing is shown
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, got {type(name).__name__}")
    if not name or any(c.isspace() for c in name):
        raise ValueError(f"name must be a non-empty string without spaces, got {name!r}")
    for flag, value in (("display", display), ("varies", varies)):
        if not isinstance(value, bool):
            raise TypeError(f"{flag} must be True or False, got {value!r}")
    from IPython.core.formatters import format_display_data
    from IPython.display import display as ipy_display

    bundle, metadata = format_display_data(variable)
    prefix = "" if display else GLUE_PREFIX
    metadata["scrapbook"] = {"name": name, "mime_prefix": prefix}
    if varies:
        metadata["actlib"] = {"varies": True}
    ipy_display({prefix + k: v for k, v in bundle.items()}, raw=True, metadata=metadata)


class Shown:
    """A value as the text of a chapter shows it: it displays as its text, without quotes.

    Args:
        text: the text.

    Raises:
        TypeError: ``text`` is not a string.

    >>> Shown("0.25")
    0.25
    """

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Shown needs a string, got {type(text).__name__}")
        self.text = text

    def __repr__(self) -> str:
        return self.text

    def __str__(self) -> str:
        return self.text

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(self.text)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shown) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)


#: The name of the :class:`Prose` object in every chapter; the book resolves
#: ``{eval}`prose.<name>``` and nothing else.
PROSE = "prose"


class Prose:
    """The computed values that a chapter's text shows, one attribute each.

    A code cell sets a value, formatted as the text should show it::

        prose.max_slope = format(max_slope, ".4f")

    and a markdown cell shows it with a MyST inline expression: ``{eval}`prose.max_slope```.
    In JupyterLab with jupyterlab-myst, the kernel evaluates the expression when the markdown
    cell is rendered. The book is rendered from the cached outputs, without a kernel, so every
    assignment also glues the text under its name, and the book's ``eval`` role looks the name
    up there (``book/_ext/actlib_prose.py``). Both read the same value.

    Values are text, or real numbers shown with ``str``; format a number with
    ``format`` to choose its digits.

    Raises:
        TypeError: a value is neither a string nor a real number (a bool is not a number here).
        ValueError: a name starts with an underscore.
        AttributeError: reading a value that no cell has set yet.

    >>> prose = Prose()
    >>> prose.slope = format(0.25, ".3f")
    >>> prose.slope
    0.250
    >>> prose.steps = 12
    >>> prose.steps
    12
    """

    def __setattr__(self, name: str, value: Any) -> None:
        self.set(name, value)

    def set(self, name: str, value: Any, *, varies: bool = False) -> None:
        """Set the value ``name`` (what ``prose.name = value`` does) and glue it for the book.

        Args:
            name: the attribute name, as the text writes it after ``prose.``.
            value: a string, or a real number (shown with ``str``).
            varies: the value is (or comes from) a time measurement, which changes from run
                to run (see :func:`glue`).

        Raises:
            TypeError: ``value`` is neither a string nor a real number.
            ValueError: ``name`` is not an identifier or starts with an underscore.

        >>> prose = Prose()
        >>> prose.set("seconds", "0.8", varies=True)
        >>> prose.seconds
        0.8
        """
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(
                f"a prose value needs a name that is an identifier without a leading "
                f"underscore, got {name!r}"
            )
        if isinstance(value, str):
            text = value
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            text = str(value)
        else:
            raise TypeError(
                f"prose.{name} must be a string or a real number (format numbers with "
                f"format(value, spec)), got {type(value).__name__}"
            )
        shown = Shown(text)
        object.__setattr__(self, name, shown)
        glue(name, shown, display=False, varies=varies)

    def __getattr__(self, name: str) -> Shown:
        # Called only for names that are not set.
        if name.startswith("__"):
            raise AttributeError(name)
        raise AttributeError(
            f"prose.{name} is not set yet: a code cell above the text sets it, "
            f"for example prose.{name} = format(value, '.3f'); run the cells above first"
        )
