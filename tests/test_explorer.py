"""Explorers: updates reuse the artists; the kernel-free HTML keeps its DOM contract and budget."""

from __future__ import annotations

import base64
import dataclasses
import functools
import io
import itertools
import json
import math
import re
import shutil
import subprocess
import sys
from functools import cache
from html.parser import HTMLParser

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp

import actlib
from actlib.display import explorer as explorer_mod
from actlib.display.explorer import Explorer, NormalizingExplorer, explore
from actlib.display.plotting import curve
from actlib.shapes import Normalizing

HTML_BUDGET = 300_000  # bytes of text/html per interactive figure


class _Tree(HTMLParser):
    """Start tags with their attributes and their ancestors' tags."""

    VOID = {"input", "img", "br", "meta", "link"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, dict]] = []
        self.elements: list[tuple[str, dict, list[tuple[str, dict]]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.elements.append((tag, attrs, list(self.stack)))
        self._in_script = tag == "script"
        if tag not in self.VOID:
            self.stack.append((tag, attrs))

    def handle_endtag(self, tag):
        self._in_script = False
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)


def parse(html: str) -> _Tree:
    tree = _Tree()
    tree.feed(html)
    tree.close()
    return tree


def _root(tree: _Tree) -> dict:
    roots = [a for t, a, _ in tree.elements if "actlib-explorer" in a.get("class", "").split()]
    assert len(roots) == 1
    return roots[0]


def _inside_root(anc) -> bool:
    return any("actlib-explorer" in a.get("class", "").split() for _, a in anc)


@cache
def default_explorer(name: str):
    """One explorer per activation at its defaults, shared by the read-only HTML tests."""
    return explore(name)


@pytest.fixture(autouse=True)
def _no_new_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before


# ---------------------------------------------------------------------- live updates
def test_update_changes_the_artists_in_place():
    ex = explore("elu")
    fig, line, dline, n_lines = ex.figure, ex.lines["f"], ex.lines["derivative"], len(ex.ax.lines)
    ex.update(alpha=2.5, x=(-2.0, 3.0))
    assert ex.figure is fig and ex.lines["f"] is line and ex.lines["derivative"] is dline
    assert len(ex.ax.lines) == n_lines and len(fig.axes) == 1
    x = line.get_xdata()
    assert x[0] == -2.0 and x[-1] == 3.0
    np.testing.assert_allclose(line.get_ydata(), actlib.get("elu").forward(x, alpha=2.5))
    xd, yd = np.asarray(dline.get_xdata()), np.asarray(dline.get_ydata())
    assert xd[np.isnan(yd)].tolist() == [0.0]  # elu' jumps at 0 for alpha != 1
    keep = ~np.isnan(yd)
    np.testing.assert_allclose(yd[keep], actlib.get("elu").derivative(xd[keep], alpha=2.5))
    assert ex.ax.get_xlim() == (-2.0, 3.0)
    lo, hi = ex.ax.get_ylim()
    assert lo <= -2.5 * (1 - np.exp(-2.0)) and hi >= 3.0


def test_update_validates_before_changing_anything():
    ex = explore("rrelu")
    y = ex.lines["f"].get_ydata().copy()
    with pytest.raises(ValueError, match="lower"):
        ex.update(lower=0.9)  # > upper
    with pytest.raises(TypeError, match="did you mean"):
        ex.update(lowr=0.1)
    with pytest.raises(ValueError, match="lo < hi"):
        ex.update(x=(1, -1))
    with pytest.raises(TypeError, match="derivative"):
        ex.update(derivative="yes")
    assert ex.values == actlib.get("rrelu").resolve({})
    np.testing.assert_array_equal(ex.lines["f"].get_ydata(), y)


def test_derivative_and_overlay_controls():
    ex = explore("relu")
    ex.update(derivative=False)
    assert not ex.lines["derivative"].get_visible()
    ex.update(overlay=["tanh", "gelu"])
    x = ex.lines["f"].get_xdata()
    np.testing.assert_allclose(ex.lines["tanh"].get_ydata(), np.tanh(x))
    ex.update(x=(-1.0, 1.0))  # overlays follow the x-range
    np.testing.assert_allclose(ex.lines["gelu"].get_xdata(), ex.lines["f"].get_xdata())
    ex.update(overlay=["gelu"])
    assert "tanh" not in ex.lines and ex.lines["gelu"] in ex.ax.lines
    labels = [t.get_text() for t in ex.ax.get_legend().get_texts()]
    assert "gelu" in labels and "tanh" not in labels


def test_rrelu_training_sample_is_shown_and_hidden():
    ex = explore("rrelu")
    ex.update(training=True)
    sample = ex.lines["sample"]
    assert sample.get_visible()
    x, y = sample.get_xdata(), sample.get_ydata()
    slopes = y[x < 0] / x[x < 0]
    assert slopes.min() >= ex.values["lower"] and slopes.max() <= ex.values["upper"]
    ex.update(training=False)
    assert not sample.get_visible()


def test_parameter_free_activations_get_an_explorer(swept_spec):
    ex = explore(swept_spec.name)
    assert ex.spec is swept_spec
    if isinstance(swept_spec.shape, Normalizing):
        assert isinstance(ex, NormalizingExplorer)
    else:
        assert isinstance(ex, Explorer)
        ex.update(x=(-1.5, 2.5))
        assert ex.ax.get_xlim() == (-1.5, 2.5)


def test_softmax_bars_follow_logits_and_temperature():
    ex = explore("softmax")
    bars = list(ex.bars)
    ex.update(z1=3.0, T=2.0)
    assert list(ex.bars) == bars
    z = np.array([3.0, *ex.logits[1:]])
    expected = actlib.get("softmax").forward(z / 2.0)
    np.testing.assert_allclose([b.get_height() for b in ex.bars], expected)
    assert sum(b.get_height() for b in ex.bars) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="T"):
        ex.update(T=0.0)
    with pytest.raises(TypeError, match="z1"):
        ex.update(z9=1.0)
    with pytest.raises(TypeError, match="axis"):
        explore("softmax", axes=0)


def test_explore_rejects_bad_input():
    with pytest.raises(ValueError, match="unknown activation"):
        explore("relux")
    with pytest.raises(ValueError, match="alpha"):
        explore("elu", alpha=-1.0)
    with pytest.raises(ValueError, match="lo < hi"):
        explore("elu", x=(3, 3))


# ---------------------------------------------------------------------- live view
def _view(ex):
    """The live view of an explorer and its configuration (what the page draws from)."""
    view = ex.widget
    config, _ = _curves(view.markup)
    return view, config


def _page_state(config, **changes):
    """The state the page sends (static/live.js) for the controls of ``config``, changed."""
    state = {p["name"]: p["values"][p["index"]] for p in config["params"]}
    state.update({"x": [-5.0, 5.0], "derivative": True, "fit_y": False, "compare": None})
    state.update({name: False for name in config["random"]})
    state.update(changes)
    return state


def _assert_kernel_draws(ex):
    """The kernel's figure shows the explorer's values."""
    x = ex.lines["f"].get_xdata()
    assert (x[0], x[-1]) == ex.x
    np.testing.assert_allclose(
        ex.lines["f"].get_ydata(), curve(ex.spec, x, ex._eval_params(ex.values))[0]
    )


@pytest.mark.parametrize("name", ["elu", "rrelu", "softmax"])
def test_live_view_is_the_kernel_free_explorer(name):
    ex = explore(name)
    view, config = _view(ex)
    root = _root(parse(view.markup))
    assert root["data-activation"] == name and "<script" not in view.markup
    page_config, _ = _curves(ex.to_html())
    assert config == page_config  # the same explorer as on the site, from the same values
    assert "actlibExplorer" in view._esm and "export default" in view._esm
    assert view._css == explorer_mod._asset("static/explorer.css")


def test_values_from_the_page_reach_the_kernel_without_a_new_view():
    ex = explore("rrelu")
    view, config = _view(ex)
    markup = view.markup
    lower, upper = config["params"]
    state = _page_state(
        config,
        lower=lower["values"][-2],
        upper=upper["values"][-1],
        x=[-3.0, 3.0],
        derivative=False,
        compare="elu",
        training=True,
    )
    view.state = state
    assert (ex.values["lower"], ex.values["upper"]) == (lower["values"][-2], upper["values"][-1])
    assert ex.x == (-3.0, 3.0) and ex.derivative is False and ex.compare == "elu"
    assert ex.values["training"] is True
    assert view.markup == markup  # the page already shows these values
    _assert_kernel_draws(ex)


def test_softmax_values_from_the_page_reach_the_kernel():
    ex = explore("softmax")
    view, _ = _view(ex)
    view.state = {"z1": -1.5, "z2": 0.5, "z3": 0.1, "z4": -1.0, "T": 2.0}
    assert ex.logits == [-1.5, 0.5, 0.1, -1.0] and ex.T == 2.0


def test_a_state_the_kernel_rejects_puts_its_values_back_on_the_page():
    def no_big_alpha(values):
        if values["alpha"] > 2:
            raise ValueError(f"alpha must be <= 2 here, got {values['alpha']:g}")

    spec = dataclasses.replace(actlib.get("elu"), cross_check=no_big_alpha)
    ex = Explorer(spec)
    view, config = _view(ex)
    markup = view.markup
    view.state = _page_state(config, alpha=2.5, x=[-2.0, 2.0])  # nothing is applied
    assert ex.values["alpha"] == 1.0 and ex.x == (-5.0, 5.0)
    assert view.markup != markup  # a new view, at the kernel's values
    _, again = _view(ex)
    (alpha,) = again["params"]
    assert alpha["values"][alpha["index"]] == 1.0


def test_values_changed_in_code_give_a_new_view():
    ex = explore("swish")
    view, _ = _view(ex)
    markup = view.markup
    ex.update(beta=4.0)
    assert view.markup != markup
    (beta,) = _view(ex)[1]["params"]
    assert beta["values"][beta["index"]] == 4.0


def test_rrelu_starts_at_pytorch_defaults_exactly():
    torch = pytest.importorskip("torch")
    module = torch.nn.RReLU()
    ex = explore("rrelu")
    assert (ex.values["lower"], ex.values["upper"]) == (module.lower, module.upper)
    config, _ = _curves(ex.to_html())
    lower, upper = config["params"]
    assert lower["values"][lower["index"]] == 1 / 8 and upper["values"][upper["index"]] == 1 / 3
    assert upper["labels"][upper["index"]] == "1/3"
    outputs = re.findall(r"<output[^>]*>([^<]*)</output>", ex.to_html())
    assert outputs[:2] == ["0.125", "1/3"]


def test_compare_choices_come_from_the_registry(swept_elementwise):
    ex = default_explorer(swept_elementwise.name)
    expected = [s.name for s in actlib.specs() if s.shape.entrywise and s is not swept_elementwise]
    assert ex.compare_choices == expected
    tree = parse(ex.to_html())
    options = [a.get("value") for t, a, _ in tree.elements if t == "option"]
    assert options == ["", *expected]
    (select,) = (a for t, a, _ in tree.elements if t == "select")
    labels = [a for t, a, _ in tree.elements if t == "label" and a.get("for") == select["id"]]
    assert len(labels) == 1  # the drop-down has its own <label>


def test_html_compare_samples_are_the_other_curves():
    config, data = _curves(default_explorer("sigmoid").to_html())
    x = np.linspace(-config["xmax"], config["xmax"], config["n"])[:: config["stride"]]
    for name in ("relu", "tanh", "gelu", "softsign"):
        off, lo, sc = config["others"][name]
        got = lo + sc * data[off : off + x.size]
        y = curve(name, x)[0]
        np.testing.assert_allclose(got, y, atol=np.ptp(y) / 65535 + 1e-12)


def test_compare_draws_the_chosen_activation():
    ex = explore("sigmoid")
    assert not ex.lines["compare"].get_visible()
    ex.update(compare="tanh")
    line = ex.lines["compare"]
    assert line.get_visible()
    np.testing.assert_allclose(line.get_ydata(), np.tanh(line.get_xdata()))
    assert "tanh" in [t.get_text() for t in ex.ax.get_legend().get_texts()]
    lo, hi = ex.ax.get_ylim()
    assert lo < -1.0 and hi > 1.0  # the frame holds the compared curve too
    ex.update(compare="none")
    assert not ex.lines["compare"].get_visible()
    assert "tanh" not in [t.get_text() for t in ex.ax.get_legend().get_texts()]
    assert explore("relu", compare="SiLU").compare == "swish"  # aliases are accepted


@pytest.mark.parametrize("bad", ["relux", "softmax", "sigmoid", "glu"])
def test_compare_rejects_what_it_does_not_offer(bad):
    with pytest.raises(ValueError, match="compare must be 'none' or") as info:
        explore("sigmoid", compare=bad)
    assert "tanh" in str(info.value) and "relu" in str(info.value)
    with pytest.raises(ValueError, match="compare must be"):
        explore("sigmoid").update(compare=bad)
    with pytest.raises(TypeError, match="compare"):
        explore("sigmoid", compare=3)
    with pytest.raises(TypeError, match="fit_y"):
        explore("sigmoid", fit_y="yes")


@pytest.mark.parametrize("name", ["elu", "rrelu", "swish", "leaky_relu", "hard_tanh", "prelu"])
def test_fixed_y_range_holds_every_grid_curve(name):
    ex = explore(name)
    cont, grids = ex.slider_grid()
    lo, hi = ex.ax.get_ylim()
    x = ex.lines["f"].get_xdata()
    checked = 0
    for combo in itertools.product(*grids):
        params = dict(zip([p.name for p in cont], combo, strict=True))
        try:
            y, dy = curve(ex.spec, x, params)
        except ValueError:
            continue
        checked += 1
        assert lo <= min(y.min(), dy.min()) and max(y.max(), dy.max()) <= hi, params
    assert checked > 2
    # moving any slider leaves the frame where it is
    for p, grid in zip(cont, grids, strict=True):
        for value in (grid[0], grid[len(grid) // 2], grid[-1]):
            try:
                ex.update(**{p.name: value})
            except ValueError:
                continue
            assert ex.ax.get_ylim() == (lo, hi)


def test_fit_y_fits_the_current_curves():
    ex = explore("elu", alpha=0.5)
    fixed = ex.ax.get_ylim()
    ex.update(fit_y=True)
    y = np.concatenate([ex.lines["f"].get_ydata(), ex.lines["derivative"].get_ydata()])
    y = y[np.isfinite(y)]
    assert ex.ax.get_ylim() == pytest.approx(explorer_mod.padded(y.min(), y.max()))
    assert ex.ax.get_ylim()[0] > fixed[0]  # the fixed frame holds alpha = 3 too
    ex.update(alpha=2.0)
    assert ex.ax.get_ylim()[0] < -1.9
    ex.update(fit_y=False)
    assert ex.ax.get_ylim() == fixed


def test_alt_text_describes_the_picture():
    html = explore("rrelu").to_html()
    (img,) = (a for t, a, _ in parse(html).elements if t == "img")
    alt = img["alt"]
    assert alt.startswith("RReLU") and "x from -5 to 5" in alt
    assert "lower = 0.125, upper = 1/3" in alt and "derivative (dashed)" in alt
    assert "-1.15 at x = -5" in alt  # rrelu(-5) = -5 · (1/8 + 1/3) / 2
    assert not re.search(r"\.(png|svg)", alt)
    bars = parse(explore("softmax", logits=[1.0, 0.0]).to_html())
    (img,) = (a for t, a, _ in bars.elements if t == "img")
    assert "class 1 0.731, class 2 0.269" in img["alt"]


def test_pictures_have_two_pixels_per_css_pixel_and_the_fallback_one(swept_spec):
    """The bundle's PNG (PDF, viewers without HTML) is sharp, the no-script fallback light."""
    ex = explore(swept_spec.name)
    width = round(explorer_mod.FIGSIZE[0] * explorer_mod.DISPLAY_DPI)
    assert int.from_bytes(ex.png()[16:20], "big") == 2 * width
    assert int.from_bytes(ex.static_png()[16:20], "big") == width


@pytest.mark.parametrize("logits", [[2.0, 1.0, 0.1, -1.0], [-1.0, 0.0, 1.0, 2.0], [0.0, 5.0]])
def test_softmax_labels_stay_clear_of_the_title_and_temperature(logits):
    ex = explore("softmax", logits=logits, T=0.1)
    ex.png()
    renderer = ex.canvas.get_renderer()
    top = [ex.T_text.get_window_extent(renderer), ex.ax.title.get_window_extent(renderer)]
    for label in ex.labels:
        box = label.get_window_extent(renderer)
        assert not any(box.overlaps(t) for t in top), label.get_text()


# ---------------------------------------------------------------------- MIME bundle
def test_bundle_without_kernel_is_html_only():
    bundle = explore("elu")._repr_mimebundle_()
    assert set(bundle) == {"text/html", "image/png", "text/plain"}
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_bundle_without_anywidget(monkeypatch):
    monkeypatch.setitem(sys.modules, "anywidget", None)  # import fails
    assert not explorer_mod._live_kernel()
    assert "text/html" in explore("relu")._repr_mimebundle_()


def test_bundle_with_a_kernel_has_the_widget_view_too(monkeypatch):
    monkeypatch.setattr(explorer_mod, "_live_kernel", lambda: True)
    ex = explore("elu")
    bundle = ex._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == ex.widget.model_id
    assert "text/html" in bundle and "text/plain" in bundle


def test_html_contract_and_budget(swept_spec):
    html = default_explorer(swept_spec.name)._repr_mimebundle_()["text/html"]
    assert len(html.encode("utf-8")) <= HTML_BUDGET
    tree = parse(html)
    root = _root(tree)
    assert root["data-activation"] == swept_spec.name
    ranges = [
        a
        for t, a, anc in tree.elements
        if t == "input" and a.get("type") == "range" and _inside_root(anc)
    ]
    assert ranges and all("actlib-slider" in a["class"].split() for a in ranges)
    assert any(t == "svg" and _inside_root(anc) for t, _, anc in tree.elements)
    # static picture for readers without JavaScript
    imgs = [a for t, a, anc in tree.elements if t == "img" and _inside_root(anc)]
    assert imgs and imgs[0]["src"].startswith("data:image/png;base64,")
    base64.b64decode(imgs[0]["src"].split(",", 1)[1], validate=True)
    # self-contained: nothing loaded from elsewhere
    for tag, attrs, _ in tree.elements:
        assert not (tag == "script" and "src" in attrs)
        assert tag != "link"
        for key in ("src", "href"):
            assert not re.match(r"\s*(https?:)?//", attrs.get(key) or "")
    assert "http://" not in html and "https://" not in html
    # nothing MathJax would typeset
    assert "$" not in html and "\\(" not in html and "\\[" not in html
    assert tree.scripts and "actlibExplorer.init" in tree.scripts[-1]


@pytest.mark.parametrize("name", ["elu", "softmax"])
def test_html_escapes_every_value(name):
    evil = "a</script><script>alert(\"x\")</script> & <b>'bold'</b>"
    spec = dataclasses.replace(actlib.get(name), title=evil)
    html = explore(spec).to_html()
    # The library and the start-up call, nothing the title could have opened.
    assert html.count("<script") == 2 and html.lower().count("</script") == 2
    tree = parse(html)
    assert [t for t, _, _ in tree.elements].count("b") == 0
    root = _root(tree)
    assert json.loads(root["data-config"])["title"].startswith(evil)
    (img,) = (a for t, a, _ in tree.elements if t == "img")
    (svg,) = (a for t, a, _ in tree.elements if t == "svg")
    assert img["alt"].startswith(evil) and svg["aria-label"] == evil
    assert tree.scripts[-1].endswith(f'init(document.getElementById("{root["id"]}"));')


def test_script_data_cannot_close_the_script_element():
    text = explorer_mod._script_json({"title": "</script><!-- x"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text) == {"title": "</script><!-- x"}


def test_style_comes_from_the_stylesheet():
    html = default_explorer("elu").to_html()
    tree = parse(html)
    assert not any("style" in a for _, a, anc in tree.elements if _inside_root(anc))
    assert html.count("<style>") == 1
    css = explorer_mod._compact("static/explorer.css")
    assert f"<style>{css}</style>" in html and ".actlib-explorer .actlib-controls" in css


def test_ids_are_unique_per_rendering():
    ex = default_explorer("elu")
    a, b = parse(ex.to_html()), parse(ex.to_html())
    ids_a = {at["id"] for _, at, _ in a.elements if "id" in at}
    ids_b = {at["id"] for _, at, _ in b.elements if "id" in at}
    assert ids_a and not ids_a & ids_b
    labels = [at["for"] for t, at, _ in a.elements if t == "label"]
    assert set(labels) <= ids_a


def _curves(html: str) -> tuple[dict, np.ndarray]:
    root = _root(parse(html))
    config = json.loads(root["data-config"])
    data = np.frombuffer(base64.b64decode(root.get("data-curves", "")), dtype="<u2")
    return config, data


def _decoded(config, data, combo):
    off, flo, fsc, dlo, dsc = config["q"][combo][:5]
    n = config["n"]
    return flo + fsc * data[off : off + n], dlo + dsc * data[off + n : off + 2 * n]


def test_html_slider_defaults_match_the_spec(elementwise):
    html = default_explorer(elementwise.name).to_html()
    config, data = _curves(html)
    grid_params = [p for p in elementwise.parameters if p.slider is not None]
    assert [p["name"] for p in config["params"]] == [p.name for p in grid_params]
    for p, cfg in zip(grid_params, config["params"], strict=True):
        assert cfg["values"][cfg["index"]] == pytest.approx(p.default)
        lo, hi, _ = p.slider
        assert min(cfg["values"]) == pytest.approx(lo) and max(cfg["values"]) == pytest.approx(hi)
    tree = parse(html)
    inputs = [a for t, a, _ in tree.elements if "actlib-param" in a.get("class", "")]
    assert [int(a["value"]) for a in inputs] == [c["index"] for c in config["params"]]


def test_html_curves_are_the_spec_values(elementwise):
    config, data = _curves(default_explorer(elementwise.name).to_html())
    x = np.linspace(-config["xmax"], config["xmax"], config["n"])
    sizes = [len(p["values"]) for p in config["params"]]
    combos = list(np.ndindex(*sizes)) if sizes else [()]
    for c in (0, len(combos) // 2, len(combos) - 1):
        if config["q"][c] is None:
            continue
        params = {
            p["name"]: p["values"][i] for p, i in zip(config["params"], combos[c], strict=True)
        }
        y, dy = curve(elementwise, x, params)
        fy, fdy = _decoded(config, data, c)
        np.testing.assert_allclose(fy, y, atol=(np.ptp(y) + 1e-300) / 65535 + 1e-12)
        np.testing.assert_allclose(fdy, dy, atol=(np.ptp(dy) + 1e-300) / 65535 + 1e-12)


def test_html_marks_invalid_parameter_combinations():
    config, _ = _curves(default_explorer("rrelu").to_html())
    lower, upper = (p["values"] for p in config["params"])
    for c, (i, j) in enumerate(np.ndindex(len(lower), len(upper))):
        assert (config["q"][c] is None) == (lower[i] > upper[j])
        if lower[i] > upper[j]:
            assert "lower" in config["invalid"][str(c)]


def test_softmax_html_has_logit_and_temperature_sliders():
    ex = explore("softmax", logits=[0.5, -1.0, 2.0], T=0.5)
    tree = parse(ex.to_html())
    sliders = [a for t, a, _ in tree.elements if t == "input" and a.get("type") == "range"]
    roles = [a.get("data-role") for a in sliders]
    assert roles == ["logit", "logit", "logit", "temperature"]
    assert [float(a["value"]) for a in sliders] == [0.5, -1.0, 2.0, 0.5]
    assert json.loads(_root(tree)["data-config"])["logits"] == [0.5, -1.0, 2.0]


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("leaky_relu", {"negative_slope": 0.02}),
        ("relu", {"overlay": ["sigmoid"]}),
        ("softmax", {"T": 2.0}),
    ],
)
def test_partial_redraw_gives_the_same_pixels_as_a_full_one(name, change, monkeypatch):
    ex = explore(name)
    ex.update()  # full draw, caches the background
    full_draws = []
    original = type(ex)._draw_full
    monkeypatch.setattr(type(ex), "_draw_full", lambda self: full_draws.append(1) or original(self))
    ex.update(**change)
    assert full_draws == []  # only the curves were redrawn over the cached background
    partial = np.asarray(ex.canvas.buffer_rgba()).copy()
    ex._draw_full()
    np.testing.assert_array_equal(partial, np.asarray(ex.canvas.buffer_rgba()))


def test_limits_follow_large_changes():
    ex = explore("elu", alpha=0.1)
    ex.update()
    ex.update(alpha=3.0)
    assert ex.ax.get_ylim()[0] < -3.0
    ex.update(x=(0.5, 1.0))
    lo, hi = ex.ax.get_ylim()
    assert ex.ax.get_xlim() == (0.5, 1.0) and hi < 2.0


# ---------------------------------------------------------------------- bars of f(z / T)
NORMALIZING = [s.name for s in actlib.specs() if isinstance(s.shape, Normalizing)]
#: (logits, T): the defaults, a tie, a cold temperature, logits far beyond the sliders.
BAR_CASES = [
    ([2.0, 1.0, 0.1, -1.0], 1.0),
    ([0.5, 0.5], 0.3),
    ([5.0, -5.0, 0.0, 4.9, -0.1, 2.0], 0.1),
    ([1000.0, 0.0, -1000.0], 0.05),
    ([-3.0, 40.0], 1.0),
]


def _evaluate(node, x):
    """The script's evaluator (``evaluate`` in static/explorer.js), written again in Python."""
    op, args = node[0], node[1:]
    if op == "x":
        return x[args[0]]
    if op == "num":
        return args[0]
    a = [_evaluate(n, x) for n in args]
    if op == "add":
        return functools.reduce(lambda u, v: u + v, a)
    if op == "mul":
        return functools.reduce(lambda u, v: u * v, a)
    if op == "pow":
        return a[0] ** a[1]
    functions = {"exp": math.exp, "log": math.log, "abs": abs, "tanh": math.tanh}
    if op in functions:
        return functions[op](*a)
    return {"max": max, "min": min}[op](a)


def _script_outputs(config, z, T):
    """What the script shows for logits z at temperature T (``outputs`` in explorer.js)."""
    x = [v / T for v in z]
    if config["shift"]:
        m = max(x)
        x = [v - m for v in x]
    return [_evaluate(node, x) for node in config["program"]]


@pytest.mark.parametrize("name", NORMALIZING)
@pytest.mark.parametrize(("logits", "T"), BAR_CASES, ids=str)
def test_bars_in_the_page_show_what_the_spec_computes(name, logits, T):
    ex = explore(name, logits=logits, T=T)
    config = json.loads(_root(parse(ex.to_html()))["data-config"])
    assert config == json.loads(json.dumps(ex.script_config()))
    assert config["shift"]  # both are shift invariant, so nothing overflows in the page
    expected = actlib.get(name).forward(np.asarray(logits) / T)
    np.testing.assert_allclose(_script_outputs(config, logits, T), expected, rtol=1e-12, atol=1e-15)
    heights = [b.get_height() for b in ex.bars]
    lo, hi = ex.limits
    np.testing.assert_array_equal(heights, np.clip(ex.outputs(), lo, hi))
    np.testing.assert_array_equal(ex.outputs(), expected)


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the page script")
def test_the_page_script_itself_computes_the_spec_values():
    """static/explorer.js run by Node.js: outputs and barLimits agree with the kernel."""
    names, cases = [], []
    for name in NORMALIZING:
        for logits, T in BAR_CASES:
            ex = explore(name, logits=logits, T=T)
            names.append(name)
            cases.append({"config": ex.script_config(), "z": logits, "T": T})
    script = explorer_mod._compact("static/explorer.js")  # as the page runs it
    driver = (
        "var window = {};\n" + script + "\nvar cases = " + json.dumps(cases) + ";\n"
        "console.log(JSON.stringify(cases.map(function (c) {\n"
        "  var p = window.actlibExplorer.outputs(c.config, c.z, c.T);\n"
        "  return { p: p, limits: window.actlibExplorer.barLimits(p) };\n"
        "})));\n"
    )
    run = subprocess.run(
        ["node", "-e", driver], capture_output=True, text=True, timeout=60, check=True
    )
    results = json.loads(run.stdout)
    for name, case, got in zip(names, cases, results, strict=True):
        expected = actlib.get(name).forward(np.asarray(case["z"]) / case["T"])
        np.testing.assert_allclose(got["p"], expected, rtol=1e-12, atol=1e-15)
        assert tuple(got["limits"]) == explorer_mod.bar_limits(expected.tolist())


def test_log_softmax_bars_hang_below_zero_and_the_axes_follow():
    ex = explore("log_softmax", logits=[2.0, 1.0, 0.0])
    assert all(b.get_height() < 0 for b in ex.bars)
    lo, hi = ex.ax.get_ylim()
    assert hi == 0.0 and lo < min(ex.outputs())
    ex.update()
    limits = ex.limits
    ex.update(z1=2.1)  # a small move keeps the axes
    assert ex.limits == limits
    ex.update(T=0.1)  # log-probabilities down to about -20: the axes grow
    assert ex.limits[0] <= min(ex.outputs()) < limits[0]
    assert [t.get_text() for t in ex.labels][0] == "0.000"  # not "-0.000"
    assert ex.ax.get_title() == "Log-softmax: log_softmax(z / T)"


def test_bar_limits_round_each_side_up():
    assert explorer_mod.bar_limits([0.3, 0.99]) == (0.0, 1.0)
    assert explorer_mod.bar_limits([-0.2, -1.5]) == (-2.0, 0.0)
    assert explorer_mod.bar_limits([-7.0, 30.0]) == (-10.0, 50.0)
    assert explorer_mod.bar_limits([0.0, float("-inf")]) == (0.0, 1.0)


def test_script_program_names_what_it_cannot_evaluate():
    x0, x1 = sp.symbols("x_0:2", real=True)
    program = explorer_mod.script_program(sp.exp(x0) / (sp.exp(x0) + sp.exp(x1)), (x0, x1))
    assert _evaluate(program, [0.0, 0.0]) == 0.5
    with pytest.raises(ValueError, match="erf"):
        explorer_mod.script_program(sp.erf(x0), (x0, x1))


def test_html_has_the_training_switch_and_its_draws():
    ex = explore("rrelu")
    html = ex.to_html()
    tree = parse(html)
    (switch,) = (a for t, a, _ in tree.elements if "actlib-random" in a.get("class", ""))
    labels = [a for t, a, _ in tree.elements if t == "label" and a.get("for") == switch["id"]]
    assert labels and "checked" not in switch  # evaluation mode first, as in the live widget
    config, data = _curves(html)
    x = np.linspace(-config["xmax"], config["xmax"], config["n"])[:: config["sstride"]]
    lower, upper = (p["values"] for p in config["params"])
    for c, (i, j) in enumerate(np.ndindex(len(lower), len(upper))):
        if config["q"][c] is None:
            continue
        off, lo, sc = config["q"][c][5:8]
        y = lo + sc * data[off : off + x.size]
        values = actlib.get("rrelu").resolve({"lower": lower[i], "upper": upper[j]})
        expected = explorer_mod.training_sample(ex.spec, x, {**values, "training": True})
        np.testing.assert_allclose(y, expected[0], atol=np.ptp(expected[0]) / 65535 + 1e-12)
        neg, tol = x < 0, np.ptp(y) / 65535 + 1e-12  # slopes in [lower, upper]
        assert np.all(y[neg] <= lower[i] * x[neg] + tol) and np.all(
            y[neg] >= upper[j] * x[neg] - tol
        )
    assert 'class="actlib-random' not in explore("elu").to_html()


# ---------------------------------------------------------------------- speed of live updates
def test_live_png_holds_exactly_the_drawn_pixels():
    from PIL import Image

    ex = explore("sigmoid")
    png = ex.png()
    drawn = np.asarray(ex.canvas.buffer_rgba())[:, :, :3]
    with Image.open(io.BytesIO(png)) as img:
        assert img.format == "PNG" and img.mode == "RGBA"
        np.testing.assert_array_equal(np.asarray(img)[:, :, :3], drawn)
        assert (np.asarray(img)[:, :, 3] == 255).all()


@pytest.mark.parametrize(
    "bad",
    [np.zeros((2, 2, 3), dtype=np.float64), np.zeros((2, 2, 2), dtype=np.uint8), np.zeros(3)],
)
def test_png_image_rejects_what_is_not_an_rgb_or_rgba_image(bad):
    with pytest.raises(ValueError, match=r"uint8 array of shape \(height, width, 3\) or"):
        explorer_mod.png_image(bad)


@pytest.mark.parametrize("channels", [3, 4])
def test_png_image_round_trips_rgb_and_rgba(channels):
    from PIL import Image

    rng = np.random.default_rng(3)
    pixels = rng.integers(0, 256, size=(5, 7, channels), dtype=np.uint8)
    with Image.open(io.BytesIO(explorer_mod.png_image(pixels))) as img:
        assert img.mode == ("RGB" if channels == 3 else "RGBA")
        np.testing.assert_array_equal(np.asarray(img), pixels)


@pytest.mark.parametrize(
    ("name", "changes"),
    [
        ("sigmoid", [{"x": (-20.0, 20.0)}, {"x": (-0.5, 0.5)}, {"x": (-12.5, 3.0)}]),
        ("elu", [{"x": (-0.5, 0.5)}, {"alpha": 0.3}, {"x": (-3.0, 19.5)}]),
        ("softmax", [{"T": 0.1}, {"z1": -4.0}, {"T": 4.0}]),
    ],
)
def test_layout_fixed_after_the_first_draw_matches_a_fresh_one(name, changes):
    """The title and x-label, placed once, sit where matplotlib would place them now."""
    ex = explore(name)
    ex.png()
    for change in changes:
        ex.update(**change)
    final = {k: v for change in changes for k, v in change.items()}
    fresh = explore(name, **final) if name != "softmax" else explore(name, T=final["T"])
    if name == "softmax":
        fresh.update(z1=final["z1"])
    np.testing.assert_array_equal(
        np.asarray(ex.canvas.buffer_rgba()), np.asarray(_drawn(fresh).canvas.buffer_rgba())
    )


def _drawn(ex):
    ex.png()
    return ex


def test_y_extents_of_visited_x_ranges_are_remembered(monkeypatch):
    ex = explore("elu")
    calls = []
    original = explorer_mod.curve
    monkeypatch.setattr(explorer_mod, "curve", lambda *a, **k: calls.append(1) or original(*a, **k))
    ranges = [(-5.0, 5.0), (-4.5, 5.0), (-4.0, 5.0)]
    first = []
    for x in ranges:
        ex.update(x=x)
        first.append(ex.ax.get_ylim())
    calls.clear()
    for x, ylim in zip(reversed(ranges), reversed(first), strict=True):
        ex.update(x=x)
        assert ex.ax.get_ylim() == ylim
    # Going back only recomputes the curves shown (f and f'), not the slider grid's.
    assert len(calls) == len(ranges)
    monkeypatch.setattr(explorer_mod, "EXTENT_CACHE_SIZE", 2)  # the memory stays bounded
    for k in range(4):
        ex.update(x=(-5.0, 6.0 + k))
        assert len(ex._extent_cache) <= 2
    assert (-5.0, 9.0) in {key[0] for key in ex._extent_cache}
