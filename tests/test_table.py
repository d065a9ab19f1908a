"""The one table renderer: Markdown, aligned text and HTML, escaped and checked."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from actlib.display.table import Table


class _Cells(HTMLParser):
    """Text of every th/td cell, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[str, dict, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("th", "td"):
            self.cells.append((tag, dict(attrs), ""))

    def handle_data(self, data):
        if self.cells and self.tags and self.tags[-1] in ("th", "td"):
            tag, attrs, text = self.cells[-1]
            self.cells[-1] = (tag, attrs, text + data)

    def handle_endtag(self, tag):
        if self.tags:
            self.tags.pop()


def _cells(html: str) -> _Cells:
    parser = _Cells()
    parser.feed(html)
    parser.close()
    return parser


def _md_cells(line: str) -> list[str]:
    """Split a Markdown table line as GFM does: on pipes not preceded by a backslash."""
    out, cur, prev = [], "", ""
    for ch in line.strip()[1:-1]:
        if ch == "|" and prev != "\\":
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
        prev = ch
    return [*out, cur.strip()]


def test_markdown_escapes_pipes_and_line_breaks():
    t = Table(["expr", "note"], [["|x|", "two\nlines"], ["a", "b"]])
    lines = t.to_markdown().splitlines()
    assert len(lines) == 4
    assert lines[1] == "|---|---|"
    assert all(len(_md_cells(line)) == 2 for line in lines)
    assert _md_cells(lines[2]) == [r"\|x\|", "two lines"]


def test_html_escapes_text_and_keeps_the_cells():
    t = Table(["a<b", "c"], [["<script>alert(1)</script>", "x & y"]], caption="<i>cap</i>")
    out = t._repr_html_()
    assert "<script>" not in out and "<i>" not in out
    assert "&lt;script&gt;" in out and "&amp;" in out and "&lt;i&gt;cap" in out
    cells = _cells(out).cells
    assert [text for _, _, text in cells] == ["a<b", "c", "<script>alert(1)</script>", "x & y"]
    assert out.startswith('<table class="actlib-table"><caption>')


def test_pass_and_fail_cells_are_classed_and_coloured():
    t = Table(
        ["check", "result"],
        [["forward", "pass"], ["derivative", "FAIL"]],
        classes=[[None, Table.PASS], ["", Table.FAIL]],
        css_class="actlib-accuracy",
    )
    cells = _cells(t._repr_html_()).cells
    by_text = {text: attrs for _, attrs, text in cells}
    assert by_text["pass"]["class"] == "actlib-pass" and "#1a7f37" in by_text["pass"]["style"]
    assert by_text["FAIL"]["class"] == "actlib-fail" and "#cf222e" in by_text["FAIL"]["style"]
    assert by_text["forward"] == {} and by_text["derivative"] == {}
    assert 'table class="actlib-accuracy"' in t._repr_html_()


def test_text_is_aligned_and_has_no_trailing_spaces():
    t = Table(["name", "ms"], [["relu", "1.5"], ["softmax", "12.25"]], caption="Speed", align="lr")
    lines = str(t).splitlines()
    assert lines[0] == "Speed"
    assert lines[1:] == [
        "name        ms",
        "-------  -----",
        "relu       1.5",
        "softmax  12.25",
    ]
    assert repr(t) == str(t) == t.to_text()


def test_text_alignment_counts_wide_characters_twice():
    t = Table(["激活函数", "x"], [["relu", "1"]])
    header, rule, row = t.to_text().splitlines()
    assert rule == "--------  -"
    assert row == "relu      1"


def test_align_shows_in_markdown_and_html():
    t = Table(["a", "b", "c"], [["1", "2", "3"]], align="lrc")
    assert t.to_markdown().splitlines()[1] == "|---|--:|:-:|"
    styles = [attrs.get("style") for _, attrs, _ in _cells(t._repr_html_()).cells]
    assert styles == [None, "text-align:right", "text-align:center"] * 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"header": ["a", "b"], "rows": [["1", "2"], ["1"]]}, "row 1 has 1 cell but the header"),
        ({"header": ["a"], "rows": [["1", "2"]]}, "row 0 has 2 cells but the header has 1"),
        ({"header": [], "rows": []}, "at least one column"),
        ({"header": ["a", "b"], "rows": [], "align": "l"}, "align"),
        ({"header": ["a"], "rows": [], "align": "x"}, "align"),
        ({"header": ["a"], "rows": [["1"]], "classes": [["x", "y"]]}, "classes"),
        ({"header": ["a"], "rows": [["1"]], "classes": []}, "classes"),
    ],
)
def test_bad_shapes_raise_a_clear_value_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        Table(**kwargs)


def test_a_table_without_rows_shows_its_header():
    t = Table(["a", "bb"], [], caption="empty")
    assert t.rows == []
    assert t.to_markdown() == "empty\n\n| a | bb |\n|---|---|"
    assert t.to_text() == "empty\na  bb\n-  --"
    out = t._repr_html_()
    assert "<tbody></tbody>" in out and [c[2] for c in _cells(out).cells] == ["a", "bb"]


def test_cells_are_converted_to_strings():
    t = Table(["n", "x"], [[1, 2.5]])
    assert t.rows == [["1", "2.5"]]
    assert "| 1 | 2.5 |" in t.to_markdown()
