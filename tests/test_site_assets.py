"""Light pages: math typeset and icons drawn when the site is built (book/_ext/actlib_static.py).

These tests run MathJax under Node.js (installed by ``npm ci``, as the book build needs it) on
small pieces of Sphinx's HTML, and read the icons from the theme's own Font Awesome script.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import actlib_static as st  # noqa: E402

MATHJAX_FONTS = st.NODE_ROOT / "node_modules/mathjax-full/es5/output/chtml/fonts/woff-v2"


@pytest.fixture(scope="module")
def icon_script() -> Path:
    import pydata_sphinx_theme

    path = (
        Path(pydata_sphinx_theme.__file__).parent
        / "theme/pydata_sphinx_theme/static/scripts/fontawesome.js"
    )
    assert path.is_file(), path
    return path


INLINE = '<p>Slope <span class="math notranslate nohighlight">\\(f&#39;(0) &lt; 1\\)</span>.</p>'
DISPLAY = (
    '<div class="math notranslate nohighlight" id="equation-sig">\n'
    '<span class="eqno">(1)<a class="headerlink" href="#equation-sig">#</a></span>'
    "\\[\\sigma(x) = \\frac{1}{1 + e^{-x}}\\]</div>"
)
OUTPUT = (
    '<div class="output text_latex math notranslate nohighlight" tabindex="-1">\n'
    "\\[\\displaystyle \\phi(x) = x\\]</div>"
)
AMS = (
    '<div class="math notranslate nohighlight">\n'
    "\\begin{align}\na &amp;= b \\\\\nc &amp;= d\n\\end{align}</div>"
)


def test_formulas_are_read_from_sphinx_markup() -> None:
    found = st.find_formulas(INLINE + DISPLAY + AMS + OUTPUT)
    assert found == [
        st.Formula("f'(0) < 1", False),
        st.Formula("\\sigma(x) = \\frac{1}{1 + e^{-x}}", True),
        st.Formula("\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}", True),
        st.Formula("\\displaystyle \\phi(x) = x", True),
    ]
    done = st.replace_formulas(OUTPUT, st.typeset(found[-1:], "fonts")[0])
    assert done.startswith('<div class="output text_latex math notranslate nohighlight"')
    assert "<mjx-container" in done and "\\[" not in done


def test_typeset_pages_keep_equation_numbers_and_lose_the_tex() -> None:
    page = INLINE + DISPLAY + AMS
    formulas = st.find_formulas(page)
    markup, css = st.typeset(formulas, "fonts")
    assert len(markup) == 3 and all(m.startswith("<mjx-container") for m in markup)
    assert 'display="true"' in markup[1] and 'display="true"' not in markup[0]
    # Screen readers get MathML.
    assert all("<mjx-assistive-mml" in m for m in markup)
    done = st.replace_formulas(page, markup)
    assert "\\(" not in done and "\\[" not in done and "\\begin{align}" not in done
    assert '<span class="eqno">(1)' in done and 'id="equation-sig"' in done
    assert st.find_formulas(done) == []  # typeset pages are left alone by the next build
    # The stylesheet covers the characters used (italic sigma, U+1D70E) and points at the fonts.
    assert "mjx-c1D70E" in css and "fonts/MathJax_Main-Regular.woff" in css


def test_tex_error_fails_with_the_formula() -> None:
    with pytest.raises(st.SiteAssetError, match=r"Undefined control sequence.*\\\\notamacro"):
        st.typeset([st.Formula("x + \\notamacro", False)], "fonts")


def test_icons_are_read_from_the_theme(icon_script: Path) -> None:
    icons = st.font_awesome_icons(icon_script)
    assert set(icons) == {"fab", "far", "fas"}
    assert icons["fas"]["bars"].path.startswith("M")
    assert icons["fab"]["github"].width > 0
    # The same name in two styles has two drawings.
    assert icons["far"]["moon"] != icons["fas"]["moon"]
    # Aliases resolve (Font Awesome 6 keeps the names of version 5).
    assert icons["fas"]["navicon"] == icons["fas"]["bars"]


def test_icons_are_drawn_by_one_stylesheet(icon_script: Path) -> None:
    icons = st.font_awesome_icons(icon_script)
    page = (
        '<body class="x"><button><span class="fa-solid fa-bars"></span></button>'
        '<i class="theme-switch fa-regular fa-moon fa-lg" data-mode="dark" title="Dark"></i>'
        '<i class="fab fa-github"></i><i class="fa-solid fa-bars"></i>'
        '<i class="fa-solid fa-no-such-icon"></i><i class="fa-solid fa-moon">text</i></body>'
    )
    used = st.icons_used(page)
    # Elements with content are not icons; size modifiers are not icons either.
    assert used == {
        ("fa-solid", "fa-bars"),
        ("fa-regular", "fa-moon"),
        ("fab", "fa-github"),
        ("fa-solid", "fa-no-such-icon"),
    }
    css, unknown = st.icon_stylesheet(used, icons)
    assert unknown == ["fa-solid fa-no-such-icon"]
    rules = dict(line.split("{", 1) for line in css.strip().splitlines())
    assert set(rules) == {
        ":where(.fa-solid.fa-bars)",
        ":where(.fa-regular.fa-moon)",
        ":where(.fab.fa-github)",
    }
    # Each rule masks the text colour with that icon's own drawing.
    from urllib.parse import unquote

    assert icons["fas"]["bars"].path in unquote(rules[":where(.fa-solid.fa-bars)"])
    assert icons["far"]["moon"].path in unquote(rules[":where(.fa-regular.fa-moon)"])
    assert "background-color:currentColor" in rules[":where(.fab.fa-github)"]


def test_icon_script_tag_is_dropped() -> None:
    page = (
        '<head>\n  <script defer src="_static/scripts/fontawesome.js?digest=1"></script>\n</head>'
    )
    assert "fontawesome" not in st.drop_icon_script(page)


def _page(body: str) -> str:
    head = '<head><script defer src="_static/scripts/fontawesome.js"></script></head>'
    return f"<html>{head}<body>{body}</body></html>"


def test_site_stylesheet_covers_pages_not_rebuilt(tmp_path: Path, icon_script: Path) -> None:
    fonts = tmp_path / "fonts-source"
    fonts.mkdir()
    main = "MathJax_Main-Regular.woff"
    (fonts / main).write_bytes((MATHJAX_FONTS / main).read_bytes())
    out = tmp_path / "html"
    (out / "_static").mkdir(parents=True)
    (out / "a.html").write_text(_page(INLINE), encoding="utf-8")
    (out / "b.html").write_text(_page(DISPLAY), encoding="utf-8")
    record = tmp_path / "doctrees" / "formulas.json"
    # A record left inside the site by an older build is read once, then leaves the site.
    (out / "_static" / st.OLD_RECORD_DIR).mkdir()
    (out / "_static" / st.OLD_RECORD_DIR / "formulas.json").write_text("{}", encoding="utf-8")
    stats = st.process_site(out, icon_script, fonts, record)
    assert stats == {"pages": 2, "formulas": 2}
    assert not (out / "_static" / st.OLD_RECORD_DIR).exists()
    css = (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")
    assert "mjx-c1D70E" in css  # sigma, from page b
    # The font is cut to the characters drawn (it loses most of its glyphs).
    cut = out / "_static" / st.FONT_DIR / main
    assert 0 < cut.stat().st_size < (fonts / main).stat().st_size / 2
    assert "fontawesome.js" not in (out / "a.html").read_text(encoding="utf-8")
    assert (out / "_static" / st.ICON_CSS).is_file()

    # Sphinx rewrites only page a: the stylesheet still covers page b's sigma.
    (out / "a.html").write_text(_page(INLINE), encoding="utf-8")
    assert st.process_site(out, icon_script, fonts, record) == {"pages": 1, "formulas": 1}
    assert "mjx-c1D70E" in (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")
    assert set(json.loads(record.read_text(encoding="utf-8"))) == {"a.html", "b.html"}

    # A page deleted from the site no longer counts.
    (out / "b.html").unlink()
    (out / "a.html").write_text(_page(INLINE), encoding="utf-8")
    st.process_site(out, icon_script, fonts, record)
    assert "mjx-c1D70E" not in (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")


def test_repeated_inline_code_is_shared() -> None:
    lib = "window.lib = window.lib || {};" + "/* padding */" * 200
    style = ".x{color:red}" * 200
    pages = {
        "a.html": f"<style>{style}</style><script>{lib}</script><script>init(1)</script>"
        f"<style>{style}</style><script>{lib}</script><script>init(2)</script>",
        "sub/b.html": f"<script>{lib}</script><script>short()</script>",
        "c.html": "<script>" + "unique();" * 400 + "</script>",
    }
    files = st.share_inline_code(
        pages, {"a.html": "_static", "sub/b.html": "../_static", "c.html": "_static"}
    )
    assert sorted(files.values(), key=len) == sorted([lib, style], key=len)
    js = next(n for n, body in files.items() if body == lib)
    css = next(n for n, body in files.items() if body == style)
    # First occurrence refers to the file, later ones go; small and unique code stays inline.
    assert pages["a.html"] == (
        f'<link rel="stylesheet" href="_static/actlib-shared/{css}">'
        f'<script src="_static/actlib-shared/{js}"></script><script>init(1)</script>'
        "<script>init(2)</script>"
    )
    assert pages["sub/b.html"] == (
        f'<script src="../_static/actlib-shared/{js}"></script><script>short()</script>'
    )
    assert pages["c.html"].startswith("<script>unique();")


def test_typeset_formulas_leave_out_what_the_page_provides(
    tmp_path: Path, icon_script: Path
) -> None:
    fonts = tmp_path / "fonts-source"
    fonts.mkdir()
    out = tmp_path / "html"
    (out / "_static").mkdir(parents=True)
    (out / "a.html").write_text(_page(INLINE + DISPLAY), encoding="utf-8")
    st.process_site(out, icon_script, fonts, tmp_path / "record.json")
    page = (out / "a.html").read_text(encoding="utf-8")
    css = (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")
    assert page.count("<mjx-container") == 2 and page.count("<math") == 2
    # One rule places every formula's hidden MathML; the parser gives <math> its namespace.
    assert "position: relative" not in page and "xmlns=" not in page
    assert css.endswith(st.MATH_CONTAINER_CSS)
    assert 'class=" MJX-TEX"' not in page and 'class="MJX-TEX"' in page


PYGMENTS = """
html[data-theme="light"] .highlight pre { line-height: 125%; }
html[data-theme="light"] .highlight { background: #fefefe; color: #080808 }
html[data-theme="light"] .highlight .n { color: #080808 } /* Name */
html[data-theme="light"] .highlight .o { color: #00622F } /* Operator */
html[data-theme="light"] .highlight .p { color: #080808 } /* Punctuation */
html[data-theme="light"] .highlight .ge { font-style: italic } /* Generic.Emph */
html[data-theme="light"] .highlight .w { color: #080808 } /* Text.Whitespace */
html[data-theme="light"] .highlight .nx { color: #080808 } /* Name.Other */
html[data-theme="light"] .highlight .pm { color: #080808 } /* Punctuation.Marker */
html[data-theme="dark"] .highlight { background: #2b2b2b; color: #F8F8F2 }
html[data-theme="dark"] .highlight .n { color: #F8F8F2 } /* Name */
html[data-theme="dark"] .highlight .o { color: #ABE338 } /* Operator */
html[data-theme="dark"] .highlight .p { color: #FFD900 } /* Punctuation */
html[data-theme="dark"] .highlight .ge { font-style: italic } /* Generic.Emph */
html[data-theme="dark"] .highlight .nx { color: #F8F8F2 } /* Name.Other */
html[data-theme="dark"] .highlight .pm { color: #F8F8F2 } /* Punctuation.Marker */
"""


def test_plain_tokens_of_highlighted_code_lose_their_spans(tmp_path: Path) -> None:
    static = tmp_path / "_static"
    static.mkdir()
    (static / "pygments.css").write_text(PYGMENTS, encoding="utf-8")
    # A rule for a lone .pm counts; one that needs a second class (signatures) does not.
    (static / "basic.css").write_text(
        ".sig-param.n{font-style:italic}span.pm:hover{color:red}", encoding="utf-8"
    )
    # n and nx: the plain colour in both modes. o: coloured; p: coloured in the dark mode;
    # ge: italic; w: no rule in the dark mode (it takes the <pre>'s colour there); pm: styled.
    assert st.plain_token_classes(static) == {"n", "nx"}

    code = (
        '<div class="highlight-ipython3 notranslate"><div class="highlight"><pre><span></span>'
        '<span class="n">y</span> <span class="o">=</span> <span class="n">f</span>'
        '<span class="p">(</span><span class="n">x</span><span class="p">)</span>\n'
        "</pre></div></div>"
    )
    output = (
        '<div class="output stream highlight-myst-ansi notranslate"><div class="highlight">'
        '<pre><span></span>loss <span class="n">x</span>\n</pre></div></div>'
    )
    done = st.unwrap_plain_tokens(code + output, {"n", "nx"})
    assert done == (
        '<div class="highlight-ipython3 notranslate"><div class="highlight">'
        f'<pre class="{st.PLAIN_PRE}"><span></span>'
        'y <span class="o">=</span> f<span class="p">(</span>x<span class="p">)</span>\n'
        "</pre></div></div>" + output
    )
    # The text is unchanged, and a second pass changes nothing.
    assert st._ANY_TAG.sub("", done) == st._ANY_TAG.sub("", code + output)
    assert st.unwrap_plain_tokens(done, {"n", "nx"}) == done
    # The rule that gives such code its plain colour ships with the site.
    site_css = (ROOT / "book/_ext/static/actlib-site.css").read_text(encoding="utf-8")
    assert f".highlight pre.{st.PLAIN_PRE} {{\n  color: inherit;" in site_css


def test_white_space_between_tags_collapses_outside_preformatted_text() -> None:
    page = (
        "<!DOCTYPE html>\n<html>\n  <head>\n    <script>\n  if (a<b) { x = '</p>\n\n'; }\n"
        "    </script>\n  <style>\n  p {}\n  </style>\n  </head>\n"
        '  <body>\n    <p title="a >\n   b">one\n      two  three</p>\n\n\n'
        "    <pre>\n  keep\n\n    this\n</pre>  <textarea>\n  x\n</textarea>\n"
        "    <!-- a\n   comment -->\n  </body>\n</html>\n"
    )
    done = st.collapse_whitespace(page)
    assert done == (
        "<!DOCTYPE html>\n<html>\n<head>\n<script>\n  if (a<b) { x = '</p>\n\n'; }\n"
        "    </script>\n<style>\n  p {}\n  </style>\n</head>\n"
        '<body>\n<p title="a >\n   b">one\ntwo  three</p>\n'
        "<pre>\n  keep\n\n    this\n</pre>  <textarea>\n  x\n</textarea>\n"
        "<!-- a\n   comment -->\n</body>\n</html>\n"
    )
    assert st.collapse_whitespace(done) == done


def test_downloaded_notebooks_are_compact_and_the_same_notebook(tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nSome *prose*."),
        nbformat.v4.new_code_cell("import numpy as np\nx = np.arange(3)\nx"),
    ]
    nb.cells[1].outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a\nb\n"),
        nbformat.v4.new_output("execute_result", data={"text/plain": "array([0, 1, 2])"}),
    ]
    text = nbformat.writes(nb)  # indented, with every multi-line string split into lines
    assert '"source": [' in text
    folder = tmp_path / "_sources" / "notebooks"
    folder.mkdir(parents=True)
    (folder / "a.ipynb").write_text(text, encoding="utf-8")
    (tmp_path / "_sources" / "page.md").write_text("# Page\n", encoding="utf-8")
    saved = st.compact_sources(tmp_path)
    slim = (folder / "a.ipynb").read_text(encoding="utf-8")
    assert saved == len(text.encode()) - len(slim.encode()) > 0
    assert "\n " not in slim  # no indentation
    assert nbformat.reads(slim, as_version=4) == nbformat.reads(text, as_version=4)
    nbformat.validate(nbformat.reads(slim, as_version=4))
    assert (tmp_path / "_sources" / "page.md").read_text(encoding="utf-8") == "# Page\n"
    assert st.compact_sources(tmp_path) == 0


FA_CSS = (
    ':root{--fa-font-solid:normal 900 1em/1 "Font Awesome 6 Free";'
    '--fa-font-brands:normal 400 1em/1 "Font Awesome 6 Brands";--icon-note:"\\f05a";'
    '--icon-github:"\\f09b"}'
    "@font-face{font-family:Font Awesome\\ 6 Free;font-weight:900;"
    'src:url(../vendor/fontawesome/webfonts/fa-solid-900.subset.woff) format("woff")}'
    "@font-face{font-family:Font Awesome\\ 6 Free;font-weight:400;"
    'src:url(../vendor/fontawesome/webfonts/fa-regular-400.woff2) format("woff2")}'
    "@font-face{font-family:Font Awesome\\ 6 Brands;font-weight:400;"
    'src:url(../vendor/fontawesome/webfonts/fa-brands-400.woff2) format("woff2")}'
    "@font-face{font-family:Body;src:url(body.woff2)}"
    ".note .title:after{content:var(--icon-note);font:var(--fa-font-solid)}"
    ".note.tip .title:after{content:var(--icon-note)}"
    "a.github:before{content:var(--icon-github);font:var(--fa-font-brands)}"
)


def _icon_site(tmp_path: Path, body: str) -> Path:
    fonts = tmp_path / "_static/vendor/fontawesome/webfonts"
    fonts.mkdir(parents=True)
    for name in ("fa-solid-900.subset.woff", "fa-regular-400.woff2", "fa-brands-400.woff2"):
        (fonts / name).write_bytes(b"font")
    (tmp_path / "_static/styles").mkdir()
    (tmp_path / "_static/styles/theme.css").write_text(FA_CSS, encoding="utf-8")
    (tmp_path / "page.html").write_text(f"<body>{body}</body>", encoding="utf-8")
    return tmp_path


def test_icon_fonts_no_glyph_uses_are_dropped(tmp_path: Path) -> None:
    site = _icon_site(tmp_path / "a", '<div class="note"><p class="title">Note</p></div>')
    deleted = st.drop_unused_icon_faces(site)
    # The brands glyph rule names a class no page has: only the solid face is drawn with.
    assert sorted(deleted) == ["fa-brands-400.woff2", "fa-regular-400.woff2"]
    css = (site / "_static/styles/theme.css").read_text(encoding="utf-8")
    assert "fa-solid-900.subset.woff" in css and "fa-regular" not in css and "brands-400" not in css
    assert "@font-face{font-family:Body" in css  # other fonts are not icon fonts
    assert "a.github:before" in css  # rules other than faces are the purge's business

    # A page with a link of that class needs the brands face too; no page needs the solid one.
    site = _icon_site(tmp_path / "b", '<a class="github" href="x">code</a>')
    assert sorted(st.drop_unused_icon_faces(site)) == [
        "fa-regular-400.woff2",
        "fa-solid-900.subset.woff",
    ]


def test_module_files_of_a_subpackage_become_sections(tmp_path: Path) -> None:
    from types import SimpleNamespace

    import actlib_site

    api = tmp_path / "book" / "api"
    api.mkdir(parents=True)
    for name in ("actlib", "actlib.shapes", "actlib.act", "actlib.act.relu", "actlib.nn.deep"):
        (api / f"{name}.rst").write_text(f"{name}\n", encoding="utf-8")
    config = SimpleNamespace(autosummary_context={"module_pages": ["actlib.nn"]})
    app = SimpleNamespace(srcdir=str(tmp_path), config=config)
    actlib_site._api_sections(app)
    # Pages: top-level modules, subpackages, and the modules of a subpackage kept as pages.
    assert sorted(p.name for p in api.glob("*.rst")) == [
        "actlib.act.rst",
        "actlib.nn.deep.rst",
        "actlib.rst",
        "actlib.shapes.rst",
    ]
    section = api / "sections" / "actlib.act.relu.rst"
    assert section.read_text(encoding="utf-8") == "actlib.act.relu\n"

    # Written again unchanged by the next build: the section keeps its date (its page is not
    # read again); written with new content, it is replaced.
    import os

    os.utime(section, (1_000_000, 1_000_000))
    (api / "actlib.act.relu.rst").write_text("actlib.act.relu\n", encoding="utf-8")
    actlib_site._api_sections(app)
    assert not (api / "actlib.act.relu.rst").exists() and section.stat().st_mtime == 1_000_000
    (api / "actlib.act.relu.rst").write_text("changed\n", encoding="utf-8")
    actlib_site._api_sections(app)
    assert section.read_text(encoding="utf-8") == "changed\n"


def test_api_pages_of_an_older_layout_leave_the_site(tmp_path: Path) -> None:
    from types import SimpleNamespace

    import actlib_site

    pages = tmp_path / "book" / "api"
    pages.mkdir(parents=True)
    for name in ("actlib.act", "actlib.act.relu"):
        (pages / f"{name}.html").write_text("<html></html>", encoding="utf-8")
    app = SimpleNamespace(env=SimpleNamespace(all_docs={"book/api/actlib.act": 0.0}))
    actlib_site._drop_stale_api_pages(app, tmp_path)
    assert [p.name for p in pages.iterdir()] == ["actlib.act.html"]


def test_purge_reads_comments_between_rules_as_comments() -> None:
    css = (
        "/*! licence */\n"
        'html[data-theme="light"] .highlight .k { color: #6730C5 } /* Keyword */\n'
        'html[data-theme="light"] .highlight .mi { color: #7F4707 } /* Literal.Number.Integer */\n'
        'html[data-theme="light"] .highlight .s2 { color: #00622F } /* Literal.String.Double */\n'
        "/* a; b { c } */ .gone, .k /* x.y */ { color: red }\n"
        "@media print { /* note.x */ .mi { color: black } .gone { color: red } }\n"
    )
    done = st.purge_css(css, {"html", "highlight", "k", "mi", "s2"})
    assert done == (
        "/*! licence */"
        'html[data-theme="light"] .highlight .k{ color: #6730C5 }'
        'html[data-theme="light"] .highlight .mi{ color: #7F4707 }'
        'html[data-theme="light"] .highlight .s2{ color: #00622F }'
        ".k{ color: red }"
        "@media print{.mi{ color: black }}"
    )
