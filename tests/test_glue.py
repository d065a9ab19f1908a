"""actlib's glue writes exactly what myst-nb's glue writes, without importing nbformat."""

from __future__ import annotations

import subprocess
import sys

import IPython.display
import numpy as np
import pytest

from actlib.display import book


def _captured(monkeypatch, fn, *args, **kwargs):
    from myst_nb.ext import glue as myst_glue

    calls = []
    record = lambda *a, **k: calls.append((a, k))  # noqa: E731
    monkeypatch.setattr(IPython.display, "display", record)
    monkeypatch.setattr(myst_glue, "ipy_display", record)  # bound at its import
    fn(*args, **kwargs)
    return calls


@pytest.mark.parametrize("display", [True, False])
@pytest.mark.parametrize("value", [1.25, "text", np.float64(2.5), [1, 2]])
def test_same_message_as_myst_nb(monkeypatch, value, display):
    from myst_nb.ext import glue as myst_glue

    ours = _captured(monkeypatch, book.glue, "key", value, display=display)
    theirs = _captured(monkeypatch, myst_glue.glue, "key", value, display=display)
    assert ours == theirs and len(ours) == 1
    assert book.GLUE_PREFIX == myst_glue.GLUE_PREFIX


def test_glue_does_not_import_nbformat():
    code = "import sys; from actlib.display.book import glue; glue('a', 1.0, display=False); "
    code += "print('nbformat' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize(
    ("name", "display", "error"),
    [
        (3, False, TypeError),
        ("", False, ValueError),
        ("a b", False, ValueError),
        ("a", 1, TypeError),
    ],
)
def test_bad_arguments(name, display, error):
    with pytest.raises(error, match="name|display"):
        book.glue(name, 1.0, display=display)


def test_a_varying_value_is_marked(monkeypatch):
    ((args, kwargs),) = _captured(monkeypatch, book.glue, "t", 0.5, display=False, varies=True)
    assert kwargs["metadata"]["actlib"] == {"varies": True}
    ((args, kwargs),) = _captured(monkeypatch, book.glue, "t", 0.5, display=False)
    assert "actlib" not in kwargs["metadata"]
    with pytest.raises(TypeError, match="varies"):
        book.glue("t", 0.5, varies="yes")
