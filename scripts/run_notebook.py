"""Execute notebooks in a fresh kernel, as the book build does, and report problems.

Usage: python scripts/run_notebook.py notebooks/sigmoid.ipynb [...]

For each notebook: the wall time, any cell error, and any output written to stderr (warnings
included), which the strict book build would turn into a failure. The notebook on disk is not
modified. Exit status 1 if any notebook has a problem.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from actlib.checks.timing import Timer


def run(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    problems: list[str] = []
    with Timer() as timer:
        try:
            client.execute()
        except CellExecutionError as exc:
            problems.append(f"cell error: {str(exc)[-2000:]}")
    elapsed = timer.wall
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {i} wrote to stderr: {out.get('text', '')[:500]!r}")
    print(f"{path}: {elapsed:.1f} s, {'OK' if not problems else 'PROBLEMS'}")
    for p in problems:
        print("   ", p)
    return problems


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    bad = [p for p in argv if run(Path(p))]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
