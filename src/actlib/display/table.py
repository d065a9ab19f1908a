"""One small table that renders as Markdown, aligned plain text and HTML.

Every table the package shows (property tables, the comparison table, the accuracy and speed
grids, verification reports) is a :class:`Table`: the code that computes a table builds its
header and rows of strings, and this class owns how they are written out, escaped and aligned.

>>> t = Table(["x", "f(x)"], [["0", "0"], ["1", "0.731"]], caption="sigmoid")
>>> print(t.to_markdown())
sigmoid
<BLANKLINE>
| x | f(x) |
|---|---|
| 0 | 0 |
| 1 | 0.731 |
>>> print(t)
sigmoid
x  f(x)
-  -----
0  0
1  0.731
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from typing import Any

__all__ = ["Table"]

_ALIGN = {"l": ("", "---"), "r": ("text-align:right", "--:"), "c": ("text-align:center", ":-:")}


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospaced terminal (wide East Asian characters count 2)."""
    return sum(
        0 if unicodedata.combining(ch) else 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        for ch in text
    )


def _pad(text: str, width: int, align: str) -> str:
    fill = width - _width(text)
    if align == "r":
        return " " * fill + text
    if align == "c":
        return " " * (fill // 2) + text + " " * (fill - fill // 2)
    return text + " " * fill


def _attr(name: str, value: str) -> str:
    return f' {name}="{html.escape(value)}"' if value else ""


class Table:
    """A header and rows of text, written out as Markdown, aligned text or HTML.

    Args:
        header: the column titles.
        rows: one sequence of cells per row, as many cells as the header has titles; cells are
            converted with ``str``.
        caption: a title above the table (a ``<caption>`` in HTML); empty for none.
        align: one letter per column, ``"l"`` (left, the default), ``"r"`` or ``"c"``, e.g.
            ``"llrr"``; it aligns the text version, the Markdown separator and the HTML cells.
        classes: optional CSS classes per cell, same shape as ``rows`` (``None`` or ``""`` for
            none). :attr:`PASS` and :attr:`FAIL` also colour the cell (inline, so the colour
            shows without a stylesheet in Jupyter and in the book).
        css_class: the class of the ``<table>`` element.

    Raises:
        ValueError: no columns, a row (or a row of ``classes``) whose length differs from the
            header's, or an ``align`` letter other than l, r, c.

    >>> Table(["a", "b"], [["1"]])
    Traceback (most recent call last):
    ...
    ValueError: row 0 has 1 cell but the header has 2 columns
    """

    #: Cell class of a passing check (green) and of a failing one (red).
    PASS = "actlib-pass"
    FAIL = "actlib-fail"
    #: Inline style added to cells with these classes.
    CELL_STYLES = {PASS: "color:#1a7f37", FAIL: "color:#cf222e"}

    def __init__(
        self,
        header: Sequence[Any],
        rows: Sequence[Sequence[Any]],
        caption: str = "",
        *,
        align: str | Sequence[str] | None = None,
        classes: Sequence[Sequence[str | None]] | None = None,
        css_class: str = "actlib-table",
    ) -> None:
        self.header = [str(h) for h in header]
        n = len(self.header)
        if n == 0:
            raise ValueError("a table needs at least one column")
        self.rows = [[str(c) for c in row] for row in rows]
        for i, row in enumerate(self.rows):
            if len(row) != n:
                raise ValueError(
                    f"row {i} has {len(row)} cell{'s' * (len(row) != 1)} "
                    f"but the header has {n} columns"
                )
        self.align = list(align) if align is not None else ["l"] * n
        if len(self.align) != n or any(a not in _ALIGN for a in self.align):
            raise ValueError(f"align must give one of l, r, c per column ({n}), got {align!r}")
        if classes is None:
            self.classes = [[""] * n for _ in self.rows]
        else:
            self.classes = [[c or "" for c in row] for row in classes]
            if len(self.classes) != len(self.rows) or any(len(r) != n for r in self.classes):
                raise ValueError("classes must have the shape of rows (one entry per cell)")
        self.caption = str(caption)
        self.css_class = css_class

    def to_markdown(self) -> str:
        """A GitHub-flavoured Markdown table, the caption as a paragraph above it.

        A ``|`` in a cell is escaped as ``\\|`` and a line break becomes a space, so a cell
        never splits.

        Returns:
            The table as Markdown (no trailing newline).

        >>> print(Table(["x", "|x|"], [["-2", "2"]], align="rr").to_markdown())
        | x | \\|x\\| |
        |--:|--:|
        | -2 | 2 |
        """

        def line(cells: Sequence[str]) -> str:
            escaped = (" ".join(c.replace("|", "\\|").splitlines()) for c in cells)
            return "| " + " | ".join(escaped) + " |"

        lines = [line(self.header), "|" + "|".join(_ALIGN[a][1] for a in self.align) + "|"]
        lines += [line(r) for r in self.rows]
        return (f"{self.caption}\n\n" if self.caption else "") + "\n".join(lines)

    def to_text(self) -> str:
        """Aligned plain text: the caption, the header, a rule of dashes, the rows.

        Returns:
            The table as text, columns two spaces apart, without trailing spaces.

        >>> print(Table(["n", "ratio"], [["1", "2.50"], ["10", "0.75"]], align="rr").to_text())
         n  ratio
        --  -----
         1   2.50
        10   0.75
        """
        lines = [self.header, *self.rows]
        widths = [max(_width(r[i]) for r in lines) for i in range(len(self.header))]
        text = [
            "  ".join(_pad(c, w, a) for c, w, a in zip(r, widths, self.align, strict=True)).rstrip()
            for r in lines
        ]
        text.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join([self.caption, *text] if self.caption else text)

    def _repr_html_(self) -> str:
        """The table as escaped HTML (what Jupyter and the book show).

        Returns:
            A ``<table>`` element.

        >>> Table(["a<b"], [["x & y"]], css_class="demo")._repr_html_()
        '<table class="demo"><thead><tr><th>a&lt;b</th></tr></thead><tbody><tr><td>x &amp; y</td></tr></tbody></table>'
        """  # noqa: E501

        def cell(tag: str, text: str, align: str, css: str = "") -> str:
            style = ";".join(s for s in (_ALIGN[align][0], self.CELL_STYLES.get(css, "")) if s)
            attrs = _attr("class", css) + _attr("style", style)
            return f"<{tag}{attrs}>{html.escape(text)}</{tag}>"

        head = "".join(cell("th", h, a) for h, a in zip(self.header, self.align, strict=True))
        body = "".join(
            "<tr>"
            + "".join(cell("td", c, a, k) for c, a, k in zip(row, self.align, css, strict=True))
            + "</tr>"
            for row, css in zip(self.rows, self.classes, strict=True)
        )
        caption = f"<caption>{html.escape(self.caption)}</caption>" if self.caption else ""
        return (
            f"<table{_attr('class', self.css_class)}>{caption}<thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )

    def __str__(self) -> str:
        return self.to_text()

    __repr__ = __str__
