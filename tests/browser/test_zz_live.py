import statistics

from tests.browser.test_lab import *  # noqa: F403
from tests.browser.test_lab import _kernel_explorer

WATCH_SVG = """
(svg) => {
  window.__actlibLatency = [];
  if (!window.__actlibKeyWatch) {
    window.__actlibKeyWatch = true;
    document.addEventListener('keydown', () => { window.__actlibKeyAt = performance.now(); }, true);
  }
  if (window.__actlibObserver) window.__actlibObserver.disconnect();
  window.__actlibObserver = new MutationObserver(() => {
    const t = performance.now() - window.__actlibKeyAt;
    const entry = [t, null];
    window.__actlibLatency.push(entry);
    requestAnimationFrame(() => { entry[1] = performance.now() - window.__actlibKeyAt; });
  });
  window.__actlibObserver.observe(svg, { attributes: true, subtree: true, childList: true });
}
"""


def test_live_view(lab, ran):
    for name in ("rrelu", "sigmoid", "softmax"):
        page = ran[name].page
        page.bring_to_front()
        root = page.locator(".jp-OutputArea-output .actlib-explorer").first
        root.scroll_into_view_if_needed()
        print(name, "errors:", page.evaluate(WIDGET_ERRORS))
        svg = root.locator("svg.actlib-svg")
        svg.evaluate(WATCH_SVG)
        res = {}
        for inp in root.locator("input[type=range]").all():
            ts = []
            for k in ["ArrowRight", "ArrowLeft"] * 4:
                n = page.evaluate("() => window.__actlibLatency.length")
                inp.focus()
                page.keyboard.press(k)
                page.wait_for_function(f"() => window.__actlibLatency.length > {n}", timeout=5000)
                page.wait_for_timeout(150)
                ts.append(page.evaluate(f"() => window.__actlibLatency[{n}]"))
            res[inp.get_attribute("id")[-6:]] = ts
        for k, v in res.items():
            print(
                name,
                k,
                "mutation median",
                statistics.median(t[0] for t in v),
                "frame median",
                statistics.median(t[1] or -1 for t in v),
                "max",
                max(t[1] or -1 for t in v),
            )
        if name == "rrelu":
            page.wait_for_timeout(1000)
            print("KERNEL", _kernel_explorer(page, "rrelu"))
            print(
                "SHOWN",
                root.evaluate(
                    "(r) => Array.from(r.querySelectorAll('output')).map(o => o.textContent)"
                ),
            )
