"""The project's Jupyter Server settings (``lab/jupyter_server_config.py``, installed by make env).

Live chapters evaluate their computed numbers as jupyterlab-myst inline expressions, whose
values jupyterlab-myst's notary counts as outputs: without the project's hook a chapter saved
after Run All is never signed, and reopens untrusted (its explorers without their pictures).
The browser test (``tests/browser/test_lab.py``) saves and reopens a chapter; these tests
check the rule itself: plain-text values are trusted, anything else is not.
"""

from __future__ import annotations

import copy
import os
import runpy
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyterlab_myst.notary import MySTNotebookNotary
from traitlets.config import Config

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILE = REPO / "lab" / "jupyter_server_config.py"
settings = runpy.run_path(str(CONFIG_FILE))  # as a module: defines, configures nothing


def _value(data: dict[str, Any] | None, status: str = "ok") -> dict[str, Any]:
    result: dict[str, Any] = {"status": status, "metadata": {}}
    if data is not None:
        result["data"] = data
    return {"expression": "prose.x", "result": result}


def _notebook(*values: dict[str, Any]) -> dict[str, Any]:
    nb = nbformat.v4.new_notebook()
    code = nbformat.v4.new_code_cell("x = 1", metadata={"trusted": True})
    code.outputs = [nbformat.v4.new_output("display_data", {"text/html": "<b>1</b>"})]
    text = nbformat.v4.new_markdown_cell("The value is {eval}`prose.x`.")
    text.metadata["user_expressions"] = list(values)
    nb.cells = [code, text, nbformat.v4.new_markdown_cell("No expression here.")]
    return {"type": "notebook", "content": nb}


def _signed_after_hook(model: dict[str, Any]) -> bool:
    settings["trust_plain_text_expressions"](model=model, path="x.ipynb")
    nb = nbformat.from_dict(copy.deepcopy(model["content"]))
    return bool(MySTNotebookNotary().check_cells(nb))


def test_plain_text_values_are_trusted_and_the_notebook_can_be_signed() -> None:
    model = _notebook(_value({"text/plain": "'0.25'"}), _value(None, status="error"))
    assert not MySTNotebookNotary().check_cells(nbformat.from_dict(model["content"]))
    assert _signed_after_hook(model)
    cells = model["content"]["cells"]
    assert cells[1]["metadata"]["trusted"] is True
    assert "trusted" not in cells[2]["metadata"]  # no expression: nothing to vouch for
    assert cells[0]["metadata"] == {"trusted": True}  # code cells are left to JupyterLab


@pytest.mark.parametrize(
    "value",
    [
        _value({"text/plain": "x", "text/html": "<script>alert(1)</script>"}),
        _value({"application/javascript": "alert(1)"}),
        _value({"text/plain": "x"}, status="aborted"),
        {"expression": "prose.x"},
    ],
    ids=["html", "javascript", "odd status", "no result"],
)
def test_any_other_value_leaves_the_notebook_untrusted(value: Any) -> None:
    model = _notebook(_value({"text/plain": "'0.25'"}), value)
    assert not _signed_after_hook(model)
    assert "trusted" not in model["content"]["cells"][1]["metadata"]


def test_malformed_expression_lists_are_not_trusted() -> None:
    hook = settings["trust_plain_text_expressions"]
    for values in (["not a value"], "not a list", []):
        model = _notebook()
        model["content"]["cells"][1]["metadata"]["user_expressions"] = values
        hook(model=model, path="x.ipynb")
        assert "trusted" not in model["content"]["cells"][1]["metadata"]


def test_files_and_odd_models_are_left_alone() -> None:
    hook = settings["trust_plain_text_expressions"]
    for model in ({"type": "file", "content": "text"}, {"type": "notebook", "content": None}):
        before = copy.deepcopy(model)
        hook(model=model, path="x")
        assert model == before


def test_as_a_configuration_file_it_enables_itself_as_a_server_extension(monkeypatch) -> None:
    config = Config()
    monkeypatch.delitem(sys.modules, "actlib_lab_trust", raising=False)
    runpy.run_path(str(CONFIG_FILE), init_globals={"get_config": lambda: config})
    # Merged into the extensions other configuration files enable, not replacing them.
    extensions = config.ServerApp.jpserver_extensions.get_value({"jupyterlab": True})
    assert extensions == {"jupyterlab": True, "actlib_lab_trust": True}

    registered = []

    class Contents:
        def register_pre_save_hook(self, hook: Any) -> None:
            registered.append(hook)

    class Server:
        contents_manager = Contents()

    sys.modules["actlib_lab_trust"]._load_jupyter_server_extension(Server())
    assert [h.__name__ for h in registered] == ["trust_plain_text_expressions"]


def _fake_python(folder: Path, prefix: Path) -> Path:
    """A ``python`` that only answers ``sys.prefix`` (the install script asks nothing else)."""
    python = folder / "python"
    python.write_text(f"#!/bin/sh\necho '{prefix}'\n")
    python.chmod(0o755)
    return python


def _installed(prefix: Path) -> dict[str, bytes]:
    return {
        "overrides.json": (prefix / "share/jupyter/lab/settings/overrides.json").read_bytes(),
        "jupyter_server_config.py": (prefix / "etc/jupyter/jupyter_server_config.py").read_bytes(),
    }


@pytest.mark.parametrize("how", ["make env", "Binder"])
def test_the_settings_are_installed_into_the_environment(tmp_path: Path, how: str) -> None:
    """``make env`` and Binder's ``postBuild`` install the same two files into the prefix."""
    import subprocess

    prefix, bin_dir = tmp_path / "prefix", tmp_path / "bin"
    bin_dir.mkdir()
    python = _fake_python(bin_dir, prefix)
    if how == "make env":
        cmd, env = [str(REPO / "scripts" / "install-lab-settings.sh"), str(python)], None
    else:  # repo2docker runs postBuild from the repository, with the environment on PATH
        cmd = [str(REPO / "postBuild")]
        env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    subprocess.run(cmd, cwd=REPO, env=env, check=True)
    lab = REPO / "lab"
    assert _installed(prefix) == {
        "overrides.json": (lab / "overrides.json").read_bytes(),
        "jupyter_server_config.py": CONFIG_FILE.read_bytes(),
    }
