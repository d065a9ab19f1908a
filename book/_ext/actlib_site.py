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

Pages are light (see ``actlib_static``): the mathematics is typeset and the icons are drawn when
the site is built, so no page loads MathJax or the icon-font script; source maps are not
shipped.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import actlib_static
from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ExtensionError
from sphinx.util import logging


def _default_colour_mode(app: Sphinx, config: Config) -> None:
    context = dict(config.html_context or {})
    context.setdefault("default_mode", "light")
    config.html_context = context


def _compact_navigation(app: Sphinx, config: Config) -> None:
    """The sidebar of each page lists every chapter but expands only the current part.

    Without it every page carried the whole tree, the fifty module pages of the API reference
    included (about 13 kB per page).
    """
    options = dict(config.html_theme_options or {})
    options.setdefault("collapse_navbar", True)
    config.html_theme_options = options


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
    _keep_scripts(context, lambda js: js.attributes.get("type") != WIDGET_STATE_TYPE)


def _keep_scripts(context: dict[str, Any], keep: Callable[[Any], bool]) -> None:
    """Keep the page's scripts for which ``keep`` is true (the list is edited in place: the
    builder restores it after each page)."""
    scripts = context.get("script_files")
    if scripts:
        scripts[:] = [js for js in scripts if keep(js)]


logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
#: The MathJax fonts that the typeset pages use (installed by ``npm ci``).
MATHJAX_FONTS = actlib_static.NODE_ROOT / "node_modules/mathjax-full/es5/output/chtml/fonts/woff-v2"


def _drop_mathjax_scripts(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The math is typeset at build time: no page loads MathJax or its configuration."""
    mathjax = str(app.config.mathjax_path)
    _keep_scripts(
        context,
        lambda js: (
            str(js.filename or "") != mathjax
            and not str(js.attributes.get("body", "")).lstrip().startswith("window.MathJax")
        ),
    )


API = Path("book") / "api"


def _api_sections(app: Sphinx) -> None:
    """Move the files of modules that are sections of their subpackage's page into
    ``book/api/sections/``.

    autosummary writes the file of every module of actlib into ``book/api/`` (git-ignored),
    each build; the glob of ``_toc.yml`` makes each of them a page. The modules of a
    subpackage are sections of its page instead (``book/_templates/autosummary/module.rst``
    includes them from ``sections/``), except for the subpackages in ``module_pages``
    (``autosummary_context``). An unchanged file keeps its date, so that the pages including
    it are not read again.
    """
    api = Path(app.srcdir) / API
    keep = set((app.config.autosummary_context or {}).get("module_pages", []))
    sections = api / "sections"
    for stub in sorted(api.glob("actlib.*.*.rst")):
        if stub.stem.rsplit(".", 1)[0] in keep:
            continue
        sections.mkdir(exist_ok=True)
        target = sections / stub.name
        if target.is_file() and target.read_bytes() == stub.read_bytes():
            stub.unlink()
        else:
            stub.replace(target)


def _drop_stale_api_pages(app: Sphinx, outdir: Path) -> None:
    """HTML pages of the API reference whose document is gone (an older layout)."""
    for page in (outdir / API).glob("*.html"):
        if (API / page.stem).as_posix() not in app.env.all_docs:
            page.unlink()


def _theme_file(app: Sphinx, relative: str) -> Path:
    for folder in app.builder.theme.get_theme_dirs():  # type: ignore[attr-defined]
        candidate = Path(folder) / relative
        if candidate.is_file():
            return candidate
    raise ExtensionError(f"the theme has no {relative}")


def _static_site(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    _drop_stale_api_pages(app, outdir)
    try:
        stats = actlib_static.process_site(
            outdir,
            _theme_file(app, "static/scripts/fontawesome.js"),
            MATHJAX_FONTS,
            Path(app.doctreedir) / "actlib-math-formulas.json",
        )
    except actlib_static.SiteAssetError as err:
        raise ExtensionError(str(err)) from err
    # Shipped by the themes but never read by a page: the icon-font script (its icons are
    # inline now), source maps (for debugging the themes' own code) and the themes' message
    # catalogs (read when the site is built).
    for unused in [*outdir.glob("_static/**/*.map"), outdir / "_static/scripts/fontawesome.js"]:
        unused.unlink(missing_ok=True)
    shutil.rmtree(outdir / "_static" / "locales", ignore_errors=True)
    for script in outdir.glob("_static/**/*.js"):
        text = script.read_text(encoding="utf-8", errors="surrogateescape")
        if "sourceMappingURL=" in text:
            kept = "\n".join(
                line for line in text.split("\n") if not line.startswith("//# sourceMappingURL=")
            )
            script.write_text(kept, encoding="utf-8", errors="surrogateescape")
    actlib_static.slim_theme(outdir / "_static")
    actlib_static.compact_sources(outdir)
    css = actlib_static.purge_site_css(outdir)
    actlib_static.drop_unused_icon_faces(outdir)
    logger.info(
        "light pages: %d formulas typeset on %d pages; stylesheets %d kB -> %d kB",
        stats["formulas"],
        stats["pages"],
        css["before"] // 1000,
        css["after"] // 1000,
    )


def _site_assets(app: Sphinx, config: Config) -> None:
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    app.add_css_file(actlib_static.MATH_CSS)
    app.add_css_file(actlib_static.ICON_CSS)
    for path in sorted(STATIC.glob("*.css")):
        app.add_css_file(path.name)
    for path in sorted(STATIC.glob("*.js")):
        app.add_js_file(path.name, loading_method="defer")


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("config-inited", _default_colour_mode)
    app.connect("config-inited", _compact_navigation)
    app.connect("config-inited", _site_assets)
    # After autosummary has written the API reference's files (builder-inited, priority 500).
    app.connect("builder-inited", _api_sections, priority=600)
    app.connect("html-page-context", _drop_mathjax_scripts, priority=900)
    # After the theme's own build-finished handlers: pydata-sphinx-theme writes the final
    # pygments.css (light and dark highlighting) then, which the pages' code is checked against.
    app.connect("build-finished", _static_site, priority=900)
    # After every other handler has added its page-specific scripts (MathJax, widgets).
    app.connect("html-page-context", _drop_repeated_inline_scripts, priority=900)
    app.connect("html-page-context", _drop_unread_widget_state, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
