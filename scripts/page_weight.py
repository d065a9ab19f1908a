"""Report the weight of every page of the built site: its HTML, its images, its styles and scripts.

Usage: python scripts/page_weight.py [--site _build/html] [--pages 'notebooks/*'] [--check]

For each HTML page of the built site, the bytes a first visit downloads:

- ``html``: the page itself (data-URI images included);
- ``data img``: the part of ``html`` that is images embedded as ``data:image/...`` URIs;
- ``img files``: every image file the page references (``<img src>``, ``<source srcset>``,
  ``<object data>``, ``<image href>``, icons), each file counted once;
- ``images``: the two together, the page's image weight;
- ``css+js``: the stylesheets and scripts the page loads;
- ``fonts``: the font files those stylesheets reference (an upper bound: a browser fetches only
  the faces a page uses);
- ``total``: everything above.

With ``--check`` the exit status is 1 when a page's images exceed ``--image-budget`` bytes or
its total exceeds ``--total-budget`` bytes (defaults: 450 KB and 1 MiB), so the numbers can be
watched in CI; without it the script only reports. A reference to another host is listed, as
the site must work offline.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import sys
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
IMAGE_SUFFIXES = {".png", ".svg", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico"}
FONT_SUFFIXES = {".woff", ".woff2", ".ttf", ".otf", ".eot"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")


@dataclass
class References:
    """What one HTML page loads, as the URLs written in it."""

    images: list[str] = field(default_factory=list)
    styles: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.refs = References()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "img" and a.get("src"):
            self.refs.images.append(a["src"])
        elif tag == "source" and a.get("srcset"):
            self.refs.images += [part.split()[0] for part in a["srcset"].split(",") if part.strip()]
        elif tag == "object" and a.get("data"):
            self.refs.images.append(a["data"])
        elif tag == "image" and (a.get("href") or a.get("xlink:href")):
            self.refs.images.append(a.get("href") or a["xlink:href"])
        elif tag == "link":
            rel = a.get("rel", "").lower().split()
            href = a.get("href", "")
            if "stylesheet" in rel and href:
                self.refs.styles.append(href)
            elif "icon" in rel and href:
                self.refs.images.append(href)
        elif tag == "script" and a.get("src"):
            self.refs.scripts.append(a["src"])


def references(html: str) -> References:
    """The images, stylesheets and scripts an HTML page refers to.

    >>> r = references('<img src="a.svg"><link rel="stylesheet" href="s.css"><script src="j.js">')
    >>> r.images, r.styles, r.scripts
    (['a.svg'], ['s.css'], ['j.js'])
    """
    collector = _Collector()
    collector.feed(html)
    return collector.refs


def data_uri_bytes(uri: str) -> int:
    """The length of a data URI as written in the page (what it adds to the HTML's bytes).

    >>> data_uri_bytes("data:image/png;base64,YWJj")
    26
    """
    return len(uri.encode("utf-8"))


def _local(base: Path, url: str, site: Path) -> Path | None:
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    path = (base.parent / unquote(parts.path)).resolve()
    return path if path.is_file() and site in path.parents else None


@dataclass
class Weight:
    """The bytes of one page's first visit, by kind (see the module docstring)."""

    page: str
    html: int
    data_images: int
    image_files: int
    css_js: int
    fonts: int
    external: list[str]

    @property
    def images(self) -> int:
        return self.data_images + self.image_files

    @property
    def total(self) -> int:
        return self.html + self.image_files + self.css_js + self.fonts


def weigh(page: Path, site: Path) -> Weight:
    """Measure one page of the built site."""
    text = page.read_text(encoding="utf-8")
    refs = references(text)
    external: list[str] = []

    def files(urls: list[str]) -> set[Path]:
        found = set()
        for url in urls:
            if url.startswith("data:"):
                continue
            local = _local(page, url, site)
            if local is not None:
                found.add(local)
            elif urlsplit(url).scheme in ("http", "https") or url.startswith("//"):
                external.append(url)
        return found

    data_images = sum(data_uri_bytes(u) for u in refs.images if u.startswith("data:image"))
    # Data URIs written elsewhere in the page (inline CSS, inline SVG, explorer fallbacks).
    data_images += sum(
        len(m.group(0))
        for m in re.finditer(r"data:image/[a-z+.-]+;base64,[A-Za-z0-9+/=]+", text)
        if m.group(0) not in refs.images
    )
    images = files(refs.images)
    styles, scripts = files(refs.styles), files(refs.scripts)
    fonts: set[Path] = set()
    for css in styles:
        for url in CSS_URL.findall(css.read_text(encoding="utf-8", errors="replace")):
            local = _local(css, url, site)
            if local is not None and local.suffix.lower() in FONT_SUFFIXES:
                fonts.add(local)
    return Weight(
        page=page.relative_to(site).as_posix(),
        html=len(text.encode("utf-8")),
        data_images=data_images,
        image_files=sum(p.stat().st_size for p in images),
        css_js=sum(p.stat().st_size for p in styles | scripts),
        fonts=sum(p.stat().st_size for p in fonts),
        external=external,
    )


def _kb(n: int) -> str:
    return f"{n / 1000:8.1f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--pages", default="*", help="glob of pages to show, e.g. 'notebooks/*'")
    parser.add_argument("--check", action="store_true", help="exit 1 when a budget is exceeded")
    parser.add_argument("--image-budget", type=int, default=450_000)
    parser.add_argument("--total-budget", type=int, default=1024 * 1024)
    args = parser.parse_args(argv)
    site = args.site.resolve()
    if not (site / "index.html").is_file():
        parser.error(f"no built site in {site} (build the book first)")
    pages = sorted(
        p
        for p in site.rglob("*.html")
        if fnmatch.fnmatch(p.relative_to(site).as_posix(), args.pages)
        and not p.relative_to(site).as_posix().startswith(("_static/", "_sources/"))
    )
    weights = [weigh(p, site) for p in pages]
    print("page weights in kB (1 kB = 1000 bytes)")
    header = ("html", "data img", "img files", "images", "css+js", "fonts", "total")
    width = max(len(w.page) for w in weights)
    print(f"{'page':<{width}} " + " ".join(f"{h:>9}" for h in header))
    over = []
    for w in weights:
        cols = (w.html, w.data_images, w.image_files, w.images, w.css_js, w.fonts, w.total)
        flag = ""
        if w.images > args.image_budget:
            flag += "  images over budget"
        if w.total > args.total_budget:
            flag += "  total over budget"
        if w.external:
            flag += f"  external: {', '.join(sorted(set(w.external)))}"
        if flag:
            over.append(w.page)
        print(f"{w.page:<{width}} " + " ".join(f"{_kb(c):>9}" for c in cols) + flag)
    print(
        f"budgets: images <= {args.image_budget / 1000:.0f} kB, "
        f"total <= {args.total_budget / 1000:.0f} kB; {len(over)} page(s) flagged"
    )
    return 1 if args.check and over else 0


if __name__ == "__main__":
    sys.exit(main())
