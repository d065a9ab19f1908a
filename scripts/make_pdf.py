"""Print the whole book as one PDF, in the order of the table of contents.

Usage: python scripts/make_pdf.py [--no-build] [--output _build/pdf/activation-functions.pdf]

1. The book is rendered as one HTML page (Sphinx's ``singlehtml`` builder, with the strict
   flags of the HTML build: warnings are errors, references are checked). The build reuses the
   execution cache and the parsed pages of the HTML build: nothing is executed here (run
   ``scripts/execute_chapters.py`` first, as ``make pdf`` does, or a chapter missing from the
   cache is executed by the build). ``--no-build`` prints the page already in
   ``_build/singlehtml``.
2. The page is opened in headless Chromium (the one the browser tests use) laid out for print
   (``book/_ext/static/actlib-print.css``); images, fonts and formulas are waited for (MathJax
   in the browser when the page loads it; formulas typeset when the book was built need no
   wait).
3. A table of contents is put in front: the parts of ``_toc.yml`` and their chapters (and the
   pages listed under a chapter), in order, each a link to its page. Each part becomes a
   heading in front of its first chapter, so the bookmarks group the chapters by part; every
   chapter starts on a new page.
4. Chromium prints the page to PDF, with the document outline (bookmarks) made from the
   headings and working internal links. The script then reads the PDF back and checks that
   the outline has an entry for every chapter; it prints the number of pages and the size.

Exit status 1 with a message naming what is missing (the built page, Chromium, a chapter).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import re
import sys
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
DEFAULT_OUTPUT = ROOT / "_build" / "pdf" / "activation-functions.pdf"
CHROMIUM = os.environ.get("ACTLIB_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
TIMEOUT_MS = 300_000
PAGE_NAME = "actlib-whole-book.html"
SOURCE_SUFFIXES = (".ipynb", ".md", ".rst")


class PdfError(Exception):
    """Something the PDF needs is missing; the message says what and how to get it."""


# --------------------------------------------------------------------------- table of contents


@dataclass(frozen=True)
class TocEntry:
    """One line of the printed table of contents.

    Attributes:
        level: 0 for a part caption, 1 for a chapter, 2 for a page listed under a chapter.
        docname: the page (Sphinx docname, no suffix); empty for a part caption.
        caption: the part's caption; empty for a page (its title is read from the page).
    """

    level: int
    docname: str = ""
    caption: str = ""


def _docname(entry: str) -> str:
    for suffix in SOURCE_SUFFIXES:
        if entry.endswith(suffix):
            return entry[: -len(suffix)]
    return entry


def _glob(pattern: str, root: Path) -> list[str]:
    """The docnames a ``glob:`` entry of ``_toc.yml`` matches, sorted as Sphinx sorts them."""
    found = {
        _docname(p.relative_to(root).as_posix())
        for p in root.glob(pattern)
        if p.suffix in SOURCE_SUFFIXES and p.is_file()
    }
    return sorted(found)


def toc_entries(toc_path: Path, root: Path | None = None) -> list[TocEntry]:
    """The table of contents of ``_toc.yml`` (a ``jb-book``), in reading order.

    Args:
        toc_path: the ``_toc.yml`` file.
        root: the folder that ``file`` and ``glob`` entries are relative to (default: the
            folder of ``toc_path``).

    Returns:
        The root page, then for each part its caption (level 0) followed by its chapters
        (level 1) and the pages listed under them (level 2, ``glob`` entries expanded against
        the source files).

    Raises:
        PdfError: the file is missing or is not a ``jb-book`` table of contents.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "_toc.yml").write_text(
    ...     "format: jb-book\\nroot: intro\\nparts:\\n  - caption: One\\n"
    ...     "    chapters:\\n      - file: a.ipynb\\n")
    >>> [(e.level, e.docname or e.caption) for e in toc_entries(folder / "_toc.yml")]
    [(1, 'intro'), (0, 'One'), (1, 'a')]
    """
    root = toc_path.parent if root is None else root
    if not toc_path.is_file():
        raise PdfError(f"no table of contents at {toc_path}")
    toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    if not isinstance(toc, dict) or toc.get("format") != "jb-book" or "root" not in toc:
        raise PdfError(f"{toc_path} is not a jb-book table of contents (format: jb-book, root)")
    entries = [TocEntry(1, _docname(str(toc["root"])))]

    def pages(items: Any, level: int) -> None:
        for item in items or []:
            if not isinstance(item, dict):
                raise PdfError(f"{toc_path}: an entry is not a mapping: {item!r}")
            if "file" in item:
                entries.append(TocEntry(level, _docname(str(item["file"]))))
            elif "glob" in item:
                entries.extend(TocEntry(level, d) for d in _glob(str(item["glob"]), root))
            for key in ("sections", "chapters"):
                pages(item.get(key), min(level + 1, 2))

    for part in toc.get("parts") or []:
        entries.append(TocEntry(0, caption=str(part.get("caption", ""))))
        pages(part.get("chapters"), 1)
    pages(toc.get("chapters"), 1)
    return entries


# --------------------------------------------------------------------------- single page build


def build_single_page(root: Path = ROOT, *, strict: bool = True) -> int:
    """Render the book as one HTML page into ``_build/singlehtml``; returns Sphinx's status.

    The build is the one ``jupyter-book build . --builder singlehtml -W -n --keep-going`` would
    run, with one correction: the HTML writers that extensions register for the ``html``
    builder only (myst-nb's folded code cells) are also used by the ``singlehtml`` builder.
    (Sphinx falls back to the ``html`` writers only for a builder that has none of its own, and
    sphinx-exercise registers some for ``singlehtml``.) The parsed pages are shared with the
    HTML build (``_build/.doctrees``), so an unchanged book is only written, not read again.
    """
    from jupyter_book.config import get_final_config
    from sphinx.application import Sphinx
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    overrides: dict[str, Any] = {
        "external_toc_path": (root / "_toc.yml").as_posix(),
        "latex_individualpages": False,
    }
    if strict:
        overrides["nitpicky"] = True
    config, _ = get_final_config(
        user_yaml=root / "_config.yml",
        cli_config=overrides,
        sourcedir=root,
        use_external_toc=True,
    )
    with patch_docutils(None), docutils_namespace():
        app = Sphinx(
            srcdir=root,
            confdir=None,
            outdir=root / "_build" / "singlehtml",
            doctreedir=root / "_build" / ".doctrees",
            buildername="singlehtml",
            confoverrides=config,
            status=sys.stdout,
            warning=sys.stderr,
            warningiserror=strict,
            keep_going=strict,
        )
        # As jupyter-book does: MathJax on the page, and chapter numbers that run on across
        # the parts of the table of contents.
        app.set_html_assets_policy("always")
        if app.config["use_multitoc_numbering"]:
            app.setup_extension("sphinx_multitoc_numbering")
        handlers = app.registry.translation_handlers
        single = handlers.setdefault("singlehtml", {})
        for node, visitors in handlers.get("html", {}).items():
            single.setdefault(node, visitors)
        app.build()
        return int(app.statuscode)


# --------------------------------------------------------------------------- printing

# Waits for what the printed page shows: images (lazy ones are loaded now), fonts, and the
# formulas when MathJax typesets them in the browser.
SETTLE = """
async () => {
  const images = Array.from(document.images);
  for (const img of images) img.loading = "eager";
  await Promise.all(images.map((img) => img.complete ? null : new Promise((done) => {
    img.addEventListener("load", done, { once: true });
    img.addEventListener("error", done, { once: true });
  })));
  const mj = window.MathJax;
  const typeset = !!(mj && mj.startup && mj.startup.promise);
  if (typeset) await mj.startup.promise;
  if (document.fonts) await document.fonts.ready;
  if (window.actlibPrintFit) window.actlibPrintFit();
  return {
    typeset: typeset,
    math: document.querySelectorAll(".math").length,
    containers: document.querySelectorAll("mjx-container").length,
    broken: images.filter((img) => !(img.complete && img.naturalWidth > 0))
      .map((img) => (img.getAttribute("src") || "").slice(0, 100)),
  };
}
"""

# Puts the table of contents in front of the book and starts every chapter on a new page.
# Argument: [{level, docname, caption}] in book order. Returns the docnames not on the page and
# the titles of those that are.
CONTENTS = """
(entries) => {
  const article = document.querySelector("article.bd-article") || document.body;
  // Each page of the book starts at <span id="document-NAME">, except the root page, which
  // starts the article.
  const anchor = (docname) => document.getElementById("document-" + docname)
    || (docname === entries[0].docname ? article.querySelector("section[id]") : null);
  const title = (docname) => {
    const start = anchor(docname);
    const node = start && (start.matches("section") ? start : start.nextElementSibling);
    const heading = node && node.querySelector("h1, h2, h3, h4");
    if (!heading) return docname;
    const copy = heading.cloneNode(true);
    copy.querySelectorAll(".headerlink").forEach((el) => el.remove());
    return copy.textContent.replace(/\\s+/g, " ").trim();
  };
  const missing = [];
  const titles = [];
  const partLinks = [];
  let pendingPart = null;
  let parts = 0;
  const nav = document.createElement("nav");
  nav.id = "actlib-pdf-contents";
  nav.innerHTML = "<h1>Contents</h1>";
  let list = null;
  for (const entry of entries) {
    if (entry.level === 0) {
      const part = document.createElement("p");
      part.className = "actlib-pdf-part";
      part.textContent = entry.caption;
      nav.appendChild(part);
      list = null;
      pendingPart = entry.caption;
      continue;
    }
    const target = anchor(entry.docname);
    if (!target) { missing.push(entry.docname); continue; }
    if (pendingPart !== null) {
      // The part becomes a heading of the book (and a top-level entry of the PDF outline)
      // in front of its first chapter.
      const heading = document.createElement("h1");
      heading.className = "actlib-pdf-part-title";
      heading.id = "actlib-pdf-part-" + (++parts);
      heading.textContent = pendingPart;
      target.parentNode.insertBefore(heading, target);
      partLinks.push([heading.id, pendingPart]);
      pendingPart = null;
    }
    if (!list) { list = document.createElement("ul"); nav.appendChild(list); }
    const item = document.createElement("li");
    item.className = "actlib-pdf-level-" + entry.level;
    const link = document.createElement("a");
    link.href = "#" + target.id;
    link.textContent = title(entry.docname);
    titles.push(link.textContent);
    item.appendChild(link);
    list.appendChild(item);
  }
  for (const [id, caption] of partLinks) {
    const part = Array.from(nav.querySelectorAll(".actlib-pdf-part"))
      .find((p) => p.textContent === caption && !p.querySelector("a"));
    if (part) {
      part.textContent = "";
      const link = document.createElement("a");
      link.href = "#" + id;
      link.textContent = caption;
      part.appendChild(link);
    }
  }
  article.insertBefore(nav, article.firstChild);
  const style = document.createElement("style");
  style.textContent = `
    #jb-print-docs-body { display: none !important; }
    #actlib-pdf-contents { break-after: page; }
    #actlib-pdf-contents h1 { margin-top: 0; }
    #actlib-pdf-contents ul { list-style: none; padding-left: 0; margin: 0.2em 0 0.6em; }
    #actlib-pdf-contents .actlib-pdf-part { font-weight: 600; margin: 0.8em 0 0.1em; }
    #actlib-pdf-contents .actlib-pdf-level-1 { margin-left: 1em; }
    #actlib-pdf-contents .actlib-pdf-level-2 { margin-left: 2.5em; font-size: 90%; }
    #actlib-pdf-contents a { text-decoration: none; }
    span[id^="document-"] + section { break-before: page; }
    h1.actlib-pdf-part-title { break-before: page; break-after: avoid; font-size: 2.2em;
      margin: 0 0 0.5em; padding-bottom: 0.3em; border-bottom: 1px solid #999; }
    h1.actlib-pdf-part-title + span[id^="document-"] + section { break-before: avoid; }
  `;
  document.head.appendChild(style);
  return { missing: missing, titles: titles };
}
"""

# Links to a place on the page itself become fragment links (the builder writes many as
# "<root page>.html#target", which in the PDF would point at the local server). Returns how many
# links were changed.
LOCAL_LINKS = """
() => {
  let changed = 0;
  for (const a of document.querySelectorAll("a[href]")) {
    const url = new URL(a.href, document.baseURI);
    if (url.origin !== location.origin || !url.hash) continue;
    const id = decodeURIComponent(url.hash.slice(1));
    if (document.getElementById(id)) {
      a.setAttribute("href", "#" + id);
      changed += 1;
    }
  }
  return changed;
}
"""

FOOTER = (
    '<div style="font-size:8px;width:100%;padding:0 15mm;color:#555;'
    'display:flex;justify-content:space-between;font-family:sans-serif">'
    '<span class="title"></span><span><span class="pageNumber"></span> / '
    '<span class="totalPages"></span></span></div>'
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        return


@contextmanager
def _serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free local port (fonts and scripts load as on the site)."""
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder))
    )
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="pdf-server", daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield f"http://{host}:{port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def require_chromium(chromium: str) -> None:
    """Raise :class:`PdfError` saying how to install Chromium when ``chromium`` is missing."""
    if not Path(chromium).is_file():
        raise PdfError(
            f"Chromium not found at {chromium}: run "
            "./scripts/ensure-system-package.sh /usr/bin/chromium chromium or set "
            "ACTLIB_CHROMIUM to a Chromium/Chrome binary."
        )


def require_inputs(single_dir: Path, root_doc: str, chromium: str) -> Path:
    """The built single page; raises :class:`PdfError` naming what is missing and the fix.

    The single page is written under the name of the book's root page (``book/intro.html``;
    ``index.html`` only redirects to it).
    """
    page = single_dir / f"{root_doc}.html"
    if not page.is_file():
        raise PdfError(
            f"the single-page book is missing: {page} does not exist. Build it with "
            "`make pdf` (or run scripts/make_pdf.py without --no-build)."
        )
    require_chromium(chromium)
    return page


def print_pdf(single_dir: Path, output: Path, entries: list[TocEntry], chromium: str) -> list[str]:
    """Print the single page to ``output`` with a table of contents in front.

    ``entries`` come from :func:`toc_entries`: the first is the root page, the name of the
    single page. Returns the titles of the pages, as the table of contents shows them.
    """
    root_doc = entries[0].docname
    single_page = require_inputs(single_dir, root_doc, chromium)
    from playwright.sync_api import sync_playwright

    output.parent.mkdir(parents=True, exist_ok=True)
    with _serve(single_dir) as origin, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            # Laid out for print from the start, so that scripts that measure the page (the
            # fitting of wide formulas) measure the printed layout.
            page.emulate_media(media="print")
            # The builder writes the page under the root page's name but links its assets
            # relative to the top folder: it is served from there.
            address = f"{origin}/{PAGE_NAME}"
            page.route(address, lambda route: route.fulfill(path=single_page, status=200))
            response = page.goto(address, wait_until="load")
            if response is None or not response.ok:
                raise PdfError(f"could not load {single_dir / root_doc}.html in Chromium")
            state = page.evaluate(SETTLE)
            if state["broken"]:
                raise PdfError(f"images that do not load: {', '.join(state['broken'][:5])}")
            if state["math"] and not (state["typeset"] or state["containers"]):
                raise PdfError("the page has formulas but nothing typeset them")
            contents = page.evaluate(
                CONTENTS,
                [{"level": e.level, "docname": e.docname, "caption": e.caption} for e in entries],
            )
            if contents["missing"]:
                raise PdfError(
                    f"pages of _toc.yml missing from the single page: {contents['missing']}"
                )
            page.evaluate(LOCAL_LINKS)
            page.evaluate("() => window.actlibPrintFit && window.actlibPrintFit()")
            page.pdf(
                path=str(output),
                prefer_css_page_size=True,
                print_background=True,
                outline=True,
                tagged=True,
                display_header_footer=True,
                header_template="<span></span>",
                footer_template=FOOTER,
            )
        finally:
            browser.close()
        local = sorted(
            set(
                re.findall(
                    rb"/URI\s*\((" + re.escape(origin.encode()) + rb"[^)]*)\)", output.read_bytes()
                )
            )
        )
    if local:
        shown = ", ".join(u.decode("latin-1") for u in local[:5])
        raise PdfError(f"{len(local)} links of the PDF point at the local server: {shown}")
    return list(contents["titles"])


# --------------------------------------------------------------------------- reading it back


@dataclass(frozen=True)
class PdfSummary:
    """What the printed file holds: its pages and the titles of its outline (bookmarks)."""

    pages: int
    outline: list[str]


_OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)


def _pdf_string(raw: bytes) -> str:
    """A PDF string object (literal ``(...)`` or hex ``<...>``) as text."""
    if raw.startswith(b"<"):
        data = bytes.fromhex(raw[1:-1].decode("ascii"))
    else:
        body = raw[1:-1]
        data = re.sub(
            rb"\\([nrtbf()\\]|[0-7]{1,3})",
            lambda m: (
                bytes([int(m[1], 8) & 0xFF])
                if m[1][:1].isdigit()
                else {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}.get(
                    m[1], m[1]
                )
            ),
            body,
        )
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    return data.decode("latin-1")


def _objects(data: bytes) -> Iterator[bytes]:
    """Every object of the file, those packed in compressed object streams included."""
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        yield body
        if b"/Type /ObjStm" in body or b"/Type/ObjStm" in body:
            stream = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
            first = re.search(rb"/First (\d+)", body)
            if stream and first:
                try:
                    unpacked = zlib.decompress(stream.group(1))
                except zlib.error:
                    continue
                yield unpacked[int(first.group(1)) :]


def summarize_pdf(data: bytes) -> PdfSummary:
    """Count the pages of a PDF and list its outline titles (enough for Chromium's files).

    Args:
        data: the bytes of a PDF file.

    Returns:
        The number of page objects and the titles of the outline items, in file order.

    Raises:
        PdfError: ``data`` is not a PDF.
    """
    if not data.startswith(b"%PDF-"):
        raise PdfError("not a PDF file (it does not start with %PDF-)")
    pages = 0
    titles: list[str] = []
    for body in _objects(data):
        pages += len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", body))
        for item in re.finditer(rb"/Title\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>)", body):
            if re.search(rb"/Parent\b", body):
                titles.append(_pdf_string(item.group(1)))
    return PdfSummary(pages=pages, outline=titles)


def check_outline(summary: PdfSummary, chapter_titles: list[str]) -> list[str]:
    """The chapter titles that have no entry in the PDF outline (empty when all have one)."""

    def norm(text: str) -> str:
        # Chromium drops the space where a long heading wraps onto a second line.
        return re.sub(r"\s+", "", text).casefold()

    outline = {norm(t) for t in summary.outline}
    return [t for t in chapter_titles if norm(t) not in outline]


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument(
        "--no-build", action="store_true", help="print the page already in _build/singlehtml"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        entries = toc_entries(ROOT / "_toc.yml")
        require_chromium(CHROMIUM)
        if not args.no_build:
            status = build_single_page(ROOT)
            if status:
                raise PdfError(f"the single-page build failed (status {status}); see above")
        built = time.perf_counter()
        titles = print_pdf(SINGLE, args.output, entries, CHROMIUM)
        summary = summarize_pdf(args.output.read_bytes())
        missing = check_outline(summary, titles)
        if missing:
            raise PdfError(f"pages with no entry in the PDF outline: {missing}")
    except PdfError as exc:
        print(f"make_pdf: {exc}", file=sys.stderr)
        return 1
    printed = time.perf_counter()
    size = args.output.stat().st_size
    print(
        f"{args.output}: {summary.pages} pages, {len(summary.outline)} outline entries, "
        f"{size / 1e6:.1f} MB (build {built - started:.0f} s, print {printed - built:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
