"""Kernels forked from the template (``scripts/forked_kernels.py``) are fresh kernels.

``scripts/execute_chapters.py`` runs every chapter of both editions in a kernel forked from a
process that has imported PyTorch, SymPy, NumPy and matplotlib. These tests run small notebooks
that way and check what a chapter could notice: its own process, working directory and
environment; the libraries already imported but not the course's package (which reads the
edition's language when it is imported); random states that differ between kernels; stdin,
interrupts and the end of the kernel as with a kernel started as a program.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from _scripts import load_script
from nbclient import NotebookClient

pytestmark = pytest.mark.build

ROOT = Path(__file__).resolve().parents[1]
forked_kernels = load_script("forked_kernels")

PROBE = """
import json, os, sys
import numpy as np
import random
print(json.dumps({
    "pid": os.getpid(),
    "parent": os.getppid(),
    "cwd": os.getcwd(),
    "language": os.environ.get("ACTLIB_LANGUAGE"),
    "template_env": os.environ.get("ACTLIB_KERNEL_TEMPLATE"),
    "torch_preloaded": "torch" in sys.modules,
    "actlib_preloaded": "actlib" in sys.modules,
    "numpy_draw": float(np.random.random()),
    "random_draw": random.random(),
    "path0": sys.path[0],
}))
"""


def _run(cwd: Path, source: str, timeout: int = 60) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(cwd)}},
        kernel_manager_class=forked_kernels.ForkingKernelManager,
        shutdown_kernel="immediate",
    ).execute()
    return nb


def _probe(cwd: Path) -> dict:
    (out,) = _run(cwd, PROBE).cells[0].outputs
    return json.loads(out["text"])


def test_forked_kernels_are_fresh_and_separate(tmp_path: Path, monkeypatch) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    with forked_kernels.Template() as template:
        monkeypatch.setenv("ACTLIB_LANGUAGE", "zh_CN")
        first = _probe(one)
        monkeypatch.delenv("ACTLIB_LANGUAGE")
        second = _probe(two)
        template_pid = template._process.pid
    for probe in (first, second):
        assert probe["parent"] == template_pid  # forked, not started as a program
        assert probe["torch_preloaded"]
        assert not probe["actlib_preloaded"]
        assert probe["template_env"] is None
        assert Path(probe["path0"]).resolve() != ROOT / "scripts"
    assert first["pid"] != second["pid"]
    assert (first["cwd"], second["cwd"]) == (str(one), str(two))
    assert (first["language"], second["language"]) == ("zh_CN", None)
    assert first["numpy_draw"] != second["numpy_draw"]
    assert first["random_draw"] != second["random_draw"]
    assert os.environ.get(forked_kernels.ENV) is None  # restored when the block ends


def test_without_the_template_kernels_start_as_programs(tmp_path: Path) -> None:
    probe = _probe(tmp_path)
    assert probe["parent"] == os.getpid()  # started by jupyter_client as a program
    assert not probe["torch_preloaded"]


def test_a_forked_kernel_reads_no_stdin_and_ends_with_its_notebook(tmp_path: Path) -> None:
    source = "import os, sys\nprint(repr(sys.stdin.read()), os.getpid())"
    with forked_kernels.Template():
        (out,) = _run(tmp_path, source).cells[0].outputs
    text, pid = out["text"].split()
    assert text == "''"  # end of file at once, as for a kernel whose stdin is closed
    process = forked_kernels._ForkedProcess(int(pid))
    assert process.wait(timeout=10) == 0  # gone: stopped with its notebook, reaped


@pytest.mark.parametrize(
    ("cmd", "args"),
    [
        (["/x/python", "-Xfrozen_modules=off", "-m", "ipykernel_launcher", "-f", "c.json"],
         ["-f", "c.json"]),
        (["/x/python", "-m", "other_kernel", "-f", "c.json"], None),
        (["/usr/bin/R", "--slave", "-e", "IRkernel::main()", "--args", "c.json"], None),
    ],
)  # fmt: skip
def test_only_ipython_kernel_commands_are_forked(cmd: list[str], args: list[str] | None) -> None:
    assert forked_kernels._kernel_arguments(cmd) == args


def test_a_bad_request_is_refused_and_a_gone_template_falls_back(tmp_path: Path) -> None:
    with forked_kernels.Template() as template:
        with pytest.raises(OSError, match="could not fork"):  # an environment that is a list
            forked_kernels._request_kernel(template.address, ["-f"], str(tmp_path), [])
        assert _probe(tmp_path)["parent"] == template._process.pid  # it still serves
        template._process.kill()
        template._process.wait()
        probe = _probe(tmp_path)  # the kernel is started as a program instead
    assert probe["parent"] == os.getpid() and not probe["torch_preloaded"]
