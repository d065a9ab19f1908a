"""The chapters run live in JupyterLab, as a learner runs them (``make lab``).

JupyterLab is started from the environment running pytest (``sys.prefix``/bin/jupyter) on a
free port, with a token, on a temporary folder holding copies of three chapters (the
repository is never modified), with temporary configuration, data, runtime, user-settings and
workspace folders (the user's own settings play no part) and the project's
``lab/overrides.json`` as its application settings. Headless Chromium (the fixtures of
``conftest.py``) opens each chapter and runs all its cells from the Run menu; then:

* no cell shows an error or writes to stderr (cells tagged ``raises-exception`` excepted);
* the rendered prose shows no raw MyST markup (:func:`raw_markup`);
* each explorer is drawn by the page (its live view, ``static/live.js``); a key press on each
  slider (and a toggle of each checkbox) redraws it; the time from the key press to the first
  frame showing the new drawing is measured and printed, and written to
  ``test-artifacts/lab-latency.json`` (the README reports it; only a generous sanity limit is
  asserted here);
* a bare slider, whose moves the kernel answers by writing into a label, is timed the same
  way: the round trip through JupyterLab and the kernel that the explorers no longer wait for;
* RReLU's ``lower`` pushed above ``upper`` leaves the controls and the kernel's explorer in
  agreement (the page moves ``upper`` along, and the kernel holds the values shown);
* a chapter saved, closed and opened again with a new kernel shows its explorer as it was
  left, not "Error displaying widget" (widget state is saved with the notebook).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

#: The chapters copied and run: an explorer with parameters (and RReLU's constraint), one
#: without parameters (its x-range change is a full redraw), and the bars of softmax.
CHAPTERS = ("rrelu", "sigmoid", "softmax")
REPO = Path(__file__).resolve().parents[2]
OVERRIDES = REPO / "lab" / "overrides.json"
SERVER_CONFIG = REPO / "lab" / "jupyter_server_config.py"  # as make env installs it
START_TIMEOUT_S = 90
LOAD_TIMEOUT_MS = 120_000
RUN_TIMEOUT_MS = 180_000
UPDATE_TIMEOUT_MS = 15_000
#: Sanity limit of one update, key press to new image (the budget, 50 ms, is measured and
#: reported, not asserted: the machine running the tests may be busy).
SANITY_LIMIT_MS = 3_000
#: Key presses per slider for the latency measurement (right, then back left).
MOVES = 4
LATENCY_FILE = REPO / "test-artifacts" / "lab-latency.json"

#: Raw MyST markup that must not be visible in rendered prose.
RAW_PATTERNS = (
    re.compile(r"\{(?:glue|eval|term|cite|doc|ref|numref|eq|math|download)(?::[a-z-]+)?\}"),
    re.compile(r"```\{"),
    re.compile(r"(?m)^\s*:::"),
)


def raw_markup(texts: Iterable[str], context: int = 30) -> list[str]:
    """The pieces of raw MyST markup (roles, fences, colons) visible in rendered texts.

    Args:
        texts: the visible text of each rendered Markdown cell.
        context: characters shown either side of each find.

    Returns:
        One excerpt per find, empty when the texts show no markup.

    >>> raw_markup(["The slope is 0.25.", "It keeps {glue:text}`scale` of it."], context=4)
    ['eps {glue:text}`sca']
    >>> raw_markup([":::{note}\\nText\\n:::"], context=0)
    [':::', ':::']
    """
    found = []
    for text in texts:
        for pattern in RAW_PATTERNS:
            for m in pattern.finditer(text):
                start, end = max(0, m.start() - context), min(len(text), m.end() + context)
                found.append(text[start:end].strip())
    return found


#: An inline expression in Markdown source (``{eval}`prose.name```, see CONTRIBUTING.md).
EVAL_ROLE = re.compile(r"\{eval\}`([^`]+)`")


def unevaluated(texts: Iterable[str], sources: Iterable[str]) -> list[str]:
    """Inline expressions of the Markdown sources that show as their own text, not a value.

    jupyterlab-myst shows an expression it has no result for as code (``prose.slope``).

    Args:
        texts: the visible text of each rendered Markdown cell.
        sources: the Markdown source of each cell.

    Returns:
        The expressions seen in the texts, in source order.

    >>> unevaluated(["slope prose.slope here"], ["slope {eval}`prose.slope` here"])
    ['prose.slope']
    >>> unevaluated(["slope 0.250 here"], ["slope {eval}`prose.slope` here"])
    []
    """
    shown = "\n".join(texts)
    expressions = [m.group(1) for src in sources for m in EVAL_ROLE.finditer(src)]
    return [e for e in dict.fromkeys(expressions) if e in shown]


# ------------------------------------------------------------------------------ page scripts
CELL_COUNT = "() => document.querySelectorAll('.jp-Notebook .jp-Cell').length"

KERNEL_IDLE = """
() => /\\|\\s*Idle/.test(document.querySelector('#jp-main-statusbar')?.textContent || '')
"""

ALL_RAN = """
() => {
  const prompts = Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt'));
  return prompts.length > 0 && prompts.every((p) => /\\[\\d+\\]/.test(p.textContent));
}
"""

#: Per code cell (in order): the text of its error and stderr outputs.
CELL_PROBLEMS = """
() => Array.from(document.querySelectorAll('.jp-Notebook .jp-CodeCell')).map((cell) =>
  Array.from(cell.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    + '.jp-OutputArea-output.jp-mod-error'))
  .map((o) => o.innerText.slice(0, 400)))
"""

#: The visible text of every rendered Markdown cell, formulas left out (their hidden MathML
#: copy is no markup).
MARKDOWN_TEXTS = """
() => Array.from(document.querySelectorAll('.jp-Notebook .jp-MarkdownCell .jp-RenderedMarkdown, '
  + '.jp-Notebook .jp-MarkdownCell .myst')).map((el) => {
  const copy = el.cloneNode(true);
  copy.querySelectorAll('.katex, .MathJax, mjx-container').forEach((m) => m.remove());
  return copy.textContent;
})
"""

#: A new measurement: every key press from now on is a start (the time of the last one is in
#: `window.__actlibKeyAt`), latencies in ms go to a new `window.__actlibLatency`.
START_WATCH = """  window.__actlibLatency = [];
  if (!window.__actlibKeyWatch) {
    window.__actlibKeyWatch = true;
    document.addEventListener('keydown', () => { window.__actlibKeyAt = performance.now(); }, true);
  }
  if (window.__actlibObserver) window.__actlibObserver.disconnect();
"""

#: Start timing an explorer's drawing: every key press anywhere is a start, the first frame
#: after the drawing changed the end. Latencies in ms go to `window.__actlibLatency`.
WATCH_PICTURE = """
(svg) => {
  START_WATCH
  let pending = false;
  window.__actlibObserver = new MutationObserver(() => {
    if (pending) return;
    pending = true;
    const start = window.__actlibKeyAt;
    requestAnimationFrame(() => {
      pending = false;
      window.__actlibLatency.push(performance.now() - start);
    });
  });
  window.__actlibObserver.observe(svg, { attributes: true, childList: true, subtree: true });
}
""".replace("  START_WATCH\n", START_WATCH)

COUNT = "() => window.__actlibLatency.length"

#: A slider whose moves the kernel answers by writing its value into a label (the shortest
#: round trip, see test_round_trip_of_a_bare_slider).
BARE_SLIDER = (
    "import ipywidgets as w; _bare = w.IntSlider(description='bare'); _answer = w.Label('0'); "
    "_bare.observe(lambda ch: setattr(_answer, 'value', str(ch['new'])), 'value'); "
    "w.VBox([_bare, _answer])"
)

#: Start timing a label: every key press is a start, the next change of its text the end.
WATCH_LABEL = """
(label) => {
  START_WATCH
  window.__actlibObserver = new MutationObserver(() => {
    window.__actlibLatency.push(performance.now() - window.__actlibKeyAt);
  });
  window.__actlibObserver.observe(label, { childList: true, characterData: true, subtree: true });
}
""".replace("  START_WATCH\n", START_WATCH)

#: The read-outs of an explorer's controls by the end of their input's id (``p0``, ``x``...).
READOUTS = """
(root) => Object.fromEntries(Array.from(root.querySelectorAll('output[data-for]'))
  .map((o) => [o.getAttribute('data-for').split('-').pop(), o.textContent.trim()]))
"""

WIDGET_ERRORS = """
() => document.body.innerText.match(/Error displaying widget|model not found/gi) || []
"""


# ------------------------------------------------------------------------------ the server
@dataclass
class Lab:
    """A running JupyterLab: its address, token, notebook folder and server log."""

    origin: str
    token: str
    root: Path
    log: Path
    latencies: dict[str, dict[str, list[float]]] = field(default_factory=dict)

    def url(self, notebook: str) -> str:
        return f"{self.origin}/lab/tree/{notebook}?token={self.token}&reset"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_server(proc: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited ({proc.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.25)  # polling the server's status address; no event to wait for
    pytest.fail(f"jupyter lab did not answer in {START_TIMEOUT_S} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    jupyter = Path(sys.prefix) / "bin" / "jupyter"
    if not jupyter.is_file():
        pytest.fail(f"{jupyter} not found: run the tests with the project's environment")
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    root.mkdir()
    for name in CHAPTERS:
        shutil.copy(REPO / "notebooks" / f"{name}.ipynb", root)
    app_settings = base / "app-settings"
    app_settings.mkdir()
    shutil.copy(OVERRIDES, app_settings / "overrides.json")
    (base / "config").mkdir()
    shutil.copy(SERVER_CONFIG, base / "config" / "jupyter_server_config.py")
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(base / "config"),
        "JUPYTER_DATA_DIR": str(base / "data"),
        "JUPYTER_RUNTIME_DIR": str(base / "runtime"),
        "JUPYTER_PLATFORM_DIRS": "1",
    }
    port, token = _free_port(), secrets.token_hex(16)
    cmd = [
        str(jupyter), "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
        "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}", f"--LabApp.app_settings_dir={app_settings}",
        f"--LabApp.user_settings_dir={base / 'user-settings'}",
        f"--LabApp.workspaces_dir={base / 'workspaces'}",
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    log = base / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        origin = f"http://127.0.0.1:{port}"
        _wait_for_server(proc, f"{origin}/api/status?token={token}", log)
        lab = Lab(origin=origin, token=token, root=root, log=log)
        yield lab
        if lab.latencies:
            LATENCY_FILE.parent.mkdir(parents=True, exist_ok=True)
            LATENCY_FILE.write_text(json.dumps(lab.latencies, indent=1) + "\n")
    finally:
        proc.terminate()  # the server stops its kernels and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="module")
def lab_context(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        yield context
    finally:
        context.close()


def _open(page: Any, lab: Lab, name: str) -> None:
    """Open a chapter and wait until all its cells are there and its kernel is idle."""
    cells = len(json.loads((lab.root / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"])
    page.goto(lab.url(f"{name}.ipynb"))
    page.wait_for_function(f"() => ({CELL_COUNT})() === {cells}", timeout=LOAD_TIMEOUT_MS)
    page.wait_for_function(KERNEL_IDLE, timeout=LOAD_TIMEOUT_MS)


def _menu(page: Any, menu: str, item: str) -> None:
    """Choose an item of a menu of the menu bar, as a reader does."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{re.escape(menu)}$")).click()
    label = page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}"))
    page.locator(".lm-Menu-item", has=label).click()


@dataclass
class Ran:
    """A chapter opened and run: its page, how long Run All took, per code cell its tags."""

    page: Any
    seconds: float
    tags: list[list[str]]


@pytest.fixture(scope="module")
def ran(lab: Lab, lab_context: Any) -> Iterator[dict[str, Ran]]:
    """Each chapter, opened in its own page and run (Run ▸ Run All Cells), by name.

    The chapters are started one after the other and then waited for, so that one chapter's
    page loads while another one's kernel works.
    """
    started: dict[str, tuple[Any, float]] = {}
    for name in CHAPTERS:
        page = lab_context.new_page()
        _open(page, lab, name)
        _menu(page, "Run", "Run All Cells")
        started[name] = (page, time.monotonic())
    done: dict[str, Ran] = {}
    for name, (page, start) in started.items():
        page.wait_for_function(ALL_RAN, timeout=RUN_TIMEOUT_MS)
        page.wait_for_function(KERNEL_IDLE, timeout=RUN_TIMEOUT_MS)
        nb = json.loads((lab.root / f"{name}.ipynb").read_text(encoding="utf-8"))
        tags = [
            c.get("metadata", {}).get("tags", []) for c in nb["cells"] if c["cell_type"] == "code"
        ]
        done[name] = Ran(page=page, seconds=time.monotonic() - start, tags=tags)
        print(f"{name}: Run All done {done[name].seconds:.1f} s after it was chosen")
    yield done
    for r in done.values():
        r.page.close()


def _explorer(page: Any, k: int = 0) -> Any:
    """The k-th explorer of the page, drawn by its live view.

    The page is brought to the front first, as the tab a learner works in is. The chapters
    run in tabs of one window, and Chromium throttles a tab in the background: after each key
    press it delivered the kernel's messages and drew its frames only 55-60 ms later.
    """
    page.bring_to_front()
    root = page.locator(".jp-OutputArea-output .actlib-explorer[data-ready='1']").nth(k)
    root.wait_for(timeout=UPDATE_TIMEOUT_MS)
    root.scroll_into_view_if_needed()
    return root


def _press(page: Any, target: Any, key: str) -> float:
    """Press a key on a control and wait for the explorer's new drawing; the latency in ms."""
    n = page.evaluate(COUNT)
    target.focus()
    page.keyboard.press(key)
    page.wait_for_function(f"() => ({COUNT})() > {n}", timeout=UPDATE_TIMEOUT_MS)
    return float(page.evaluate(f"() => window.__actlibLatency[{n}]"))


def _run_new_cell(page: Any, code: str) -> None:
    """Add a code cell at the end of the notebook, type code into it and run it."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # a new code cell below, in edit mode
    page.keyboard.press("Enter")
    page.keyboard.insert_text(code)
    page.keyboard.press("Shift+Enter")


def _kernel_explorer(page: Any, name: str) -> dict[str, Any]:
    """The kernel's view of the chapter's explorer: a new cell prints its values and x-range.

    The explorer is the value of its cell, so IPython keeps it in ``Out``.
    """
    code = (
        "import json; _ex = [v for v in Out.values() if getattr(getattr(v, 'spec', None), "
        f"'name', None) == {name!r} and hasattr(v, 'widget')][-1]; "
        "print('KERNEL-STATE ' + json.dumps({'values': {k: v for k, v in _ex.values.items() "
        "if isinstance(v, float)}, 'x': list(getattr(_ex, 'x', []))}))"
    )
    _run_new_cell(page, code)
    out = page.locator(".jp-OutputArea-output", has_text="KERNEL-STATE").last
    out.wait_for(timeout=UPDATE_TIMEOUT_MS)
    # The output can be matched before its text has settled: read until it holds the state.
    page.wait_for_function(
        "(el) => /KERNEL-STATE \\{.*\\}/s.test(el.innerText)",
        arg=out.element_handle(),
        timeout=UPDATE_TIMEOUT_MS,
    )
    text = out.inner_text()
    start = text.rindex("KERNEL-STATE") + len("KERNEL-STATE")
    return json.loads(text[start:].strip())


def _readout_value(text: str) -> float:
    """A slider read-out as a number (``1/3`` too)."""
    if "/" in text:
        a, b = text.split("/")
        return float(a) / float(b)
    return float(text)


# ------------------------------------------------------------------------------ the tests
@pytest.mark.parametrize("name", CHAPTERS)
def test_run_all_without_errors(ran: dict[str, Ran], name: str) -> None:
    r = ran[name]
    problems = r.page.evaluate(CELL_PROBLEMS)
    assert len(problems) == len(r.tags), "the page does not show every code cell"
    bad = [
        f"code cell {i + 1}: {' | '.join(texts)}"
        for i, (texts, tags) in enumerate(zip(problems, r.tags, strict=True))
        if texts and "raises-exception" not in tags
    ]
    assert not bad, f"{name}: cells with errors or stderr output:\n" + "\n".join(bad)
    assert not r.page.evaluate(WIDGET_ERRORS)
    drawn = r.page.locator(".jp-OutputArea-output .actlib-explorer[data-ready='1'] svg path")
    assert drawn.count() >= 1, f"{name}: no explorer drawn"


@pytest.mark.parametrize("name", CHAPTERS)
def test_live_prose_has_no_raw_markup_or_placeholder(
    lab: Lab, ran: dict[str, Ran], name: str
) -> None:
    page = ran[name].page
    texts = page.evaluate(MARKDOWN_TEXTS)
    assert texts, f"{name}: no rendered Markdown cell found"
    nb = json.loads((lab.root / f"{name}.ipynb").read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert any(EVAL_ROLE.search(src) for src in sources), f"{name}: no computed number to check"
    found = raw_markup(texts) + [f"not evaluated: {e}" for e in unevaluated(texts, sources)]
    errors = page.locator(
        ".jp-MarkdownCell [data-mime-type='application/vnd.jupyter.stderr'], "
        ".jp-MarkdownCell .myst-RenderedExpressionError"
    ).all_inner_texts()
    found += [f"expression error: {text}" for text in errors]
    assert not found, f"{name}: raw markup or placeholders in the prose:\n" + "\n".join(found[:20])
    # jupyterlab-myst has no bibliography: a citation shows its key in a box. Reported only.
    keys = page.locator(".jp-MarkdownCell [title='Citation Not Found']").count()
    print(f"{name}: {keys} citations shown as their keys (no bibliography live)")


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_control_redraws_the_explorer(lab: Lab, ran: dict[str, Ran], name: str) -> None:
    page = ran[name].page
    root = _explorer(page)
    svg = root.locator("svg.actlib-svg")
    svg.evaluate(WATCH_PICTURE)
    # Drawn at its size: as many drawing units wide as it is shown (text keeps its size).
    units, shown = svg.evaluate("(s) => [s.viewBox.baseVal.width, s.getBoundingClientRect().width]")
    assert abs(units - shown) <= 1 or units in (300, 560), f"{name}: {units} units on {shown} px"
    results: dict[str, list[float]] = {}
    sliders = root.locator("input[type=range]")
    assert sliders.count() >= 1
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        label = slider.evaluate("(el) => el.labels[0].textContent.trim()")
        at_max = slider.evaluate("(el) => Number(el.value) >= Number(el.max)")
        there, back = ("ArrowLeft", "ArrowRight") if at_max else ("ArrowRight", "ArrowLeft")
        results[f"slider {label}"] = [_press(page, slider, key) for key in [there, back] * MOVES]
    boxes = root.locator("input[type=checkbox]")
    for b in range(boxes.count()):
        label = boxes.nth(b).evaluate("(el) => el.labels[0].textContent.trim()")
        if label.startswith("show f") or "random slopes" in label:
            results[f"checkbox {label}"] = [_press(page, boxes.nth(b), "Space") for _ in range(2)]
    lab.latencies[name] = results
    summary = ", ".join(
        f"{k}: median {statistics.median(v):.0f} ms, max {max(v):.0f} ms"
        for k, v in results.items()
    )
    print(f"{name} key press to new picture: {summary}")
    slow = {k: max(v) for k, v in results.items() if max(v) > SANITY_LIMIT_MS}
    assert not slow, f"{name}: updates slower than {SANITY_LIMIT_MS} ms: {slow}"


def test_round_trip_of_a_bare_slider(lab: Lab, ran: dict[str, Ran]) -> None:
    """The shortest answer a control can get from the kernel, measured like the explorers'.

    A slider that no explorer owns, whose moves the kernel answers by writing the value into
    a label: the page, the server and the kernel, with nothing drawn. The explorers' times
    above are this plus their own work (drawing, encoding, sending and decoding the image).
    """
    page = ran["softmax"].page
    page.bring_to_front()
    _run_new_cell(page, BARE_SLIDER)
    out = page.locator(".jp-OutputArea-output", has=page.locator(".widget-slider", has_text="bare"))
    out.last.wait_for(timeout=UPDATE_TIMEOUT_MS)
    label = out.last.locator(".widget-label:not(label)").last
    label.evaluate(WATCH_LABEL)
    handle = out.last.locator(".noUi-handle")
    times = [_press(page, handle, k) for k in ["ArrowRight"] * MOVES + ["ArrowLeft"] * MOVES]
    assert label.inner_text().strip() == "0", "the kernel's answers did not reach the label"
    lab.latencies["bare slider"] = {"kernel answer": times}
    print(
        f"bare slider, key press to the kernel's answer: median {statistics.median(times):.0f} "
        f"ms, max {max(times):.0f} ms"
    )
    assert max(times) <= SANITY_LIMIT_MS


def test_rrelu_sliders_and_kernel_agree(ran: dict[str, Ran]) -> None:
    page = ran["rrelu"].page
    root = _explorer(page)
    lower, upper = (
        root.locator("input.actlib-param").nth(0),
        root.locator("input.actlib-param").nth(1),
    )
    assert lower.evaluate("(el) => el.labels[0].textContent.trim()") == "lower"
    lower.focus()
    page.keyboard.press("Home")  # back to the grid's start, whatever the tests before did
    upper.focus()
    page.keyboard.press("Home")
    for key in ("ArrowRight", "ArrowRight"):  # PyTorch's defaults are on the grid
        upper.focus()
        page.keyboard.press(key)
    lower.focus()
    page.keyboard.press("ArrowRight")
    shown = root.evaluate(READOUTS)
    assert (shown["p0"], shown["p1"]) == ("0.125", "1/3"), shown
    # lower above upper: the page moves upper along, and says so
    for _ in range(10):
        lower.focus()
        page.keyboard.press("ArrowRight")
        shown = root.evaluate(READOUTS)
        if _readout_value(shown["p0"]) > 1 / 3:
            break
    lo, up = _readout_value(shown["p0"]), _readout_value(shown["p1"])
    assert lo > 1 / 3 and lo <= up, f"lower {lo} and upper {up} on the sliders"
    assert "upper moved" in root.locator(".actlib-message").inner_text()
    # x-range: a half-width of at least its minimum, so its ends never meet
    assert float(root.locator("input.actlib-xrange").get_attribute("min") or 0) > 0
    kernel = _kernel_explorer(page, "rrelu")
    assert kernel["values"]["lower"] == pytest.approx(lo, abs=5e-4)
    assert kernel["values"]["upper"] == pytest.approx(up, abs=5e-4)
    half = float(shown["x"])
    assert kernel["x"] == [-half, half]


def test_saved_notebook_reopens_with_the_explorer_as_it_was_left(
    lab: Lab, lab_context: Any, ran: dict[str, Ran]
) -> None:
    page = ran["sigmoid"].page
    root = _explorer(page)
    x = root.locator("input.actlib-xrange")
    x.focus()
    page.keyboard.press("ArrowLeft")  # a state of its own, to be found again
    page.keyboard.press("ArrowLeft")
    left = root.evaluate(READOUTS)
    page.wait_for_timeout(500)  # the page's values reach the kernel's copy of the state
    page.locator(".jp-Notebook .jp-Cell").first.locator(".jp-InputArea-prompt").click()
    page.keyboard.press("Escape")
    saved_at = len(lab.log.read_text())
    page.keyboard.press("Control+s")
    page.wait_for_function(
        "() => !document.querySelector('.lm-TabBar-tab.jp-mod-dirty')",
        timeout=UPDATE_TIMEOUT_MS,
    )
    saved = json.loads((lab.root / "sigmoid.ipynb").read_text(encoding="utf-8"))
    state = saved.get("metadata", {}).get("widgets", {})
    assert "application/vnd.jupyter.widget-state+json" in state, "widget state was not saved"
    _menu(page, "File", "Close and Shut Down Notebook")
    page.locator(".jp-Dialog button.jp-mod-accept").click()
    page.locator(".jp-Dialog").wait_for(state="detached")
    reopened = lab_context.new_page()
    try:
        _open(reopened, lab, "sigmoid")
        assert not reopened.evaluate(WIDGET_ERRORS)
        # Signed on save: its text cells' computed numbers are plain text, which the
        # project's server hook (lab/jupyter_server_config.py) lets the notary trust.
        assert "Notebook sigmoid.ipynb is not trusted" not in lab.log.read_text()[saved_at:]
        trust = reopened.locator("#jp-main-statusbar [title*='trusted']").first
        assert (trust.get_attribute("title") or "").startswith("Notebook trusted")
        again = _explorer(reopened)
        assert again.evaluate(READOUTS) == left, "the explorer is not shown as it was left"
        again.locator("svg.actlib-svg").evaluate(WATCH_PICTURE)
        _press(reopened, again.locator("input.actlib-xrange"), "ArrowRight")  # and it moves
    finally:
        reopened.close()
