"""Site fixes for the course book (a local Sphinx extension, loaded from ``_config.yml``).

The book is read offline and tested in a headless browser that fails on any JavaScript error,
so two defaults of the theme stack are corrected here:

* Inline ``<script>`` bodies registered by extensions during the build (sphinx-thebe's
  ``const THEBE_JS_URL = ...``, sphinx-togglebutton's selector) end up twice in every page with
  Sphinx 7.4: once from the builder (filename ``None``) and once re-read from the registry
  (filename ``""``). A repeated ``const`` declaration is a ``SyntaxError`` in the browser, so
  repeated inline scripts are dropped from each page's script list.
* myst-nb embeds the saved ipywidgets state of every executed notebook in its page (tens of
  kilobytes per live explorer, PNG frames included). The site loads no widget manager
  (``nb_ipywidgets_js: {}``; the explorers have a kernel-free HTML version), so nothing reads
  that state: it is dropped from the page when no widget manager script is configured.
* pydata-sphinx-theme reads the colour mode from ``localStorage`` and falls back to the
  ``default_mode`` template variable (``html_context``); left empty, a first visit logs
  "Got invalid theme mode" as a console error. The book defaults to the light mode (figures
  are drawn on white); readers can still switch.

Every stylesheet and script in ``book/_ext/static/`` is added to every page (sorted by name),
so site styles (tables, print, navigation) need no entry in ``_config.yml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.config import Config


def _default_colour_mode(app: Sphinx, config: Config) -> None:
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


def _drop_repeated_inline_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    scripts = context.get("script_files")
    if not scripts:
        return
    seen: set[tuple[str, int, tuple[tuple[str, str], ...]]] = set()
    kept = []
    for js in scripts:
        key = (
            str(js.filename or ""),
            js.priority,
            tuple(sorted((k, str(v)) for k, v in js.attributes.items())),
        )
        if key in seen:
            continue
        seen.add(key)
        kept.append(js)
    # The builder restores this list after each page, so it is edited in place.
    scripts[:] = kept


WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"


def _drop_unread_widget_state(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if app is not None and app.config["nb_ipywidgets_js"]:
        return  # a widget manager is configured: it needs the state
    scripts = context.get("script_files")
    if scripts:
        scripts[:] = [js for js in scripts if js.attributes.get("type") != WIDGET_STATE_TYPE]


STATIC = Path(__file__).resolve().parent / "static"


def _site_assets(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    for path in sorted(STATIC.glob("*.css")):
        app.add_css_file(path.name)
    for path in sorted(STATIC.glob("*.js")):
        app.add_js_file(path.name, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _default_colour_mode)
    app.connect("config-inited", _site_assets)
    # After every other handler has added its page-specific scripts (MathJax, widgets).
    app.connect("html-page-context", _drop_repeated_inline_scripts, priority=900)
    app.connect("html-page-context", _drop_unread_widget_state, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
