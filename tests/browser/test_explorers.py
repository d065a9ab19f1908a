"""The kernel-free explorers on the built site keep the promises of the chapters' text.

In headless Chromium (fixtures of ``conftest.py``): "compare with" overlays a second curve;
RReLU's ``lower`` and ``upper`` sliders can never cross (every combination of their grids, no
error shown, the layout does not move when a notice appears); the y-axis stays still while a
parameter slider moves; at a phone's width (390 px) no explorer, label or read-out overflows;
softmax's bar labels stay clear of the title.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

TIMEOUT_MS = 30_000
PHONE = {"width": 390, "height": 844}
#: Chapters with explorers checked at a phone's width (the busiest pages included).
PHONE_PAGES = [
    "notebooks/sigmoid",
    "notebooks/rrelu",
    "notebooks/softmax",
    "notebooks/leaky_relu",
    "notebooks/hard_activations",
]

ROOT = """
(name) => {
  const root = Array.from(document.querySelectorAll(".actlib-explorer"))
    .find((r) => r.getAttribute("data-activation") === name);
  if (!root) throw new Error("no explorer of " + name);
  if (root.getAttribute("data-ready") !== "1") throw new Error(name + " explorer not ready");
  return root.id;
}
"""

SVG_TEXTS = """
(id) => Array.from(document.querySelectorAll("#" + id + " svg text")).map((t) => t.textContent)
"""

TICKS = """
(id) => Array.from(document.querySelectorAll("#" + id + " svg .actlib-grid text"))
  .map((t) => t.textContent)
"""

SET = """
([id, selector, k, value]) => {
  const input = document.querySelectorAll("#" + id + " " + selector)[k];
  input.value = String(value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
  return input.value;
}
"""

RRELU_GRID = """
(id) => {
  const root = document.getElementById(id);
  const cfg = JSON.parse(root.getAttribute("data-config"));
  const [lower, upper] = root.querySelectorAll("input.actlib-param");
  const outs = root.querySelectorAll("output");
  const msg = root.querySelector(".actlib-message");
  const f = root.querySelector("path.actlib-f");
  const height = root.getBoundingClientRect().height;
  const L = cfg.params[0].values, U = cfg.params[1].values;
  const set = (input, v) => {
    input.value = String(v);
    input.dispatchEvent(new Event("input", { bubbles: true }));
  };
  const problems = [];
  let notices = 0, combos = 0;
  for (let i = 0; i < L.length; i++) {
    for (let j = 0; j < U.length; j++) {
      for (const [first, a, second, b] of [[lower, i, upper, j], [upper, j, lower, i]]) {
        set(first, a);
        set(second, b);
        combos++;
        const lo = L[parseInt(lower.value, 10)], up = U[parseInt(upper.value, 10)];
        const where = "lower=" + outs[0].textContent + " upper=" + outs[1].textContent;
        if (!(lo <= up)) problems.push("lower > upper: " + where);
        if (outs[0].textContent !== cfg.params[0].labels[parseInt(lower.value, 10)] ||
            outs[1].textContent !== cfg.params[1].labels[parseInt(upper.value, 10)]) {
          problems.push("read-outs disagree with the sliders: " + where);
        }
        if (msg.getAttribute("data-kind") === "error" || /must|error/i.test(msg.textContent)) {
          problems.push("error shown (" + msg.textContent + "): " + where);
        }
        if (msg.getAttribute("data-kind") === "notice") notices++;
        if (!(f.getAttribute("d") || "").length) problems.push("no curve: " + where);
        if (Math.abs(root.getBoundingClientRect().height - height) > 0.5) {
          problems.push("the explorer changed height with the message: " + where);
        }
      }
    }
  }
  return { problems: problems, notices: notices, combos: combos,
           grid: [L.length, U.length] };
}
"""

LAYOUT = """
(width) => Array.from(document.querySelectorAll(".actlib-explorer")).flatMap((root) => {
  const name = root.getAttribute("data-activation");
  const box = root.getBoundingClientRect();
  const out = [];
  if (box.left < -0.5 || box.right > width + 0.5) {
    out.push(name + ": explorer spans " + box.left + ".." + box.right + " px");
  }
  if (root.scrollWidth > root.clientWidth + 1) out.push(name + ": content overflows the explorer");
  root.querySelectorAll(".actlib-controls > *").forEach((el) => {
    const r = el.getBoundingClientRect();
    if (r.right > box.right + 0.5 || r.left < box.left - 0.5) {
      out.push(name + ": " + el.tagName + " " + (el.textContent || el.id) + " sticks out");
    }
    if (el.scrollWidth > el.clientWidth + 1 && el.tagName !== "SELECT") {
      out.push(name + ": " + el.tagName + " '" + el.textContent + "' is clipped");
    }
    if (el.tagName !== "SPAN" && r.width < 8) {
      out.push(name + ": " + el.tagName + " " + (el.textContent || el.id) + " has no room");
    }
  });
  return out;
})
"""

OVERLAPS = """
(id) => {
  const svg = document.querySelector("#" + id + " svg");
  const texts = Array.from(svg.querySelectorAll("text"));
  const title = texts[0].getBBox();
  const hit = (a, b) => a.x < b.x + b.width && b.x < a.x + a.width &&
    a.y < b.y + b.height && b.y < a.y + a.height;
  return Array.from(svg.querySelectorAll("g text"))
    .filter((t) => /^-?[0-9.]+$/.test(t.textContent) && t.textContent.includes("."))
    .filter((t) => hit(t.getBBox(), title))
    .map((t) => t.textContent);
}
"""


def require_built_site(site: Path) -> None:
    """Fail (never skip) when the site has not been built."""
    if not (site / "index.html").is_file():
        pytest.fail(f"The built site is missing: build it first ({site})", pytrace=False)


@pytest.fixture(scope="module")
def context(browser: Any, site_dir: Path, site_server: Any) -> Iterator[Any]:
    require_built_site(site_dir)
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


def _open(ctx: Any, site_server: Any, docname: str) -> tuple[Any, list[str]]:
    """A chapter with its explorers ready. MathJax is not loaded: the explorers do not use it
    (test_site.py checks the typesetting) and it is most of a page's load time."""
    page = ctx.new_page()
    page.route("**/mathjax/**", lambda route: route.abort())
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(f"JavaScript error: {exc}"))
    response = page.goto(site_server.url(docname), wait_until="domcontentloaded")
    assert response is not None and response.ok, f"{docname} did not load"
    return page, errors


def test_compare_with_overlays_a_second_curve(context: Any, site_server: Any) -> None:
    page, errors = _open(context, site_server, "notebooks/sigmoid")
    uid = page.evaluate(ROOT, "sigmoid")
    select = page.locator(f"#{uid} select.actlib-compare")
    label = page.locator(f"#{uid} label[for='{select.get_attribute('id')}']")
    assert label.inner_text().strip() == "compare with"
    options = select.locator("option").evaluate_all("(os) => os.map((o) => o.value)")
    assert options[0] == "" and "relu" in options and "sigmoid" not in options
    compared = page.locator(f"#{uid} path.actlib-compared")
    assert not compared.get_attribute("d")
    select.select_option("relu")
    d = compared.get_attribute("d") or ""
    assert d.count("L") > 50, "no second curve after choosing relu"
    assert d != page.locator(f"#{uid} path.actlib-f").get_attribute("d")
    assert "relu" in page.evaluate(SVG_TEXTS, uid)  # in the legend
    select.select_option("")
    assert not compared.get_attribute("d")
    assert not errors, errors
    page.close()


def test_rrelu_sliders_never_cross(context: Any, site_server: Any) -> None:
    page, errors = _open(context, site_server, "notebooks/rrelu")
    uid = page.evaluate(ROOT, "rrelu")
    outputs = page.locator(f"#{uid} output").all_inner_texts()
    assert outputs[:2] == ["0.125", "1/3"], "RReLU must start at PyTorch's 1/8 and 1/3"
    result = page.evaluate(RRELU_GRID, uid)
    # Every pair of grid values, set in both orders (a grid of a few values would prove little).
    lows, ups = result["grid"]
    assert min(lows, ups) >= 5 and result["combos"] == 2 * lows * ups
    assert not result["problems"], "\n".join(result["problems"][:20])
    assert result["notices"] > 0, "crossing the sliders never pushed the other one along"
    page.locator(f"#{uid} input.actlib-random").check()  # the training mode's random slopes
    assert (page.locator(f"#{uid} path.actlib-dots").first.get_attribute("d") or "").count("M") > 20
    assert not errors, errors
    page.close()


def test_y_axis_stays_still_while_a_slider_moves(context: Any, site_server: Any) -> None:
    page, errors = _open(context, site_server, "notebooks/leaky_relu")
    uid = page.evaluate(ROOT, "leaky_relu")
    ticks = page.evaluate(TICKS, uid)
    curve = page.locator(f"#{uid} path.actlib-f").get_attribute("d")
    slider = page.locator(f"#{uid} input.actlib-param").first
    start = int(slider.input_value())
    last = int(slider.get_attribute("max") or "0")
    for k in (0, last // 2, last, start):
        page.evaluate(SET, [uid, "input.actlib-param", 0, k])
        assert page.evaluate(TICKS, uid) == ticks, f"the y-axis moved at grid index {k}"
        if k != start:
            assert page.locator(f"#{uid} path.actlib-f").get_attribute("d") != curve
    page.locator(f"#{uid} input.actlib-fit").check()  # on request, the axis fits the curve
    assert page.evaluate(TICKS, uid) != ticks
    assert not errors, errors
    page.close()


def test_softmax_bar_labels_stay_clear_of_the_title(context: Any, site_server: Any) -> None:
    page, errors = _open(context, site_server, "notebooks/softmax")
    uid = page.evaluate(ROOT, "softmax")
    page.evaluate(SET, [uid, "input[data-role=temperature]", 0, 0.1])
    for k in range(4):  # each class in turn gets probability 1.000
        for j in range(4):
            page.evaluate(SET, [uid, "input[data-role=logit]", j, 5 if j == k else -5])
        assert "1.000" in page.evaluate(SVG_TEXTS, uid)
        assert page.evaluate(OVERLAPS, uid) == [], f"class {k + 1}: a bar label hits the title"
    assert not errors, errors
    page.close()


def test_no_explorer_overflows_a_phone(browser: Any, site_dir: Path, site_server: Any) -> None:
    require_built_site(site_dir)
    ctx = browser.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    ctx.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    try:
        for docname in PHONE_PAGES:
            page, errors = _open(ctx, site_server, docname)
            assert page.locator(".actlib-explorer[data-ready='1']").count() > 0, docname
            problems += [f"{docname}: {p}" for p in page.evaluate(LAYOUT, PHONE["width"])]
            problems += [f"{docname}: {e}" for e in errors]
            page.close()
    finally:
        ctx.close()
    assert not problems, "\n".join(problems)
