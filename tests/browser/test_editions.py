"""The Chinese edition of the site (``_build/html/zh/``) and the links between the editions.

Every page of the Chinese edition gets the checks of the English one (``test_site.py``): no
JavaScript error, no request to another host, math typeset, images with alt text, every slider
of every interactive figure redrawing its curve, a first visit within budget, nothing too wide
on a phone. On top: the pages say they are Chinese (``<html lang="zh-CN">``) and their prose
is Chinese (code, formulas, names of functions and the English API reference aside); the
language link of each page lands on the same page of the other edition, in both directions,
and the head names both editions (``hreflang``); the Chinese search finds a Chinese term; and
the Chinese site works offline within the same size budget as the English one.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from conftest import SITE, toc_docnames
from test_site import assert_within_budget, offline_problems, page_problems, require_built_site

pytestmark = pytest.mark.browser

ZH = SITE / "zh"
CJK = re.compile(r"[\u3400-\u9fff]")
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: Pages whose text stays English in both editions: the API reference (generated from
#: actlib's docstrings) and the list of references (titles of papers).
ENGLISH_PAGES = re.compile(r"book/(api/|references$)")
#: The Chinese edition on disk: the English one's budget (SITE_BUDGET) plus room for Chinese
#: text, three bytes a character in UTF-8, and its larger search index.
ZH_SITE_BUDGET = 13 * 1000 * 1000
#: The least share of Chinese in a page's prose: Chinese characters over Chinese characters
#: plus Latin words (names of functions and libraries stay Latin).
MIN_CHINESE = 0.6


class _Prose(HTMLParser):
    """The text of a page's article, without code, formulas, outputs and tables."""

    SKIP = {"pre", "code", "script", "style", "mjx-container", "svg", "nav", "table"}
    VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang = ""
        self.stack: list[bool] = []  # open elements inside <article>: skipped or not
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang", "")
        if tag in self.VOID or not (self.stack or tag == "article"):
            return
        skip = tag in self.SKIP or "cell_output" in a.get("class", "").split()
        self.stack.append(skip or (bool(self.stack) and self.stack[-1]))

    def handle_endtag(self, tag: str) -> None:
        if self.stack and tag not in self.VOID:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and not self.stack[-1]:
            self.parts.append(data)


def _prose(path: Path) -> _Prose:
    parser = _Prose()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_page_has_its_chinese_page_in_chinese() -> None:
    require_built_site(ZH)
    problems = []
    for docname in toc_docnames():
        page = ZH / f"{docname}.html"
        if not page.is_file():
            problems.append(f"{docname}: no Chinese page")
            continue
        prose = _prose(page)
        if prose.lang != "zh-CN":
            problems.append(f"{docname}: <html lang={prose.lang!r}>, expected zh-CN")
        text = " ".join(prose.parts)
        chinese, latin = len(CJK.findall(text)), len(LATIN_WORD.findall(text))
        share = chinese / max(chinese + latin, 1)
        if not ENGLISH_PAGES.match(docname) and share < MIN_CHINESE:
            problems.append(f"{docname}: only {share:.0%} of the prose is Chinese")
    assert not problems, "\n".join(problems)


def test_chinese_site_works_offline_within_budget() -> None:
    problems = offline_problems(ZH)
    assert not problems, "The Chinese site must work offline:\n" + "\n".join(problems)
    assert_within_budget(ZH, ZH_SITE_BUDGET)


def test_every_page_names_both_editions() -> None:
    require_built_site(ZH)
    problems = []
    for docname in toc_docnames():
        for site, other_site in ((SITE, ZH), (ZH, SITE)):
            page = site / f"{docname}.html"
            html = page.read_text(encoding="utf-8")
            link = re.search(r'<a href="([^"]+)"[^>]*class="btn btn-sm actlib-edition"', html)
            if link is None:
                problems.append(f"{page.relative_to(SITE)}: no language link")
            elif (page.parent / link.group(1)).resolve() != (other_site / f"{docname}.html"):
                problems.append(f"{page.relative_to(SITE)}: language link {link.group(1)}")
            alternates = set(re.findall(r'<link rel="alternate" hreflang="([^"]+)"', html))
            if alternates != {"en", "zh-CN"}:
                problems.append(f"{page.relative_to(SITE)}: hreflang alternates {alternates}")
    assert not problems, "\n".join(problems)


def test_chinese_page_in_browser(
    docname: str, browser: Any, site_server: Any, screenshots_dir: Path, wait_for_images: str
) -> None:
    require_built_site(ZH)
    shot = screenshots_dir / ("zh__" + docname.replace("/", "__") + ".png")
    url = f"{site_server.origin}/zh/{docname}.html"
    problems = page_problems(browser, site_server, url, docname, shot, wait_for_images)
    assert not problems, f"zh/{docname}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("page_name", ["notebooks/sigmoid", "book/glossary"])
def test_language_link_lands_on_the_same_page(
    page_name: str, browser: Any, site_server: Any
) -> None:
    require_built_site(ZH)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        page.goto(site_server.url(page_name), wait_until="load")
        page.locator("a.actlib-edition").first.click()
        page.wait_for_load_state("load")
        assert page.url == f"{site_server.origin}/zh/{page_name}.html"
        assert page.evaluate("document.documentElement.lang") == "zh-CN"
        assert CJK.search(page.locator("article h1").first.inner_text() + page.title())
        page.locator("a.actlib-edition").first.click()
        page.wait_for_load_state("load")
        assert page.url == site_server.url(page_name)
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        context.close()
    assert not errors, errors


def test_chinese_search_finds_a_chinese_term(browser: Any) -> None:
    """Sphinx's Chinese search (words segmented by jieba) finds 梯度消失 (vanishing gradient)."""
    require_built_site(ZH)
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto((ZH / "search.html").as_uri() + "?q=梯度消失", wait_until="load")
        page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
        found = [
            a.get_attribute("href") or ""
            for a in page.locator("#search-results ul.search li a").all()
        ]
    finally:
        context.close()
    assert any("gradients_through_depth" in href for href in found), found


@pytest.mark.parametrize("page_name", ["notebooks/sigmoid", "notebooks/choosing"])
def test_chinese_figures_and_tables_are_in_chinese(page_name: str) -> None:
    """What the code draws and tabulates is labelled in Chinese (actlib.display.i18n)."""
    require_built_site(ZH)
    page = ZH / f"{page_name}.html"
    html = page.read_text(encoding="utf-8")
    figures = [
        (page.parent / src).resolve()
        for src in re.findall(r'<img[^>]+src="([^"]*_images/[^"]+\.svg)"', html)
    ]
    assert figures, f"zh/{page_name}: no SVG figure"
    labelled = [f.name for f in figures if CJK.search(f.read_text(encoding="utf-8"))]
    assert len(labelled) >= len(figures) // 2 + 1, (
        f"zh/{page_name}: only {len(labelled)} of {len(figures)} figures have Chinese text"
    )
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html, re.S)
    if headers:
        assert any(CJK.search(h) for h in headers), f"zh/{page_name}: table headers {headers[:5]}"
