"""Fixtures for the headless-browser tests of the built site.

The site must have been built beforehand (``make build-strict``, which writes ``_build/html``);
these tests never build it themselves. ``ACTLIB_BOOK_ROOT`` points them at another book folder
(one holding ``_toc.yml`` and ``_build/html``), ``ACTLIB_CHROMIUM`` at another Chromium.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
BOOK_ROOT = Path(os.environ.get("ACTLIB_BOOK_ROOT", REPO)).resolve()
SITE = BOOK_ROOT / "_build" / "html"
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("ACTLIB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

#: Page script: load every image now (none lazily), wait for them (at most 15 s) and for the
#: web fonts, and return the images that did not load. Pages are measured only after it (the
#: ``wait_for_images`` fixture hands it to the tests).
WAIT_FOR_IMAGES = """
async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  const settle = Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  await Promise.race([settle, new Promise((done) => setTimeout(done, 15000))]);
  if (document.fonts) await document.fonts.ready;
  return images
    .filter((img) => !(img.complete && img.naturalWidth > 0))
    .map((img) => (img.getAttribute("src") || img.outerHTML).slice(0, 160));
}
"""


def toc_docnames(toc_path: Path = BOOK_ROOT / "_toc.yml") -> list[str]:
    """Every page of the table of contents (root first), as Sphinx docnames, in book order."""
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    found = [_docname(toc["root"])]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                found.append(_docname(node["file"]))
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in toc.items() if k != "root"})
    return found


def _docname(entry: str) -> str:
    for suffix in (".ipynb", ".md"):
        if entry.endswith(suffix):
            return entry[: -len(suffix)]
    return entry


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """``docname``: one test per page of the table of contents."""
    if "docname" in metafunc.fixturenames:
        metafunc.parametrize("docname", toc_docnames())


@pytest.fixture(scope="session")
def toc_pages() -> list[str]:
    return toc_docnames()


@pytest.fixture(scope="session")
def toc_path() -> Path:
    return BOOK_ROOT / "_toc.yml"


@pytest.fixture(scope="session")
def site_dir() -> Path:
    """The built site (each test fails, rather than skips, when it has not been built)."""
    return SITE


@dataclass
class SiteServer:
    """A local HTTP server for the built site; records every response with status >= 400."""

    origin: str
    errors: list[str] = field(default_factory=list)

    def url(self, docname: str) -> str:
        return f"{self.origin}/{docname}.html"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    record: list[str]

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        try:
            status = int(code)
        except (TypeError, ValueError):
            return
        if status >= 400:
            self.record.append(f"{status} {self.path}")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # The browser closing a connection early is not an error of the site.
        return


@pytest.fixture(scope="session")
def site_server(site_dir: Path) -> Iterator[SiteServer]:
    errors: list[str] = []
    handler = type("Handler", (_QuietHandler,), {"record": errors})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(site_dir)))
    host, port = server.server_address[:2]
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield SiteServer(origin=f"http://{host}:{port}", errors=errors)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).is_file():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run "
            "./scripts/ensure-system-package.sh /usr/bin/chromium chromium or set "
            "ACTLIB_CHROMIUM to a Chromium/Chrome binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="session")
def wait_for_images() -> str:
    return WAIT_FOR_IMAGES


@pytest.fixture(scope="session")
def screenshots_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS
