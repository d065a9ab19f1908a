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
    stats = st.process_site(out, icon_script, fonts)
    assert stats == {"pages": 2, "formulas": 2}
    css = (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")
    assert "mjx-c1D70E" in css  # sigma, from page b
    # The font is cut to the characters drawn (it loses most of its glyphs).
    cut = out / "_static" / st.FONT_DIR / main
    assert 0 < cut.stat().st_size < (fonts / main).stat().st_size / 2
    assert "fontawesome.js" not in (out / "a.html").read_text(encoding="utf-8")
    assert (out / "_static" / st.ICON_CSS).is_file()

    # Sphinx rewrites only page a: the stylesheet still covers page b's sigma.
    (out / "a.html").write_text(_page(INLINE), encoding="utf-8")
    assert st.process_site(out, icon_script, fonts) == {"pages": 1, "formulas": 1}
    assert "mjx-c1D70E" in (out / "_static" / st.MATH_CSS).read_text(encoding="utf-8")
    record = json.loads((out / "_static" / st.RECORD).read_text(encoding="utf-8"))
    assert set(record) == {"a.html", "b.html"}

    # A page deleted from the site no longer counts.
    (out / "b.html").unlink()
    (out / "a.html").write_text(_page(INLINE), encoding="utf-8")
    st.process_site(out, icon_script, fonts)
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
