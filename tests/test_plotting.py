"""The pure plotting functions draw the spec's own numbers on the axes they are given."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

import actlib
from actlib.display.plotting import compare, curve, gallery, plot_activation


@pytest.fixture
def ax():
    return Figure().add_subplot()


def _slice(spec, x, params=None):
    """f and f' of the plotted slice, computed here independently of actlib.display.plotting."""
    params = dict(params or {})
    shape = spec.shape
    arr = shape.embed(x)
    params = shape.slice_params(params)
    return (
        shape.pick_forward(spec.forward(arr, **params)),
        shape.pick_derivative(spec.derivative(arr, **params)),
    )


def test_every_activation_is_drawn_with_its_own_values(ax, spec):
    lines = plot_activation(ax, spec.name, x=(-3.0, 4.0), num=101)
    x = np.linspace(-3.0, 4.0, 101)
    y, dy = _slice(spec, x)
    np.testing.assert_allclose(lines["f"].get_xdata(), x)
    np.testing.assert_allclose(lines["f"].get_ydata(), y, rtol=1e-12, atol=0)
    xd, yd = (
        np.asarray(lines["derivative"].get_xdata()),
        np.asarray(lines["derivative"].get_ydata()),
    )
    gap = np.isnan(yd)  # a break at a kink where f' jumps (see break_at_jumps)
    assert set(xd[gap]) <= set(spec.kinks)
    np.testing.assert_allclose(xd[~gap], x)
    np.testing.assert_allclose(yd[~gap], dy, rtol=1e-12, atol=0)
    assert lines["derivative"].get_linestyle() == "--"
    assert lines["f"].axes is ax
    assert ax.get_xlim() == (-3.0, 4.0)


def test_lines_are_drawn_on_the_given_axes_only(ax):
    before = set(plt.get_fignums())
    plot_activation(ax, "tanh")
    assert set(plt.get_fignums()) == before
    assert len(ax.figure.axes) == 1


@pytest.mark.parametrize(
    "name", [s.name for s in actlib.specs() if any(p.slider for p in s.parameters)]
)
def test_parameters_change_the_curve(ax, name):
    spec = actlib.get(name)
    p = next(p for p in spec.parameters if p.slider is not None)
    value = p.slider[0] if p.slider[0] != p.default else p.slider[1]
    params = {p.name: value}
    if name == "rrelu":  # keep lower <= upper
        params = {"lower": 0.0, "upper": 0.5}
    lines = plot_activation(ax, name, params=params, num=51)
    y, _ = _slice(spec, np.linspace(-5, 5, 51), params)
    np.testing.assert_allclose(lines["f"].get_ydata(), y, rtol=1e-12)
    default_y, _ = _slice(spec, np.linspace(-5, 5, 51))
    assert not np.allclose(y, default_y)


def test_derivative_toggle(ax):
    lines = plot_activation(ax, "elu", derivative=False)
    assert set(lines) == {"f"}
    assert len([ln for ln in ax.lines if ln.get_linestyle() == "--"]) == 0


def test_overlays_use_the_other_specs(ax):
    lines = plot_activation(ax, "relu", overlay=["tanh", "silu", "relu"], num=41)
    # "silu" is an alias of swish; the main activation itself is not overlaid twice
    assert set(lines) == {"f", "derivative", "tanh", "swish"}
    x = np.linspace(-5, 5, 41)
    np.testing.assert_allclose(lines["tanh"].get_ydata(), np.tanh(x), rtol=1e-12)
    np.testing.assert_allclose(lines["swish"].get_ydata(), actlib.get("swish").forward(x))
    assert len({ln.get_color() for ln in lines.values()}) == len(lines)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "tanh" in labels and "swish" in labels


def test_softmax_is_the_two_class_slice(ax):
    lines = plot_activation(ax, "softmax", num=21)
    x = np.linspace(-5, 5, 21)
    sig = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(lines["f"].get_ydata(), sig, rtol=1e-12)
    np.testing.assert_allclose(lines["derivative"].get_ydata(), sig * (1 - sig), rtol=1e-12)


def test_rrelu_training_draw_is_seeded_and_between_the_bounds(ax):
    params = {"training": True, "lower": 0.1, "upper": 0.3}
    lines = plot_activation(ax, "rrelu", params=params, num=201)
    x, y = lines["sample"].get_xdata(), lines["sample"].get_ydata()
    neg = x < 0
    slopes = y[neg] / x[neg]
    assert np.all((slopes >= 0.1) & (slopes <= 0.3))
    assert np.ptp(slopes) > 0.1  # really random, not one slope
    np.testing.assert_array_equal(y[~neg], x[~neg])
    # the solid curve is the evaluation-mode function (mean slope)
    np.testing.assert_allclose(lines["f"].get_ydata()[neg], 0.2 * x[neg])
    again = plot_activation(Figure().add_subplot(), "rrelu", params=params, num=201)
    np.testing.assert_array_equal(again["sample"].get_ydata(), y)


def test_curve_matches_plot(ax):
    lines = plot_activation(ax, "gelu", num=11)
    y, dy = curve("gelu", np.linspace(-5, 5, 11))
    np.testing.assert_array_equal(lines["f"].get_ydata(), y)
    np.testing.assert_array_equal(lines["derivative"].get_ydata(), dy)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "match"),
    [
        (("nope",), {}, ValueError, "unknown activation"),
        (("relu",), {"x": (2.0, 1.0)}, ValueError, "lo < hi"),
        (("relu",), {"x": (1.0, 1.0)}, ValueError, "lo < hi"),
        (("relu",), {"x": (0.0, np.inf)}, ValueError, "finite"),
        (("relu",), {"x": 5}, TypeError, "pair"),
        (("relu",), {"x": ("a", "b")}, TypeError, "pair"),
        (("elu",), {"params": {"alpha": -1.0}}, ValueError, "alpha"),
        (("elu",), {"params": {"alpah": 1.0}}, TypeError, "alpha"),
        (("elu",), {"params": [1.0]}, TypeError, "params"),
        (("rrelu",), {"params": {"lower": 0.5, "upper": 0.1}}, ValueError, "lower"),
        (("relu",), {"num": 1}, ValueError, "num"),
        (("relu",), {"overlay": ["tahn"]}, ValueError, "tanh"),
        ((12,), {}, TypeError, "string"),
    ],
)
def test_bad_input_names_the_problem(ax, args, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_activation(ax, *args, **kwargs)


def test_ax_must_be_axes():
    with pytest.raises(TypeError, match="Axes"):
        plot_activation(Figure(), "relu")
    with pytest.raises(TypeError, match="Axes"):
        compare(None, ["relu"])


def test_compare(ax):
    lines = compare(ax, ["relu", "elu"], derivative=True, x=(-2, 2))
    assert set(lines) == {"relu", "relu′", "elu", "elu′"}
    x = lines["elu"].get_xdata()
    np.testing.assert_allclose(lines["elu′"].get_ydata(), actlib.get("elu").derivative(x))
    assert lines["elu"].get_color() == lines["elu′"].get_color()
    assert lines["elu"].get_color() != lines["relu"].get_color()
    with pytest.raises(ValueError, match="at least one"):
        compare(ax, [])
    with pytest.raises(TypeError, match="single string"):
        compare(ax, "relu")


@pytest.mark.parametrize("role", [None, "hidden", "output"])
def test_gallery_has_one_panel_per_registered_activation(role):
    fig = gallery(role)
    panels = [a for a in fig.axes if a.get_visible()]
    assert [a.get_title() for a in panels] == [s.title for s in actlib.specs(role)]
    assert all(len(a.lines) >= 2 for a in panels)


def test_gallery_shows_itself_once_as_svg():
    before = plt.get_fignums()
    fig = gallery("output")
    assert plt.get_fignums() == before  # not managed by pyplot: no second, automatic display
    assert fig._repr_svg_().startswith("<?xml")
    assert not hasattr(fig, "_repr_png_")  # one image per figure, not an SVG and a PNG
    with pytest.raises(ValueError, match="role"):
        gallery("input")


def test_derivative_line_breaks_only_where_the_derivative_jumps():
    import matplotlib.figure

    for name, params, expect_gap in [
        ("relu", {}, True),
        ("leaky_relu", {}, True),
        ("elu", {"alpha": 2.0}, True),
        ("elu", {"alpha": 1.0}, False),
        ("gelu", {}, False),
    ]:
        ax = matplotlib.figure.Figure().add_subplot()
        line = plot_activation(ax, name, params=params)["derivative"]
        xd, yd = np.asarray(line.get_xdata()), np.asarray(line.get_ydata())
        assert np.isnan(yd).any() == expect_gap, name
        if expect_gap:
            assert xd[np.isnan(yd)].tolist() == [0.0]
        finite = ~np.isnan(yd)
        np.testing.assert_allclose(yd[finite], actlib.get(name).derivative(xd[finite], **params))
