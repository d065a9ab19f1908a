"""The built site on paper: every page of the table of contents, printed on A4, loses nothing.

Each page is laid out as Chromium lays it out for printing (print media, a viewport as wide as
the printable width of an A4 page with the margins of the ``@page`` rule in
``book/_ext/static/actlib-print.css``). A page fails when an element of its article would be
cut on paper: a container that clips its content (``overflow`` other than ``visible``) holds
content wider than itself, code or a table sticks out of its box, or a table, code block,
figure, image, SVG picture or typeset formula reaches past the printable width.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
MM = 96 / 25.4  # CSS pixels per millimetre
A4_WIDTH_MM = 210
#: The left and right margins of the ``@page`` rule of the print stylesheet (checked below).
SIDE_MARGIN_MM = 15
PRINT_WIDTH_PX = int((A4_WIDTH_MM - 2 * SIDE_MARGIN_MM) * MM)  # 680 px
PRINT_CSS = "actlib-print.css"

# What would be cut on paper. ``width`` is the printable width in CSS pixels.
OVERFLOWS = """
(width) => {
  const article = document.querySelector("article.bd-article")
    || document.querySelector("main") || document.body;
  const tolerance = 1;
  const clips = new Set(["auto", "scroll", "hidden", "clip"]);
  // Hidden from sight on purpose: not rendered, invisible, folded in a closed <details>, or
  // clipped away like the assistive MathML that MathJax keeps for screen readers.
  const printed = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== "hidden"
    && !el.closest("details:not([open]) > :not(summary)")
    && !el.closest("mjx-assistive-mml, .visually-hidden, .sr-only");
  const name = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += "#" + el.id;
    const cls = (el.getAttribute("class") || "").trim().split(/\\s+/).filter(Boolean);
    if (cls.length) s += "." + cls.slice(0, 3).join(".");
    const text = (el.textContent || "").replace(/\\s+/g, " ").trim().slice(0, 60);
    return text ? s + " \\"" + text + "\\"" : s;
  };
  const problems = [];
  for (const el of article.querySelectorAll("*")) {
    if (!printed(el)) continue;
    const style = getComputedStyle(el);
    if (clips.has(style.overflowX) && el.scrollWidth > el.clientWidth + tolerance) {
      // Clipped for real when something printed inside reaches past the inner edge (what only
      // hidden content, like assistive MathML, makes wider is not cut from the page).
      const inner = el.getBoundingClientRect().left + el.clientLeft + el.clientWidth;
      const cut = Array.from(el.querySelectorAll("*")).find((c) => printed(c)
        && c.getBoundingClientRect().right > inner + tolerance);
      if (cut) {
        problems.push(`${name(el)} clips its content: ${el.scrollWidth} px of content in `
          + `${el.clientWidth} px (overflow-x: ${style.overflowX}), e.g. ${name(cut)}`);
      }
    }
  }
  const watched = "table, pre, figure, img, svg, mjx-container, .math, .highlight, "
    + ".cell_output, .output, .actlib-explorer, iframe, video";
  for (const el of article.querySelectorAll(watched)) {
    if (!printed(el)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + tolerance || box.left < -tolerance) {
      problems.push(`${name(el)} reaches ${Math.round(box.left)}..${Math.round(box.right)} px, `
        + `outside the printable width 0..${width} px`);
    } else if ((el.tagName === "PRE" || el.tagName === "TABLE")
               && el.scrollWidth > el.clientWidth + tolerance) {
      problems.push(`${name(el)} has content sticking out: ${el.scrollWidth} px of content in `
        + `${el.clientWidth} px`);
    }
  }
  // Anything printed past the right edge of the page (the innermost such elements are named).
  const past = Array.from(document.body.querySelectorAll("*")).filter((el) => printed(el)
    && el.getBoundingClientRect().right > width + tolerance
    && !Array.from(el.children).some((c) => c.getBoundingClientRect().right > width + tolerance));
  if (past.length) {
    problems.push(`${past.length} elements reach past the printable ${width} px: `
      + past.slice(0, 3).map((el) => `${name(el)} reaches `
        + `${Math.round(el.getBoundingClientRect().right)} px`).join("; "));
  }
  return problems;
}
"""


def _require_built_site(site: Path) -> None:
    if not (site / "index.html").is_file():
        pytest.fail(
            f"The built site is missing: {site / 'index.html'} does not exist. Build it first "
            "with `make build-strict` (or `make book`).",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def print_page(browser: Any, site_dir: Path) -> Iterator[Any]:
    """One browser page, laid out for print at the printable width of an A4 page."""
    _require_built_site(site_dir)
    context = browser.new_context(viewport={"width": PRINT_WIDTH_PX, "height": 1000})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.emulate_media(media="print")
    try:
        yield page
    finally:
        context.close()


def test_page_rule_gives_the_measured_width(site_dir: Path) -> None:
    """The stylesheet prints on A4 with the side margins this test measures against."""
    _require_built_site(site_dir)
    css_file = site_dir / "_static" / PRINT_CSS
    assert css_file.is_file(), f"{css_file} is missing: the print stylesheet is not installed"
    css = css_file.read_text(encoding="utf-8")
    rule = re.search(r"@page\s*\{([^}]*)\}", css)
    assert rule, f"{PRINT_CSS} has no @page rule"
    assert re.search(r"size:\s*A4\b", rule.group(1)), f"@page does not print on A4: {rule[0]}"
    margin = re.search(r"margin:\s*([^;]+);", rule.group(1))
    assert margin, f"@page sets no margin: {rule[0]}"
    values = margin.group(1).split()
    sides = values[1] if len(values) > 1 else values[0]  # CSS shorthand: top, sides, ...
    assert sides == f"{SIDE_MARGIN_MM}mm", (
        f"@page side margins are {sides}, the test measures with {SIDE_MARGIN_MM}mm"
    )


def test_nothing_is_cut_when_printed(
    docname: str, site_dir: Path, site_server: Any, print_page: Any, wait_for_images: str
) -> None:
    response = print_page.goto(site_server.url(docname), wait_until="load")
    assert response is not None and response.ok, f"{docname}: could not load the page"
    print_page.evaluate(wait_for_images)
    problems = print_page.evaluate(OVERFLOWS, PRINT_WIDTH_PX)
    shown = problems[:15] + ([f"... and {len(problems) - 15} more"] if len(problems) > 15 else [])
    assert not problems, f"{docname}: cut when printed on A4:\n  " + "\n  ".join(shown)
