"""The book's configuration keeps the guarantees the course relies on.

* notebooks are stored without outputs, so what the site shows is what the build executed;
* every registered activation has its chapter in the table of contents and its original paper
  in the bibliography (looping over the registry, never over a hand list);
* the build stays strict (a raising cell, a warning or stderr output fails it);
* the site loads nothing from another host (widgets, thebe, analytics); no page loads MathJax.

These tests read files only; the built site itself is checked by ``tests/browser``.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import actlib

ROOT = Path(__file__).resolve().parents[1]
CONFIG = ROOT / "_config.yml"
TOC = ROOT / "_toc.yml"
BIB = ROOT / "book" / "references.bib"
NOTEBOOKS = ROOT / "notebooks"


def _load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _toc_files(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key in ("root", "file"):
            if key in node:
                yield node[key]
        for key in ("parts", "chapters", "sections"):
            for child in node.get(key) or []:
                yield from _toc_files(child)
    elif isinstance(node, list):
        for child in node:
            yield from _toc_files(child)


def _strip_suffix(entry: str) -> str:
    for suffix in (".ipynb", ".md"):
        if entry.endswith(suffix):
            return entry[: -len(suffix)]
    return entry


@pytest.fixture(scope="module")
def config() -> dict[str, Any]:
    return _load_yaml(CONFIG)


@pytest.fixture(scope="module")
def toc_entries() -> list[str]:
    return [_strip_suffix(e) for e in _toc_files(_load_yaml(TOC))]


@pytest.fixture(scope="module")
def sphinx_config() -> dict[str, Any]:
    """The Sphinx configuration Jupyter Book derives from ``_config.yml``."""
    from jupyter_book.config import get_final_config

    final, _ = get_final_config(
        user_yaml=CONFIG,
        cli_config={"latex_individualpages": False},
        sourcedir=ROOT,
        raise_on_invalid=True,
    )
    return final


@pytest.fixture(scope="module")
def bibliography() -> Any:
    from pybtex.database import parse_file

    return parse_file(str(BIB), bib_format="bibtex")


# --------------------------------------------------------------------------- notebooks


def test_toc_entries_exist(toc_entries: list[str]) -> None:
    missing = [
        e for e in toc_entries if not any((ROOT / f"{e}{s}").is_file() for s in (".ipynb", ".md"))
    ]
    assert not missing, f"_toc.yml lists files that do not exist: {missing}"


def test_notebooks_are_stored_without_outputs() -> None:
    problems = []
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in notebooks:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb.get("cells", [])):
            if cell.get("cell_type") != "code":
                continue
            if cell.get("outputs"):
                problems.append(f"{path.name}: cell {i} has stored outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"{path.name}: cell {i} has an execution count")
        if "widgets" in nb.get("metadata", {}):
            problems.append(f"{path.name}: stored widget state in the notebook metadata")
    assert not problems, (
        "Notebooks are committed without outputs (run scripts/strip_notebooks.py):\n"
        + "\n".join(problems)
    )


def test_notebooks_are_valid_and_cells_have_ids() -> None:
    """Every cell has a unique id (nbformat 4.5): links, caches and translations key on it."""
    import nbformat

    problems = []
    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = json.loads(path.read_text(encoding="utf-8"))
        ids = [cell.get("id") for cell in nb.get("cells", [])]
        if None in ids:
            problems.append(
                f"{path.name}: cells without an id: {[i for i, c in enumerate(ids) if c is None]}"
            )
        elif len(set(ids)) != len(ids):
            problems.append(f"{path.name}: repeated cell ids")
        else:
            nbformat.validate(nbformat.reads(json.dumps(nb), as_version=4))
    assert not problems, "\n".join(problems)


def test_every_activation_chapter_is_in_the_toc(toc_entries: list[str]) -> None:
    missing = {
        spec.name: f"notebooks/{spec.chapter_name}.ipynb"
        for spec in actlib.specs()
        if f"notebooks/{spec.chapter_name}" not in toc_entries
    }
    assert not missing, f"activations whose chapter is not in _toc.yml: {missing}"


def test_toc_has_no_duplicates(toc_entries: list[str]) -> None:
    duplicates = sorted({e for e in toc_entries if toc_entries.count(e) > 1})
    assert not duplicates, f"pages listed twice in _toc.yml: {duplicates}"


# --------------------------------------------------------------------------- bibliography


def test_every_activation_reference_is_in_the_bibliography(bibliography: Any) -> None:
    keys = set(bibliography.entries)
    missing = {s.name: s.reference.key for s in actlib.specs() if s.reference.key not in keys}
    assert not missing, f"reference keys missing from {BIB.relative_to(ROOT)}: {missing}"


def test_reference_years_match_the_bibliography(bibliography: Any) -> None:
    wrong = {}
    for spec in actlib.specs():
        entry = bibliography.entries.get(spec.reference.key)
        if entry is not None and entry.fields.get("year") != str(spec.reference.year):
            wrong[spec.name] = (spec.reference.year, entry.fields.get("year"))
    assert not wrong, f"spec.reference.year differs from the BibTeX year: {wrong}"


DOI = re.compile(r"^10\.\d{4,9}/\S+$")
ARXIV = re.compile(r"^\d{4}\.\d{4,5}$")


def test_bibliography_entries_are_complete(bibliography: Any) -> None:
    problems = []
    for key, entry in bibliography.entries.items():
        fields = {k.lower(): v for k, v in entry.fields.items()}
        if not fields.get("title"):
            problems.append(f"{key}: no title")
        if not re.fullmatch(r"(19|20)\d\d", fields.get("year", "")):
            problems.append(f"{key}: year {fields.get('year')!r}")
        if not (entry.persons.get("author") or entry.persons.get("editor")):
            problems.append(f"{key}: no author or editor")
        if not any(k in fields for k in ("doi", "url", "eprint", "isbn")):
            problems.append(f"{key}: no DOI, URL, arXiv id or ISBN to find it by")
        if "doi" in fields and not DOI.match(fields["doi"]):
            problems.append(f"{key}: malformed DOI {fields['doi']!r}")
        if "eprint" in fields and not ARXIV.match(fields["eprint"]):
            problems.append(f"{key}: malformed arXiv id {fields['eprint']!r}")
        if "url" in fields and not fields["url"].startswith("https://"):
            problems.append(f"{key}: URL is not https: {fields['url']!r}")
        venue = {
            "article": "journal",
            "inproceedings": "booktitle",
            "incollection": "booktitle",
            "book": "publisher",
        }.get(entry.type.lower())
        if venue and not fields.get(venue):
            problems.append(f"{key}: @{entry.type} without {venue}")
    assert not problems, "\n".join(problems)


def test_config_uses_the_bibliography(config: dict[str, Any]) -> None:
    assert "book/references.bib" in config.get("bibtex_bibfiles", [])


# --------------------------------------------------------------------------- strict build


def _find_key(node: Any, name: str, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for key, value in node.items():
            where = f"{path}.{key}" if path else str(key)
            if name in str(key):
                yield where, value
            yield from _find_key(value, name, where)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _find_key(value, name, f"{path}[{i}]")


def test_build_is_strict(config: dict[str, Any], sphinx_config: dict[str, Any]) -> None:
    assert config.get("only_build_toc_files") is True
    assert config["sphinx"]["config"].get("nb_execution_raise_on_error") is True
    assert sphinx_config.get("nb_execution_raise_on_error") is True
    assert sphinx_config.get("nb_execution_allow_errors") is False
    assert config["execute"].get("execute_notebooks") in ("cache", "force", "auto")
    # stderr output (warnings included) must become a build warning, which -W turns into an error
    assert config["execute"].get("stderr_output") in ("warn", "error", "severe")


def test_no_allow_errors_anywhere(config: dict[str, Any]) -> None:
    allowed = [(where, v) for where, v in _find_key(config, "allow_errors") if v is not False]
    assert not allowed, f"_config.yml allows errors: {allowed}"
    notebooks = sorted(NOTEBOOKS.glob("*.ipynb"))
    for path in notebooks:
        metadata = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        allowed = [(where, v) for where, v in _find_key(metadata, "allow_errors") if v]
        assert not allowed, f"{path.name} allows errors in its metadata: {allowed}"


def test_hidden_folders_are_not_read_as_pages(sphinx_config: dict[str, Any]) -> None:
    """Sphinx would read .jupyter_cache/…/base.ipynb and .pytest_cache/README.md as pages."""
    from sphinx.util.matching import Matcher

    excluded = Matcher(sphinx_config["exclude_patterns"])
    for folder in (".jupyter_cache", ".pytest_cache", ".git", "notebooks/.ipynb_checkpoints"):
        parts = folder.split("/")
        assert any(excluded("/".join(parts[: i + 1])) for i in range(len(parts))), folder
    assert not excluded("notebooks/relu.ipynb")
    assert not excluded("book/intro.md")


# --------------------------------------------------------------------------- offline site


def test_math_is_typeset_when_the_site_is_built(sphinx_config: dict[str, Any]) -> None:
    """No page loads MathJax: the site extension typesets the math at build time."""
    assert "actlib_site" in sphinx_config["extensions"]
    assert "sphinx-mathjax-offline" not in sphinx_config["extensions"]
    site_ext = (ROOT / "book" / "_ext" / "actlib_site.py").read_text(encoding="utf-8")
    assert '"build-finished", _static_site' in site_ext


def test_no_cdn_scripts_in_the_config(sphinx_config: dict[str, Any]) -> None:
    external = [u for u in sphinx_config.get("nb_ipywidgets_js", {}) if "://" in u]
    assert not external, f"nb_ipywidgets_js loads from a CDN: {external}"
    for key in ("html_js_files", "html_css_files"):
        entries = sphinx_config.get(key) or []
        names = [e if isinstance(e, str) else e[0] for e in entries]
        assert not [n for n in names if "://" in n], f"{key} loads from another host: {names}"
    theme = sphinx_config.get("html_theme_options", {})
    assert not theme.get("launch_buttons", {}).get("thebe"), "thebe loads its code from a CDN"
    analytics = theme.get("analytics", {})
    assert not analytics.get("google_analytics_id")
    assert not analytics.get("plausible_analytics_domain")
    assert sphinx_config.get("sd_fontawesome_source", "none") != "cdn"


def test_static_files_load_nothing_from_other_hosts() -> None:
    """Jupyter Book adds every .js and .css under ``_static`` to every page."""
    url = re.compile(r"""(?:https?:)?//[A-Za-z0-9.-]+\.[A-Za-z]{2,}[^\s"'`)]*""")
    allowed = ("http://www.w3.org/",)  # XML namespaces, never fetched
    problems = []
    for folder in (ROOT / "_static", ROOT / "src" / "actlib" / "display" / "static"):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else []:
            if path.suffix not in (".js", ".css", ".html"):
                continue
            for match in url.findall(path.read_text(encoding="utf-8", errors="replace")):
                if not match.startswith(allowed):
                    problems.append(f"{path.relative_to(ROOT)}: {match}")
    assert not problems, "static assets must not reach other hosts:\n" + "\n".join(problems)


def _load_site_extension() -> Any:
    # Jupyter Book puts the folder of local extensions on sys.path; the extension imports its
    # sibling module actlib_static from there.
    if str(ROOT / "book" / "_ext") not in sys.path:
        sys.path.insert(0, str(ROOT / "book" / "_ext"))
    path = ROOT / "book" / "_ext" / "actlib_site.py"
    spec = importlib.util.spec_from_file_location("actlib_site", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_site_extension_drops_the_mathjax_scripts() -> None:
    from sphinx.builders.html._assets import _JavaScript

    ext = _load_site_extension()

    class App:
        class config:  # noqa: N801 (stands in for Sphinx's config object)
            mathjax_path = "https://cdn.example/mathjax/tex-chtml.js"

    scripts = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body="window.MathJax = {}"),
        _JavaScript(App.config.mathjax_path, **{"defer": "defer"}),
        _JavaScript("_static/explorer.js"),
    ]
    context = {"script_files": scripts}
    ext._drop_mathjax_scripts(App, "page", "page.html", context, None)
    assert [str(js.filename) for js in scripts] == ["_static/doctools.js", "_static/explorer.js"]


def test_site_extension_is_loaded(config: dict[str, Any], sphinx_config: dict[str, Any]) -> None:
    assert config["sphinx"]["local_extensions"].get("actlib_site") == "book/_ext"
    assert "actlib_site" in sphinx_config["extensions"]


def test_site_extension_drops_repeated_inline_scripts() -> None:
    from sphinx.builders.html._assets import _JavaScript

    ext = _load_site_extension()
    thebe = "const THEBE_JS_URL = 'x'"
    scripts = [
        _JavaScript("_static/doctools.js", priority=200),
        _JavaScript(None, body=thebe),  # as Sphinx 7.4 stores it when added late
        _JavaScript("_static/sphinx-thebe.js", **{"async": "async"}),
        _JavaScript("", body=thebe),
        _JavaScript("", body="let other = 1"),
        _JavaScript("_static/doctools.js", priority=200),
    ]
    context = {"script_files": scripts}
    ext._drop_repeated_inline_scripts(None, "page", "page.html", context, None)
    assert context["script_files"] is scripts  # edited in place: Sphinx restores this list
    bodies = [js.attributes.get("body") for js in scripts]
    assert bodies.count(thebe) == 1
    assert bodies.count("let other = 1") == 1
    assert [str(js.filename) for js in scripts if js.filename] == [
        "_static/doctools.js",
        "_static/sphinx-thebe.js",
    ]


def test_site_extension_drops_unread_widget_state() -> None:
    from types import SimpleNamespace

    from sphinx.builders.html._assets import _JavaScript

    ext = _load_site_extension()
    state = _JavaScript(None, body="{}", type=ext.WIDGET_STATE_TYPE)
    other = _JavaScript("_static/doctools.js")
    no_manager = SimpleNamespace(config={"nb_ipywidgets_js": {}})
    context = {"script_files": [other, state]}
    ext._drop_unread_widget_state(no_manager, "page", "page.html", context, None)
    assert context["script_files"] == [other]
    manager = SimpleNamespace(config={"nb_ipywidgets_js": {"_static/embed.js": {}}})
    context = {"script_files": [other, state]}
    ext._drop_unread_widget_state(manager, "page", "page.html", context, None)
    assert context["script_files"] == [other, state]


def test_site_extension_sets_a_valid_colour_mode() -> None:
    from types import SimpleNamespace

    ext = _load_site_extension()
    config = SimpleNamespace(html_context={})
    ext._default_colour_mode(None, config)
    assert config.html_context["default_mode"] in ("light", "dark", "auto")
    config = SimpleNamespace(html_context={"default_mode": "dark"})
    ext._default_colour_mode(None, config)
    assert config.html_context["default_mode"] == "dark"
