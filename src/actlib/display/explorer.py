"""Interactive explorers: live ipywidgets in a kernel, a kernel-free HTML version elsewhere.

``explore(name, **params)`` returns an :class:`Explorer`. As the value of a notebook cell it
displays

* in a live kernel (JupyterLab, Colab): ipywidgets controls over a matplotlib figure drawn with
  the Agg backend and shown as PNG in an ``ipywidgets.Image``; a control change updates the
  existing artists (``set_data``) and redraws, it never rebuilds the figure;
* on the static site (no kernel): a self-contained ``text/html`` version with the curves
  precomputed over a grid of parameter values (for normalizing activations, the spec's formula
  as a small program, see :func:`script_program`), redrawn by a small inline script into an
  inline ``<svg>``; without JavaScript the reader sees a static PNG of the default parameters.

Both representations are in the same MIME bundle; the book's html builder is configured to
prefer ``text/html``. The figures are drawn by :mod:`actlib.display.plotting`; this module only adds
controls. The kernel-free markup is in ``templates/`` (filled with :class:`string.Template`, every
value escaped), its style in ``static/explorer.css`` and its script in ``static/explorer.js``.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import numbers
import string
import uuid
from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import sympy as sp
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

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
from actlib.registry import get, names
from actlib.shapes import Normalizing
from actlib.spec import Activation, Param

#: Limits of the live x-range control.
X_LIMIT = 20.0
#: The kernel-free version samples its curves on [-HTML_XMAX, HTML_XMAX] at HTML_POINTS points.
HTML_XMAX = 8.0
HTML_POINTS = 321
#: The kernel-free version holds at most this many bytes of curve samples (before base64).
HTML_DATA_BUDGET = 150_000
#: The kernel-free version offers at most this many grid values for one slider.
HTML_MAX_VALUES = 41
#: Size of the figure (inches) and its resolution for the live PNG and the static fallback.
FIGSIZE = (6.4, 4.0)
DPI = 80
#: Colours of the kernel-free drawing (matplotlib's default cycle, as in the live figure).
_HEX = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


def _live_kernel() -> bool:
    """Whether an IPython kernel with ipywidgets is running (a front end can show widgets)."""
    try:
        import ipywidgets  # noqa: F401
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


def _png(canvas: FigureCanvasAgg) -> bytes:
    """PNG bytes of an already drawn Agg canvas (fast zlib level: speed over size)."""
    from PIL import Image

    width, height = canvas.get_width_height(physical=True)
    img = Image.frombuffer("RGBA", (width, height), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    img.convert("RGB").save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _fmt(v: float) -> str:
    return f"{v:.3g}"


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
        #: The live controls by name (parameters, ``x``, ``derivative``, ``overlay``; or
        #: ``z1``... and ``T``), filled when the widget view is built.
        self.controls: dict[str, Any] = {}
        # State version: bumped by every update; caches (PNG, HTML payload) are keyed on it.
        self._version = 0
        self._drawn = -1
        self._png_cache: tuple[int, bytes] = (-1, b"")
        self._payload_cache: tuple[int, Any] = (-1, None)
        self._background: Any = None
        self._image: Any = None
        self._message: Any = None

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
        if self._image is not None:
            self._image.value = self.png()

    def _draw_full(self) -> None:
        for artist in self._animated():
            artist.set_animated(True)
        self.canvas.draw()  # skips the animated artists
        self._background = self.canvas.copy_from_bbox(self.figure.bbox)
        self._draw_animated()

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

    # ------------------------------------------------------------------ display
    @property
    def widget(self) -> Any:
        """The ipywidgets view (built on first use; needs ipywidgets)."""
        if self._widget is None:
            self._widget = self._build_widget()
        return self._widget

    def _build_widget(self) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def _safe_update(self, **values: Any) -> None:
        try:
            self.update(**values)
        except (TypeError, ValueError) as exc:
            if self._message is not None:
                self._message.value = _render("widget_message.html", message=exc)
            return
        if self._message is not None:
            self._message.value = ""

    def update(self, **values: Any) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def to_html(self) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {self.spec.name}>"

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Widget view (live kernels), self-contained HTML (static pages), PNG and plain text."""
        bundle: dict[str, Any] = {}
        if _live_kernel():
            bundle.update(self.widget._repr_mimebundle_() or {})
        bundle["text/html"] = self.to_html()
        # The static picture, for outputs that cannot show HTML (PDF, some viewers).
        bundle["image/png"] = self.png()
        bundle["text/plain"] = repr(self)
        return bundle

    def _html_page(self, config: dict[str, Any], controls: str, data: str | None) -> str:
        """Fill ``templates/explorer.html``: the static PNG, the controls, the SVG and the script.

        ``controls`` is rendered markup whose ids start with ``@ID@``, replaced here by a fresh
        id, so that the same cached controls serve several renderings on one page.
        """
        uid = f"actlib-explorer-{uuid.uuid4().hex[:12]}"
        return _render(
            "explorer.html",
            css=_asset("static/explorer.css"),
            uid=uid,
            activation=self.spec.name,
            config=json.dumps(config, ensure_ascii=False, separators=(",", ":")),
            curves=_attributes(data_curves=data),
            title=self.spec.title,
            png=base64.b64encode(self.png()).decode("ascii"),
            controls=_Markup(controls.replace("@ID@", uid)),
            script=_asset("static/explorer.js"),
            uid_json=_script_json(uid),
        )


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
    """Grid values of one slider for the kernel-free version; always contains ``value``."""
    lo, hi, step = param.slider  # type: ignore[misc]
    steps = max(1, round((hi - lo) / step))
    stride = max(1, math.ceil(steps / (max_values - 1)))
    ks = list(range(0, steps + 1, stride))
    if ks[-1] != steps:
        ks.append(steps)
    vals = [round(lo + k * step, 10) for k in ks]
    if not any(math.isclose(v, value, abs_tol=1e-12) for v in vals):
        vals.append(value)
    return sorted(vals)


def _quantize(y: np.ndarray) -> tuple[np.ndarray, float, float]:
    lo, hi = float(np.min(y)), float(np.max(y))
    scale = (hi - lo) / 65535.0
    if scale == 0.0:
        return np.zeros(y.shape, dtype="<u2"), lo, 0.0
    q = np.rint((y - lo) / scale).clip(0, 65535).astype("<u2")
    return q, lo, scale


class Explorer(ExplorerBase):
    """Interactive view of one elementwise activation: f, f′ and overlays over an x-range.

    Args:
        name: a registered name (or alias) or a spec.
        x: the initial x-range ``(lo, hi)``.
        derivative: whether f′ is shown initially.
        overlay: names of activations drawn for comparison.
        **params: initial parameter values (validated by the spec).
    """

    def __init__(
        self,
        name: str | Activation,
        *,
        x: tuple[float, float] = (-5.0, 5.0),
        derivative: bool = True,
        overlay: Sequence[str] = (),
        **params: Any,
    ) -> None:
        super().__init__()
        self.spec = get(name)
        self.values = self.spec.resolve(params)
        self.x = check_x_range(x)
        if not isinstance(derivative, (bool, np.bool_)):
            raise TypeError(f"derivative must be True or False, got {type(derivative).__name__}")
        self.derivative = bool(derivative)
        self.overlay = self._check_overlay(overlay)
        self.num = 401
        self._drawn_x = self.x
        self._legend_handles: list[Any] = []
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
        # Fewer tick labels: text layout is most of the cost of a redraw.
        self.ax.xaxis.set_major_locator(MaxNLocator(7, steps=[1, 2, 2.5, 5, 10]))
        self.ax.yaxis.set_major_locator(MaxNLocator(6, steps=[1, 2, 2.5, 5, 10]))
        self._refresh_sample()
        self._autoscale()
        self._legend()

    # ------------------------------------------------------------------ state changes
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

    def update(self, **values: Any) -> None:
        """Apply new control values and redraw the existing artists (no new figure).

        Args:
            **values: any parameter of the activation, ``x`` (a range), ``derivative`` (bool)
                or ``overlay`` (names). Values are validated before anything changes.
        """
        x = self.x
        derivative = self.derivative
        overlay = self.overlay
        params = dict(self.values)
        for key, value in values.items():
            if key == "x":
                x = check_x_range(value)
            elif key == "derivative":
                if not isinstance(value, (bool, np.bool_)):
                    raise TypeError(f"derivative must be True or False, got {value!r}")
                derivative = bool(value)
            elif key == "overlay":
                overlay = self._check_overlay(value)
            else:
                params[key] = value
        params = self.spec.resolve(params)  # raises before any state changes

        self.values, self.x, self.derivative = params, x, derivative
        xs = np.linspace(x[0], x[1], self.num)
        eval_params = self._eval_params(params)
        y, dy = curve(self.spec, xs, eval_params)
        self.lines["f"].set_data(xs, y)
        self.lines["derivative"].set_data(*break_at_jumps(self.spec, xs, dy, eval_params))
        self.lines["derivative"].set_visible(derivative)
        self._set_overlay(overlay, xs, force=x != self._drawn_x)
        self._refresh_sample(xs)
        x_changed = self.ax.get_xlim() != x
        self.ax.set_xlim(*x)
        y_changed = self._autoscale()
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
        self._drawn_x = self.x

    def _refresh_sample(self, xs: np.ndarray | None = None) -> None:
        if xs is None:
            xs = np.linspace(self.x[0], self.x[1], self.num)
            self._drawn_x = self.x
        sample = training_sample(self.spec, xs, self.values)
        for key, k in (("sample", 0), ("sample derivative", 1)):
            line = self.lines.get(key)
            if sample is None:
                if line is not None:
                    line.set_visible(False)
                continue
            if line is None:
                color = MAIN_COLOR if k == 0 else DERIVATIVE_COLOR
                label = "training draw" if k == 0 else None
                (line,) = self.ax.plot([], [], ".", color=color, ms=2.5, alpha=0.6, label=label)
                self.lines[key] = line
            line.set_data(xs, sample[k])
            line.set_visible(k == 0 or self.derivative)

    def _autoscale(self) -> bool:
        """Fit the y-limits to the visible curves; return whether they changed.

        The limits stay as they are while the curves fit in them and fill at least 60 % of
        their height (padding included), so that dragging a slider mostly redraws only the curves.
        """
        ys = [
            np.asarray(line.get_ydata(), dtype=float)
            for line in self.lines.values()
            if line.get_visible() and np.asarray(line.get_ydata()).size
        ]
        lo = min(0.0, *(float(np.nanmin(y)) for y in ys))
        hi = max(0.0, *(float(np.nanmax(y)) for y in ys))
        if hi <= lo:
            lo, hi = lo - 1.0, hi + 1.0
        pad = 0.06 * (hi - lo)
        cur_lo, cur_hi = self.ax.get_ylim()
        inside = cur_lo <= lo - pad / 3 and hi + pad / 3 <= cur_hi
        if inside and (hi - lo + 2 * pad) >= 0.6 * (cur_hi - cur_lo):
            return False
        self.ax.set_ylim(lo - pad, hi + pad)
        return True

    def _legend(self) -> None:
        """Rebuild the legend if the set of visible, labelled lines changed."""
        handles = [
            line
            for line in self.lines.values()
            if line.get_visible() and not str(line.get_label()).startswith("_")
        ]
        if handles != self._legend_handles:
            self.ax.legend(handles=handles, loc="upper left", fontsize="small", frameon=False)
            self._legend_handles = handles

    def _animated(self) -> list[Any]:
        legend = self.ax.get_legend()
        return [*self.lines.values(), *([legend] if legend is not None else [])]

    # ------------------------------------------------------------------ live widget
    def _build_widget(self) -> Any:
        import ipywidgets as w

        controls: list[Any] = []
        style = {"description_width": "initial"}
        for p in self.spec.parameters:
            value = self.values[p.name]
            if p.kind == "real" and p.slider is not None:
                lo, hi, step = p.slider
                s = w.FloatSlider(
                    value=value, min=min(lo, value), max=max(hi, value), step=step,
                    description=p.name, continuous_update=True, style=style,
                    readout_format=".3g", tooltip=p.description,
                )  # fmt: skip
                s.observe(lambda ch, n=p.name: self._safe_update(**{n: ch["new"]}), "value")
                controls.append(s)
                self.controls[p.name] = s
            elif p.kind == "bool":
                label = f"{p.name} (random slopes, fixed seed)" if p.randomizes else p.name
                c = w.Checkbox(value=bool(value), description=label, indent=False)
                c.observe(lambda ch, n=p.name: self._safe_update(**{n: ch["new"]}), "value")
                controls.append(c)
                self.controls[p.name] = c
        lim = max(X_LIMIT, abs(self.x[0]), abs(self.x[1]))
        xr = w.FloatRangeSlider(
            value=self.x, min=-lim, max=lim, step=0.5, description="x-range",
            continuous_update=True, style=style,
        )  # fmt: skip
        xr.observe(lambda ch: self._safe_update(x=tuple(ch["new"])), "value")
        self.controls["x"] = xr
        deriv = w.Checkbox(value=self.derivative, description="show f′", indent=False)
        deriv.observe(lambda ch: self._safe_update(derivative=ch["new"]), "value")
        self.controls["derivative"] = deriv
        others = [n for n in names() if n != self.spec.name]
        over = w.SelectMultiple(
            options=others, value=self.overlay, rows=min(6, len(others)),
            description="overlay", style=style,
        )  # fmt: skip
        over.observe(lambda ch: self._safe_update(overlay=ch["new"]), "value")
        self.controls["overlay"] = over
        self._image = w.Image(value=self.png(), format="png")
        self._message = w.HTML("")
        left = w.VBox([*controls, xr, deriv, self._message])
        return w.VBox([w.HBox([left, over]), self._image])

    # ------------------------------------------------------------------ kernel-free version
    def _html_grid(self) -> tuple[list[Param], list[list[float]]]:
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
        included) on a fixed x-grid, quantized to 16 bits and inlined as base64; the inline
        script draws them into an SVG. Parameters without a slider keep their current values.
        The markup comes from ``templates/explorer.html``, the style from
        ``static/explorer.css`` and the script from ``static/explorer.js``; every value put
        into them is escaped.

        Returns:
            One ``<style>``, the explorer's ``<div>`` (with a static PNG for readers without
            JavaScript) and one ``<script>``; each call gives the elements fresh ids.

        >>> page = Explorer("elu").to_html()
        >>> page.count('class="actlib-slider'), 'data-activation="elu"' in page
        (2, True)
        """
        if self._payload_cache[0] != self._version:
            self._payload_cache = (self._version, self._html_payload())
        return self._html_page(*self._payload_cache[1])

    def _html_payload(self) -> tuple[dict[str, Any], str, str]:
        """Configuration, controls and base64 curve samples of the kernel-free version."""
        cont, grids = self._html_grid()
        xs = np.linspace(-HTML_XMAX, HTML_XMAX, HTML_POINTS)
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
                invalid[c] = str(exc)
                continue
            if not (np.all(np.isfinite(y)) and np.all(np.isfinite(dy))):
                q.append(None)
                invalid[c] = "the function is not finite for these values"
                continue
            (qf, flo, fsc), (qd, dlo, dsc) = _quantize(y), _quantize(dy)
            chunks += [qf.tobytes(), qd.tobytes()]
            q.append([offset, flo, fsc, dlo, dsc])
            offset += 2 * HTML_POINTS
        data = base64.b64encode(b"".join(chunks)).decode("ascii")

        controls = []
        params_cfg = []
        for j, (prm, grid) in enumerate(zip(cont, grids, strict=True)):
            value = self.values[prm.name]
            index = min(range(len(grid)), key=lambda i: abs(grid[i] - value))
            params_cfg.append({"name": prm.name, "values": grid, "index": index})
            controls.append(
                _range_input(
                    f"p{j}",
                    prm.name,
                    (0, len(grid) - 1, 1),
                    index,
                    _fmt(value),
                    "actlib-param",
                    index=j,
                )
            )
        half = min(HTML_XMAX, max(1.0, abs(self.x[0]), abs(self.x[1])))
        half = round(half * 2) / 2
        controls.append(
            _range_input("x", "x-range ±", (1, HTML_XMAX, 0.5), half, _fmt(half), "actlib-xrange")
        )
        controls.append(
            _render(
                "checkbox.html",
                ident="@ID@-d",
                label="show f′",
                classes="actlib-derivative",
                checked=_attributes(checked=self.derivative),
            )
        )
        label = self.spec.shape.slice_label(self.spec.name)
        config = {
            "kind": "curves",
            "title": self.spec.title,
            "label": label,
            "dlabel": f"{self.spec.name}′",
            "derivative": True,
            "n": HTML_POINTS,
            "xmax": HTML_XMAX,
            "params": params_cfg,
            "q": q,
            "invalid": {str(k): v for k, v in invalid.items()},
            "colors": list(_HEX[:2]),
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
        self.ax.set_xticks(range(1, k + 1), [f"class {i}" for i in range(1, k + 1)])
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
        return f"{self.spec.title}: {self.spec.name}(z / T)"

    def _label(self) -> str:
        return f"{self.spec.name}(z / T)"

    def _T_label(self) -> str:
        return f"T = {self.T:.3g}"

    def _animated(self) -> list[Any]:
        return [*self.bars, *self.labels, self.T_text]

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

    def _build_widget(self) -> Any:
        import ipywidgets as w

        sliders = []
        lo, hi, step = self.LOGIT_SLIDER
        for i, z in enumerate(self.logits):
            s = w.FloatSlider(
                value=z, min=min(lo, z), max=max(hi, z), step=step, description=f"z{i + 1}",
                continuous_update=True,
            )  # fmt: skip
            s.observe(lambda ch, k=f"z{i + 1}": self._safe_update(**{k: ch["new"]}), "value")
            sliders.append(s)
            self.controls[f"z{i + 1}"] = s
        lo, hi, step = self.T_SLIDER
        t = w.FloatSlider(
            value=self.T, min=min(lo, self.T), max=max(hi, self.T), step=step,
            description="T", continuous_update=True,
        )  # fmt: skip
        t.observe(lambda ch: self._safe_update(T=ch["new"]), "value")
        self.controls["T"] = t
        self._image = w.Image(value=self.png(), format="png")
        self._message = w.HTML("")
        return w.VBox([w.HBox([w.VBox(sliders), w.VBox([t, self._message])]), self._image])

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
            "logits": self.logits,
            "program": program,
            "shift": shift,
            "pad": self.PAD,
            "colors": list(_HEX[:1]),
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
                "temperature T",
                (min(lo, self.T), max(hi, self.T), step),
                self.T,
                _fmt(self.T),
                "actlib-temperature",
                role="temperature",
            )
        )
        return self._html_page(self.script_config(), "".join(controls), None)


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
