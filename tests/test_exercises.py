"""Every chapter ends with real exercises whose solutions are folded and executed.

sphinx-exercise numbers the exercises and folds each solution (``:class: dropdown``) until the
reader opens it; the solution's code cells sit between ``solution-start`` and ``solution-end``,
so the book build executes them and a broken solution fails the build.

Live in JupyterLab, a directive cannot fold the cells that follow it, so every cell of a
solution (from the one that opens it to the one that closes it) is collapsed by JupyterLab's
own cell metadata (``jupyter.source_hidden``, and ``outputs_hidden`` for code): the reader
sees a collapsed cell and opens it with a click, as on the site.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

_EXERCISE = re.compile(r"^:{3,}\{exercise\}\s*(?P<title>.*)\n:label:\s*(?P<label>\S+)", re.M)
_START = re.compile(
    r"^:{3,}\{solution-start\}\s*(?P<label>\S+)\n(?P<options>(?::\w+:.*\n?)*)", re.M
)
_END = re.compile(r"^:{3,}\{solution-end\}", re.M)
#: The kinds of exercise that make a reader think rather than repeat the text.
ACTIVE = ("predict", "debug", "design")


def _cells(path: Path) -> list[tuple[str, str]]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(c["cell_type"], "".join(c["source"])) for c in nb["cells"]]


def unfolded_live(cells: list[dict]) -> list[str]:
    """Cells of a solution that JupyterLab would show open, and exercise text it would hide.

    >>> start = {"cell_type": "markdown", "source": [":::{solution-start} x\\n:::"],
    ...          "metadata": {"jupyter": {"source_hidden": True}}}
    >>> code = {"cell_type": "code", "source": ["1"], "metadata": {}}
    >>> end = {"cell_type": "markdown", "source": [":::{solution-end}\\n:::"], "metadata": {}}
    >>> unfolded_live([start, code, end])
    ['cell 2 (code)', 'cell 3 (markdown)']
    """
    found = []
    inside = False
    for number, cell in enumerate(cells, start=1):
        src = "".join(cell["source"])
        hidden = cell.get("metadata", {}).get("jupyter", {})
        starts = cell["cell_type"] == "markdown" and _START.search(src)
        if starts:
            if src[: starts.start()].strip():
                found.append(f"cell {number}: exercise text shares its cell with the solution")
            inside = True
        if inside:
            wanted = ["source_hidden"] + (["outputs_hidden"] if cell["cell_type"] == "code" else [])
            if not all(hidden.get(key) is True for key in wanted):
                found.append(f"cell {number} ({cell['cell_type']})")
        if cell["cell_type"] == "markdown" and _END.search(src):
            inside = False
    return found


def _exercises(path: Path) -> list[tuple[str, str]]:
    text = "\n".join(src for kind, src in _cells(path) if kind == "markdown")
    return [(m["label"], m["title"]) for m in _EXERCISE.finditer(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_exercises_with_folded_executed_solutions(path):
    exercises = _exercises(path)
    assert exercises, f"{path.name} has no sphinx-exercise exercise"
    assert any(title.lower().startswith(ACTIVE) for _, title in exercises), (
        f"{path.name}: no exercise asks to predict, debug or design (titles: "
        f"{[t for _, t in exercises]})"
    )
    cells = _cells(path)
    open_label = None
    solved, with_code = set(), set()
    for kind, src in cells:
        if kind == "markdown":
            marks = sorted([*_START.finditer(src), *_END.finditer(src)], key=lambda m: m.start())
            for m in marks:
                if m.re is _END:
                    assert open_label is not None, f"{path.name}: solution-end without a start"
                    solved.add(open_label)
                    open_label = None
                    continue
                assert open_label is None, f"{path.name}: solution of {open_label} not closed"
                assert ":class: dropdown" in m["options"], f"{m['label']}: solution not folded"
                open_label = m["label"]
        elif open_label is not None:
            with_code.add(open_label)
    assert open_label is None, f"{path.name}: solution of {open_label} not closed"
    assert {label for label, _ in exercises} <= solved, f"{path.name}: exercises without solution"
    assert with_code, f"{path.name}: no solution holds a code cell for the build to execute"
    assert not re.search(r"\*\*Exercise \d", "\n".join(s for _, s in cells)), "old-style exercise"
    raw = json.loads(path.read_text(encoding="utf-8"))["cells"]
    assert unfolded_live(raw) == [], f"{path.name}: solution cells that show unfolded live"


def test_exercise_labels_are_unique_across_the_book():
    labels = [label for path in NOTEBOOKS for label, _ in _exercises(path)]
    assert len(labels) == len(set(labels)), sorted(x for x in labels if labels.count(x) > 1)
