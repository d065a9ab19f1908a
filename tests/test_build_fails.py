"""The strict build fails on a raising cell, on stderr output and on a prose value it cannot show.

Each test builds a throwaway one-page book in ``tmp_path`` with the execution settings of the
course's own ``_config.yml`` (read from it, so the tests follow any change there) and the
command line of ``make build-strict``. Notebooks are always executed (``execute_notebooks:
force``), so no cache hides a failure. Each build takes about ten seconds on two cores; the
tagged-error book is also the control that a clean book passes.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")
STRICT = ["-W", "-n", "--keep-going"]  # as in the Makefile's build-strict target

RAISING_CELL = 'raise RuntimeError("probe cell raised on purpose")'
WARNING_CELL = 'import warnings\nwarnings.warn("probe warning on stderr", UserWarning)'


def _config() -> dict[str, Any]:
    """A minimal book configuration with the course's execution settings."""
    ours = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    execute = {k: v for k, v in ours["execute"].items() if k != "cache"}
    execute["execute_notebooks"] = "force"
    execution = {
        k: v for k, v in (ours["sphinx"].get("config") or {}).items() if k.startswith("nb_")
    }
    execution.pop("nb_ipywidgets_js", None)
    return {
        "title": "Build probe",
        "author": "actlib",
        "only_build_toc_files": True,
        "execute": execute,
        "sphinx": {
            "config": execution,
            # The book's {eval} role (prose values), from the course's own extension folder.
            "local_extensions": {"actlib_prose": str(ROOT / "book" / "_ext")},
        },
    }


def _prose_cells(*markdown: str) -> list[Any]:
    setter = nbformat.v4.new_code_cell(
        'from actlib.display.book import Prose\nprose = Prose()\nprose.slope = format(0.25, ".3f")'
    )
    return [setter, *(nbformat.v4.new_markdown_cell(text) for text in markdown)]


def _build(book: Path, cells: list[Any]) -> subprocess.CompletedProcess[str]:
    book.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.cells = [nbformat.v4.new_markdown_cell("# Probe"), *cells]
    nbformat.write(nb, book / "probe.ipynb")
    (book / "_config.yml").write_text(yaml.safe_dump(_config()), encoding="utf-8")
    (book / "_toc.yml").write_text("format: jb-book\nroot: probe\n", encoding="utf-8")
    assert JUPYTER_BOOK.is_file(), f"jupyter-book not found next to {sys.executable}"
    return subprocess.run(
        [str(JUPYTER_BOOK), "build", str(book), *STRICT],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _log(result: subprocess.CompletedProcess[str]) -> str:
    return (
        f"exit code {result.returncode}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"
    )


def test_execution_settings_are_the_strict_ones() -> None:
    """The probe books below inherit these settings; they would prove nothing without them."""
    cfg = _config()
    assert cfg["execute"].get("allow_errors") is not True
    assert cfg["sphinx"]["config"].get("nb_execution_raise_on_error") is True


def test_raising_cell_fails_the_build(tmp_path: Path) -> None:
    result = _build(tmp_path / "book", [nbformat.v4.new_code_cell(RAISING_CELL)])
    assert result.returncode != 0, "a raising cell did not fail the build\n" + _log(result)
    output = result.stdout + result.stderr
    assert "probe cell raised on purpose" in output, "failed for another reason\n" + _log(result)


def test_tagged_raising_cell_is_allowed(tmp_path: Path) -> None:
    cell = nbformat.v4.new_code_cell(RAISING_CELL)
    cell.metadata["tags"] = ["raises-exception"]
    after = nbformat.v4.new_code_cell('print("after the expected error")')
    result = _build(tmp_path / "book", [cell, after])
    assert result.returncode == 0, "a cell tagged raises-exception failed the build\n" + _log(
        result
    )
    page = (tmp_path / "book" / "_build" / "html" / "probe.html").read_text(encoding="utf-8")
    # The error is shown to the reader, and execution went on after it.
    assert "probe cell raised on purpose" in page
    assert "after the expected error" in page


def test_warning_on_stderr_fails_the_build(tmp_path: Path) -> None:
    result = _build(tmp_path / "book", [nbformat.v4.new_code_cell(WARNING_CELL)])
    assert result.returncode != 0, "a cell writing a warning to stderr passed\n" + _log(result)
    output = result.stdout + result.stderr
    assert "[mystnb.stderr]" in output, "failed for another reason\n" + _log(result)
    page = (tmp_path / "book" / "_build" / "html" / "probe.html").read_text(encoding="utf-8")
    assert "probe warning on stderr" in page, "the stderr output was not the warning"


def test_a_prose_value_appears_in_the_page(tmp_path: Path) -> None:
    result = _build(tmp_path / "book", _prose_cells("The slope is {eval}`prose.slope` here."))
    assert result.returncode == 0, "a prose value failed the build\n" + _log(result)
    page = (tmp_path / "book" / "_build" / "html" / "probe.html").read_text(encoding="utf-8")
    assert 'The slope is <span class="pasted-text">0.250</span> here.' in page


def test_a_prose_value_the_book_cannot_show_fails_the_build(tmp_path: Path) -> None:
    cells = _prose_cells("Not set: {eval}`prose.missing`.", "An expression: {eval}`1 + 1`.")
    result = _build(tmp_path / "book", cells)
    assert result.returncode != 0, "unresolvable {eval} roles passed\n" + _log(result)
    output = result.stdout + result.stderr
    assert "no code cell of this notebook sets prose.missing" in output, _log(result)
    assert "the book shows only {eval}`prose.<name>`" in output, _log(result)
