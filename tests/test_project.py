"""The project files a contributor and a reader rely on stay consistent with each other.

* the repository URL is kept once, as ``repository.url`` in ``_config.yml``: the README's links,
  the package metadata and the Colab install cell of every chapter use exactly that URL;
* every chapter starts with the Colab install cell, hidden from the book;
* the GitHub Actions workflow runs the README's test command and publishes ``_build/html``;
* the API reference is generated from the package, not from a hand list of modules.

These tests read files only.
"""

from __future__ import annotations

import importlib.util
import json
import re
import tomllib
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
WORKFLOW = ROOT / ".github" / "workflows" / "book.yml"
MISSING_GUARD = 'importlib.util.find_spec("actlib") is None'
COLAB_GUARD = '"google.colab" in sys.modules'
INSTALL = re.compile(r"""%pip install\b.*["']actlib @ git\+(?P<url>[^"'@#\s]+)["']""")


def _load_script() -> ModuleType:
    path = ROOT / "scripts" / "repository_url.py"
    spec = importlib.util.spec_from_file_location("repository_url", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    return _load_script()


@pytest.fixture(scope="module")
def repo_url(script: ModuleType) -> str:
    return script.repository_url()


@pytest.fixture(scope="module")
def pages_url(script: ModuleType, repo_url: str) -> str:
    return script.pages_url(repo_url)


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else source


# --------------------------------------------------------------------------- repository URL


def test_repository_url_is_read_from_the_config(repo_url: str) -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert repo_url == config["repository"]["url"].rstrip("/")
    assert re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", repo_url), repo_url


def test_pages_url_is_derived_from_the_repository(script: ModuleType) -> None:
    assert script.pages_url("https://github.com/Owner/repo") == "https://owner.github.io/repo/"
    with pytest.raises(ValueError, match="OWNER/REPO"):
        script.pages_url("https://gitlab.com/owner/repo")


def test_readme_links_use_the_repository_url(repo_url: str, pages_url: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert repo_url in readme, "the README does not link to the repository"
    assert pages_url in readme, "the README does not give the address of the published site"
    owner, repo = repo_url.split("/")[-2:]
    # Any link to a GitHub repository or site of this project must be the configured one.
    ours = re.compile(
        rf"https?://(?:github\.com/[\w.-]+/{re.escape(repo)}|[\w.-]+\.github\.io/[\w.-]+)"
        rf"|https?://github\.com/{re.escape(owner)}/[\w.-]+",
        re.IGNORECASE,
    )
    wrong = {
        m.group(0)
        for m in ours.finditer(readme)
        if m.group(0) != repo_url and m.group(0).rstrip("/") + "/" != pages_url
    }
    assert not wrong, f"README links that differ from _config.yml's repository.url: {wrong}"


def test_package_metadata_uses_the_repository_url(repo_url: str, pages_url: str) -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    urls = project["urls"]
    assert urls["Repository"] == repo_url
    assert urls["Documentation"] == pages_url


def test_torch_dependency_has_a_lower_bound() -> None:
    """An unbounded torch would let pip choose an untested release (or a multi-GB build)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    deps = {re.split(r"[<>=!~ \[;]", d, maxsplit=1)[0].lower(): d for d in project["dependencies"]}
    for name in ("numpy", "scipy", "sympy", "mpmath", "matplotlib", "torch"):
        assert name in deps, f"{name} is not a dependency"
        assert ">=" in deps[name] or "==" in deps[name], f"{deps[name]} has no lower bound"


# --------------------------------------------------------------------------- Colab cell


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_starts_with_the_colab_install_cell(path: Path, repo_url: str) -> None:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c.get("cell_type") == "code"]
    assert code, f"{path.name} has no code cell"
    first = code[0]
    source = _source(first)
    assert "remove-cell" in first.get("metadata", {}).get("tags", []), (
        f"{path.name}: the Colab install cell must be tagged remove-cell (hidden in the book)"
    )
    assert MISSING_GUARD in source, f"{path.name}: install only where actlib is missing"
    match = INSTALL.search(source)
    assert match, f"{path.name}: the first code cell does not install actlib from git"
    assert match.group("url") == repo_url, (
        f"{path.name}: installs from {match.group('url')}, _config.yml says {repo_url}"
    )
    # The %pip line sits inside the branch, so where actlib is installed the cell installs nothing.
    pip_line = next(line for line in source.splitlines() if "%pip" in line)
    assert pip_line.startswith((" ", "\t")), f"{path.name}: %pip is not inside the guard"
    # On Colab the cell says what does not render there (MyST markup), and nowhere else.
    colab = source.split(COLAB_GUARD, 1)
    assert len(colab) == 2 and "MyST markup" in colab[1] and "plain text" in colab[1], (
        f"{path.name}: on Colab the first cell must say that MyST markup shows as plain text"
    )
    installs = [c for c in code if INSTALL.search(_source(c))]
    assert len(installs) == 1, f"{path.name} has {len(installs)} install cells"


# --------------------------------------------------------------------------- workflow


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def _steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def test_workflow_runs_the_readme_test_command(workflow: dict[Any, Any]) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert re.search(r"^make test\b", readme, re.MULTILINE), "the README's test command changed"
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as True
    assert "main" in triggers["push"]["branches"]
    assert "pull_request" in triggers
    runs = [step.get("run", "") for step in _steps(workflow)]
    assert any(re.search(r"^\s*make test\s*$", run, re.MULTILINE) for run in runs), runs
    python = [
        step["with"]["python-version"]
        for step in _steps(workflow)
        if str(step.get("uses", "")).startswith("actions/setup-python")
    ]
    assert python == ["3.11"], python


def test_workflow_deploys_the_built_site(workflow: dict[Any, Any]) -> None:
    steps = _steps(workflow)
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("actions/upload-pages")]
    assert [s["with"]["path"] for s in uploads] == ["_build/html"]
    assert all("push" in s.get("if", "") for s in uploads), "only pushes to main publish"
    deploys = [
        (name, job)
        for name, job in workflow["jobs"].items()
        if any(str(s.get("uses", "")).startswith("actions/deploy-pages") for s in job["steps"])
    ]
    assert len(deploys) == 1
    _, job = deploys[0]
    assert job["permissions"] == {"pages": "write", "id-token": "write"}
    assert job["concurrency"]["group"] == "pages"
    assert "push" in job.get("if", "")


# --------------------------------------------------------------------------- API reference


def test_api_reference_is_generated_from_the_package() -> None:
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    extensions = config["sphinx"]["extra_extensions"]
    for ext in ("sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.napoleon"):
        assert ext in extensions
    assert config["sphinx"]["config"]["autosummary_generate"] is True
    page = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
    directives = re.findall(r"\.\. autosummary::\n((?:[ \t]+.*\n|[ \t]*\n)+)", page)
    generating = [body for body in directives if ":toctree:" in body]
    assert len(generating) == 1, "book/api.md needs one autosummary directive with :toctree:"
    assert ":recursive:" in generating[0]
    for body in directives:
        entries = [line.strip() for line in body.splitlines() if line.strip() and ":" not in line]
        assert entries == ["actlib"], f"book/api.md lists modules by hand: {entries}"
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert re.search(r"file: book/api\s*$", toc, re.MULTILINE)


# --------------------------------------------------------------------------- project files


def test_license_names_both_licenses() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert "MIT License" in text
    assert "https://creativecommons.org/licenses/by/4.0/" in text
    assert "The actlib course authors" in text


def test_changelog_has_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(r"^## \[?Unreleased\]?", text, re.MULTILINE)


def test_readme_layout_lists_every_module() -> None:
    """Each module of actlib (spec modules aside) has its line in the README's layout table."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("## Layout") : readme.index("## Using actlib")]
    listed = set(re.findall(r"^\| `([^`]+)` \|", table, flags=re.MULTILINE))
    src = ROOT / "src"
    modules = {
        p.relative_to(ROOT).as_posix()
        for p in (src / "actlib").rglob("*.py")
        if "activations" not in p.parts
        and not (p.name == "__init__.py" and p.parent.name != "actlib")
    }
    missing = sorted(modules - listed)
    assert not missing, f"README layout table lacks: {missing}"
    stale = sorted(p for p in listed if p.endswith(".py") and not (ROOT / p).exists())
    assert not stale, f"README layout table names modules that do not exist: {stale}"
