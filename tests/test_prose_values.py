"""The values a chapter's text shows: ``prose.name = …`` in code, ``{eval}`prose.name``` in text.

The same expression is evaluated by the kernel when the notebook runs live (jupyterlab-myst)
and read from the glued outputs when the book is built (``book/_ext/actlib_prose.py``). These
tests check the object both read, and that every chapter writes its values so that both work:
live, a markdown cell is evaluated when it is reached, so a value must be set in a code cell
*above* the first text that shows it (the book alone would not notice the order).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import IPython.display
import numpy as np
import pytest
from IPython.core.formatters import format_display_data

from actlib.display import book
from actlib.display.book import PROSE, Prose, Shown

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
EVAL = re.compile(r"\{eval\}`([^`]*)`")
#: Roles that show a computed value only in the built book, never live.
BOOK_ONLY = re.compile(r"\{glue(?::\w+)?\}|```\{glue")


def _glued(monkeypatch: pytest.MonkeyPatch) -> list[tuple[tuple, dict]]:
    calls: list[tuple[tuple, dict]] = []
    monkeypatch.setattr(IPython.display, "display", lambda *a, **k: calls.append((a, k)))
    return calls


def test_a_value_is_shown_as_its_text_and_glued_under_its_name(monkeypatch) -> None:
    calls = _glued(monkeypatch)
    prose = Prose()
    prose.slope = format(0.25, ".3f")
    assert prose.slope == Shown("0.250")
    # Displayed without quotes: live (jupyterlab-myst) and in the book the text is the same.
    assert format_display_data(prose.slope)[0] == {"text/plain": "0.250"}
    ((args, kwargs),) = calls
    assert args == ({book.GLUE_PREFIX + "text/plain": "0.250"},)
    assert kwargs["metadata"]["scrapbook"]["name"] == "slope"
    assert "actlib" not in kwargs["metadata"]


@pytest.mark.parametrize(
    ("value", "text"),
    [(12, "12"), (np.int64(7), "7"), (0.5, "0.5"), (np.float32(0.25), "0.25"), ("ReLU", "ReLU")],
)
def test_numbers_are_shown_with_str(monkeypatch, value, text) -> None:
    _glued(monkeypatch)
    prose = Prose()
    prose.value = value
    assert str(prose.value) == text


def test_a_time_measurement_is_marked_as_varying(monkeypatch) -> None:
    calls = _glued(monkeypatch)
    Prose().set("seconds", "0.8", varies=True)
    ((_, kwargs),) = calls
    assert kwargs["metadata"]["actlib"] == {"varies": True}


@pytest.mark.parametrize("value", [True, [1, 2], None, 1j, np.array([1.0])])
def test_a_value_that_is_not_text_or_a_real_number_is_refused(monkeypatch, value) -> None:
    _glued(monkeypatch)
    with pytest.raises(TypeError, match=r"prose\.v must be a string or a real number"):
        Prose().v = value


@pytest.mark.parametrize("name", ["_hidden", "two words", "", "1st", 3])
def test_a_name_that_the_text_cannot_write_is_refused(monkeypatch, name) -> None:
    _glued(monkeypatch)
    with pytest.raises(ValueError, match="identifier"):
        Prose().set(name, "1")


def test_reading_a_value_before_it_is_set_says_what_to_do() -> None:
    with pytest.raises(AttributeError, match=r"prose\.gap is not set yet.*run the cells above"):
        _ = Prose().gap


def test_shown_needs_text() -> None:
    with pytest.raises(TypeError, match="Shown needs a string"):
        Shown(0.5)  # type: ignore[arg-type]


def _setters(tree: ast.AST) -> tuple[set[str], list[str]]:
    """Names a code cell sets on ``prose``, and patterns of names set with computed keys."""
    names: set[str] = set()
    patterns: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            if isinstance(node.value, ast.Name) and node.value.id == PROSE:
                names.add(node.attr)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "set"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == PROSE
            and node.args
        ):
            key = node.args[0]
            if isinstance(key, ast.Constant) and isinstance(key.value, str):
                names.add(key.value)
            elif isinstance(key, ast.JoinedStr):
                patterns.append(
                    "".join(
                        re.escape(part.value) if isinstance(part, ast.Constant) else r"\w+"
                        for part in key.values
                    )
                )
            else:
                patterns.append(r"\w+")
    return names, patterns


DISPLAY_MATH = re.compile(r"\$\$.*?\$\$", re.S)


def problems(path: Path) -> list[str]:
    """What keeps a chapter's values from showing live or in the book, cell by cell."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found: list[str] = []
    names: set[str] = set()
    patterns: list[str] = []
    created = False
    for number, cell in enumerate(cells, start=1):
        text = "".join(cell["source"])
        if cell["cell_type"] == "code":
            try:
                tree = ast.parse(text)
            except SyntaxError:  # IPython magics (the Colab install cell): sets nothing
                continue
            created = created or f"{PROSE} = Prose()" in text
            more_names, more_patterns = _setters(tree)
            names |= more_names
            patterns += more_patterns
        elif cell["cell_type"] == "markdown":
            if BOOK_ONLY.search(text):
                found.append(f"cell {number}: a glue role shows nothing live; use {{eval}}")
            for formula in DISPLAY_MATH.findall(text):
                if "{eval}" in formula:
                    found.append(
                        f"cell {number}: an {{eval}} inside $$...$$ shows as raw text; "
                        "write the value after the formula"
                    )
            for expression in EVAL.findall(text):
                match = re.fullmatch(rf"{PROSE}\.(\w+)", expression)
                if match is None:
                    found.append(f"cell {number}: {{eval}}`{expression}` is not {PROSE}.<name>")
                elif not created:
                    found.append(f"cell {number}: {expression} is shown before {PROSE} = Prose()")
                elif match.group(1) not in names and not any(
                    re.fullmatch(p, match.group(1)) for p in patterns
                ):
                    found.append(f"cell {number}: {expression} is not set by a code cell above")
    return found


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_value_the_text_shows_is_set_above_it(path: Path) -> None:
    assert problems(path) == []


def test_the_check_finds_values_set_too_late_and_book_only_roles(tmp_path: Path) -> None:
    cells = [
        {"cell_type": "code", "source": ["prose = Prose()\n", "prose.early = 1\n"]},
        {"cell_type": "markdown", "source": ["{eval}`prose.early` {eval}`prose.late`"]},
        {"cell_type": "markdown", "source": ["{glue:text}`old:.2f` {eval}`len(x)`"]},
        {"cell_type": "code", "source": ["prose.late = 2"]},
        {"cell_type": "markdown", "source": ["$$\nx \\approx {eval}`prose.early`\n$$"]},
    ]
    path = tmp_path / "probe.ipynb"
    path.write_text(json.dumps({"cells": cells}), encoding="utf-8")
    assert problems(path) == [
        "cell 2: prose.late is not set by a code cell above",
        "cell 3: a glue role shows nothing live; use {eval}",
        "cell 3: {eval}`len(x)` is not prose.<name>",
        "cell 5: an {eval} inside $$...$$ shows as raw text; write the value after the formula",
    ]
