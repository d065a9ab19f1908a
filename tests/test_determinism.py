"""Executing a chapter twice gives the same outputs (every random generator is seeded).

Marked ``build``: it runs after the strict book build (``make build-strict``), not with the
unit tests. Every chapter is checked: most draw random numbers (inputs, weights, training
runs, random slopes), some only inside actlib, and one that draws none passes trivially. The
first execution is the one the book build stored in its cache (``.jupyter_cache``) when the
chapter's code is unchanged since, so each chapter is executed only once more; without a
cached record the chapter is executed twice. Compared: every text output shown and every value
glued into the prose, except values glued as time measurements (``glue(..., varies=True)``).
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
import yaml
from jupyter_cache import get_cache
from nbclient import NotebookClient

from actlib.display.book import GLUE_PREFIX

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
# Explorers give their root element a fresh id on every rendering, so that several copies of
# one explorer on a page stay independent; ids are not content.
EXPLORER_ID = re.compile(r"actlib-explorer-[0-9a-f]{12}")


def _executed(path: Path) -> nbformat.NotebookNode:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def _cached(path: Path) -> nbformat.NotebookNode | None:
    """The executed chapter from the book build's cache, if its code has not changed since."""
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    folder = ROOT / config["execute"].get("cache", ".jupyter_cache")
    if not folder.is_dir():
        return None
    cache = get_cache(str(folder))
    try:
        record = cache.match_cache_notebook(nbformat.read(path, as_version=4))
    except KeyError:
        return None
    return cache.get_cache_bundle(record.pk).nb


def _outputs(nb: nbformat.NotebookNode) -> list[tuple[int, str, str]]:
    seen = []
    # The cache keeps code cells only: number them among code cells.
    for i, cell in enumerate(c for c in nb.cells if c.cell_type == "code"):
        # A print of several lines may reach the notebook as one stream message or as several
        # (that depends on timing, not on content): join each cell's stream text first.
        streams: dict[str, str] = {}
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                streams[out["name"]] = streams.get(out["name"], "") + out["text"]
        seen += [(i, name, text) for name, text in sorted(streams.items())]
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("actlib", {}).get("varies"):
                continue  # a glued time measurement (actlib.display.book.glue(varies=True))
            for prefix in ("", GLUE_PREFIX):  # shown outputs, and values glued for the prose
                for mime in ("text/plain", "text/html", "text/markdown", "text/latex"):
                    data = out.get("data", {}).get(prefix + mime)
                    if data is not None:
                        text = data if isinstance(data, str) else "".join(data)
                        seen.append((i, prefix + mime, EXPLORER_ID.sub("ID", text)))
    return seen


@pytest.mark.build
@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_outputs_are_reproducible(chapter):
    path = ROOT / "notebooks" / f"{chapter}.ipynb"
    first = _outputs(_cached(path) or _executed(path))
    second = _outputs(_executed(path))
    assert first, f"{chapter} produced no text output"
    assert first == second
