"""Pure plotting functions: each one draws on an axes (or builds a figure) it is given.

Nothing here creates widgets or touches global pyplot state; the interactive explorers in
:mod:`actlib.display.explorer` are thin layers that call :func:`curve` and :func:`plot_activation`.

Activations that are not elementwise are drawn as their shape's slice (softmax:
``t ↦ softmax([t, 0])₀``), computed with the spec's own ``forward`` on the array the shape
builds; the derivative of that slice is the ``[0, 0]`` entry of the spec's Jacobian.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from actlib.display.i18n import tr, tr_data
from actlib.display.style import STYLES, svg
from actlib.registry import get, specs
from actlib.spec import Activation

#: Seed of the random slopes drawn when a spec is shown in training mode (rrelu).
SAMPLE_SEED = 0

#: The colour of the activation's own (solid) line, the first of the course's palette.
MAIN_COLOR = STYLES[0].color
#: The colour of the derivative's dashed line.
DERIVATIVE_COLOR = STYLES[1].color
#: The styles of overlaid activations, used in turn. Each has its own colour, line style and
#: marker, and none is the solid or dashed line of f and f′.
OVERLAY_STYLES = tuple(s for s in STYLES[:12] if s.linestyle not in ("-", "--"))
#: The colours of overlaid activations, used in turn.
OVERLAY_COLORS = tuple(s.color for s in OVERLAY_STYLES)
#: Reference lines (the axes through the origin).
_AXIS_GREY = "0.6"


class NotebookFigure(Figure):
    """A figure that shows itself (as SVG) when it is the value of a notebook cell.

    It is not registered with pyplot, so a cell that returns it shows it exactly once, whether
    or not the inline backend has been activated. The SVG keeps its text as text, embeds raster
    parts at :data:`~actlib.display.style.RASTER_DPI` and carries no date, so the same figure
    gives the same bytes (:func:`actlib.display.style.svg`).

    >>> fig = NotebookFigure(figsize=(1, 1))
    >>> fig.add_subplot().plot([0, 1])  # doctest: +ELLIPSIS
    [<matplotlib.lines.Line2D object at ...>]
    >>> fig._repr_svg_().lstrip().startswith("<?xml")
    True
    """

    def _repr_svg_(self) -> str:
        return svg(self)


def check_x_range(x: Any) -> tuple[float, float]:
    """Validate an x-range and return it as ``(lo, hi)`` floats.

    Args:
        x: a pair of finite real numbers with ``lo < hi``.

    Returns:
        The pair as Python floats.

    Raises:
        TypeError: ``x`` is not a pair of real numbers.
        ValueError: the bounds are not finite or ``lo >= hi``.

    >>> check_x_range([-1, 2])
    (-1.0, 2.0)
    >>> check_x_range((2, 1))
    Traceback (most recent call last):
        ...
    ValueError: x-range must have lo < hi, got (2, 1)
    """
    if isinstance(x, (str, bytes)) or not isinstance(x, Sequence | np.ndarray) or len(x) != 2:
        raise TypeError(f"x must be a pair (lo, hi) of real numbers, got {x!r}")
    bounds = []
    for b in x:
        if isinstance(b, (bool, np.bool_)) or not isinstance(b, numbers.Real):
            raise TypeError(f"x must be a pair (lo, hi) of real numbers, got {x!r}")
        bounds.append(float(b))
    lo, hi = bounds
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ValueError(f"x-range bounds must be finite, got ({lo:g}, {hi:g})")
    if lo >= hi:
        raise ValueError(f"x-range must have lo < hi, got ({lo:g}, {hi:g})")
    return lo, hi


def _check_num(num: Any) -> int:
    if isinstance(num, (bool, np.bool_)) or not isinstance(num, numbers.Integral):
        raise TypeError(f"num must be an integer, got {type(num).__name__}")
    if num < 2:
        raise ValueError(f"num must be at least 2, got {num}")
    return int(num)


def _check_axes(ax: Any) -> Axes:
    if not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes, got {type(ax).__name__}")
    return ax


def curve(
    spec: Activation | str,
    x: np.ndarray,
    params: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The values of f and f′ on the points ``x``, as the plots show them.

    Elementwise specs are evaluated directly; the others through their shape's slice
    (softmax: ``t ↦ softmax([t, 0])₀`` and the ``[0, 0]`` entry of its Jacobian; a gated
    activation: its gated half at t, the other half at 1).

    Args:
        spec: an activation spec or a registered name.
        x: 1-d array of abscissae.
        params: parameter values (validated by the spec); defaults for the missing ones.

    Returns:
        ``(y, dy)``, two float64 arrays shaped like ``x``.

    >>> y, dy = curve("softmax", np.array([0.0]))
    >>> y, dy
    (array([0.5]), array([0.25]))
    """
    spec = get(spec)
    values = spec.resolve(dict(params or {}))
    x = np.asarray(x, dtype=np.float64)
    shape = spec.shape
    p = shape.slice_params(values)
    y = shape.pick_forward(np.asarray(spec.forward(shape.embed(x), **p)))
    dy = shape.pick_derivative(np.asarray(spec.derivative(shape.embed(x), **p)))
    return np.asarray(y), np.asarray(dy)


def break_at_jumps(
    spec: Activation | str,
    x: np.ndarray,
    dy: np.ndarray,
    params: Mapping[str, Any] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Insert a gap (NaN) into a derivative curve at every kink where f′ jumps.

    A line drawn through the samples would otherwise show a vertical segment at the kink, as if
    f′ took every value in between. Kinks where f′ is continuous (ELU with α = 1) keep the line.

    Args:
        spec: an activation spec or a registered name.
        x: increasing 1-d abscissae; dy: f′ on them (as returned by :func:`curve`).
        params: the parameter values used for ``dy``.

    Returns:
        ``(x, dy)`` with one ``(kink, NaN)`` point added per jump inside ``x``'s range.

    >>> xs, d = break_at_jumps("relu", np.array([-1.0, 1.0]), np.array([0.0, 1.0]))
    >>> xs.tolist(), np.isnan(d).tolist()
    ([-1.0, 0.0, 1.0], [False, True, False])
    """
    spec = get(spec)
    x = np.asarray(x, dtype=np.float64)
    dy = np.asarray(dy, dtype=np.float64)
    if not spec.kinks or x.size < 2:
        return x, dy
    values = spec.resolve(dict(params or {}))
    for k in spec.kinks:
        if not x[0] < k < x[-1]:
            continue
        eps = 1e-9 * max(1.0, abs(k))
        left, right = curve(spec, np.array([k - eps, k + eps]), values)[1]
        if abs(right - left) <= 1e-6 * max(1.0, abs(left), abs(right)):
            continue
        # After a sample at the kink itself: it belongs to the left piece (the convention
        # f'(k) = left value), so the gap must follow it.
        i = int(np.searchsorted(x, k, side="right"))
        x = np.insert(x, i, k)
        dy = np.insert(dy, i, np.nan)
    return x, dy


def training_sample(
    spec: Activation, x: np.ndarray, values: Mapping[str, Any]
) -> tuple[np.ndarray, np.ndarray] | None:
    """A random draw of a stochastic activation in training mode, with a fixed seed.

    Returns ``None`` unless ``values`` make the function random (a parameter with
    ``randomizes=True`` is on, e.g. RReLU's ``training``). The random source is the value of the
    spec's generator parameter when one is given, else a generator seeded with
    :data:`SAMPLE_SEED`, so the same figure is drawn every time.

    Args:
        spec: the activation spec.
        x: 1-d array of abscissae.
        values: resolved parameter values.

    Returns:
        ``(y, dy)`` of one sample (the same random slopes for both), or ``None``.

    >>> from actlib import get
    >>> xs = np.array([-1.0, 1.0])
    >>> training_sample(get("rrelu"), xs, {"training": False}) is None
    True
    >>> y, dy = training_sample(get("rrelu"), xs, get("rrelu").resolve({"training": True}))
    >>> bool(-1 / 3 <= y[0] <= -1 / 8), float(y[1])
    (True, 1.0)
    """
    if not spec.is_random(values):
        return None
    seed = int(np.random.default_rng(SAMPLE_SEED).integers(2**32))
    sources = [p.name for p in spec.parameters if p.kind == "generator"]
    for name in sources:
        if values.get(name) is not None:
            seed = int(values[name].integers(2**32))

    def draw(fn):
        p = dict(values)
        for name in sources:
            p[name] = np.random.default_rng(seed)
        return np.asarray(fn(x, **p))

    return draw(spec.forward), draw(spec.derivative)


def plot_activation(
    ax: Axes,
    name_or_spec: str | Activation,
    *,
    params: dict | None = None,
    x: tuple[float, float] = (-5.0, 5.0),
    derivative: bool = True,
    overlay: Sequence[str] = (),
    num: int = 401,
) -> dict[str, Line2D]:
    """Draw an activation (and its derivative, and overlays) on the given axes.

    The function is solid, its derivative dashed in a second colour; each overlay (another
    registered activation at its default parameters) is a thin line with its own colour, line
    style and marker (:data:`OVERLAY_STYLES`), so that every curve can be told apart without
    colour. A stochastic activation
    in training mode (rrelu with ``training=True``) also shows one random draw, with a fixed
    seed, as dots around the evaluation-mode curve.

    Args:
        ax: the axes to draw on.
        name_or_spec: a registered name (or alias) or a spec.
        params: parameter values; the spec validates them and fills in the defaults.
        x: the range ``(lo, hi)`` of the horizontal axis, ``lo < hi``.
        derivative: also draw f′ (dashed).
        overlay: names of other activations to draw for comparison.
        num: number of sample points.

    Returns:
        Every drawn line by role, under ``"f"``, ``"derivative"`` (if drawn), each overlay's
        name, and ``"sample"`` / ``"sample derivative"`` for a training-mode draw.

    Raises:
        TypeError: ``ax`` is not an Axes, or a parameter, ``x`` or ``num`` has the wrong type.
        ValueError: unknown activation, a parameter out of range, or ``lo >= hi``.

    >>> import matplotlib.figure
    >>> ax = matplotlib.figure.Figure().add_subplot()
    >>> sorted(plot_activation(ax, "relu", overlay=["tanh"]))
    ['derivative', 'f', 'tanh']
    """
    ax = _check_axes(ax)
    spec = get(name_or_spec)
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"params must be a dict, got {type(params).__name__}")
    values = spec.resolve(dict(params or {}))
    lo, hi = check_x_range(x)
    num = _check_num(num)
    if isinstance(overlay, str):
        overlay = (overlay,)
    others = [get(o) for o in overlay]

    xs = np.linspace(lo, hi, num)
    eval_values = spec.deterministic(values)
    y, dy = curve(spec, xs, eval_values)
    lines: dict[str, Line2D] = {}
    (lines["f"],) = ax.plot(xs, y, color=MAIN_COLOR, ls="-", lw=2, label=_label(spec), zorder=3)
    if derivative:
        (lines["derivative"],) = ax.plot(
            *break_at_jumps(spec, xs, dy, eval_values),
            color=DERIVATIVE_COLOR,
            lw=1.6,
            ls="--",
            label=f"{spec.name}′",
            zorder=3,
        )
    sample = training_sample(spec, xs, values)
    if sample is not None:
        (lines["sample"],) = ax.plot(
            xs, sample[0], ".", color=MAIN_COLOR, ms=2.5, alpha=0.6, label=tr("training draw")
        )
        if derivative:
            (lines["sample derivative"],) = ax.plot(
                xs, sample[1], ".", color=DERIVATIVE_COLOR, ms=2.5, alpha=0.6
            )
    k = 0
    for other in others:
        if other.name == spec.name or other.name in lines:
            continue
        oy, _ = curve(other, xs)
        style = OVERLAY_STYLES[k % len(OVERLAY_STYLES)]
        k += 1
        (lines[other.name],) = ax.plot(
            xs, oy, **style.kwargs(), lw=1.3, alpha=0.9, label=other.name, zorder=2
        )
    _decorate(ax, tr_data(spec.title), (lo, hi))
    return lines


def _label(spec: Activation) -> str:
    return spec.shape.slice_label(spec.name)


def _decorate(ax: Axes, title: str, xlim: tuple[float, float]) -> None:
    ax.axhline(0.0, color=_AXIS_GREY, ls="-", lw=0.8, zorder=1)
    ax.axvline(0.0, color=_AXIS_GREY, ls="-", lw=0.8, zorder=1)
    ax.set_xlim(*xlim)
    ax.set_title(title)
    ax.set_xlabel("x")
    ax.grid(True, alpha=0.3)
    ax.legend(loc="upper left", fontsize="small", frameon=False)


def compare(
    ax: Axes,
    names: Sequence[str],
    *,
    derivative: bool = False,
    x: tuple[float, float] = (-5, 5),
) -> dict[str, Line2D]:
    """Draw several activations (at their default parameters) on one axes.

    Activation i is drawn in the i-th colour of the course's palette with the i-th marker of
    :data:`~actlib.display.style.MARKERS` (filled on f, hollow on f′), so the curves differ
    without colour too; f is solid and f′ dashed.

    Args:
        ax: the axes to draw on.
        names: registered names (or aliases) of the activations, at least one.
        derivative: also draw each derivative, dashed, in the same colour.
        x: the range ``(lo, hi)`` of the horizontal axis.

    Returns:
        Each activation's line under its name, its derivative's under ``name + "′"``.

    Raises:
        TypeError: ``ax`` is not an Axes or ``names`` is a single string.
        ValueError: no names, an unknown name, or a bad range.

    >>> import matplotlib.figure
    >>> ax = matplotlib.figure.Figure().add_subplot()
    >>> list(compare(ax, ["relu", "elu"], derivative=True))
    ['relu', 'relu′', 'elu', 'elu′']
    """
    ax = _check_axes(ax)
    if isinstance(names, str):
        raise TypeError("names must be a sequence of activation names, not a single string")
    chosen: list[Activation] = []
    for n in names:
        s = get(n)
        if s not in chosen:
            chosen.append(s)
    if not chosen:
        raise ValueError("compare needs at least one activation name")
    lo, hi = check_x_range(x)
    xs = np.linspace(lo, hi, 401)
    lines: dict[str, Line2D] = {}
    for i, s in enumerate(chosen):
        style = STYLES[i % len(STYLES)]
        marks: dict[str, Any] = {"marker": style.marker, "markevery": 0.1, "markersize": 4}
        y, dy = curve(s, xs)
        (lines[s.name],) = ax.plot(
            xs, y, color=style.color, ls="-", lw=1.8, label=_label(s), **marks
        )
        if derivative:
            (lines[f"{s.name}′"],) = ax.plot(
                *break_at_jumps(s, xs, dy),
                color=style.color,
                lw=1.2,
                ls="--",
                markerfacecolor="none",
                label=f"{s.name}′",
                **marks,
            )
    title = tr("Comparison (dashed: derivatives)") if derivative else tr("Comparison")
    _decorate(ax, title, (lo, hi))
    return lines


def gallery(
    role: str | None = None,
    *,
    family: str | None = None,
    columns: int = 4,
    num: int = 201,
) -> Figure:
    """Small multiples of the registered activations, one panel each, with their derivatives.

    The activations come from the registry (:func:`~actlib.registry.specs`), in book order, so a
    new activation gets its panel with nothing else to edit. Each panel is
    :func:`plot_activation` (f solid, f′ dashed) without its legend, titled with the
    activation's title; the figure's title says which line is which.

    Args:
        role: ``"hidden"``, ``"output"`` or ``None`` for all; see
            :func:`~actlib.registry.names`.
        family: only the activations of this shape family (``"elementwise"``,
            ``"normalizing"`` or ``"gated"``), or ``None`` for all.
        columns: the most panels in a row, at least 1.
        num: sample points per curve, at least 2.

    Returns:
        A new :class:`NotebookFigure` (not registered with pyplot, so it is shown once when it
        is the value of a notebook cell), one visible panel per activation in book order.

    Raises:
        TypeError: ``family`` is not a string, or ``columns`` or ``num`` is not an integer.
        ValueError: ``role`` or ``family`` is not one of the allowed values, ``columns < 1``,
            ``num < 2``, or no activation is left.

    >>> fig = gallery("output")
    >>> sum(ax.get_visible() for ax in fig.axes) == len(specs("output"))
    True
    >>> fig = gallery(family="elementwise", columns=6)
    >>> [ax.get_title() for ax in fig.axes][:2]
    ['Sigmoid (logistic)', 'Hyperbolic tangent']
    """
    families = sorted({s.shape.family for s in specs()})
    if family is not None and not isinstance(family, str):
        raise TypeError(f"family must be a string or None, got {type(family).__name__}")
    if family is not None and family not in families:
        raise ValueError(f"family must be one of {families} or None, got {family!r}")
    if isinstance(columns, bool) or not isinstance(columns, numbers.Integral):
        raise TypeError(f"columns must be an integer, got {type(columns).__name__}")
    if columns < 1:
        raise ValueError(f"columns must be at least 1, got {columns}")
    num = _check_num(num)
    chosen = [s for s in specs(role) if family is None or s.shape.family == family]
    if not chosen:
        raise ValueError(f"no registered activation has role={role!r} and family={family!r}")
    ncols = min(int(columns), len(chosen))
    nrows = math.ceil(len(chosen) / ncols)
    fig = NotebookFigure(figsize=(2.3 * ncols, 1.9 * nrows), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for ax, spec in zip(axes.flat, chosen, strict=False):
        plot_activation(ax, spec, num=num)
        ax.title.set_fontsize("small")
        ax.set_xlabel("")
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(3))
        ax.yaxis.set_major_locator(MaxNLocator(3))
        ax.tick_params(labelsize="small")
        legend = ax.get_legend()
        if legend is not None:
            legend.remove()
    for ax in list(axes.flat)[len(chosen) :]:
        ax.set_visible(False)
    fig.suptitle(
        tr("solid: f(x), dashed: its derivative f′(x), for x from −5 to 5"), fontsize="medium"
    )
    return fig
