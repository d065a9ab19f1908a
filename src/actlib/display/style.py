"""The course's figure style: one colour-blind-safe palette, line styles, markers, SVG output.

Every figure of the course is drawn with the same look, set once here:

- the colours are the Okabe–Ito palette (Okabe and Ito, *Color Universal Design*, 2008), which
  stays distinguishable under the common forms of colour blindness;
- matplotlib's property cycle pairs each colour with its own line style, so that curves drawn
  without an explicit style also differ when printed in grey or seen without colour; the
  plotting helpers (and the chapters' figures with many curves) add a marker per curve from
  :func:`styles`;
- figures are written as SVG with their text kept as text (``svg.fonttype: none``), sharp at
  any screen density and small for line plots; a raster part of a figure (an image, or an
  artist drawn with ``rasterized=True``) is embedded at :data:`RASTER_DPI`, twice the nominal
  resolution;
- in Chinese (``ACTLIB_LANGUAGE=zh_CN``, see :mod:`actlib.display.i18n`) Latin text, numbers
  and formulas keep the same font and :data:`CJK_FAMILY` draws the Chinese characters, as
  matplotlib's fallback font and as the last named family of every SVG text element
  (:func:`cjk_font`).

Importing :mod:`actlib.display` (which every chapter does) calls :func:`use`; calling it again
restores the style after another one was applied.

>>> STYLES[0].color == PALETTE["blue"]
True
>>> len({(s.color, s.linestyle) for s in STYLES}) == len(STYLES) == 35
True
"""

from __future__ import annotations

import base64
import binascii
import io
import numbers
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib import font_manager
from matplotlib.figure import Figure
from PIL import Image

from actlib.display.i18n import language

__all__ = [
    "CJK_FAMILY",
    "LINESTYLES",
    "MARKERS",
    "PALETTE",
    "RASTER_DPI",
    "STYLES",
    "LineStyle",
    "cjk_font",
    "compact_svg",
    "palette_png",
    "rc",
    "styles",
    "svg",
    "use",
]

#: The Okabe–Ito colours, in the order the course uses them (yellow, too light for a line on
#: white, is left out of the cycle).
PALETTE: dict[str, str] = {
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "bluish green": "#009E73",
    "reddish purple": "#CC79A7",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "black": "#000000",
    "yellow": "#F0E442",
}

#: The line styles of the cycle (solid, dashed, dash-dot, dotted, dash-dot-dot).
LINESTYLES: tuple[Any, ...] = ("-", "--", "-.", ":", (0, (6, 1.5, 1, 1.5, 1, 1.5)))

#: The markers of the cycle (drawn every tenth of the line's length, not at every sample).
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*", "<", ">")

#: The resolution of the raster parts of a figure, twice the nominal 72 points per inch of a
#: page, so that they are sharp at a device pixel ratio of 2.
RASTER_DPI = 144

_CYCLE_COLOURS = tuple(PALETTE[k] for k in list(PALETTE)[:7])

#: The font family of Chinese text in figures (Debian's package ``fonts-noto-cjk``).
CJK_FAMILY = "Noto Sans CJK SC"
#: The package that provides :data:`CJK_FAMILY`.
CJK_PACKAGE = "fonts-noto-cjk"
# The file names of that package's sans-serif fonts (one collection holds SC, TC, JP, KR, HK).
_CJK_FILE_PREFIX = "NotoSansCJK"


@dataclass(frozen=True)
class LineStyle:
    """The look of the i-th curve of a plot: colour, line style and marker.

    Attributes:
        color: a hex colour of :data:`PALETTE`.
        linestyle: a matplotlib line style.
        marker: a matplotlib marker.
    """

    color: str
    linestyle: Any
    marker: str

    def kwargs(self, *, markers: bool = True) -> dict[str, Any]:
        """The keyword arguments of ``Axes.plot`` for this style.

        Args:
            markers: include the marker (drawn every tenth of the line's length).

        Returns:
            A dict with ``color``, ``linestyle`` and, if ``markers``, ``marker``,
            ``markevery`` and ``markersize``.

        >>> sorted(STYLES[1].kwargs(markers=False))
        ['color', 'linestyle']
        """
        out: dict[str, Any] = {"color": self.color, "linestyle": self.linestyle}
        if markers:
            out.update(marker=self.marker, markevery=0.1, markersize=4)
        return out


def styles(n: int) -> list[LineStyle]:
    """The first ``n`` styles of the course's cycle.

    The colour runs through the seven cycle colours of :data:`PALETTE` (period 7), the line
    style through :data:`LINESTYLES` (period 5) and the marker through :data:`MARKERS`
    (period 10): no two of the first 35 styles share both their colour and their line style,
    and no two of the first 10 share a marker.

    Args:
        n: how many styles, a non-negative integer.

    Returns:
        A list of ``n`` :class:`LineStyle`.

    Raises:
        TypeError: ``n`` is not an integer.
        ValueError: ``n`` is negative.

    >>> [s.linestyle for s in styles(3)]
    ['-', '--', '-.']
    """
    if isinstance(n, bool) or not isinstance(n, numbers.Integral):
        raise TypeError(f"n must be an integer, got {type(n).__name__}")
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    return [
        LineStyle(
            _CYCLE_COLOURS[i % len(_CYCLE_COLOURS)],
            LINESTYLES[i % len(LINESTYLES)],
            MARKERS[i % len(MARKERS)],
        )
        for i in range(int(n))
    ]


#: The 35 styles whose colours and line styles are matplotlib's property cycle once :func:`use`
#: has run.
STYLES: tuple[LineStyle, ...] = tuple(styles(35))


def cjk_font() -> str:
    """Make sure matplotlib knows the Chinese font :data:`CJK_FAMILY`; return its family name.

    Matplotlib lists the fonts of the system once, in a cache that does not notice fonts
    installed later; when the family is not in it, the font files are looked up among the
    system's fonts and added.

    Returns:
        :data:`CJK_FAMILY`.

    Raises:
        RuntimeError: the font is not installed; the message names the package to install.

    >>> cjk_font()
    'Noto Sans CJK SC'
    """
    manager = font_manager.fontManager
    if not any(f.name == CJK_FAMILY for f in manager.ttflist):
        for path in font_manager.findSystemFonts():
            if Path(path).name.startswith(_CJK_FILE_PREFIX):
                manager.addfont(path)
    if not any(f.name == CJK_FAMILY for f in manager.ttflist):
        raise RuntimeError(
            f"Chinese figures (ACTLIB_LANGUAGE=zh_CN) need the font {CJK_FAMILY!r}, which is "
            f"not installed: install the package {CJK_PACKAGE} (apt-get install {CJK_PACKAGE} "
            "on Debian or Ubuntu)"
        )
    return CJK_FAMILY


def rc() -> dict[Any, Any]:
    """The matplotlib settings of the course's style, for the reader's language.

    In Chinese the font family is the course's sans-serif font followed by :data:`CJK_FAMILY`:
    matplotlib draws each character with the first of them that has it, so Latin text, digits
    and the minus sign look as in English and Chinese characters come from the second. An SVG
    names both, the Chinese one as a fallback. Formulas (``$...$``) are drawn with the
    mathematical fonts in both languages; they must not hold Chinese text.

    Returns:
        A dict for ``matplotlib.rcParams.update`` or ``matplotlib.rc_context``.

    Raises:
        RuntimeError: the language is Chinese and its font is not installed (:func:`cjk_font`).

    >>> rc()["svg.fonttype"]
    'none'
    """
    # Markers are not cycled: a marker in the cycle would also thin out the dots of a plot
    # drawn with a format string such as ".", which sets its marker but not ``markevery``.
    prop_cycle = cycler(color=[s.color for s in STYLES], linestyle=[s.linestyle for s in STYLES])
    # Written into every text element of an SVG: a short list keeps the files small.
    family: str | list[str] = "sans-serif"
    sans = ["DejaVu Sans", "Arial", "Helvetica"]
    if language() != "en":
        # Matplotlib falls back from one entry of font.family to the next (not within
        # font.sans-serif, where only the first installed font counts). In font.sans-serif too,
        # the Chinese font comes before the generic family in the SVG's list of families. The
        # minus sign of negative ticks (axes.unicode_minus) is U+2212, which the first font
        # has, so it looks as in English.
        family = ["sans-serif", cjk_font()]
        sans.append(CJK_FAMILY)
    return {
        "axes.prop_cycle": prop_cycle,
        "image.cmap": "viridis",
        "font.family": family,
        "font.sans-serif": sans,
        "axes.unicode_minus": True,
        # Text stays text in SVG (smaller, selectable, read by screen readers' text tools).
        "svg.fonttype": "none",
        # Fixed ids: the same figure gives the same file at every build.
        "svg.hashsalt": "actlib",
        "savefig.dpi": RASTER_DPI,
        "path.simplify": True,
        "path.simplify_threshold": 0.5,
    }


_NUMBER = re.compile(r"-?\d+\.\d+")
_COORDINATES = re.compile(r'(\s(?:d|x|y|x1|x2|y1|y2|width|height|points|transform)=")([^"]*)(")')


def _round(match: re.Match[str]) -> str:
    text = f"{float(match.group()):.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


_PNG_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")


def palette_png(data: bytes) -> bytes:
    """A PNG with at most 256 colours (an indexed palette) when that is smaller.

    The raster parts of a figure (colour bands, dense dots, a colormapped image, whose colormap
    has 256 entries) have few distinct colours, so an indexed PNG looks the same and is several
    times smaller than the true-colour one matplotlib writes.

    Args:
        data: the bytes of a PNG image.

    Returns:
        The smaller of ``data`` and its 256-colour version (no dithering).

    Raises:
        ValueError: ``data`` is not a PNG image.

    >>> buf = io.BytesIO()
    >>> Image.new("RGBA", (64, 64), (0, 114, 178, 255)).save(buf, format="PNG")
    >>> len(palette_png(buf.getvalue())) <= len(buf.getvalue())
    True
    """
    if not isinstance(data, bytes) or not data.startswith(b"\x89PNG"):
        raise ValueError("data must be the bytes of a PNG image")
    with Image.open(io.BytesIO(data)) as im:
        rgba = im.convert("RGBA")
    indexed = rgba.quantize(256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    buf = io.BytesIO()
    indexed.save(buf, format="PNG", optimize=True)
    return buf.getvalue() if buf.tell() < len(data) else data


def compact_svg(text: str) -> str:
    """A smaller copy of a matplotlib SVG that draws the same picture.

    Coordinates are rounded to a hundredth of a point (far below a pixel at any screen
    density), the indentation and the metadata block are dropped, path data is written on one
    line, and embedded PNG images get an indexed palette (:func:`palette_png`). Text content is
    not touched.

    Args:
        text: an SVG document as written by matplotlib.

    Returns:
        The compacted document.

    Raises:
        TypeError: ``text`` is not a string.

    >>> compact_svg('<svg>\\n <path d="M 1.234567 2.000001 \\nL 3 4 \\n"/>\\n</svg>')
    '<svg>\\n<path d="M 1.23 2 L 3 4"/>\\n</svg>'
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str holding an SVG document, got {type(text).__name__}")
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.DOTALL)

    def attribute(m: re.Match[str]) -> str:
        value = " ".join(m.group(2).split())
        return m.group(1) + _NUMBER.sub(_round, value) + m.group(3)

    def image(m: re.Match[str]) -> str:
        try:
            data = base64.b64decode("".join(m.group(1).split()), validate=True)
        except binascii.Error:
            return m.group(0)
        return "data:image/png;base64," + base64.b64encode(palette_png(data)).decode("ascii")

    text = _COORDINATES.sub(attribute, text)
    text = _PNG_URI.sub(image, text)
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def svg(fig: Figure, **kwargs: Any) -> str:
    """A figure as a compact SVG document, the way the course shows it.

    Args:
        fig: the figure.
        **kwargs: more keywords for ``fig.savefig`` (they take precedence).

    Returns:
        The SVG text (tight bounding box, raster parts at :data:`RASTER_DPI`, no date), passed
        through :func:`compact_svg`.

    Raises:
        TypeError: ``fig`` is not a matplotlib figure.

    >>> fig = Figure(figsize=(1, 1))
    >>> _ = fig.add_subplot().plot([0, 1])
    >>> svg(fig).startswith("<?xml")
    True
    """
    if not isinstance(fig, Figure):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not fig.axes and not fig.lines:
        return ""
    options: dict[str, Any] = {
        "format": "svg",
        "bbox_inches": "tight",
        "dpi": RASTER_DPI,
        "metadata": {"Date": None},
        "facecolor": fig.get_facecolor(),
        "edgecolor": fig.get_edgecolor(),
    }
    options.update(kwargs)
    buf = io.StringIO()
    fig.savefig(buf, **options)
    return compact_svg(buf.getvalue())


def use() -> None:
    """Apply the course's style to matplotlib and, in a notebook, show figures as SVG.

    Updates ``matplotlib.rcParams`` with :func:`rc`. When IPython runs, the inline backend is
    set to SVG output and a figure is shown through :func:`svg` (raster parts at
    :data:`RASTER_DPI`, no date in the file, so an unchanged figure gives the same bytes);
    figures shown before the call are not redrawn.

    >>> use()
    >>> import matplotlib
    >>> matplotlib.rcParams["svg.fonttype"]
    'none'
    """
    mpl.rcParams.update(rc())
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython comes with the notebook tools
        return
    shell = get_ipython()
    if shell is None:
        return
    from matplotlib_inline.config import InlineBackend

    cfg = InlineBackend.instance()
    kwargs: dict[str, Any] = {"bbox_inches": "tight", "dpi": RASTER_DPI, "metadata": {"Date": None}}
    with warnings.catch_warnings():
        # matplotlib_inline observes this trait with a method name that traitlets deprecates;
        # the warning is about matplotlib_inline's code, not about this assignment.
        warnings.filterwarnings(
            "ignore", message=".*_print_figure_kwargs_changed", category=DeprecationWarning
        )
        cfg.print_figure_kwargs = kwargs
    # Setting the formats registers IPython's formatters when the inline backend is active, and
    # is what the backend reads when it is activated later.
    cfg.figure_formats = {"svg"}
    formatters = shell.display_formatter.formatters
    formatters["image/png"].pop(Figure, None)
    formatters["image/svg+xml"].for_type(Figure, svg)
