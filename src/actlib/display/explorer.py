"""Interactive explorers: one explorer drawn by the page, live in a kernel or on its own.

``explore(name, **params)`` returns an :class:`Explorer` (a :class:`NormalizingExplorer` for
softmax and its kin). As the value of a notebook cell it displays

* on the static site (no kernel): a self-contained ``text/html`` version with the curves
  precomputed over a grid of parameter values (for normalizing activations, the spec's formula
  as a small program, see :func:`script_program`), redrawn by a small inline script into an
  inline ``<svg>``; without JavaScript the reader sees a static PNG of the default parameters;
* in a live kernel (JupyterLab, Colab): the same explorer as an anywidget view
  (``_view_class``, ``static/live.js``). The kernel computes its curves; the page redraws
  them at once on every move of a control and sends the values back, which the kernel's
  explorer applies (:meth:`ExplorerBase.update`), so the two always agree. No round trip to
  the kernel stands between a key press and the new picture.

Both representations are in the same MIME bundle, with a PNG for outputs that show neither;
the book's html builder is configured to prefer ``text/html``. The figures are drawn by
:mod:`actlib.display.plotting`; this module adds controls. The markup is in ``templates/``
(filled with :class:`string.Template`, every value escaped), its style in
``static/explorer.css`` and its script in ``static/explorer.js``.
"""

from __future__ import annotations

import base64
import fractions
import html
import io
import itertools
import json
import math
import numbers
import re
import string
import struct
import uuid
import zlib
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import sympy as sp
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from actlib.display.i18n import join_names, language, tr, tr_data
from actlib.display.plotting import (
    DERIVATIVE_COLOR,
    MAIN_COLOR,
    OVERLAY_COLORS,
    break_at_jumps,
    check_x_range,
    curve,
    plot_activation,
    training_sample,
)
from actlib.display.style import PALETTE
from actlib.registry import get, names
from actlib.shapes import Normalizing
from actlib.spec import Activation, Param

#: The kernel-free version samples its curves on [-HTML_XMAX, HTML_XMAX] at HTML_POINTS points.
HTML_XMAX = 8.0
HTML_POINTS = 241
#: The kernel-free version holds at most this many bytes of curve samples (before base64), as a
#: chapter holds several explorers and its whole first visit must stay within 1 MiB.
HTML_DATA_BUDGET = 60_000
#: The kernel-free version offers at most this many grid values for one slider.
HTML_MAX_VALUES = 25
#: Curves offered for comparison are sampled at every OTHER_STRIDE-th point of the x-grid.
OTHER_STRIDE = 2
#: A training-mode draw (RReLU's random slopes) is sampled at every SAMPLE_STRIDE-th x.
SAMPLE_STRIDE = 4
#: Size of the figure in inches. The live widget shows it FIGSIZE × DISPLAY_DPI CSS pixels wide
#: at most and renders it at DPI (two device pixels per CSS pixel, sharp on high-density
#: screens); the static fallback of the kernel-free version uses DISPLAY_DPI.
FIGSIZE = (6.4, 4.0)
DISPLAY_DPI = 80
DPI = 2 * DISPLAY_DPI
#: How many y-extents (one per x-range and set of options) an explorer remembers.
EXTENT_CACHE_SIZE = 128
#: Fraction of the y-span added above and below the curves (both versions).
Y_PAD = 0.06
#: Colour of the activation chosen in "compare with" (a colour of the course palette that no
#: other curve of an explorer uses).
COMPARE_COLOR = PALETTE["reddish purple"]


def _hex(color: str) -> str:
    """The hex code of a matplotlib colour, for the kernel-free drawing.

    >>> _hex(PALETTE["blue"])
    '#0072b2'
    """
    return str(mcolors.to_hex(color))


def _live_kernel() -> bool:
    """Whether an IPython kernel with anywidget is running (a front end can show widgets)."""
    try:
        import anywidget  # noqa: F401
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


class _Markup(str):
    """Text that already is HTML (a rendered template, a static asset): never escaped again."""


@cache
def _asset(path: str) -> _Markup:
    """A static file of this package (``static/explorer.js``, ``static/explorer.css``).

    Its text goes verbatim into a ``<script>`` or ``<style>`` element, so it must not contain
    ``</`` (which could close the element early).
    """
    text = resources.files("actlib.display").joinpath(path).read_text(encoding="utf-8")
    if "</" in text:
        raise ValueError(f"{path} contains '</', which would end its <script> or <style> element")
    return _Markup(text)


@cache
def _compact(path: str) -> _Markup:
    """A static asset without its comments and indentation, as it is put into every page.

    Each explorer carries its own copy of the script and the style (an output must stand on
    its own), so a chapter with five explorers holds five; comments are for the source file.
    The assets have only ``/* ... */`` comments and no string or pattern containing ``/*``.
    """
    text = re.sub(r"/\*.*?\*/", "", _asset(path), flags=re.S)
    return _Markup("\n".join(line.strip() for line in text.splitlines() if line.strip()))


@cache
def _template(name: str) -> string.Template:
    text = resources.files("actlib.display").joinpath("templates", name).read_text("utf-8")
    return string.Template(text.removesuffix("\n"))


def _render(name: str, **values: Any) -> _Markup:
    """Fill ``templates/<name>`` (a :class:`string.Template`).

    Every value is HTML-escaped (quotes included, so it is safe in attributes too), except
    :class:`_Markup` values: rendered templates, static assets and :func:`_script_json` data.
    """
    safe = {k: v if isinstance(v, _Markup) else html.escape(str(v)) for k, v in values.items()}
    return _Markup(_template(name).substitute(safe))


def _script_json(value: Any) -> _Markup:
    """``value`` as a JavaScript literal for a ``<script>`` element (``<`` as ``\\u003c``)."""
    return _Markup(json.dumps(value, ensure_ascii=False).replace("<", "\\u003c"))


def _attributes(**attrs: Any) -> _Markup:
    """Optional attributes: `` name="value"`` (escaped), a bare name for True, nothing for None.

    Underscores in names become hyphens (``data_index=1`` gives `` data-index="1"``).
    """
    out = []
    for key, value in attrs.items():
        name = key.replace("_", "-")
        if value is True:
            out.append(f" {name}")
        elif value is not None and value is not False:
            out.append(f' {name}="{html.escape(str(value))}"')
    return _Markup("".join(out))


def _continuous(spec: Activation) -> list[Param]:
    return [p for p in spec.parameters if p.kind == "real" and p.slider is not None]


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_image(pixels: np.ndarray, level: int = 1) -> bytes:
    """An 8-bit RGB or RGBA image (height × width × 3 or 4) as PNG bytes, encoded for speed.

    Every row is stored unfiltered and the whole image is deflated once at a fast zlib level:
    a plot is mostly flat colour, which deflate packs well without PNG's per-row filters, and
    this takes a fraction of the time a general encoder spends choosing filters. An RGBA image
    (the Agg canvas's own buffer) is stored as it is: copying whole rows is about twice as
    fast as dropping the alpha channel first, and deflate packs an opaque alpha to almost
    nothing.

    Args:
        pixels: the image, ``uint8``, shape ``(height, width, 3)`` or ``(height, width, 4)``.
        level: the zlib level (1 fastest, 9 smallest).

    Returns:
        A complete PNG file (colour type 2, RGB, or 6, RGBA).

    Raises:
        ValueError: the array is not an 8-bit RGB or RGBA image.

    >>> png = png_image(np.zeros((2, 3, 4), dtype=np.uint8))
    >>> png[:8] == b"\\x89PNG\\r\\n\\x1a\\n", struct.unpack(">IIBB", png[16:26])
    (True, (3, 2, 8, 6))
    """
    if pixels.dtype != np.uint8 or pixels.ndim != 3 or pixels.shape[2] not in (3, 4):
        raise ValueError(
            "pixels must be a uint8 array of shape (height, width, 3) or (height, width, 4), "
            f"got {pixels.dtype} {pixels.shape}"
        )
    height, width, channels = pixels.shape
    rows = np.empty((height, 1 + channels * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter byte 0: none
    rows[:, 1:] = pixels.reshape(height, channels * width)
    color_type = 2 if channels == 3 else 6
    header = struct.pack(">IIBBBBB", width, height, 8, color_type, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _png_chunk(b"IHDR", header),
            _png_chunk(b"IDAT", zlib.compress(rows.data, level)),
            _png_chunk(b"IEND", b""),
        )
    )


def _png(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of an already drawn Agg canvas (:func:`png_image`: speed over size)."""
    return png_image(np.asarray(canvas.buffer_rgba()))


def _small_png(png: bytes, colors: int = 64) -> bytes:
    """The PNG with a palette of at most ``colors`` colours: a plot needs few, and the page
    carries it in base64 (a quarter of the bytes of the full-colour image)."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    buf = io.BytesIO()
    img.quantize(colors, method=Image.Quantize.MEDIANCUT).save(buf, format="png", optimize=True)
    return buf.getvalue()


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def value_label(v: float) -> str:
    """A slider's read-out: three significant digits, or a fraction when that is exact.

    PyTorch's RReLU bounds are 1/8 and 1/3; the read-out shows the value the kernel holds, so
    1/3 is written as a fraction rather than rounded.

    Args:
        v: the value.

    Returns:
        The text of the read-out.

    >>> value_label(0.125), value_label(1 / 3), value_label(0.3), value_label(-2 / 3)
    ('0.125', '1/3', '0.3', '-2/3')
    """
    text = _fmt(v)
    if float(text) == v:
        return text
    frac = fractions.Fraction(v).limit_denominator(12)
    if frac.denominator > 1 and float(frac) == v:
        return f"{frac.numerator}/{frac.denominator}"
    return text


def padded(lo: float, hi: float) -> tuple[float, float]:
    """The y-limits shown for curves spanning ``[lo, hi]``: 0 included, Y_PAD added each side.

    The script computes the same limits (``padded`` in ``static/explorer.js``).

    Args:
        lo: the smallest value; hi: the largest.

    Returns:
        ``(bottom, top)``.

    >>> padded(0.0, 1.0)
    (-0.06, 1.06)
    """
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if not hi > lo:
        lo, hi = lo - 1.0, hi + 1.0
    pad = Y_PAD * (hi - lo)
    return lo - pad, hi + pad


@cache
def _view_class() -> type:
    """The live view's widget class (anywidget, imported only in a live kernel)."""
    import anywidget
    import traitlets

    class ExplorerView(anywidget.AnyWidget):
        """The kernel-free explorer drawn by the page, its controls' values sent to the kernel.

        ``markup`` is the explorer's ``<div>`` (:meth:`ExplorerBase.live_markup`, the curves
        computed here for every slider position); ``state`` the values the page shows.
        """

        _esm = _asset("static/explorer.js") + "\n" + _asset("static/live.js")
        _css = _asset("static/explorer.css")
        markup = traitlets.Unicode("").tag(sync=True)
        state = traitlets.Dict().tag(sync=True)

    return ExplorerView


class ExplorerBase:
    """Shared machinery: the Agg figure, the widget view and the MIME bundle."""

    spec: Activation

    def __init__(self) -> None:
        # Fixed margins: a layout engine would re-measure every tick label on each redraw.
        self.figure = Figure(figsize=FIGSIZE, dpi=DPI)
        self.figure.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.92)
        self.canvas = FigureCanvasAgg(self.figure)
        self.ax = self.figure.add_subplot()
        self._widget: Any = None
        # State version: bumped by every update; caches (PNG, HTML payload) are keyed on it.
        self._version = 0
        self._drawn = -1
        self._png_cache: tuple[int, bytes] = (-1, b"")
        self._static_cache: tuple[int, bytes] = (-1, b"")
        self._payload_cache: tuple[int, Any] = (-1, None)
        self._background: Any = None
        self._layout_frozen = False
        # True while the live view's values are applied (the view already shows them).
        self._from_view = False

    # ------------------------------------------------------------------ drawing
    def _animated(self) -> list[Any]:
        """The artists an update changes; they are drawn over a cached background."""
        return []

    def redraw(self, *, full: bool = True) -> None:
        """Render the canvas and, if a widget is shown, refresh its image.

        Args:
            full: redraw everything (axes limits, ticks or titles changed); otherwise restore
                the cached background (axes, ticks, grid) and draw only the changing artists
                over it, which is several times faster.
        """
        self._version += 1
        if full or self._background is None:
            self._draw_full()
        else:
            self.canvas.restore_region(self._background)
            self._draw_animated()
        self._drawn = self._version
        if self._widget is not None and not self._from_view:
            self._new_view()  # values changed in code

    def _draw_full(self) -> None:
        for artist in self._animated():
            artist.set_animated(True)
        self.canvas.draw()  # skips the animated artists
        self._freeze_layout()
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

    def _freeze_layout(self) -> None:
        """Keep the title and the x-axis label where the first full draw placed them.

        Matplotlib places both on every draw by measuring every tick label, which is a large
        part of a full redraw (an x-range change). Their places depend only on the height of
        one line of tick labels, which never changes, so they are measured once and then
        fixed (in axes coordinates, so they hold at any resolution). The y-axis label stays
        automatic: it moves with the width of the y tick labels.
        """
        if self._layout_frozen:
            return
        self._layout_frozen = True
        ax = self.ax
        to_axes = ax.transAxes.inverted()
        label = ax.xaxis.label
        _, y = to_axes.transform(label.get_transform().transform(label.get_position()))
        ax.xaxis.set_label_coords(0.5, float(y))
        title = ax.title
        ax.set_title(title.get_text(), y=float(title.get_position()[1]))

    def _draw_animated(self) -> None:
        for artist in self._animated():
            artist.set_animated(True)
            self.ax.draw_artist(artist)

    def png(self) -> bytes:
        """The current figure as PNG bytes (drawn if needed; cached until the next update)."""
        if self._drawn != self._version:
            self._draw_full()
            self._drawn = self._version
        if self._png_cache[0] != self._version:
            self._png_cache = (self._version, _png(self.canvas))
        return self._png_cache[1]

    def static_png(self) -> bytes:
        """The current figure as PNG bytes at DISPLAY_DPI: the kernel-free version's fallback.

        Readers without JavaScript see it at its natural size; one device pixel per CSS pixel
        keeps the page light (the live image, :meth:`png`, has two).
        """
        if self._static_cache[0] != self._version:
            animated = self._animated()
            for artist in animated:
                artist.set_animated(False)
            buf = io.BytesIO()
            self.figure.savefig(buf, format="png", dpi=DISPLAY_DPI)
            self._static_cache = (self._version, _small_png(buf.getvalue()))
            self._background = None  # the canvas was rendered at another resolution
            self._drawn = -1
        return self._static_cache[1]

    def alt_text(self) -> str:  # pragma: no cover - overridden
        """What the static picture shows, in words (its ``alt`` text)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ display
    @property
    def widget(self) -> Any:
        """The live view, an anywidget built on first use (see ``_view_class``)."""
        if self._widget is None:
            self._widget = self._build_view()
        return self._widget

    def update(self, **values: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.spec.name}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Widget view (live kernels), self-contained HTML (static pages), PNG and plain text."""
        bundle: dict[str, Any] = {}
        if _live_kernel():
            view = self.widget._repr_mimebundle_() or {}
            bundle.update(view[0] if isinstance(view, tuple) else view)  # (data, metadata)
        bundle["text/html"] = self.to_html()
        # The static picture, for outputs that cannot show HTML (PDF, some viewers).
        bundle["image/png"] = self.png()
        bundle["text/plain"] = repr(self)
        return bundle

    def _payload(self) -> tuple[dict[str, Any], str, str | None]:  # pragma: no cover
        """Configuration, controls and curve samples (or ``None``) of the kernel-free version."""
        raise NotImplementedError

    def to_html(self) -> str:
        """The self-contained, kernel-free HTML version (see the subclasses)."""
        return self._html_page(*self._payload())

    def live_markup(self) -> str:
        """The explorer's ``<div>`` alone, as the live view shows it (style and script are the
        view's own)."""
        config, controls, data = self._payload()
        return self._body(f"actlib-explorer-{uuid.uuid4().hex[:12]}", config, controls, data)

    def _body(self, uid: str, config: dict[str, Any], controls: str, data: str | None) -> str:
        """Fill ``templates/explorer_body.html``: the static PNG, the controls and the SVG.

        ``controls`` is rendered markup whose ids start with ``@ID@``, replaced here by
        ``uid``, so that the same cached controls serve several renderings on one page.
        """
        return _render(
            "explorer_body.html",
            uid=uid,
            activation=self.spec.name,
            config=json.dumps(config, ensure_ascii=False, separators=(",", ":")),
            curves=_attributes(data_curves=data),
            title=tr_data(self.spec.title),
            alt=self.alt_text(),
            png=base64.b64encode(self.static_png()).decode("ascii"),
            controls=_Markup(controls.replace("@ID@", uid)),
        )

    def _html_page(self, config: dict[str, Any], controls: str, data: str | None) -> str:
        """Fill ``templates/explorer.html``: the style, the explorer's ``<div>`` and the script."""
        uid = f"actlib-explorer-{uuid.uuid4().hex[:12]}"
        return _render(
            "explorer.html",
            css=_compact("static/explorer.css"),
            body=_Markup(self._body(uid, config, controls, data)),
            script=_compact("static/explorer.js"),
            uid_json=_script_json(uid),
        )

    # ------------------------------------------------------------------ live view
    def _build_view(self) -> Any:
        """The live view (an anywidget): the kernel-free explorer, its values synced here."""
        view = _view_class()(markup=self.live_markup())
        view.observe(self._view_changed, "state")
        return view

    def _new_view(self) -> None:
        """Show the kernel's values: a new markup, and no page state to restore over it."""
        with self._widget.hold_sync():
            self._widget.state = {}
            self._widget.markup = self.live_markup()

    def _view_changed(self, change: Mapping[str, Any]) -> None:
        """The reader moved a control: apply the values the page shows (it draws them itself)."""
        values = dict(change["new"])
        if not values:  # cleared by the kernel along with a new markup
            return
        if isinstance(values.get("x"), list):
            values["x"] = tuple(values["x"])
        self._from_view = True
        try:
            self.update(**values)
        except (TypeError, ValueError):
            self._new_view()  # the kernel's values back on the page
        finally:
            self._from_view = False


def _range_input(
    key: str,
    label: str,
    limits: tuple[float, float, float],
    value: float,
    shown: str,
    classes: str,
    **attrs: Any,
) -> str:
    """A labelled ``<input type="range">`` with its read-out (``@ID@`` is the explorer id).

    ``attrs`` become ``data-`` attributes (``role="logit"`` gives ``data-role="logit"``).
    """
    lo, hi, step = limits
    return _render(
        "range_input.html",
        ident=f"@ID@-{key}",
        label=label,
        classes=classes,
        lo=f"{lo:g}",
        hi=f"{hi:g}",
        step=f"{step:g}",
        value=f"{value:g}",
        data=_attributes(**{f"data_{k}": v for k, v in attrs.items()}),
        shown=shown,
    )


def _grid(param: Param, value: float, max_values: int) -> list[float]:
    """Values of one slider: its steps (thinned to at most about ``max_values``) and ``value``.

    Both ends are always there. ``value`` (the current value, e.g. PyTorch's default 1/3 on a
    slider of step 0.01) is exact: it replaces the grid point within half a stride of it, if
    that point is not an end, and is inserted otherwise.

    >>> _grid(Param("upper", 1 / 3, "", slider=(0.0, 1.0, 0.25)), 1 / 3, 10)
    [0.0, 0.3333333333333333, 0.5, 0.75, 1.0]
    """
    lo, hi, step = param.slider  # type: ignore[misc]
    steps = max(1, round((hi - lo) / step))
    stride = max(1, math.ceil(steps / (max(2, max_values) - 1)))
    ks = list(range(0, steps + 1, stride))
    if ks[-1] != steps:
        ks.append(steps)
    vals = [round(lo + k * step, 10) for k in ks]
    if any(math.isclose(v, value, abs_tol=1e-12) for v in vals):
        return vals
    near = min(range(len(vals)), key=lambda i: abs(vals[i] - value))
    if 0 < near < len(vals) - 1 and abs(vals[near] - value) < 0.5 * stride * step * (1 - 1e-9):
        vals[near] = value
    else:
        vals.append(value)
    return sorted(vals)


def _quantize(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    lo, hi = float(np.min(y)), float(np.max(y))
    scale = (hi - lo) / 65535.0
    if scale == 0.0:
        return np.zeros(y.shape, dtype="<u2"), lo, 0.0
    q = np.rint((y - lo) / scale).clip(0, 65535).astype("<u2")
    return q, lo, scale


def _check_bool(name: str, value: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _extent(arrays: Sequence[np.ndarray]) -> tuple[float, float]:
    """The smallest and largest finite value of the arrays (``inf, -inf`` if there is none)."""
    lo, hi = math.inf, -math.inf
    for a in arrays:
        a = np.asarray(a, dtype=float)
        a = a[np.isfinite(a)]
        if a.size:
            lo, hi = min(lo, float(a.min())), max(hi, float(a.max()))
    return lo, hi


#: The notice shown when a slider pushes another one along (the script fills it in too), in
#: English; :func:`notice` gives it in the reader's language.
NOTICE = "{name} moved to {value} to keep the values valid"


def notice() -> str:
    """:data:`NOTICE` in the reader's language, with its fields ``{name}`` and ``{value}``.

    >>> notice() == NOTICE
    True
    """
    return tr("{name} moved to {value} to keep the values valid")


def rejected(exc: Exception) -> str:
    """What an explorer says when the activation rejects the values of its controls.

    In English it is the error's own message; in Chinese a sentence says that the values are
    not allowed, followed by that message (errors about bad input are in English).

    Args:
        exc: the ``TypeError`` or ``ValueError`` the spec raised.

    Returns:
        The message.

    >>> rejected(ValueError("parameter 'lower' must be <= 'upper'"))
    "parameter 'lower' must be <= 'upper'"
    """
    if language() == "en":
        return str(exc)
    return tr("these values are not allowed ({reason})").format(reason=exc)


def _script_text() -> dict[str, str]:
    """The words the kernel-free script writes itself, in the reader's language."""
    return {
        "draw": tr("training draw"),
        "nodata": tr("no data for these values"),
        "invalid": tr("these values are not allowed"),
        "class": tr("class {i}"),
    }


class Explorer(ExplorerBase):
    """Interactive view of one elementwise activation: f, f′ and overlays over an x-range.

    The y-axis stays still while a parameter slider moves: it fits every curve of the slider
    grid over the current x-range (see :meth:`y_limits`), unless ``fit_y`` asks to fit the
    current curves. A slider moved to a value its parameters reject (RReLU's ``lower`` above
    ``upper``) pushes another slider along, or springs back when none can make the values valid.

    Args:
        name: a registered name (or alias) or a spec.
        x: the initial x-range ``(lo, hi)``.
        derivative: whether f′ is shown initially.
        overlay: names of activations always drawn for comparison.
        compare: the activation chosen in the "compare with" control (``None`` or ``"none"``
            for none); one of :attr:`compare_choices`.
        fit_y: fit the y-axis to the current curves instead of keeping it still.
        **params: initial parameter values (validated by the spec).
    """

    def __init__(
        self,
        name: str | Activation,
        *,
        x: tuple[float, float] = (-5.0, 5.0),
        derivative: bool = True,
        overlay: Sequence[str] = (),
        compare: str | None = None,
        fit_y: bool = False,
        **params: Any,
    ) -> None:
        super().__init__()
        self.spec = get(name)
        self.values = self.spec.resolve(params)
        self.x = check_x_range(x)
        self.derivative = _check_bool("derivative", derivative)
        self.fit_y = _check_bool("fit_y", fit_y)
        self.overlay = self._check_overlay(overlay)
        self.compare = self._check_compare(compare)
        self.num = 401
        self._legend_handles: Any = None
        # Extents by x-range and options: dragging the x-range back and forth reuses them.
        self._extent_cache: dict[Any, tuple[float, float]] = {}
        self.lines = plot_activation(
            self.ax,
            self.spec,
            params=self._eval_params(self.values),
            x=self.x,
            derivative=True,
            overlay=self.overlay,
            num=self.num,
        )
        self.lines["derivative"].set_visible(self.derivative)
        (self.lines["compare"],) = self.ax.plot(
            [], [], color=COMPARE_COLOR, lw=1.8, alpha=0.9, zorder=2.5, label="_compare"
        )
        self._compare_drawn: tuple[str | None, tuple[float, float]] = (None, self.x)
        # Fewer tick labels: text layout is most of the cost of a redraw.
        self.ax.xaxis.set_major_locator(MaxNLocator(7, steps=[1, 2, 2.5, 5, 10]))
        self.ax.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
        xs = self._xs()
        self._set_compare(xs)
        self._refresh_sample(xs)
        self._set_ylim()
        self._legend()

    # ------------------------------------------------------------------ state changes
    @property
    def compare_choices(self) -> list[str]:
        """Every other registered elementwise activation, the choices of "compare with".

        >>> choices = Explorer("sigmoid").compare_choices
        >>> choices[:3], len(choices) == len(names(entrywise=True)) - 1
        (['tanh', 'relu', 'leaky_relu'], True)
        """
        return [n for n in names(entrywise=True) if n != self.spec.name]

    def _check_compare(self, value: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, str):
            raise TypeError(f"compare must be None or an activation name, got {value!r}")
        if value.strip().lower() == "none":
            return None
        choices = self.compare_choices
        try:
            found = get(value).name
        except ValueError:
            found = None
        if found not in choices:
            raise ValueError(
                f"compare must be 'none' or another elementwise activation, one of "
                f"{', '.join(choices)}; got {value!r}"
            )
        return found

    def _check_overlay(self, overlay: Sequence[str]) -> tuple[str, ...]:
        if isinstance(overlay, str):
            overlay = (overlay,)
        out: list[str] = []
        for o in overlay:
            n = get(o).name
            if n != self.spec.name and n not in out:
                out.append(n)
        return tuple(out)

    def _eval_params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        # The solid curve is the deterministic (evaluation-mode) function; a training-mode
        # draw is shown separately as dots. Random sources play no part in it.
        p = self.spec.deterministic(values)
        return {k: v for k, v in p.items() if self.spec.param_specs[k].kind != "generator"}

    def _xs(self) -> np.ndarray:
        return np.linspace(self.x[0], self.x[1], self.num)

    def update(self, **values: Any) -> None:
        """Apply new control values and redraw the existing artists (no new figure).

        Args:
            **values: any parameter of the activation, ``x`` (a range), ``derivative`` (bool),
                ``fit_y`` (bool), ``compare`` (a name or ``None``) or ``overlay`` (names).
                Values are validated before anything changes.
        """
        x = self.x
        derivative = self.derivative
        fit_y = self.fit_y
        overlay = self.overlay
        compare = self.compare
        params = dict(self.values)
        for key, value in values.items():
            if key == "x":
                x = check_x_range(value)
            elif key == "derivative":
                derivative = _check_bool("derivative", value)
            elif key == "fit_y":
                fit_y = _check_bool("fit_y", value)
            elif key == "overlay":
                overlay = self._check_overlay(value)
            elif key == "compare":
                compare = self._check_compare(value)
            else:
                params[key] = value
        params = self.spec.resolve(params)  # raises before any state changes

        x_changed = x != self.x
        self.values, self.x, self.derivative, self.fit_y = params, x, derivative, fit_y
        self.compare = compare
        xs = self._xs()
        eval_params = self._eval_params(params)
        y, dy = curve(self.spec, xs, eval_params)
        self.lines["f"].set_data(xs, y)
        self.lines["derivative"].set_data(*break_at_jumps(self.spec, xs, dy, eval_params))
        self.lines["derivative"].set_visible(derivative)
        self._set_overlay(overlay, xs, force=x_changed)
        self._set_compare(xs)
        self._refresh_sample(xs)
        if x_changed:
            self.ax.set_xlim(*x)
        y_changed = self._set_ylim()
        self._legend()
        self.redraw(full=x_changed or y_changed)

    def _set_overlay(self, overlay: tuple[str, ...], xs: np.ndarray, *, force: bool) -> None:
        for gone in set(self.overlay) - set(overlay):
            self.lines.pop(gone).remove()
        for k, other in enumerate(overlay):
            line = self.lines.get(other)
            if line is None:
                (line,) = self.ax.plot(
                    [], [], lw=1.2, alpha=0.8, label=other, zorder=2,
                    color=OVERLAY_COLORS[k % len(OVERLAY_COLORS)],
                )  # fmt: skip
                self.lines[other] = line
            if np.asarray(line.get_xdata()).size == 0 or force:
                line.set_data(xs, curve(other, xs)[0])
        self.overlay = overlay

    def _set_compare(self, xs: np.ndarray) -> None:
        line = self.lines["compare"]
        line.set_visible(self.compare is not None)
        line.set_label(self.compare or "_compare")
        if self.compare is not None and self._compare_drawn != (self.compare, self.x):
            line.set_data(xs, curve(self.compare, xs)[0])
            self._compare_drawn = (self.compare, self.x)

    def _refresh_sample(self, xs: np.ndarray) -> None:
        sample = training_sample(self.spec, xs, self.values)
        for key, k in (("sample", 0), ("sample derivative", 1)):
            line = self.lines.get(key)
            if sample is None:
                if line is not None:
                    line.set_visible(False)
                continue
            if line is None:
                color = MAIN_COLOR if k == 0 else DERIVATIVE_COLOR
                label = tr("training draw") if k == 0 else None
                (line,) = self.ax.plot([], [], ".", color=color, ms=2.5, alpha=0.6, label=label)
                self.lines[key] = line
            line.set_data(xs, sample[k])
            line.set_visible(k == 0 or self.derivative)

    # ------------------------------------------------------------------ the y-axis
    def _visible_lines(self) -> list[Any]:
        return [line for line in self.lines.values() if line.get_visible()]

    def grid_extent(self) -> tuple[float, float]:
        """Smallest and largest value of every curve of the slider grid on the current x-range.

        The grid is that of the kernel-free version (:meth:`slider_grid`); f′ counts when it is
        shown, and so do the overlays and the compared activation.

        Returns:
            ``(lo, hi)`` of the finite values.
        """
        cont, grids = self.slider_grid()
        fixed = {k: repr(v) for k, v in self.values.items() if k not in {p.name for p in cont}}
        key = (self.x, self.derivative, self.overlay, self.compare, tuple(sorted(fixed.items())))
        if key in self._extent_cache:
            return self._extent_cache[key]
        xs = self._xs()
        base = self._eval_params(self.values)
        arrays: list[np.ndarray] = []
        for combo in itertools.product(*grids):
            p = dict(base)
            p.update({prm.name: v for prm, v in zip(cont, combo, strict=True)})
            try:
                y, dy = curve(self.spec, xs, p)
            except (TypeError, ValueError):
                continue  # a combination the spec rejects (lower > upper) is never shown
            arrays += [y, dy] if self.derivative else [y]
        others = [*self.overlay, *(["compare"] if self.compare is not None else [])]
        arrays += [np.asarray(self.lines[k].get_ydata()) for k in others]
        extent = _extent(arrays)
        while len(self._extent_cache) >= max(1, EXTENT_CACHE_SIZE):
            self._extent_cache.pop(next(iter(self._extent_cache)))  # the oldest
        self._extent_cache[key] = extent
        return extent

    def y_limits(self) -> tuple[float, float]:
        """The y-limits the figure shows (the script computes the same in the page).

        With ``fit_y`` off they contain every curve of the slider grid (:meth:`grid_extent`),
        so moving a parameter slider never moves the axis; with ``fit_y`` on, only the curves
        shown now. Either way 0 is included and Y_PAD of the span is added on both sides.

        Returns:
            ``(bottom, top)``.
        """
        lo, hi = _extent([np.asarray(line.get_ydata()) for line in self._visible_lines()])
        if not self.fit_y:
            glo, ghi = self.grid_extent()
            lo, hi = min(lo, glo), max(hi, ghi)
        return padded(lo if math.isfinite(lo) else 0.0, hi if math.isfinite(hi) else 0.0)

    def _set_ylim(self) -> bool:
        """Apply :meth:`y_limits`; return whether the limits changed."""
        limits = self.y_limits()
        if np.allclose(limits, self.ax.get_ylim(), rtol=1e-12, atol=0.0):
            return False
        self.ax.set_ylim(*limits)
        return True

    def _legend(self) -> None:
        """Rebuild the legend if the set of visible, labelled lines changed."""
        handles = [
            line
            for line in self.lines.values()
            if line.get_visible() and not str(line.get_label()).startswith("_")
        ]
        labels = [str(line.get_label()) for line in handles]
        if (handles, labels) != self._legend_handles:
            self.ax.legend(handles=handles, loc="upper left", fontsize="small", frameon=False)
            self._legend_handles = (handles, labels)

    def _animated(self) -> list[Any]:
        legend = self.ax.get_legend()
        return [*self.lines.values(), *([legend] if legend is not None else [])]

    def alt_text(self) -> str:
        """The static picture in words: what is drawn, over which range, at which values.

        Returns:
            A sentence or two for the ``alt`` attribute.

        >>> print(Explorer("relu", x=(-2, 2), derivative=False).alt_text())
        ... # doctest: +NORMALIZE_WHITESPACE
        ReLU: line plot of relu(x) for x from -2 to 2; it is 0 at x = -2, 0 at x = 0
        and 2 at x = 2.
        """
        lo, hi = self.x
        label = self.spec.shape.slice_label(self.spec.name)
        if self.spec.shape.entrywise:
            label = f"{label}(x)"
        what = (
            tr("{label} (solid) and its derivative (dashed)").format(label=label)
            if self.derivative
            else label
        )
        params = [f"{p.name} = {value_label(self.values[p.name])}" for p in _continuous(self.spec)]
        at = tr(" at {params}").format(params=join_names(params, None)) if params else ""
        others = [*self.overlay, *([self.compare] if self.compare else [])]
        # English joins every overlay with "and" ("a and b and c"); Chinese lists them.
        joined = " and ".join(others) if language() == "en" else join_names(others)
        also = tr(", with {names} for comparison").format(names=joined) if others else ""
        y = curve(self.spec, np.array([lo, 0.0, hi]), self._eval_params(self.values))[0]
        points = [
            tr("{value} at x = {x}").format(value=_fmt(float(v)), x=_fmt(float(u)))
            for u, v in zip((lo, 0, hi), y, strict=True)
        ]
        if not lo < 0 < hi:
            points.pop(1)
        return tr(
            "{title}: line plot of {what} for x from {lo} to {hi}{at}{also}; it is {points}."
        ).format(
            title=tr_data(self.spec.title),
            what=what,
            lo=_fmt(lo),
            hi=_fmt(hi),
            at=at,
            also=also,
            points=join_names(points),
        )

    # ------------------------------------------------------------------ kernel-free version
    def slider_grid(self) -> tuple[list[Param], list[list[float]]]:
        """The parameter sliders of the kernel-free version and the values each offers.

        The grids share the sample budget (HTML_DATA_BUDGET); each contains the current
        value exactly. The fixed y-axis of both versions is computed over these grids.

        Returns:
            The continuous parameters and, for each, its sorted grid values.
        """
        cont = _continuous(self.spec)
        if not cont:
            return [], []
        per_combo = 2 * HTML_POINTS * 2
        max_combos = max(1, HTML_DATA_BUDGET // per_combo)
        each = max(2, min(HTML_MAX_VALUES, int(max_combos ** (1 / len(cont))) - 1))
        grids = [_grid(p, self.values[p.name], each) for p in cont]
        return cont, grids

    def to_html(self) -> str:
        """The self-contained, kernel-free HTML version of this explorer.

        Curves are precomputed for every combination of the slider grids (the current values
        included) on a fixed x-grid, quantized to 16 bits and inlined as base64, followed by
        the curve of every activation "compare with" offers (and of the overlays) at half the
        resolution; the inline script draws them into an SVG. Parameters without a slider keep
        their current values. The markup comes from ``templates/explorer.html``, the style
        from ``static/explorer.css`` and the script from ``static/explorer.js``; every value
        put into them is escaped.

        Returns:
            One ``<style>``, the explorer's ``<div>`` (with a static PNG for readers without
            JavaScript) and one ``<script>``; each call gives the elements fresh ids.

        >>> page = Explorer("elu").to_html()
        >>> page.count('class="actlib-slider'), 'data-activation="elu"' in page
        (2, True)
        """
        return self._html_page(*self._payload())

    def _payload(self) -> tuple[dict[str, Any], str, str | None]:
        if self._payload_cache[0] != self._version:
            self._payload_cache = (self._version, self._html_payload())
        return self._payload_cache[1]

    def _html_payload(self) -> tuple[dict[str, Any], str, str]:
        """Configuration, controls and base64 curve samples of the kernel-free version."""
        cont, grids = self.slider_grid()
        xs = np.linspace(-HTML_XMAX, HTML_XMAX, HTML_POINTS)
        xr = xs[::SAMPLE_STRIDE]
        random = [p for p in self.spec.parameters if p.randomizes]
        fixed = self._eval_params(self.values)
        chunks: list[bytes] = []
        q: list[list[float] | None] = []
        invalid: dict[int, str] = {}
        offset = 0
        for c, combo in enumerate(np.ndindex(*[len(g) for g in grids]) if grids else [()]):
            p = dict(fixed)
            p.update({prm.name: grid[i] for prm, grid, i in zip(cont, grids, combo, strict=True)})
            try:
                y, dy = curve(self.spec, xs, p)
            except (TypeError, ValueError) as exc:
                q.append(None)
                invalid[c] = rejected(exc)
                continue
            if not (np.all(np.isfinite(y)) and np.all(np.isfinite(dy))):
                q.append(None)
                invalid[c] = tr("the function is not finite for these values")
                continue
            (qf, flo, fsc), (qd, dlo, dsc) = _quantize(y), _quantize(dy)
            chunks += [qf.tobytes(), qd.tobytes()]
            located: list[float] = [offset, flo, fsc, dlo, dsc]
            q.append(located)
            offset += 2 * HTML_POINTS
            if random:
                # The training-mode draw of these values (fixed seed, as the live figure).
                train = {**self.values, **{prm.name: p[prm.name] for prm in cont}}
                train.update({r.name: True for r in random})
                sample = training_sample(self.spec, xr, self.spec.resolve(train))
                assert sample is not None  # a randomizing switch is on
                (qs, slo, ssc), (qsd, sdlo, sdsc) = _quantize(sample[0]), _quantize(sample[1])
                chunks += [qs.tobytes(), qsd.tobytes()]
                located += [offset, slo, ssc, sdlo, sdsc]
                offset += 2 * xr.size
        # The other activations (overlays and "compare with"), f only, every OTHER_STRIDE-th x.
        others: dict[str, list[float]] = {}
        xo = xs[::OTHER_STRIDE]
        for other in dict.fromkeys([*self.overlay, *self.compare_choices]):
            y = curve(other, xo)[0]
            if not np.all(np.isfinite(y)):
                continue
            qo, olo, osc = _quantize(y)
            chunks.append(qo.tobytes())
            others[other] = [offset, olo, osc]
            offset += xo.size
        data = base64.b64encode(b"".join(chunks)).decode("ascii")

        controls = []
        params_cfg = []
        for j, (prm, grid) in enumerate(zip(cont, grids, strict=True)):
            value = self.values[prm.name]
            index = min(range(len(grid)), key=lambda i: abs(grid[i] - value))
            params_cfg.append(
                {
                    "name": prm.name,
                    "values": grid,
                    "labels": [value_label(v) for v in grid],
                    "index": index,
                }
            )
            controls.append(
                _range_input(
                    f"p{j}",
                    prm.name,
                    (0, len(grid) - 1, 1),
                    index,
                    value_label(value),
                    "actlib-param",
                    index=j,
                )
            )
        half = min(HTML_XMAX, max(1.0, abs(self.x[0]), abs(self.x[1])))
        half = round(half * 2) / 2
        controls.append(
            _range_input(
                "x", tr("x-range ±"), (1, HTML_XMAX, 0.5), half, _fmt(half), "actlib-xrange"
            )
        )
        switches = [
            (
                f"r{k}",
                tr("{name} (random slopes, fixed seed)").format(name=r.name),
                "actlib-random",
                self.values[r.name],
            )
            for k, r in enumerate(random)
        ]
        for ident, label, cls, checked in (
            *switches,
            ("d", tr("show f′"), "actlib-derivative", self.derivative),
            ("fit", tr("fit y-axis"), "actlib-fit", self.fit_y),
        ):
            controls.append(
                _render(
                    "checkbox.html",
                    ident=f"@ID@-{ident}",
                    label=label,
                    classes=cls,
                    checked=_attributes(checked=checked),
                )
            )
        options = [("", tr("none"), self.compare is None)]
        options += [(n, n, n == self.compare) for n in self.compare_choices if n in others]
        controls.append(
            _render(
                "select.html",
                ident="@ID@-compare",
                label=tr("compare with"),
                classes="actlib-compare",
                options=_Markup(
                    "".join(
                        f"<option{_attributes(value=v, selected=sel)}>{html.escape(text)}</option>"
                        for v, text, sel in options
                    )
                ),
            )
        )
        label = self.spec.shape.slice_label(self.spec.name)
        config = {
            "kind": "curves",
            "title": tr_data(self.spec.title),
            "label": label,
            "dlabel": f"{self.spec.name}′",
            "derivative": True,
            "n": HTML_POINTS,
            "xmax": HTML_XMAX,
            "pad": Y_PAD,
            "params": params_cfg,
            "q": q,
            "invalid": {str(k): v for k, v in invalid.items()},
            "stride": OTHER_STRIDE,
            "sstride": SAMPLE_STRIDE,
            "others": others,
            "overlay": [o for o in self.overlay if o in others],
            "colors": [
                _hex(MAIN_COLOR),
                _hex(DERIVATIVE_COLOR),
                *(_hex(OVERLAY_COLORS[k % len(OVERLAY_COLORS)]) for k in range(len(self.overlay))),
            ],
            "compareColor": _hex(COMPARE_COLOR),
            "notice": notice(),
            "text": _script_text(),
            "random": [r.name for r in random],
        }
        return config, "".join(controls), data


#: The SymPy functions the kernel-free bars can evaluate, by the name the script knows them by.
_SCRIPT_FUNCTIONS: tuple[tuple[type, str], ...] = (
    (sp.exp, "exp"),
    (sp.log, "log"),
    (sp.Abs, "abs"),
    (sp.tanh, "tanh"),
    (sp.Max, "max"),
    (sp.Min, "min"),
)


def script_program(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[Any]:
    """``expr`` as a nested list the explorer script evaluates (JSON, no code).

    A node is ``["x", i]`` (the i-th symbol), ``["num", value]``, or an operation followed by
    its operands: ``"add"``, ``"mul"``, ``"pow"`` (base, exponent), ``"exp"``, ``"log"``,
    ``"abs"``, ``"tanh"``, ``"max"`` and ``"min"``. ``static/explorer.js`` evaluates it in
    double precision, left to right, exactly as written.

    Args:
        expr: a SymPy expression in ``symbols`` with real number coefficients.
        symbols: the variables, in the order of the script's input vector.

    Returns:
        The expression tree.

    Raises:
        ValueError: the expression holds a function the script cannot evaluate, or a number
            that is not finite.

    >>> x0, x1 = sp.symbols("x_0:2", real=True)
    >>> script_program(x0 - sp.log(x1), (x0, x1))
    ['add', ['x', 0], ['mul', ['num', -1.0], ['log', ['x', 1]]]]
    """
    index = {s: i for i, s in enumerate(symbols)}

    def walk(e: Any) -> list[Any]:
        if e in index:
            return ["x", index[e]]
        if e.is_Number or e.is_NumberSymbol:
            value = float(e)
            if not math.isfinite(value):
                raise ValueError(f"the explorer script cannot evaluate the number {e}")
            return ["num", value]
        if isinstance(e, sp.Add):
            return ["add", *(walk(a) for a in e.args)]
        if isinstance(e, sp.Mul):
            return ["mul", *(walk(a) for a in e.args)]
        if isinstance(e, sp.Pow):
            return ["pow", walk(e.base), walk(e.exp)]
        name = next((n for cls, n in _SCRIPT_FUNCTIONS if isinstance(e, cls)), None)
        if name is not None:
            return [name, *(walk(a) for a in e.args)]
        raise ValueError(
            f"the explorer script cannot evaluate {type(e).__name__} (in {expr}); it knows "
            f"+, ×, powers and {', '.join(n for _, n in _SCRIPT_FUNCTIONS)}"
        )

    return walk(sp.sympify(expr))


@cache
def _bars_program(spec: Activation, n: int, key: tuple) -> tuple[list[Any], bool]:
    """The script program of the spec's n outputs, and whether they are shift invariant.

    Shift invariance, f(x + c·1) = f(x), is proved from the expression: the derivative along
    the all-ones direction, the sum of each Jacobian row, cancels to 0 (ℝⁿ is connected). The
    script may then subtract the largest input first, so that no exponential overflows.
    """
    f = spec.shape.build(spec.sympy_expr, dict(key), n)
    xs = spec.shape.symbols(n)
    program = [script_program(e, xs) for e in f]
    invariant = all(sp.cancel(sum(sp.diff(e, x) for x in xs)) == 0 for e in f)
    return program, invariant


def bar_limits(values: Sequence[float]) -> tuple[float, float]:
    """The y-range of the bars: from 0 to the values, each side rounded up to 1, 2 or 5 × 10ᵏ.

    The rounding keeps the axes still while the values move a little, so dragging a slider
    redraws only the bars; the script computes the same limits (``barLimits``).

    Args:
        values: the bar heights (non-finite ones are ignored).

    Returns:
        ``(lo, hi)`` with ``lo <= 0 <= hi``; a side without bars is 0.

    >>> bar_limits([0.2, 0.7]), bar_limits([-0.1, -3.2])
    ((0.0, 1.0), (-5.0, 0.0))
    """

    def extent(v: float) -> float:
        if not v > 0:
            return 0.0
        step = 1.0
        while True:
            for m in (1.0, 2.0, 5.0):
                if m * step >= v:
                    return m * step
            step *= 10.0

    finite = [float(v) for v in values if math.isfinite(v)]
    lo = 0.0 - extent(-min(finite, default=0.0))  # 0.0, not -0.0
    hi = extent(max(finite, default=0.0))
    return (lo, hi) if hi > lo else (0.0, 1.0)


def _bar_text(v: float) -> str:
    """A bar's label: three decimals, never ``-0.000``."""
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    s = f"{v:.3f}"
    return "0.000" if float(s) == 0 else s


class NormalizingExplorer(ExplorerBase):
    """A normalizing activation of a few logits at a temperature: f(z / T) as bars.

    The bars show whatever the spec computes (probabilities for softmax, log-probabilities for
    log-softmax). The kernel-free version receives the spec's SymPy expression as a small
    program (:func:`script_program`) and evaluates it in the page.

    Args:
        name: a normalizing activation (softmax, log-softmax).
        logits: the initial logits (2 to 6 of them).
        T: the initial temperature (> 0); the bars show ``f(z / T)``.
        **params: parameters of the spec (validated; ``axis`` is irrelevant for one vector).
    """

    #: Slider limits of the logits and of the temperature.
    LOGIT_SLIDER = (-5.0, 5.0, 0.1)
    T_SLIDER = (0.1, 5.0, 0.05)
    #: Headroom beyond the bars for their labels, as a fraction of the y-range.
    PAD = 0.08

    def __init__(
        self,
        name: str | Activation = "softmax",
        *,
        logits: Sequence[float] = (2.0, 1.0, 0.1, -1.0),
        T: float = 1.0,
        **params: Any,
    ) -> None:
        super().__init__()
        self.spec = get(name)
        if not isinstance(self.spec.shape, Normalizing):
            raise ValueError(
                f"{self.spec.name} is {self.spec.shape.family}; the bars are for normalizing "
                "activations: use Explorer"
            )
        self.values = self.spec.resolve(params)
        if isinstance(logits, (str, bytes)) or not isinstance(logits, Sequence | np.ndarray):
            raise TypeError(f"logits must be a sequence of real numbers, got {logits!r}")
        if not 2 <= len(logits) <= 6:
            raise ValueError(f"logits must have between 2 and 6 entries, got {len(logits)}")
        self.logits = [self._check_real(f"z{i + 1}", v) for i, v in enumerate(logits)]
        self.T = self._check_T(T)
        k = len(self.logits)
        y = self.outputs()
        self.bars = self.ax.bar(
            range(1, k + 1), np.zeros(k), color=MAIN_COLOR, alpha=0.85, width=0.6
        )
        self.labels = [
            self.ax.text(i + 1, 0.0, "", ha="center", fontsize="small") for i in range(k)
        ]
        self.ax.axhline(0.0, color="0.3", lw=0.8)
        self.ax.set_xticks(range(1, k + 1), [tr("class {i}").format(i=i) for i in range(1, k + 1)])
        self.ax.set_ylabel(self._label())
        self.ax.set_title(self._title())
        self.T_text = self.ax.text(
            1.0, 1.01, self._T_label(), transform=self.ax.transAxes, ha="right", va="bottom",
            fontsize="small",
        )  # fmt: skip
        self.limits = (0.0, 0.0)
        self._set_limits(y)
        self._set_bars(y)

    @staticmethod
    def _check_real(name: str, value: Any) -> float:
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
            raise TypeError(f"{name} must be a real number, got {type(value).__name__}")
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite, got {value}")
        return float(value)

    def _check_T(self, value: Any) -> float:
        value = self._check_real("T", value)
        if value <= 0:
            raise ValueError(f"the temperature T must be > 0, got {value:g}")
        return value

    def _title(self) -> str:
        return tr("{title}: {label}").format(title=tr_data(self.spec.title), label=self._label())

    def _label(self) -> str:
        return f"{self.spec.name}(z / T)"

    def _T_label(self) -> str:
        return f"T = {self.T:.3g}"

    def _animated(self) -> list[Any]:
        return [*self.bars, *self.labels, self.T_text]

    def alt_text(self) -> str:
        """The static picture in words: the bars' values for the current logits.

        Returns:
            A sentence for the ``alt`` attribute.

        >>> print(NormalizingExplorer(logits=[1.0, 0.0]).alt_text())
        ... # doctest: +NORMALIZE_WHITESPACE
        Softmax: bar chart of softmax(z / T) for the logits z = (1, 0) at T = 1:
        class 1 0.731, class 2 0.269.
        """
        z = ", ".join(_fmt(v) for v in self.logits)
        bars = join_names(
            [
                tr("class {i} {value}").format(i=i, value=_bar_text(v))
                for i, v in enumerate(self.outputs().tolist(), start=1)
            ],
            None,
        )
        return tr(
            "{title}: bar chart of {label} for the logits z = ({z}) at T = {T}: {bars}."
        ).format(
            title=tr_data(self.spec.title), label=self._label(), z=z, T=_fmt(self.T), bars=bars
        )

    def outputs(self) -> np.ndarray:
        """``f(z / T)`` of the current logits, computed by the spec.

        Returns:
            One value per logit.
        """
        z = np.asarray(self.logits) / self.T
        return np.asarray(self.spec.forward(z, **self.values))

    def _set_limits(self, y: np.ndarray) -> bool:
        """Fit the y-limits to the bars (see :func:`bar_limits`); return whether they changed."""
        limits = bar_limits(y.tolist())
        if limits == self.limits:
            return False
        self.limits = limits
        lo, hi = limits
        span = hi - lo
        self.ax.set_ylim(lo - self.PAD * span * (lo < 0), hi + self.PAD * span * (hi > 0))
        return True

    def _set_bars(self, y: np.ndarray) -> None:
        lo, hi = self.limits
        pad = 0.02 * (hi - lo)
        for bar, label, v in zip(self.bars, self.labels, y.tolist(), strict=True):
            h = min(max(v, lo), hi) if not math.isnan(v) else 0.0  # an infinite bar is clipped
            bar.set_height(h)
            label.set_y(h + pad if h >= 0 else h - pad)
            label.set_verticalalignment("bottom" if h >= 0 else "top")
            label.set_text(_bar_text(v))

    def update(self, **values: Any) -> None:
        """Apply new logits (``z1``, ``z2``, ...) and/or temperature ``T``; redraw the bars.

        Args:
            **values: ``z1`` … ``zk`` (real numbers) and ``T`` (> 0), validated first.
        """
        logits = list(self.logits)
        T = self.T
        for key, value in values.items():
            if key == "T":
                T = self._check_T(value)
            elif key.startswith("z") and key[1:].isdigit() and 1 <= int(key[1:]) <= len(logits):
                logits[int(key[1:]) - 1] = self._check_real(key, value)
            else:
                allowed = ", ".join([f"z{i + 1}" for i in range(len(logits))] + ["T"])
                raise TypeError(f"unknown control {key!r}; the controls are: {allowed}")
        self.logits, self.T = logits, T
        y = self.outputs()
        changed = self._set_limits(y)
        self._set_bars(y)
        self.T_text.set_text(self._T_label())
        self.redraw(full=changed)  # same axes: only the bars and their labels change

    def script_config(self) -> dict[str, Any]:
        """What the kernel-free script receives: the logits and the spec's formula as a program.

        ``program[i]`` is output i of the spec's SymPy expression for ``len(logits)`` inputs
        (:func:`script_program`); the script evaluates it at x = z / T, after subtracting the
        largest x when ``shift`` says the function is shift invariant, so it shows the values
        :meth:`outputs` computes.

        Returns:
            The JSON-ready configuration (``kind`` is ``"bars"``).

        >>> config = NormalizingExplorer("softmax", logits=[1.0, 0.0]).script_config()
        >>> config["kind"], config["shift"], config["program"][1][0]
        ('bars', True, 'mul')
        """
        key = tuple(sorted(self.spec.symbolic_params(self.values).items()))
        program, shift = _bars_program(self.spec, len(self.logits), key)
        return {
            "kind": "bars",
            "title": self._title(),
            "label": self._label(),
            "text": _script_text(),
            "logits": self.logits,
            "program": program,
            "shift": shift,
            "pad": self.PAD,
            "colors": [_hex(MAIN_COLOR)],
        }

    def to_html(self) -> str:
        """The kernel-free HTML version: the script evaluates the spec's formula itself.

        Returns:
            The same structure as :meth:`Explorer.to_html`: a slider per logit and one for the
            temperature, no precomputed curves (see :meth:`script_config`).

        >>> page = NormalizingExplorer(logits=[1.0, 0.0]).to_html()
        >>> page.count('data-role="logit"'), page.count('data-role="temperature"')
        (2, 1)
        """
        return self._html_page(*self._payload())

    def _payload(self) -> tuple[dict[str, Any], str, str | None]:
        controls = []
        lo, hi, step = self.LOGIT_SLIDER
        for i, z in enumerate(self.logits):
            controls.append(
                _range_input(
                    f"z{i}",
                    f"z{i + 1}",
                    (min(lo, z), max(hi, z), step),
                    z,
                    _fmt(z),
                    "actlib-logit",
                    role="logit",
                    index=i,
                )
            )
        lo, hi, step = self.T_SLIDER
        controls.append(
            _range_input(
                "T",
                tr("temperature T"),
                (min(lo, self.T), max(hi, self.T), step),
                self.T,
                _fmt(self.T),
                "actlib-temperature",
                role="temperature",
            )
        )
        return self.script_config(), "".join(controls), None


def explore(name: str | Activation, **params: Any) -> Explorer | NormalizingExplorer:
    """An interactive explorer of one activation; display it as the value of a cell.

    Elementwise activations get sliders for their continuous parameters, checkboxes for the
    boolean ones, an x-range, an f′ toggle and overlays; normalizing ones (softmax,
    log-softmax) get sliders for a few logits and a temperature, with their outputs as bars.

    Args:
        name: a registered name (or alias) or a spec.
        **params: initial parameter values; also the explorer options (``x``, ``derivative``,
            ``overlay`` for elementwise activations, ``logits`` and ``T`` for normalizing
            ones).

    Returns:
        The explorer; its ``update(**values)`` changes controls programmatically.

    Raises:
        TypeError: an unknown parameter or a value of the wrong type.
        ValueError: an unknown activation or a value out of range.
    """
    spec = get(name)
    return spec.shape.explorer(spec, **params)
