"""The built site, as a reader's browser sees it (headless Chromium driven by Playwright).

For every page of the table of contents: no JavaScript error, no failed request and no request
to any host but the local server, the mathematics typeset by MathJax (no raw TeX left in the
visible text), every image loaded, and every slider of every interactive figure redrawing its
curve. The chapter of each registered activation must contain its interactive figure. A
screenshot of each page is saved under ``test-artifacts/screenshots/``.

A static scan of every HTML file checks that no script, stylesheet, font or icon is loaded from
another host, so the site also works offline.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

import actlib

pytestmark = pytest.mark.browser

#: Chapter notebook -> the registered activations it presents.
ACTIVATION_CHAPTERS: dict[str, set[str]] = {}
for _spec in actlib.specs():
    ACTIVATION_CHAPTERS.setdefault(f"notebooks/{_spec.chapter_name}", set()).add(_spec.name)

TIMEOUT_MS = 30_000
RAW_TEX = ("\\(", "\\)", "\\[", "\\]", "$$", "\\begin{")

# --------------------------------------------------------------------------- page scripts

WAIT_FOR_IMAGES = """
async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  const settle = Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  await Promise.race([settle, new Promise((done) => setTimeout(done, 15000))]);
  return images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => (img.getAttribute("src") || img.outerHTML).slice(0, 160));
}
"""

WAIT_FOR_MATHJAX = """
async () => {
  const mj = window.MathJax;
  if (!mj || !mj.startup || !mj.startup.promise) return false;
  await mj.startup.promise;
  return true;
}
"""

MATH_REPORT = """
(rawTex) => {
  const maths = Array.from(document.querySelectorAll(".math"));
  const untypeset = maths
    .filter((el) => !el.querySelector("mjx-container"))
    .map((el) => el.outerHTML.slice(0, 160));
  const skip = "pre, code, script, style, textarea, noscript, mjx-container, .highlight";
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const raw = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (parent.checkVisibility && !parent.checkVisibility()) continue;
    const text = node.textContent;
    for (const token of rawTex) {
      const at = text.indexOf(token);
      if (at >= 0) {
        raw.push(text.slice(Math.max(0, at - 40), at + 60).trim());
        break;
      }
    }
  }
  return {
    math: maths.length,
    containers: document.querySelectorAll("mjx-container").length,
    untypeset: untypeset,
    texErrors: Array.from(document.querySelectorAll("mjx-merror"))
      .map((el) => (el.getAttribute("data-mjx-error") || el.textContent).slice(0, 160)),
    raw: raw,
  };
}
"""

EXPLORERS = """
() => Array.from(document.querySelectorAll(".actlib-explorer")).map((root) => {
  const sliders = Array.from(root.querySelectorAll("input[type=range].actlib-slider"));
  const curves = Array.from(root.querySelectorAll("svg path, svg polyline"));
  return {
    activation: root.getAttribute("data-activation"),
    sliders: sliders.map((s, k) => s.id || s.name || "slider " + k),
    hiddenSliders: sliders.filter((s) => !s.checkVisibility()).map((s, k) => s.id || k),
    svg: root.querySelectorAll("svg").length,
    drawn: curves.filter((c) => (c.getAttribute("d") || c.getAttribute("points") || "")
      .trim().length > 0).length,
  };
})
"""

MOVE_SLIDER = """
async ([i, j]) => {
  const root = document.querySelectorAll(".actlib-explorer")[i];
  const slider = root.querySelectorAll("input[type=range].actlib-slider")[j];
  const curves = () => Array.from(root.querySelectorAll("svg path, svg polyline"))
    .map((c) => c.tagName === "polyline" ? c.getAttribute("points") : c.getAttribute("d"));
  const frame = () => new Promise((done) => requestAnimationFrame(() => done()));
  const before = curves();
  const old = slider.value;
  const lo = parseFloat(slider.min === "" ? "0" : slider.min);
  const hi = parseFloat(slider.max === "" ? "100" : slider.max);
  slider.value = String(parseFloat(old) === hi ? lo : hi);
  const moved = slider.value !== old;
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  await frame();
  await frame();
  const after = curves();
  const changed = before.length !== after.length || before.some((d, k) => d !== after[k]);
  slider.value = old;
  slider.dispatchEvent(new Event("input", { bubbles: true }));
  await frame();
  return { moved: moved, changed: changed, from: old, to: slider.max };
}
"""


# --------------------------------------------------------------------------- static scan


def require_built_site(site: Path) -> None:
    """Fail (never skip) when the site has not been built."""
    index = site / "index.html"
    if not index.is_file():
        pytest.fail(
            f"The built site is missing: {index} does not exist. The browser tests check the "
            "site as built; build it first with `make build-strict` (or `make book`).",
            pytrace=False,
        )


class _AssetCollector(HTMLParser):
    """Collects the URLs a page loads: scripts, stylesheets, preloads, icons, images."""

    LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "prefetch"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.assets: list[tuple[str, str]] = []
        self._in_style = False
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "script" and a.get("src"):
            self.assets.append(("script", a["src"]))
        elif tag == "link" and set(a.get("rel", "").lower().split()) & self.LINK_RELS:
            self.assets.append((f"link rel={a.get('rel')}", a.get("href", "")))
        elif tag in ("img", "iframe", "source", "audio", "video", "embed") and a.get("src"):
            self.assets.append((tag, a["src"]))
        elif tag == "style":
            self._in_style = True
        for key in ("data-jupyter-widgets-cdn",):
            if key in a:
                self.assets.append((key, a[key]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


_CSS_URL = re.compile(r"""(?:url\(\s*['"]?|@import\s+['"])([^'")\s]+)""")


def _is_external(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") or url.strip().startswith("//")


def _html_files(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "_static" not in p.relative_to(site).parts)


def test_site_loads_nothing_from_other_hosts(site_dir: Path) -> None:
    """Scripts, stylesheets, fonts, icons and images all come from the site itself."""
    require_built_site(site_dir)
    problems: list[str] = []
    pages = _html_files(site_dir)
    assert pages, f"no HTML pages under {site_dir}"
    for page in pages:
        parser = _AssetCollector()
        parser.feed(page.read_text(encoding="utf-8"))
        rel = page.relative_to(site_dir)
        for kind, url in parser.assets:
            if _is_external(url):
                problems.append(f"{rel}: {kind} from another host: {url}")
            elif kind == "script" or kind.startswith("link rel=stylesheet"):
                local = (page.parent / urlsplit(url).path).resolve()
                if urlsplit(url).scheme != "data" and not local.is_file():
                    problems.append(f"{rel}: {kind} {url} is missing from the site")
        for css in parser.styles:
            problems += [
                f"{rel}: inline style loads {u}" for u in _CSS_URL.findall(css) if _is_external(u)
            ]
    for css_file in sorted(site_dir.rglob("*.css")):
        for url in _CSS_URL.findall(css_file.read_text(encoding="utf-8", errors="replace")):
            if _is_external(url):
                problems.append(f"{css_file.relative_to(site_dir)}: loads {url}")
    assert not problems, "The site must work offline:\n" + "\n".join(problems)


def test_mathjax_is_served_locally(site_dir: Path, toc_pages: list[str]) -> None:
    """MathJax 3 is shipped in _static/mathjax and every page points at that copy."""
    require_built_site(site_dir)
    local = site_dir / "_static" / "mathjax" / "tex-chtml.js"
    assert local.is_file(), f"{local} is missing (is sphinx-mathjax-offline loaded?)"
    assert re.search(rb'VERSION\s*=\s*"3\.', local.read_bytes()[:2_000_000]), (
        "the bundled MathJax is not version 3"
    )
    fonts = site_dir / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2"
    assert any(fonts.glob("*.woff")), f"no MathJax fonts in {fonts}"
    for docname in toc_pages:
        html = (site_dir / f"{docname}.html").read_text(encoding="utf-8")
        if "math notranslate" in html:
            assert "_static/mathjax/tex-chtml.js" in html, f"{docname} does not load local MathJax"


# --------------------------------------------------------------------------- every page


def test_page_in_browser(
    docname: str, site_dir: Path, browser: Any, site_server: Any, screenshots_dir: Path
) -> None:
    require_built_site(site_dir)
    problems: list[str] = []
    origin = site_server.origin
    first_server_error = len(site_server.errors)

    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)

    def route(r: Any) -> None:
        url = r.request.url
        if url.startswith(origin + "/"):
            r.continue_()
        else:
            problems.append(f"request to another host: {url}")
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console",
        lambda msg: problems.append(f"console error: {msg.text}") if msg.type == "error" else None,
    )
    page.on(
        "requestfailed",
        lambda req: problems.append(f"failed request: {req.url} ({req.failure})"),
    )
    page.on(
        "response",
        lambda resp: (
            problems.append(f"HTTP {resp.status}: {resp.url}") if resp.status >= 400 else None
        ),
    )
    try:
        response = page.goto(site_server.url(docname), wait_until="load")
        assert response is not None and response.ok, f"{docname}: could not load the page"
        typeset = page.evaluate(WAIT_FOR_MATHJAX)
        page.wait_for_load_state("networkidle")

        broken = page.evaluate(WAIT_FOR_IMAGES)
        problems += [f"image not loaded: {src}" for src in broken]

        math = page.evaluate(MATH_REPORT, list(RAW_TEX))
        if math["math"] and not typeset:
            problems.append(f"{math['math']} math elements but MathJax did not start")
        if math["math"] and not math["containers"]:
            problems.append("math on the page but no mjx-container: MathJax did not typeset")
        problems += [f"math not typeset: {html}" for html in math["untypeset"]]
        problems += [f"MathJax error: {err}" for err in math["texErrors"]]
        problems += [f"raw TeX in the visible text: {snippet!r}" for snippet in math["raw"]]

        shot = screenshots_dir / (docname.replace("/", "__") + ".png")
        page.screenshot(path=str(shot), full_page=True)

        problems += _check_explorers(page, docname)
        page.wait_for_load_state("networkidle")
    finally:
        context.close()
    problems += [f"server answered {entry}" for entry in site_server.errors[first_server_error:]]
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


def _check_explorers(page: Any, docname: str) -> list[str]:
    problems: list[str] = []
    explorers = page.evaluate(EXPLORERS)
    expected = ACTIVATION_CHAPTERS.get(docname, set())
    if expected:
        shown = set()
        for ex in explorers:
            try:
                shown.add(actlib.get(ex["activation"] or "").name)
            except ValueError:
                pass
        if not shown & expected:
            problems.append(
                f"no interactive figure (.actlib-explorer) for {', '.join(sorted(expected))} "
                f"on its chapter page (found: {[ex['activation'] for ex in explorers]})"
            )
    for i, ex in enumerate(explorers):
        label = f"explorer #{i} ({ex['activation']})"
        try:
            actlib.get(ex["activation"] or "")
        except ValueError:
            problems.append(f"{label}: data-activation is not a registered activation")
        if not ex["svg"]:
            problems.append(f"{label}: no <svg>")
        if not ex["drawn"]:
            problems.append(f"{label}: no curve drawn (no path/polyline with data)")
        if not ex["sliders"]:
            problems.append(f"{label}: no input[type=range].actlib-slider")
        if ex["hiddenSliders"]:
            problems.append(f"{label}: sliders not shown: {ex['hiddenSliders']}")
        for j, slider in enumerate(ex["sliders"]):
            result = page.evaluate(MOVE_SLIDER, [i, j])
            if not result["moved"]:
                problems.append(f"{label}: slider {slider} cannot be moved (min == max?)")
            elif not result["changed"]:
                problems.append(
                    f"{label}: moving slider {slider} from {result['from']} to its other end "
                    "did not change any drawn curve"
                )
    return problems


def test_every_activation_chapter_is_a_page(toc_pages: list[str], toc_path: Path) -> None:
    """The registry's chapters are all in the table of contents the browser walks."""
    missing = sorted(set(ACTIVATION_CHAPTERS) - set(toc_pages))
    assert not missing, f"chapters of registered activations missing from {toc_path}: {missing}"
