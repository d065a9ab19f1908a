"""The built site, as a reader's browser sees it (headless Chromium driven by Playwright).

For every page of the table of contents: no JavaScript error, no failed request and no request
to any host but the local server; every formula typeset (no raw TeX left in the visible text)
and no Markdown table left as raw ``| … |`` text; every image loaded, with a descriptive alt
text; every slider of every interactive figure redrawing its curve; a first visit that
transfers at most ``PAGE_BUDGET`` bytes; and, at phone width, nothing wider than the screen.
The chapter of each registered activation must contain its interactive figure. A screenshot
of each page is saved under ``test-artifacts/screenshots/``.

The navigation is tried at phone, tablet and desktop widths (its buttons open the sidebars),
table captions are checked for contrast in dark mode, a copy opened from disk searches without
console errors, and a static scan checks that no script, stylesheet, font or icon is loaded
from another host and that the whole site stays within ``SITE_BUDGET`` bytes.
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
#: What a first visit of any page may transfer (HTML, styles, scripts, fonts, images), and
#: the size of the whole site on disk.
PAGE_BUDGET = 1024 * 1024
#: The whole site on disk: 12 MB (decimal megabytes, as the README states it).
SITE_BUDGET = 12 * 1000 * 1000
PHONE = {"width": 390, "height": 844}
RAW_TEX = ("\\(", "\\)", "\\[", "\\]", "$$", "\\begin{")

# --------------------------------------------------------------------------- page scripts

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


RAW_TABLES = """
() => Array.from(document.querySelectorAll(".bd-article p, .bd-article li, .bd-article span"))
  .filter((el) => !el.closest("pre, code, .highlight, mjx-container"))
  .filter((el) => el.checkVisibility ? el.checkVisibility() : true)
  .map((el) => el.textContent)
  .filter((text) => /\\|\\s*:?(-{3,}|\u2014+):?\\s*\\|/.test(text))
  .map((text) => text.trim().slice(0, 120))
"""

ALT_TEXT = """
() => Array.from(document.querySelectorAll(".bd-article img")).map((img) => {
  const alt = (img.getAttribute("alt") || "").trim();
  return { src: (img.getAttribute("src") || "").slice(0, 80), alt: alt };
}).filter((im) => im.alt.split(/\\s+/).filter(Boolean).length
    + (im.alt.match(/[\\u3400-\\u9fff]/g) || []).length / 2 < 3
  || /\\.(png|svg|jpe?g|gif|webp)$/i.test(im.alt) || /^(\\.\\.?\\/|\\/|data:|https?:)/.test(im.alt)
  || im.alt.includes("_images/"))
"""

TRANSFERRED = """
() => {
  const nav = performance.getEntriesByType("navigation")[0];
  const resources = performance.getEntriesByType("resource");
  const items = resources.map((r) => [r.name, r.decodedBodySize || r.transferSize || 0]);
  items.push([location.href, nav ? nav.decodedBodySize : 0]);
  return items;
}
"""

TOO_WIDE = """
() => {
  const limit = window.innerWidth + 1;
  const scrolls = (el) => {
    for (let a = el.parentElement; a; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o === "auto" || o === "scroll" || o === "hidden") return a !== document.body
        && a !== document.documentElement;
    }
    return false;
  };
  const wide = [];
  for (const el of document.querySelectorAll(".bd-main *")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.right <= limit || scrolls(el)) continue;
    if (!el.checkVisibility()) continue;
    wide.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined
      ? "." + String(el.className).trim().split(/\\s+/).join(".") : "")
      + " right=" + Math.round(box.right));
    if (wide.length >= 5) break;
  }
  return { scrollWidth: document.documentElement.scrollWidth, width: window.innerWidth,
           wide: wide };
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


#: Folders of the English site that hold another edition (tests/browser/test_editions.py).
EDITION_FOLDERS = ("zh",)


def site_files(site: Path, pattern: str) -> list[Path]:
    """The files of one edition matching ``pattern`` (the other editions' folders left out)."""
    return sorted(
        p for p in site.rglob(pattern) if p.relative_to(site).parts[0] not in EDITION_FOLDERS
    )


def _html_files(site: Path) -> list[Path]:
    return [p for p in site_files(site, "*.html") if "_static" not in p.relative_to(site).parts]


def test_site_loads_nothing_from_other_hosts(site_dir: Path) -> None:
    """Scripts, stylesheets, fonts, icons and images all come from the site itself."""
    problems = offline_problems(site_dir)
    assert not problems, "The site must work offline:\n" + "\n".join(problems)


def offline_problems(site_dir: Path) -> list[str]:
    """What one edition's pages and stylesheets load from elsewhere or miss."""
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
    for css_file in site_files(site_dir, "*.css"):
        for url in _CSS_URL.findall(css_file.read_text(encoding="utf-8", errors="replace")):
            if _is_external(url):
                problems.append(f"{css_file.relative_to(site_dir)}: loads {url}")
    return problems


def test_math_is_typeset_in_the_pages(site_dir: Path, toc_pages: list[str]) -> None:
    """Formulas are static markup: no page loads MathJax, the fonts they use are shipped."""
    require_built_site(site_dir)
    css = site_dir / "_static" / "actlib-math.css"
    assert css.is_file(), f"{css} is missing (the site extension typesets the math)"
    fonts = set(re.findall(r"mathjax-fonts/(MathJax_[\w-]+\.woff)", css.read_text("utf-8")))
    assert fonts, "the math stylesheet names no font"
    missing = [f for f in fonts if not (site_dir / "_static" / "mathjax-fonts" / f).is_file()]
    assert not missing, f"math fonts missing from the site: {missing}"
    pages_with_math = 0
    for docname in toc_pages:
        html = (site_dir / f"{docname}.html").read_text(encoding="utf-8")
        assert "MathJax = " not in html and "tex-chtml" not in html, f"{docname} loads MathJax"
        pages_with_math += "<mjx-container" in html
    assert pages_with_math > len(toc_pages) // 2


# --------------------------------------------------------------------------- every page


def test_page_in_browser(
    docname: str,
    site_dir: Path,
    browser: Any,
    site_server: Any,
    screenshots_dir: Path,
    wait_for_images: str,
) -> None:
    require_built_site(site_dir)
    shot = screenshots_dir / (docname.replace("/", "__") + ".png")
    problems = page_problems(
        browser, site_server, site_server.url(docname), docname, shot, wait_for_images
    )
    assert not problems, f"{docname}:\n  " + "\n  ".join(problems)


def page_problems(
    browser: Any, site_server: Any, url: str, docname: str, shot: Path, wait_for_images: str
) -> list[str]:
    """Everything a reader would find wrong with one page (see the module docstring)."""
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
        response = page.goto(url, wait_until="load")
        assert response is not None and response.ok, f"{docname}: could not load the page"
        page.wait_for_load_state("networkidle")

        broken = page.evaluate(wait_for_images)
        problems += [f"image not loaded: {src}" for src in broken]

        math = page.evaluate(MATH_REPORT, list(RAW_TEX))
        if math["math"] and not math["containers"]:
            problems.append("math on the page but no mjx-container: the math was not typeset")
        problems += [f"math not typeset: {html}" for html in math["untypeset"]]
        problems += [f"MathJax error: {err}" for err in math["texErrors"]]
        problems += [f"raw TeX in the visible text: {snippet!r}" for snippet in math["raw"]]

        problems += [f"raw Markdown table in the text: {t!r}" for t in page.evaluate(RAW_TABLES)]
        problems += [
            f"image without a descriptive alt text: {im['src']} (alt={im['alt']!r})"
            for im in page.evaluate(ALT_TEXT)
        ]

        page.screenshot(path=str(shot), full_page=True)

        problems += _check_explorers(page, docname)
        page.wait_for_load_state("networkidle")
        problems += _check_weight(page.evaluate(TRANSFERRED))

        page.set_viewport_size(PHONE)
        page.wait_for_timeout(100)
        wide = page.evaluate(TOO_WIDE)
        if wide["scrollWidth"] > wide["width"] + 1:
            problems.append(
                f"at {PHONE['width']} px the page scrolls sideways (scrollWidth "
                f"{wide['scrollWidth']}); too wide: {wide['wide']}"
            )
        page.screenshot(path=str(shot.with_name(shot.stem + "__phone.png")))
    finally:
        context.close()
    problems += [f"server answered {entry}" for entry in site_server.errors[first_server_error:]]
    return problems


def _check_weight(items: list[list[Any]]) -> list[str]:
    total = sum(int(size) for _, size in items)
    if total <= PAGE_BUDGET:
        return []
    biggest = sorted(items, key=lambda item: -int(item[1]))[:6]
    listing = ", ".join(
        f"{urlsplit(u).path.rsplit('/', 1)[-1]} {int(n) // 1024} KiB" for u, n in biggest
    )
    return [
        f"a first visit transfers {total / 1024:.0f} KiB, over the budget of "
        f"{PAGE_BUDGET // 1024} KiB (largest: {listing})"
    ]


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


# --------------------------------------------------------------------------- every device

NAV_PAGE = "notebooks/relu"
WIDE = 992  # the theme's breakpoint: below it, sidebars open as dialogs


def _visible_button(page: Any, selector: str) -> Any:
    buttons = [b for b in page.query_selector_all(selector) if b.is_visible()]
    assert buttons, f"no visible {selector} button"
    return buttons[0]


@pytest.mark.parametrize("width", [390, 700, 1000, 1366])
def test_navigation_buttons_open_the_sidebars(
    width: int, site_dir: Path, browser: Any, site_server: Any
) -> None:
    """A tap on the menu button shows the chapter list; on wide screens it folds it away."""
    require_built_site(site_dir)
    context = browser.new_context(viewport={"width": width, "height": 900}, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(site_server.url(NAV_PAGE), wait_until="load")
        chapters = "nav.bd-docs-nav a.reference.internal"
        if width < WIDE:
            assert not page.locator(chapters).first.is_visible(), "chapter list shown already"
            _visible_button(page, ".primary-toggle").tap()
            dialog = page.locator("dialog#pst-primary-sidebar-modal")
            dialog.wait_for(state="visible")
            links = dialog.locator("a.reference.internal")
            assert links.count() >= len(ACTIVATION_CHAPTERS), "the chapter list is incomplete"
            assert links.first.is_visible()
            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")
        else:
            sidebar = page.locator("#pst-primary-sidebar")
            assert sidebar.is_visible() and page.locator(chapters).first.is_visible()
            _visible_button(page, ".primary-toggle").click()
            shown = (
                "() => document.querySelector('#pst-primary-sidebar')"
                ".checkVisibility({visibilityProperty: true, opacityProperty: true})"
            )
            page.wait_for_function(f"() => !({shown})()")
            _visible_button(page, ".primary-toggle").click()
            page.wait_for_function(shown)
        toggles = [b for b in page.query_selector_all(".secondary-toggle") if b.is_visible()]
        if toggles:  # below the extra-wide breakpoint "On this page" is a button
            toggles[0].tap() if width < WIDE else toggles[0].click()
            dialog = page.locator("dialog#pst-secondary-sidebar-modal")
            dialog.wait_for(state="visible")
            assert dialog.locator("nav.page-toc a").first.is_visible(), "no section links"
        else:
            assert page.locator("nav.page-toc a").first.is_visible()
    finally:
        context.close()
    assert not errors, errors


def _contrast(fg: list[float], bg: list[float]) -> float:
    def luminance(rgb: list[float]) -> float:
        c = [v / 255 for v in rgb[:3]]
        lin = [v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4 for v in c]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


CAPTION_COLOURS = """
() => Array.from(document.querySelectorAll(".bd-article table caption, .bd-article figcaption"))
  .filter((el) => el.checkVisibility()).map((el) => {
    const rgb = (s) => (s.match(/[\\d.]+/g) || []).map(Number);
    let bg = null;
    for (let a = el; a && !bg; a = a.parentElement) {
      const c = rgb(getComputedStyle(a).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) bg = c;
    }
    return { text: el.textContent.trim().slice(0, 60), fg: rgb(getComputedStyle(el).color),
             bg: bg || rgb(getComputedStyle(document.body).backgroundColor) };
  })
"""


@pytest.mark.parametrize("mode", ["light", "dark"])
def test_captions_are_readable(mode: str, site_dir: Path, browser: Any, site_server: Any) -> None:
    """Table and figure captions keep a contrast of at least 4.5:1 in both colour modes."""
    require_built_site(site_dir)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        page.add_init_script(f"localStorage.setItem('mode', '{mode}')")
        page.goto(site_server.url("notebooks/choosing"), wait_until="load")
        assert page.evaluate("document.documentElement.dataset.theme") == mode
        captions = page.evaluate(CAPTION_COLOURS)
    finally:
        context.close()
    assert captions, "no caption found on the page"
    low = [
        f"{c['text']!r}: {_contrast(c['fg'], c['bg']):.2f}"
        for c in captions
        if _contrast(c["fg"], c["bg"]) < 4.5
    ]
    assert not low, f"captions below 4.5:1 in {mode} mode: {low}"


def test_search_works_from_disk(site_dir: Path, browser: Any) -> None:
    """A copy opened from disk finds pages, without a console error, and says what it lacks."""
    require_built_site(site_dir)
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"JavaScript error: {exc}"))
    page.on(
        "console", lambda m: problems.append(f"console: {m.text}") if m.type == "error" else None
    )
    try:
        page.goto((site_dir / "search.html").as_uri() + "?q=sigmoid", wait_until="load")
        page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
        found = page.locator("#search-results ul.search li a").count()
        note = page.locator("#actlib-search-note").text_content() or ""
        page.wait_for_timeout(500)
    finally:
        context.close()
    assert found > 0
    assert "disk" in note
    assert not problems, problems


def test_site_does_not_grow(site_dir: Path) -> None:
    assert_within_budget(site_dir)


def assert_within_budget(site_dir: Path, budget: int = SITE_BUDGET) -> None:
    """Fails when one edition takes more than ``budget`` bytes on disk."""
    require_built_site(site_dir)
    sizes = {p: p.stat().st_size for p in site_files(site_dir, "*") if p.is_file()}
    total = sum(sizes.values())
    folders: dict[str, int] = {}
    for path, size in sizes.items():
        top = path.relative_to(site_dir).parts[0]
        folders[top] = folders.get(top, 0) + size
    largest = sorted(folders.items(), key=lambda kv: -kv[1])[:6]
    assert total <= budget, (
        f"the site takes {total / 1e6:.1f} MB, over {budget / 1e6:.0f} MB: "
        + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in largest)
    )
