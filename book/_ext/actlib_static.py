"""Light pages: mathematics and icons become static markup when the site is built.

Readers of the course open a chapter once, often on a phone. Two scripts used to make most of
that first visit: MathJax (1.1 MB, typesetting every formula in the reader's browser) and the
icon-font script of the theme (1.45 MB, drawing a dozen icons). Both are done once, here:

* **Mathematics.** Sphinx writes inline math as ``<span class="math …">\\(…\\)</span>`` and
  display math as ``<div class="math …">\\[…\\]</div>``. After the HTML pages are written, every
  such formula is typeset by MathJax 3 under Node.js (``typeset_math.cjs``; ``npm ci`` installs
  it) into CommonHTML markup with hidden MathML for screen readers. One stylesheet,
  ``_static/actlib-math.css``, holds the rules for every character the site uses, and the
  MathJax fonts are copied to ``_static/mathjax-fonts/`` (a browser fetches only the few a page
  needs). A TeX error fails the build, naming the page and the formula.
* **Icons.** The theme's ``<i class="fa-… fa-name">`` (or ``<span …>``) elements are drawn by
  one generated stylesheet, ``_static/actlib-icons.css``: each icon used on any page, read
  from the theme's own Font Awesome script, becomes a CSS mask; that script is not loaded.

Pages that Sphinx did not rewrite keep their static markup; the formulas of every page are
recorded next to Sphinx's build data (not in the site) so that the stylesheet always covers
all pages.

* **Lighter markup** (nothing changes for the reader; see :func:`finish_page`): highlighted
  code drops the ``<span>`` of tokens the highlighting style paints in its plain text colour,
  runs of indentation between tags become one line break, and the typeset formulas lose
  attributes that a stylesheet rule or the HTML parser already provides. The notebooks offered
  for download are written as compact JSON (the same notebook for Jupyter).
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from actlib_i18n import EDITIONS

HERE = Path(__file__).resolve().parent
#: The folder holding ``package.json`` and ``node_modules`` (the repository root).
NODE_ROOT = Path(os.environ.get("ACTLIB_NODE_ROOT", HERE.parents[1]))
TYPESET = HERE / "typeset_math.cjs"

MATH_CSS = "actlib-math.css"
FONT_DIR = "mathjax-fonts"
#: Where older builds kept the record of every page's formulas (inside the site, which shipped
#: it although no page reads it); it now lives with Sphinx's build data (see process_site).
OLD_RECORD_DIR = "actlib-math"


def site_files(outdir: Path, pattern: str) -> list[Path]:
    """The files of this edition's site matching ``pattern``, in every folder (sorted).

    The other editions' sites live in subfolders (the Chinese one at ``zh/``,
    ``actlib_i18n.EDITIONS``) and are built and finished on their own: they are left out.
    """
    others = {e.folder for e in EDITIONS if e.folder} - {outdir.name}
    return sorted(p for p in outdir.rglob(pattern) if p.relative_to(outdir).parts[0] not in others)


class SiteAssetError(RuntimeError):
    """Raised when the static math or icons cannot be produced (the build then fails)."""


# --------------------------------------------------------------------------- mathematics

# Sphinx's HTML for math nodes (sphinx.ext.mathjax, Sphinx 7): inline spans and display divs,
# the latter possibly starting with an equation number; myst-nb writes LaTeX outputs of cells
# (SymPy's displays) as display divs with more classes.
_MATH = re.compile(
    r'<(?P<tag>span|div) class="(?P<cls>(?:[\w-]+ )*math notranslate nohighlight)"'
    r"(?P<attrs>[^>]*)>(?P<body>.*?)</(?P=tag)>",
    re.DOTALL,
)
_EQNO = re.compile(r'^\s*(<span class="eqno">.*?</span>)', re.DOTALL)


@dataclass(frozen=True)
class Formula:
    """One formula as Sphinx wrote it: its TeX source and whether it is displayed."""

    tex: str
    display: bool


def _formula(tag: str, body: str) -> tuple[str, Formula]:
    """Split a math element's body into its equation-number markup and its formula."""
    eqno = ""
    found = _EQNO.match(body)
    if found:
        eqno = found.group(1)
        body = body[found.end() :]
    tex = html.unescape(body).strip()
    for start, end in (("\\(", "\\)"), ("\\[", "\\]")):
        if tex.startswith(start) and tex.endswith(end):
            return eqno, Formula(tex[len(start) : -len(end)].strip(), start == "\\[")
    # amsmath environments are written without delimiters and are always displayed.
    return eqno, Formula(tex, tag == "div")


def _untypeset(page: str) -> Iterator[re.Match[str]]:
    return (m for m in _MATH.finditer(page) if "<mjx-container" not in m["body"])


def find_formulas(page: str) -> list[Formula]:
    """Every formula of a page not typeset yet, in order (Sphinx's markup)."""
    return [_formula(m["tag"], m["body"])[1] for m in _untypeset(page)]


def typeset(formulas: Sequence[Formula], font_url: str) -> tuple[list[str], str]:
    """Typeset formulas with MathJax under Node.js.

    Returns:
        The markup of each formula (``<mjx-container …>``) and the stylesheet for all of them.

    Raises:
        SiteAssetError: Node.js or MathJax is missing, or a formula has a TeX error.
    """
    node = shutil.which("node")
    if node is None:
        raise SiteAssetError(
            "Node.js is needed to typeset the book's mathematics: install it (Debian: "
            "apt-get install nodejs npm) and run `npm ci` in the repository root."
        )
    request = {
        "items": [{"tex": f.tex, "display": f.display} for f in formulas],
        "fontURL": font_url,
    }
    done = subprocess.run(
        [node, str(TYPESET), str(NODE_ROOT)],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SiteAssetError(f"typesetting the mathematics failed: {done.stderr.strip()}")
    answer = json.loads(done.stdout)
    if answer["errors"]:
        lines = [f"  {e['message']}: {e['tex'][:120]!r}" for e in answer["errors"]]
        raise SiteAssetError("TeX errors in the book's mathematics:\n" + "\n".join(lines))
    return list(answer["html"]), str(answer["css"])


_CSS_CONTENT = re.compile(r'content:\s*"((?:[^"\\]|\\.)*)"')
_CSS_ESCAPE = re.compile(r"\\([0-9A-Fa-f]{1,6}) ?|\\(.)")


def css_characters(css: str) -> set[str]:
    """Every character the ``content`` of a stylesheet's rules draws (CSS escapes decoded).

    MathJax draws each character of a formula with a rule such as
    ``mjx-c.mjx-c1D53C.TEX-A::before { content: "E" }`` in one of its fonts; cutting every
    font to the characters the site draws keeps each font a page fetches small (the AMS font
    is 40 kB whole, for the one letter of the expectation sign).

    >>> sorted(css_characters('a::before{content: "E"} b::before{content: "\\2212"}'))
    ['E', '−']
    """
    found: set[str] = set()
    for body in _CSS_CONTENT.findall(css):
        text = _CSS_ESCAPE.sub(lambda m: chr(int(m[1], 16)) if m[1] else m[2], body)
        found.update(text)
    return found


def replace_formulas(page: str, markup: Iterable[str]) -> str:
    """Put typeset markup in place of each math element's TeX (same order as find_formulas)."""
    it = iter(markup)

    def sub(m: re.Match[str]) -> str:
        if "<mjx-container" in m["body"]:
            return m.group(0)
        eqno, _ = _formula(m["tag"], m["body"])
        return f'<{m["tag"]} class="{m["cls"]}"{m["attrs"]}>{eqno}{next(it)}</{m["tag"]}>'

    return _MATH.sub(sub, page)


# --------------------------------------------------------------------------- icons


@dataclass(frozen=True)
class Icon:
    """An icon of Font Awesome: its view box and SVG path."""

    width: int
    height: int
    path: str

    def data_url(self) -> str:
        """The icon as an SVG data URL (for a CSS mask)."""
        svg = (
            f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {self.width} {self.height}'>"
            f"<path d='{self.path}'/></svg>"
        )
        return "data:image/svg+xml," + quote(svg, safe="/:=' ,.-")


#: Style prefixes of the packs in the theme's script, and the class names that select them.
_PACKS = {"fab": "brands", "far": "regular", "fas": "solid"}
_STYLE_CLASSES = {
    "fab": "fab",
    "fa-brands": "fab",
    "far": "far",
    "fa-regular": "far",
    "fas": "fas",
    "fa-solid": "fas",
    "fa": "fas",
}
_PACK_START = re.compile(r"var \w+=\{")
_PACK_END = re.compile(r'\(function\(\)\{\w+\("(fa[bsr])",\w+\)')
_ENTRY = re.compile(
    r'(?:"(?P<q>[\w-]+)"|(?P<b>[\w-]+)):\[(?P<w>\d+),(?P<h>\d+),\[(?P<alias>[^\]]*)\],'
    r'(?:"[0-9a-f]+"|\d+),"(?P<path>[^"]*)"\]'
)


@functools.cache
def font_awesome_icons(script: Path) -> dict[str, dict[str, Icon]]:
    """The free icons defined in Font Awesome's ``all.js``, by style prefix and name."""
    text = script.read_text(encoding="utf-8")
    packs: dict[str, dict[str, Icon]] = {}
    for end in _PACK_END.finditer(text):
        starts = [m.end() for m in _PACK_START.finditer(text, 0, end.start())]
        if not starts:
            continue
        body = text[starts[-1] : end.start()]
        icons: dict[str, Icon] = {}
        for m in _ENTRY.finditer(body):
            icon = Icon(int(m["w"]), int(m["h"]), m["path"])
            icons[m["q"] or m["b"]] = icon
            for alias in re.findall(r'"([\w-]+)"', m["alias"]):
                icons.setdefault(alias, icon)
        packs[end.group(1)] = icons
    if set(packs) != set(_PACKS) or not all(packs.values()):
        raise SiteAssetError(f"could not read the icon packs of {script} (found {sorted(packs)})")
    return packs


_ICON = re.compile(r'<(?:i|span)\b[^>]*? class="(?P<cls>[^"]*\bfa-[^"]*)"[^>]*>\s*</(?:i|span)>')
_ICON_SCRIPT = re.compile(r'\s*<script defer src="[^"]*/fontawesome\.js[^"]*"></script>')
ICON_CSS = "actlib-icons.css"


def icons_used(page: str) -> set[tuple[str, str]]:
    """The (style class, icon class) pairs of the empty Font Awesome elements of a page.

    The style class is the one written on the element (``fa-solid``, ``fas``, ``fab`` …), or
    ``""`` when there is none (solid then).
    """
    found = set()
    for m in _ICON.finditer(page):
        classes = m["cls"].split()
        style = next((c for c in classes if c in _STYLE_CLASSES), "")
        for c in classes:
            if c.startswith("fa-") and c not in _STYLE_CLASSES and c not in _MODIFIERS:
                found.add((style, c))
    return found


#: Font Awesome classes that change size or spacing, never the drawing.
_MODIFIERS = {"fa-lg", "fa-xs", "fa-sm", "fa-fw", "fa-2x", "fa-3x", "fa-xl", "fa-2xs", "fa-1x"}


def icon_stylesheet(
    used: set[tuple[str, str]], icons: dict[str, dict[str, Icon]]
) -> tuple[str, list[str]]:
    """CSS that draws each used icon as a mask over the text colour; returns it and unknowns.

    The pages keep the theme's ``<i class="fa-solid fa-bars">`` elements; one stylesheet for
    the whole site draws them (a few kilobytes instead of the 1.45 MB icon-font script), in a
    copy opened from disk too.
    """
    rules = []
    unknown = []
    for style, cls in sorted(used):
        pack = _STYLE_CLASSES.get(style, "fas")
        icon = icons[pack].get(cls[3:])
        if icon is None:
            unknown.append(f"{style} {cls}".strip())
            continue
        # No specificity (:where), so that the theme's rules that hide or size icons (the
        # colour-mode switch shows one of three) still apply.
        selector = f":where(.{style}.{cls})" if style else f":where(.{cls})"
        url = icon.data_url()
        rules.append(
            f"{selector}{{display:inline-block;width:{icon.width / icon.height:.4f}em;"
            f"height:1em;vertical-align:-0.125em;background-color:currentColor;"
            f'-webkit-mask:url("{url}") no-repeat center/contain;'
            f'mask:url("{url}") no-repeat center/contain}}'
        )
    return "\n".join(rules) + "\n", unknown


def drop_icon_script(page: str) -> str:
    return _ICON_SCRIPT.sub("", page)


# --------------------------------------------------------------------------- the site


def process_site(
    outdir: Path, icon_script: Path, font_source: Path, record_path: Path
) -> dict[str, int]:
    """Typeset the math and inline the icons of every page of a built HTML site, in place.

    ``record_path`` keeps every page's formulas from one build to the next (outside the site:
    no page reads it), so that the math stylesheet covers the pages Sphinx did not rewrite.
    """
    static = outdir / "_static"
    plain = plain_token_classes(static)
    record: dict[str, list[list[object]]] = {}
    old_record = static / OLD_RECORD_DIR / "formulas.json"
    for known in (record_path, old_record):
        if known.is_file():
            record = json.loads(known.read_text(encoding="utf-8"))
            break
    icons = font_awesome_icons(icon_script)
    paths = [p for p in site_files(outdir, "*.html") if "_static" not in p.parts]
    original = {p: p.read_text(encoding="utf-8") for p in paths}
    pages: dict[str, str] = {}
    used: set[tuple[str, str]] = set()
    for path, text in original.items():
        used |= icons_used(text)
        changed = drop_icon_script(text)
        if path.relative_to(outdir).as_posix() != "search.html":
            changed = drop_search_scripts(changed)
        pages[str(path)] = unwrap_plain_tokens(changed, plain)
    static_urls = {
        str(p): "/".join([".."] * (len(p.relative_to(outdir).parts) - 1) + ["_static"])
        for p in paths
    }
    shared = share_inline_code(pages, static_urls)
    if shared:
        (static / SHARED_DIR).mkdir(parents=True, exist_ok=True)
        for name, body in shared.items():
            (static / SHARED_DIR / name).write_text(body, encoding="utf-8")
    fresh: dict[Path, tuple[str, list[Formula]]] = {}
    for path in paths:
        changed = pages[str(path)]
        formulas = find_formulas(changed)
        if formulas:
            fresh[path] = (changed, formulas)
            record[path.relative_to(outdir).as_posix()] = [[f.tex, f.display] for f in formulas]
        else:
            changed = finish_page(changed)
            if changed != original[path]:
                path.write_text(changed, encoding="utf-8")
    # Pages removed from the site no longer count.
    record = {k: v for k, v in record.items() if (outdir / k).is_file()}
    record_path.parent.mkdir(parents=True, exist_ok=True)
    record_path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(static / OLD_RECORD_DIR, ignore_errors=True)
    icon_css, unknown = icon_stylesheet(used, icons)
    if unknown:
        raise SiteAssetError(f"icons missing from the theme's icon set: {sorted(unknown)}")
    (static / ICON_CSS).write_text(icon_css, encoding="utf-8")
    stats = {"pages": len(fresh), "formulas": 0}
    if not fresh:
        return stats
    everything: dict[Formula, int] = {}
    for items in record.values():
        for tex, display in items:
            everything.setdefault(Formula(str(tex), bool(display)), len(everything))
    markup, css = typeset(list(everything), f"{FONT_DIR}")
    markup = [compact_math(m) for m in markup]
    for path, (text, formulas) in fresh.items():
        page = replace_formulas(text, (markup[everything[f]] for f in formulas))
        path.write_text(finish_page(page), encoding="utf-8")
        stats["formulas"] += len(formulas)
    (static / MATH_CSS).write_text(css + MATH_CONTAINER_CSS, encoding="utf-8")
    fonts = static / FONT_DIR
    fonts.mkdir(parents=True, exist_ok=True)
    characters = css_characters(css)
    for font in font_source.glob("*.woff"):
        subset_font(font, fonts / font.name, {ord(c) for c in characters})
    return stats


# --------------------------------------------------------------------------- theme assets

# Pages other than search.html load Sphinx's search index (hundreds of kilobytes) only for the
# theme's search-as-you-type, which this book does not use; the search page loads its own.
_SEARCH_SCRIPTS = re.compile(
    r'\s*<script src="[^"]*'
    r'(?:_static/searchtools\.js|_static/language_data\.js|searchindex\.js)"></script>'
)
# Font Awesome's icon classes (``.fa-bars:before{content:"\f0c9"}``, often grouped): the icons
# are inline SVG now, so these rules only weigh on the stylesheet.
_FA_CLASS_RULE = re.compile(r'(?:\.fa-[\w-]+:{1,2}before,?)+\{content:"[^"]*"\}')
# Icon glyphs in the private-use area, written as CSS escapes or as the characters themselves.
_FA_ESCAPE = re.compile(r'"\\([ef][0-9a-f]{3})"')
_FA_CHAR = re.compile("[\ue000-\uf8ff]")
_SOLID_FACE = re.compile(r'src:url\((?P<base>[^)]*?)fa-solid-900\.woff2\) format\("woff2"\)')
# Every browser that runs the theme reads WOFF2: the TrueType fallbacks are never fetched.
_TTF_FALLBACK = re.compile(r',url\([^)]*?\.ttf\) format\("truetype"\)')
SOLID_SUBSET = "fa-solid-900.subset.woff"


def drop_search_scripts(page: str) -> str:
    return _SEARCH_SCRIPTS.sub("", page)


def slim_icon_css(css: str) -> tuple[str, set[int]]:
    """Drop the icon-class rules; return the stylesheet and the glyphs its other rules use."""
    slim = _FA_CLASS_RULE.sub("", css)
    escaped = {int(code, 16) for code in _FA_ESCAPE.findall(slim)}
    return slim, escaped | {ord(c) for c in _FA_CHAR.findall(slim)}


def subset_font(source: Path, target: Path, codepoints: set[int]) -> None:
    """Write a WOFF font holding only ``codepoints`` of ``source`` (fontTools, zlib)."""
    import logging

    from fontTools import subset

    # fontTools reports each table it cuts at the INFO level: not news for the build's log.
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    options = subset.Options()
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_legacy = True
    options.name_languages = ["*"]
    options.recalc_bounds = False
    options.hinting = False  # browsers scale these outlines well without hints
    options.drop_tables += ["FFTM"]  # a font editor's timestamp
    options.flavor = "woff"
    options.layout_features = []
    font = subset.load_font(str(source), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=sorted(codepoints))
        subsetter.subset(font)
        subset.save_font(font, str(target), options)
    finally:
        font.close()


def slim_theme(static: Path) -> dict[str, int]:
    """Icon-class rules out of the theme stylesheets; the solid icon font cut to what is used."""
    glyphs: set[int] = set()
    sheets = sorted(static.glob("styles/*.css")) + sorted(static.glob("*.css"))
    slimmed: dict[Path, str] = {}
    for sheet in sheets:
        css, used = slim_icon_css(sheet.read_text(encoding="utf-8"))
        css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
        glyphs |= used
        slimmed[sheet] = css
    solid = static / "vendor" / "fontawesome" / "webfonts" / "fa-solid-900.ttf"
    for sheet, css in slimmed.items():
        css = _TTF_FALLBACK.sub("", css)
        if solid.is_file():
            css = _SOLID_FACE.sub(
                lambda m: f'src:url({m["base"]}{SOLID_SUBSET}) format("woff")', css
            )
        sheet.write_text(css, encoding="utf-8")
    if solid.is_file():
        subset_font(solid, solid.with_name(SOLID_SUBSET), glyphs)
    # Font files no stylesheet refers to any more.
    referenced = "".join(p.read_text(encoding="utf-8") for p in sheets)
    for font in static.glob("vendor/fontawesome/webfonts/*"):
        if font.name != SOLID_SUBSET and font.name not in referenced:
            font.unlink()
    return {"glyphs": len(glyphs)}


# A rule without nested blocks (a selector list or an at-rule's prelude, and its block).
_RULE = re.compile(r"(?P<prelude>[^{}]*)\{(?P<body>[^{}]*)\}")
_FACE_RULE = re.compile(r"@font-face\s*\{(?P<body>[^{}]*)\}")
_DECLARATION = re.compile(r"(?P<name>[\w-]+)\s*:\s*(?P<value>[^;]*)")
_VAR = re.compile(r"^var\((?P<name>--[\w-]+)\)$")
_CLASS_ATTR = re.compile(r'\sclass="(?P<value>[^"]*)"')


def _family(value: str) -> str:
    """A font family as CSS writes it (quoted, or with escaped spaces) → its plain name."""
    return value.split(",")[0].replace("\\", "").strip().strip("\"'").strip()


def _font_of(decls: dict[str, str], variables: dict[str, str]) -> tuple[str, str] | None:
    """The (family, weight) a rule states, from ``font`` (often a variable) or ``font-*``."""

    def resolve(value: str) -> str:
        var = _VAR.match(value.strip())
        return variables.get(var["name"], "") if var else value

    if "font" in decls:
        # The shorthand as Font Awesome writes it: "normal 900 1em/1 "Font Awesome 6 Free"".
        found = re.match(r"\s*(?:normal\s+)?(?P<w>\d{3})\s+\S+\s+(?P<f>.+)", resolve(decls["font"]))
        if found:
            return _family(found["f"]), found["w"]
    if "font-family" in decls:
        weight = resolve(decls.get("font-weight", "400")).strip()
        return _family(resolve(decls["font-family"])), {"normal": "400"}.get(weight, weight)
    return None


def drop_unused_icon_faces(outdir: Path) -> list[str]:
    """Drop the ``@font-face`` rules of icon fonts that no rule of the site draws a glyph with.

    The icons are CSS masks now (:func:`icon_stylesheet`): what is left of Font Awesome in the
    theme's stylesheets is the odd rule that writes a glyph (``content: "\\f107"`` or a
    variable holding one) in a stated face. A glyph rule counts when one of its selectors can
    match: each class it names is on some element of a page or is a word of a script. The
    faces no such rule uses (the regular and brands fonts, 140 kB) are never fetched for a
    glyph, so their rules go, and with them the font files, which no stylesheet names any
    more. A glyph rule that does not state its face takes it from another rule of the same
    element (the theme writes the face once for all admonition titles, the glyph per kind).

    Returns:
        The names of the font files deleted.
    """
    static = outdir / "_static"
    sheets = sorted(static.rglob("*.css"))
    texts = {sheet: sheet.read_text(encoding="utf-8") for sheet in sheets}
    known: set[str] = set()
    for page in site_files(outdir, "*.html"):
        for attr in _CLASS_ATTR.finditer(page.read_text(encoding="utf-8")):
            known.update(attr["value"].split())
    for script in site_files(outdir, "*.js"):
        known.update(_WORD.findall(script.read_text(encoding="utf-8", errors="replace")))
    variables: dict[str, str] = {}
    rules = []
    for css in texts.values():
        for rule in _RULE.finditer(css):
            decls = {d["name"]: d["value"].strip() for d in _DECLARATION.finditer(rule["body"])}
            variables.update({k: v for k, v in decls.items() if k.startswith("--")})
            rules.append((rule["prelude"], decls))
    needed: set[tuple[str, str]] = set()
    for prelude, decls in rules:
        content = decls.get("content", "")
        var = _VAR.match(content)
        if var:
            content = variables.get(var["name"], "")
        if not (_FA_ESCAPE.search(content) or _FA_CHAR.search(content)):
            continue
        prelude = re.sub(r"/\*.*?\*/", "", prelude, flags=re.DOTALL)
        if not any(_selector_may_match(s, known) for s in _split_selectors(prelude)):
            continue
        face = _font_of(decls, variables)
        if face is not None:
            needed.add(face)
    if not needed:
        return []  # no face is known to be used: keep them all

    def face(m: re.Match[str]) -> str:
        decls = {d["name"]: d["value"].strip() for d in _DECLARATION.finditer(m["body"])}
        key = _font_of(decls, variables)
        if key is None or "Font Awesome" not in key[0] or key in needed:
            return m.group(0)
        return ""

    for sheet, css in texts.items():
        slim = _FACE_RULE.sub(face, css)
        if slim != css:
            sheet.write_text(slim, encoding="utf-8")
    referenced = "".join(sheet.read_text(encoding="utf-8") for sheet in sheets)
    deleted = []
    for font in static.glob("vendor/fontawesome/webfonts/*"):
        if font.name not in referenced:
            font.unlink()
            deleted.append(font.name)
    return deleted


# --------------------------------------------------------------------------- lighter markup

#: The class given to highlighted code whose plain tokens lost their ``<span>``; one rule of
#: ``actlib-site.css`` gives that code the highlighting style's plain text colour.
PLAIN_PRE = "actlib-plain"
_HIGHLIGHT_PRE = re.compile(r'<div class="highlight"><pre>(?P<body>.*?)</pre>', re.DOTALL)
_TOKEN = re.compile(r'<span class="(?P<cls>[\w-]+)">(?P<text>[^<]*)</span>')
_ANY_TAG = re.compile(r"<[^>]*>")
_PYGMENTS_RULE = re.compile(
    r"(?P<scope>[^{}]*?)\.highlight(?: \.(?P<cls>[\w-]+))?\s*\{(?P<body>[^{}]*)\}"
)
_COLOUR_ONLY = re.compile(r"\s*color:\s*(?P<colour>[^;\s]+)\s*;?\s*")


def plain_token_classes(static: Path) -> set[str]:
    """The token classes of the highlighting style that only repeat its plain text colour.

    Pygments wraps every token of highlighted code in ``<span class="…">``; in the styles of the
    theme, names (``n``), punctuation (``p``) and whitespace (``w``) get exactly the colour of
    the code block's plain text (``.highlight``), in the light and the dark mode alike. Those
    spans draw nothing: a class counts when, in every colour scheme of ``pygments.css``, its
    only rule sets the colour that scheme gives ``.highlight``, and no rule of another
    stylesheet can style such a span (see :func:`_styles_token`).
    """
    sheet = static / "pygments.css"
    if not sheet.is_file():
        return set()
    css = re.sub(r"/\*.*?\*/", "", sheet.read_text(encoding="utf-8"), flags=re.DOTALL)
    base: dict[str, str] = {}
    rules: dict[str, list[tuple[str, str]]] = {}
    for m in _PYGMENTS_RULE.finditer(css):
        scope = " ".join(m["scope"].split())
        if m["cls"] is None:
            colour = re.search(r"(?:^|;)\s*color:\s*([^;\s]+)", m["body"])
            if colour:
                base[scope] = colour[1].lower()
        else:
            rules.setdefault(m["cls"], []).append((scope, m["body"]))
    others = "".join(
        p.read_text(encoding="utf-8") for p in static.rglob("*.css") if p.name != "pygments.css"
    )
    plain = set()
    for cls, found in rules.items():
        if not base or sorted(scope for scope, _ in found) != sorted(base):
            continue
        same = all(
            (m := _COLOUR_ONLY.fullmatch(body)) is not None and m["colour"].lower() == base[scope]
            for scope, body in found
        )
        if same and not _styles_token(cls, others):
            plain.add(cls)
    return plain


def _styles_token(cls: str, css: str) -> bool:
    """Whether a selector of ``css`` can style a lone ``<span class="cls">`` (its last
    compound names that class and no other, as ``.n`` or ``span.n:hover`` do; ``.sig-param.n``
    needs a second class, which the spans of highlighted code never have)."""
    pattern = rf"(?:^|[\s>+~,{{}}])[\w*-]*\.{re.escape(cls)}(?![\w-])(?:[:\[][^,{{}}]*)?\s*[,{{]"
    return re.search(pattern, css) is not None


def unwrap_plain_tokens(page: str, plain: set[str]) -> str:
    """Drop the ``<span>`` around tokens drawn in the plain text colour (see
    :func:`plain_token_classes`) in each highlighted code block of a page.

    A block whose ``<pre>`` holds visible text outside any token (program output) is left as
    it is, since that text takes the page's text colour; the others get the class
    :data:`PLAIN_PRE`, whose rule gives the unwrapped tokens the plain colour they had.

    >>> unwrap_plain_tokens('<div class="highlight"><pre><span class="n">x</span>'
    ...                     ' <span class="o">=</span></pre>', {"n"})
    '<div class="highlight"><pre class="actlib-plain">x <span class="o">=</span></pre>'
    """
    if not plain:
        return page

    def block(m: re.Match[str]) -> str:
        body = m["body"]
        if _ANY_TAG.sub("", _TOKEN.sub("", body)).strip():
            return m.group(0)
        kept = _TOKEN.sub(lambda t: t["text"] if t["cls"] in plain else t.group(0), body)
        return f'<div class="highlight"><pre class="{PLAIN_PRE}">{kept}</pre>'

    return _HIGHLIGHT_PRE.sub(block, page)


# A tag (quoted attribute values may hold ">"), a comment or a declaration.
_TAG = re.compile(
    r"<!--.*?-->|<![A-Za-z][^>]*>"
    r"|<(?P<close>/?)(?P<name>[A-Za-z][\w:-]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*>",
    re.DOTALL,
)
#: Elements whose text is kept as it is (preformatted, or not HTML text).
_RAW_TEXT = frozenset({"pre", "textarea", "script", "style", "svg", "math"})
_LINE_BREAK_RUN = re.compile(r"[ \t\r\f]*\n[ \t\r\n\f]*")


def collapse_whitespace(page: str) -> str:
    r"""Each run of white space holding a line break, between tags, becomes one line break.

    The templates indent their markup deeply (a tenth of a page's navigation is spaces). The
    browser draws any run of white space in text as one space, so the page looks the same;
    the text of ``<pre>``, ``<textarea>``, scripts, styles and inline SVG/MathML is kept as it
    is, and so are attribute values.

    >>> collapse_whitespace('<ul>\n    <li>a\n      b</li>\n\n  </ul><pre>\n  x\n</pre>')
    '<ul>\n<li>a\nb</li>\n</ul><pre>\n  x\n</pre>'
    """
    lower = page.lower()
    out: list[str] = []
    pos = 0
    while True:
        m = _TAG.search(page, pos)
        if m is None:
            out.append(_LINE_BREAK_RUN.sub("\n", page[pos:]))
            return "".join(out)
        out.append(_LINE_BREAK_RUN.sub("\n", page[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
        name = (m["name"] or "").lower()
        if name in _RAW_TEXT and not m["close"] and not m.group(0).endswith("/>"):
            end = lower.find(f"</{name}", pos)
            end = len(page) if end < 0 else end
            out.append(page[pos:end])
            pos = end


#: Given to every typeset formula by one rule instead of a ``style`` attribute on each.
MATH_CONTAINER_CSS = '\nmjx-container[jax="CHTML"] {\n  position: relative;\n}\n'
_MATHML_NS = ' xmlns="http://www.w3.org/1998/Math/MathML"'


def compact_math(markup: str) -> str:
    """Typeset formula markup without what the page provides anyway.

    MathJax writes ``style="position: relative;"`` on every formula (its hidden MathML is
    placed against it): :data:`MATH_CONTAINER_CSS` says it once for all. The MathML namespace
    is implied by the HTML parser for ``<math>``.

    >>> compact_math('<mjx-container jax="CHTML" style="position: relative;">'
    ...              '<mjx-math class=" MJX-TEX"></mjx-math><math xmlns="http://www.w3.org/'
    ...              '1998/Math/MathML"><mi>x</mi></math></mjx-container>')
    '<mjx-container jax="CHTML"><mjx-math class="MJX-TEX"></mjx-math><math><mi>x</mi></math>...'
    """
    head, sep, rest = markup.partition(">")
    if head.startswith("<mjx-container"):
        head = head.replace(' style="position: relative;"', "")
    markup = head + sep + rest
    return markup.replace(_MATHML_NS, "").replace('class=" MJX-TEX"', 'class="MJX-TEX"')


def finish_page(page: str) -> str:
    """The last step for every page: white space between tags collapsed."""
    return collapse_whitespace(page)


def compact_notebook(text: str) -> str:
    """A notebook as compact JSON: no indentation, each multi-line string in one piece.

    nbformat stores a cell's source (and text outputs) as a list of lines or as one string,
    and Jupyter reads both; the download holds the same notebook in about 15 % fewer bytes.
    """
    nb = json.loads(text)

    def join(value: object) -> object:
        return (
            "".join(value)
            if isinstance(value, list) and all(isinstance(v, str) for v in value)
            else value
        )

    for cell in nb.get("cells", []):
        cell["source"] = join(cell.get("source", ""))
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = join(output["text"])
            for mime, value in output.get("data", {}).items():
                if not mime.endswith("json"):
                    output["data"][mime] = join(value)
    return json.dumps(nb, ensure_ascii=False, separators=(",", ":")) + "\n"


def compact_sources(outdir: Path) -> int:
    """Write every notebook under ``_sources`` as compact JSON; returns the bytes saved."""
    saved = 0
    for path in sorted((outdir / "_sources").rglob("*.ipynb")):
        text = path.read_text(encoding="utf-8")
        slim = compact_notebook(text)
        if len(slim.encode()) < len(text.encode()):
            saved += len(text.encode()) - len(slim.encode())
            path.write_text(slim, encoding="utf-8")
    return saved


# --------------------------------------------------------------------------- unused CSS rules


def _block_end(css: str, start: int) -> int:
    """Index just past the ``}`` that closes the block opened at ``css[start - 1] == '{'``."""
    depth, i, n = 1, start, len(css)
    while i < n:
        c = css[i]
        if c in "\"'":
            i = _string_end(css, i)
            continue
        if css.startswith("/*", i):
            i = css.find("*/", i + 2) + 2 if css.find("*/", i + 2) >= 0 else n
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return n


def _string_end(css: str, i: int) -> int:
    quote, i = css[i], i + 1
    while i < len(css) and css[i] != quote:
        i += 2 if css[i] == "\\" else 1
    return i + 1


def _split_selectors(prelude: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, c in enumerate(prelude):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "," and depth == 0:
            parts.append(prelude[start:i])
            start = i + 1
    parts.append(prelude[start:])
    return parts


# Classes inside :not(), :is(), :where(), :has() do not have to be present for a match.
_PSEUDO_ARGS = re.compile(r":(?:not|is|where|has|-webkit-any|-moz-any)\((?:[^()]|\([^()]*\))*\)")
_CLASS = re.compile(r"\.((?:[\w-]|\\.)+)")
_GROUPS = ("@media", "@supports", "@layer", "@container", "@document")


def _selector_may_match(selector: str, known: set[str]) -> bool:
    plain = _PSEUDO_ARGS.sub("", selector)
    return all(c.replace("\\", "") in known for c in _CLASS.findall(plain))


_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def purge_css(css: str, known: set[str]) -> str:
    """Drop the selectors naming a class that appears nowhere in the site's pages or scripts.

    ``known`` is every word of every page and script, a superset of the classes any element can
    carry (classes added by scripts are words of those scripts). Rules left with no selector go;
    at-rule groups (``@media`` …) are purged inside; other at-rules are kept as they are.
    """
    out: list[str] = []
    i, n = 0, len(css)
    while i < n:
        if css[i].isspace():
            i += 1
            continue
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            end = n if end < 0 else end + 2
            if css.startswith("/*!", i):  # licence notices stay
                out.append(css[i:end])
            i = end
            continue
        j = i
        while j < n and css[j] not in "{;}":
            if css.startswith("/*", j):
                end = css.find("*/", j + 2)
                j = n if end < 0 else end + 2
            else:
                j = _string_end(css, j) if css[j] in "\"'" else j + 1
        if j >= n or css[j] == "}":
            out.append(css[i:j])
            i = j + 1
            continue
        # Comments are not selectors: the comment "/* Literal.Number */" that ends a line of
        # pygments.css must not make the next rule name a class "Number".
        prelude = _COMMENT.sub("", css[i:j]).strip()
        if css[j] == ";":
            out.append(css[i : j + 1])
            i = j + 1
            continue
        end = _block_end(css, j + 1)
        body = css[j + 1 : end - 1]
        if prelude.startswith(_GROUPS):
            inner = purge_css(body, known)
            if inner.strip():
                out.append(f"{prelude}{{{inner}}}")
        elif prelude.startswith("@"):
            out.append(css[i:end])
        else:
            kept = [s for s in _split_selectors(prelude) if _selector_may_match(s, known)]
            if kept:
                out.append(",".join(s.strip() for s in kept) + "{" + body + "}")
        i = end
    return "".join(out)


_WORD = re.compile(r"[A-Za-z_][\w-]*")


def site_words(outdir: Path) -> set[str]:
    """Every word of every page and script of the site (a superset of its class names)."""
    words: set[str] = set()
    for path in [*site_files(outdir, "*.html"), *site_files(outdir, "*.js")]:
        words.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
    return words


def purge_site_css(outdir: Path) -> dict[str, int]:
    """Purge every stylesheet under ``_static``; returns the bytes before and after."""
    known = site_words(outdir)
    before = after = 0
    for sheet in sorted((outdir / "_static").rglob("*.css")):
        css = sheet.read_text(encoding="utf-8")
        slim = purge_css(css, known)
        before, after = before + len(css.encode()), after + len(slim.encode())
        sheet.write_text(slim, encoding="utf-8")
    return {"before": before, "after": after}


# --------------------------------------------------------------------------- shared inline code

# An inline <script> or <style> element (no attributes: the ones outputs carry).
_INLINE = re.compile(r"<(?P<tag>script|style)>(?P<body>.*?)</(?P=tag)>", re.DOTALL)
#: Inline code at least this long, found on the site more than once, is shared.
SHARED_MIN = 2000
SHARED_DIR = "actlib-shared"


def share_inline_code(pages: dict[str, str], relative_static: dict[str, str]) -> dict[str, str]:
    """Move inline scripts and styles that the site repeats into files of ``_static``.

    Cell outputs must work on their own in a notebook, so each interactive figure carries its
    library inline; on the site the same code then appears once per figure. Every inline
    ``<script>``/``<style>`` body of at least :data:`SHARED_MIN` characters that occurs more
    than once on the site is written once as ``_static/actlib-shared/<hash>.js|css``; each page
    refers to it at its first occurrence and drops the later ones (the page runs the script
    once, before any later code that uses it).

    Args:
        pages: page path → HTML.
        relative_static: page path → the relative URL of ``_static`` from that page.

    Returns:
        The files to write (name under ``_static/actlib-shared`` → content); ``pages`` is
        updated in place.
    """
    import hashlib

    counts: dict[tuple[str, str], int] = {}
    for text in pages.values():
        for m in _INLINE.finditer(text):
            if len(m["body"]) >= SHARED_MIN:
                key = (m["tag"], m["body"])
                counts[key] = counts.get(key, 0) + 1
    shared = {
        key: hashlib.sha256(key[1].encode()).hexdigest()[:16] for key, n in counts.items() if n > 1
    }
    files = {
        f"{digest}.{'js' if tag == 'script' else 'css'}": body
        for (tag, body), digest in shared.items()
    }
    for name, text in pages.items():
        seen: set[str] = set()

        def sub(m: re.Match[str], name: str = name, seen: set[str] = seen) -> str:
            digest = shared.get((m["tag"], m["body"]))
            if digest is None:
                return m.group(0)
            if digest in seen:
                return ""
            seen.add(digest)
            url = f"{relative_static[name]}/{SHARED_DIR}/{digest}"
            if m["tag"] == "script":
                return f'<script src="{url}.js"></script>'
            return f'<link rel="stylesheet" href="{url}.css">'

        pages[name] = _INLINE.sub(sub, text)
    return files
