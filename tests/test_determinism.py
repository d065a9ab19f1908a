"""Executing a chapter twice gives the same outputs (every random generator is seeded).

Marked ``build``: it runs with the strict book build, not with the unit tests. The chapters
checked are the ones whose content depends on random draws (random slopes, training runs).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = ["rrelu", "prelu", "dying_relu", "selu", "hard_activations"]
# Explorers give their root element a fresh id on every rendering, so that several copies of
# one explorer on a page stay independent; ids are not content.
EXPLORER_ID = re.compile(r"actlib-explorer-[0-9a-f]{12}")


def _outputs(path: Path) -> list[tuple[int, str, str]]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    seen = []
    for i, cell in enumerate(nb.cells):
        # A print of several lines may reach the notebook as one stream message or as several
        # (that depends on timing, not on content): join each cell's stream text first.
        streams: dict[str, str] = {}
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                streams[out["name"]] = streams.get(out["name"], "") + out["text"]
        seen += [(i, name, text) for name, text in sorted(streams.items())]
        for out in cell.get("outputs", []):
            for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                data = out.get("data", {}).get(mime)
                if data is not None:
                    text = data if isinstance(data, str) else "".join(data)
                    seen.append((i, mime, EXPLORER_ID.sub("ID", text)))
    return seen


@pytest.mark.build
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_outputs_are_reproducible(chapter):
    path = ROOT / "notebooks" / f"{chapter}.ipynb"
    first, second = _outputs(path), _outputs(path)
    assert first, f"{chapter} produced no text output"
    assert first == second
