"""Every figure of the book is captioned, described and readable without colour.

- Every cell that draws (in the chapters and on the home page) is a figure: a caption, a name,
  an alt text that describes the plot in words, and a sentence after it that points to it.
- The course's palette stays distinguishable under simulated colour blindness, and every curve
  of a multi-curve helper plot has its own line style or marker, so curves differ in grey.
- Figures are written as compact SVG with their text kept as text.
- The home page's small multiples come from the registry.
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import to_rgb
from matplotlib.figure import Figure
from myst_nb.core.read import read_myst_markdown_notebook
from PIL import Image

import actlib
from actlib.display import style
from actlib.display.plotting import compare, gallery, plot_activation

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
HOME = ROOT / "book" / "intro.md"

# A cell draws when it shows a pyplot figure or returns a figure of actlib.
DRAWS = re.compile(r"plt\.show\(\)|plt\.subplots?\(|plt\.figure\(|\bgallery\(")
# What an alt text must not look like: a file name or path, or the name of the figure.
PATH_LIKE = re.compile(r"^\S*[/\\]\S*$|\.(png|svg|jpe?g|gif|pdf)\b|^fig[-_]", re.IGNORECASE)
MIN_ALT_WORDS = 8


def _cells(path: Path) -> list[dict]:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return [{**c, "source": "".join(c["source"])} for c in cells]
    nb = read_myst_markdown_notebook(path.read_text(encoding="utf-8"))
    return [
        {"cell_type": c.cell_type, "metadata": c.metadata, "source": c.source} for c in nb.cells
    ]


def _figure_cells(path: Path) -> list[tuple[int, dict]]:
    return [
        (i, c)
        for i, c in enumerate(_cells(path))
        if c["cell_type"] == "code" and DRAWS.search(c["source"])
    ]


def _alt(cell: dict) -> str:
    # myst-nb reads image options from the cell's mystnb key only (an "image" key at the top
    # of the cell metadata is ignored, and the page then shows the file name as alt text).
    return str(cell.get("metadata", {}).get("mystnb", {}).get("image", {}).get("alt") or "")


PAGES = [*CHAPTERS, HOME]


def figure_problems(path: Path) -> list[str]:
    """What is missing from the figures of one page (empty when every figure is complete)."""
    cells = _cells(path)
    problems = []
    for i, cell in _figure_cells(path):
        md = cell.get("metadata", {})
        figure = md.get("mystnb", {}).get("figure", {})
        caption, name, alt = figure.get("caption", ""), figure.get("name", ""), _alt(cell)
        where = f"{path.name} cell {i}"
        if not str(caption).strip():
            problems.append(f"{where}: no caption (metadata mystnb.figure.caption)")
        if not re.fullmatch(r"fig-[a-z0-9_-]+", str(name)):
            problems.append(f"{where}: no figure name fig-... (mystnb.figure.name), got {name!r}")
        if len(alt.split()) < MIN_ALT_WORDS:
            problems.append(f"{where}: alt text shorter than {MIN_ALT_WORDS} words: {alt!r}")
        if PATH_LIKE.search(alt.strip()):
            problems.append(f"{where}: alt text looks like a file name: {alt!r}")
        if alt.strip() == str(caption).strip():
            problems.append(f"{where}: alt text repeats the caption instead of describing")
        tags = set(md.get("tags", []))
        if not tags & {"hide-input", "remove-input"}:
            problems.append(f"{where}: a figure cell hides its code (hide-input or remove-input)")
        following = [c["source"] for c in cells[i + 1 : i + 4] if c["cell_type"] == "markdown"]
        if name and not any(f"{{numref}}`{name}`" in text for text in following):
            problems.append(f"{where}: no sentence after the figure refers to {{numref}}`{name}`")
    return problems


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_figure_has_caption_name_alt_text_and_a_pointer(path: Path) -> None:
    assert figure_problems(path) == []


def test_figure_names_are_unique_across_the_book() -> None:
    names = [
        c["metadata"]["mystnb"]["figure"]["name"]
        for path in PAGES
        for _, c in _figure_cells(path)
        if "name" in c.get("metadata", {}).get("mystnb", {}).get("figure", {})
    ]
    assert len(names) > len(CHAPTERS)  # the check above really found the figures
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("metadata", "expected"),
    [
        ({}, "no caption"),
        ({"mystnb": {"figure": {"caption": "c", "name": "fig-x"}, "image": {"alt": "a.png"}}},
         "shorter than"),
        ({"mystnb": {"figure": {"caption": "c", "name": "fig-x"}, "image": {"alt":
          "_build/html/_images/one-two-three-four-five-six-seven-eight.png"}}},
         "file name"),
        ({"mystnb": {"figure": {"caption": "c", "name": "x"},
                     "image": {"alt": "one two three four five six seven eight nine"}}},
         "figure name"),
        # An "image" key outside "mystnb" is not read by myst-nb: the page would show the path.
        ({"mystnb": {"figure": {"caption": "c", "name": "fig-x"}},
          "image": {"alt": "one two three four five six seven eight nine"}},
         "shorter than"),
    ],
)  # fmt: skip
def test_the_audit_catches_a_bad_figure(tmp_path: Path, metadata: dict, expected: str) -> None:
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "metadata": {"tags": ["hide-input"], **metadata},
                "source": ["fig, ax = plt.subplots()\n", "plt.show()"],
                "outputs": [],
                "execution_count": None,
            },
            {"cell_type": "markdown", "metadata": {}, "source": ["In {numref}`fig-x`, look."]},
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path = tmp_path / "bad.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    assert any(expected in p for p in figure_problems(path))


# --- palette and line styles -------------------------------------------------------------

# Machado, Oliveira and Fernandes (2009), severity 1, on linear RGB.
CVD = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
# CIE76 colour difference below which two line colours are easily confused.
MIN_DELTA_E = 15.0


def _lab(colour: str, matrix: list[list[float]] | None) -> np.ndarray:
    c = np.asarray(to_rgb(colour))
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    if matrix is not None:
        linear = np.clip(np.asarray(matrix) @ linear, 0.0, 1.0)
    xyz = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    t = xyz @ linear / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair(colours: list[str], matrix: list[list[float]] | None) -> float:
    return min(
        float(np.linalg.norm(_lab(a, matrix) - _lab(b, matrix)))
        for a, b in itertools.combinations(colours, 2)
    )


CYCLE_COLOURS = sorted({s.color for s in style.STYLES}, key=[s.color for s in style.STYLES].index)


@pytest.mark.parametrize("vision", [None, *CVD], ids=lambda v: v or "normal")
def test_palette_colours_stay_apart_under_colour_blindness(vision: str | None) -> None:
    matrix = CVD[vision] if vision else None
    assert len(CYCLE_COLOURS) >= 7
    assert _closest_pair(CYCLE_COLOURS, matrix) >= MIN_DELTA_E


def test_the_colour_blindness_check_rejects_a_red_green_palette() -> None:
    # matplotlib's tab10 puts green next to red and orange: the check must notice.
    tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2"]
    assert _closest_pair(tab10, CVD["deuteranopia"]) < MIN_DELTA_E


def test_styles_differ_without_colour() -> None:
    first = style.styles(len(style.MARKERS))
    assert len({(s.linestyle, s.marker) for s in first}) == len(first)
    assert len({s.marker for s in first}) == len(first)
    assert len({(s.color, s.linestyle) for s in style.STYLES}) == len(style.STYLES)


def test_rc_cycle_gives_each_curve_its_own_line_style() -> None:
    import matplotlib as mpl

    with mpl.rc_context(style.rc()):
        ax = Figure().add_subplot()
        lines = [ax.plot([0, 1], [k, k])[0] for k in range(len(style.LINESTYLES))]
        assert len({_signature(ln) for ln in lines}) == len(lines)
        assert len({ln.get_color() for ln in lines}) == len(lines)


def _signature(line) -> tuple:
    return (
        line.get_linestyle(),
        tuple(line._unscaled_dash_pattern[1] or ()),  # no public getter for the dashes
        line.get_marker(),
        str(line.get_markerfacecolor()) == "none",
    )


def test_plot_activation_curves_differ_without_colour() -> None:
    ax = Figure().add_subplot()
    overlay = [n for n in actlib.names(entrywise=True) if n != "swish"][:6]
    lines = plot_activation(ax, "swish", overlay=overlay)
    assert len(lines) == 2 + len(overlay)
    assert len({_signature(ln) for ln in lines.values()}) == len(lines)


def test_compare_curves_differ_without_colour() -> None:
    ax = Figure().add_subplot()
    names = actlib.names(entrywise=True)[: len(style.MARKERS)]
    lines = compare(ax, names, derivative=True)
    assert len(lines) == 2 * len(names)
    assert len({_signature(ln) for ln in lines.values()}) == len(lines)


@pytest.mark.parametrize("n", [-1, 2.0, True, "3"])
def test_styles_rejects_bad_counts(n: object) -> None:
    with pytest.raises((TypeError, ValueError), match="n must be"):
        style.styles(n)  # type: ignore[arg-type]


# --- the format: compact SVG with text as text ---------------------------------------------


def test_svg_keeps_text_as_text_and_is_compacted() -> None:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    plot_activation(ax, "gelu")
    ax.set_title("GELU title")
    text = style.svg(fig)
    assert text.startswith("<?xml") and "<svg" in text
    assert ">GELU title</text>" in text  # not converted to glyph outlines
    assert "<metadata>" not in text and "dc:date" not in text
    coordinates = re.findall(r'\sd="([^"]*)"', text)
    assert coordinates and not any(re.search(r"\d\.\d{3}", d) for d in coordinates)
    assert text == style.svg(fig)  # the same figure gives the same bytes


def test_compact_svg_only_rounds_coordinates() -> None:
    raw = (
        '<svg>\n  <path d="M 1.23456 -0.0001 \nL 2 3" />\n  <text x="1.2345">0.12345</text>\n</svg>'
    )
    assert (
        style.compact_svg(raw)
        == '<svg>\n<path d="M 1.23 0 L 2 3" />\n<text x="1.23">0.12345</text>\n</svg>'
    )
    with pytest.raises(TypeError, match="text must be a str"):
        style.compact_svg(b"<svg/>")  # type: ignore[arg-type]


def test_notebook_kernel_shows_figures_as_svg_only() -> None:
    # In a fresh IPython (as in a chapter's kernel): pyplot, then actlib.display.
    script = textwrap.dedent(
        """
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("import matplotlib; matplotlib.use('module://matplotlib_inline.backend_inline')")
        shell.run_cell("import matplotlib.pyplot as plt")
        shell.run_cell("import actlib.display")
        shell.run_cell("fig, ax = plt.subplots(); ax.plot([0, 1], [0, 1]); ax.set_title('T');")
        data, _ = shell.display_formatter.format(shell.user_ns["fig"])
        print(sorted(k for k in data if k.startswith("image/")))
        print("<text" in data.get("image/svg+xml", ""))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120
    ).stdout.splitlines()
    assert out[-2:] == ["['image/svg+xml']", "True"]


# --- the home page ---------------------------------------------------------------------------


def test_gallery_of_elementwise_activations_comes_from_the_registry() -> None:
    expected = [s for s in actlib.specs() if s.shape.family == "elementwise"]
    assert 0 < len(expected) < len(actlib.specs())  # the filter really filters
    fig = gallery(family="elementwise", columns=6)
    shown = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in shown] == [s.title for s in expected]
    for ax, spec in zip(shown, expected, strict=True):
        solid = [ln for ln in ax.get_lines() if ln.get_linestyle() == "-" and ln.get_lw() == 2]
        dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
        assert len(solid) == 1 and len(dashed) == 1, spec.name
        x = np.asarray(solid[0].get_xdata())
        y = actlib.get(spec.name).forward(x, **spec.deterministic(spec.resolve({})))
        np.testing.assert_allclose(solid[0].get_ydata(), y, rtol=1e-12, atol=1e-12)
    assert all(len(ax.get_xticks()) <= 5 for ax in shown)
    assert len(fig._repr_svg_()) < 200_000


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"family": "pointwise"}, ValueError, "family must be one of"),
        ({"family": 3}, TypeError, "family must be a string"),
        ({"columns": 0}, ValueError, "columns must be at least 1"),
        ({"columns": 2.5}, TypeError, "columns must be an integer"),
        ({"num": 1}, ValueError, "num must be at least 2"),
        ({"role": "output", "family": "gated"}, ValueError, "no registered activation"),
    ],
)
def test_gallery_rejects_bad_input(kwargs: dict, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        gallery(**kwargs)


def test_home_page_opens_with_the_gallery() -> None:
    cells = _cells(HOME)
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) == 1 and 'gallery(family="elementwise"' in code[0]["source"]
    assert "remove-input" in code[0]["metadata"]["tags"]
    first_heading = next(c for c in cells if c["cell_type"] == "markdown")
    assert first_heading["source"].lstrip().startswith("# ")
    assert cells.index(code[0]) == cells.index(first_heading) + 1


def test_raster_parts_are_embedded_as_small_palette_pngs() -> None:
    fig = Figure(figsize=(3, 3))
    ax = fig.add_subplot()
    rng = np.random.default_rng(0)
    ax.scatter(
        *rng.normal(size=(2, 500)), c=rng.integers(0, 2, 500), cmap="RdBu_r", rasterized=True
    )
    raw = io.StringIO()
    fig.savefig(raw, format="svg", dpi=style.RASTER_DPI, metadata={"Date": None})
    pngs = re.findall(
        r"data:image/png;base64,([A-Za-z0-9+/=\s]+)", style.compact_svg(raw.getvalue())
    )
    before = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)", raw.getvalue())
    assert len(pngs) == len(before) == 1
    small, big = (base64.b64decode("".join(p.split())) for p in (pngs[0], before[0]))
    assert len(small) < 0.6 * len(big)
    with Image.open(io.BytesIO(small)) as a, Image.open(io.BytesIO(big)) as b:
        assert a.mode == "P" and a.size == b.size  # same resolution, indexed colours
        diff = np.abs(np.asarray(a.convert("RGBA"), float) - np.asarray(b.convert("RGBA"), float))
        assert diff.mean() < 2.0  # the same picture, within a few levels of 255


def test_palette_png_rejects_what_is_not_a_png() -> None:
    with pytest.raises(ValueError, match="PNG"):
        style.palette_png(b"GIF89a")
