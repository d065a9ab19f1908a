"""The words code shows the reader, in English and in Chinese (``ACTLIB_LANGUAGE=zh_CN``).

- Every string literal given to ``tr`` in ``src/actlib`` and in the chapters' code cells, and
  every text of the registry that ``tr_data`` translates, has a Chinese entry in the catalog;
  the catalog has no other entry; ``tr`` is only ever given a literal; both sides of an entry
  have the same ``str.format`` fields; the course's terms are translated as
  ``book/terminology.yml`` says.
- ``language()``, ``tr``, ``tr_data``, ``yes_no`` and ``join_names`` in both languages.
- In Chinese, a figure with Chinese labels and negative ticks renders to SVG and PNG without a
  warning, and the SVG names the Chinese font as a fallback; a missing font is one clear error.
- actlib's own tables, reports, figures and explorers come out in Chinese.
"""

from __future__ import annotations

import ast
import io
import json
import re
import string
import warnings
from pathlib import Path

import matplotlib
import pytest
import yaml
from IPython.core.inputtransformer2 import TransformerManager
from matplotlib.figure import Figure

import actlib
from actlib.display import i18n, style
from actlib.display.i18n import join_names, language, tr, tr_data, yes_no

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "actlib"
CHAPTERS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CATALOG = SRC / "display" / "locale" / "zh_CN.json"
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")

#: English terms and the Chinese term every translation of a text holding them must use
#: (``book/terminology.yml``; checked for the terms whose English word has no other sense in
#: the course's code).
TERMS = (
    "activation function",
    "derivative",
    "gradient",
    "saturat",
    "learning rate",
    "cross-entropy",
    "Jacobian",
    "dead unit",
    "initialisation",
    "variance",
    "perplexity",
)


def _sources() -> list[tuple[str, str]]:
    """(where, Python source) of every module of actlib and every code cell of the chapters."""
    out = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in SRC.rglob("*.py")]
    transform = TransformerManager().transform_cell  # the Colab cell's %pip line
    for path in CHAPTERS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "code":
                where = f"{path.relative_to(ROOT)} cell {i}"
                out.append((where, transform("".join(cell["source"]))))
    return out


def _tr_calls() -> tuple[set[str], list[str]]:
    """The literals given to ``tr``, and the calls that give it anything else."""
    literals: set[str] = set()
    bad: list[str] = []
    for where, source in _sources():
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name != "tr":
                continue
            args = node.args
            if (
                len(args) == 1
                and not node.keywords
                and isinstance(args[0], ast.Constant)
                and isinstance(args[0].value, str)
            ):
                literals.add(args[0].value)
            else:
                bad.append(f"{where}, line {node.lineno}: {ast.unparse(node)[:100]}")
    return literals, bad


def _registry_texts() -> set[str]:
    """The texts of the registry that ``tr_data`` translates (those the chapters show)."""
    texts = set()
    for spec in actlib.specs():
        texts |= {spec.title, spec.summary}
        texts |= {t for t in (spec.kink_convention, spec.stability_note) if t}
        texts |= {p.description for p in spec.parameters if p.slider is not None}
    return texts


@pytest.fixture(scope="module")
def catalog() -> dict[str, str]:
    return json.loads(CATALOG.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def used() -> set[str]:
    return _tr_calls()[0] | _registry_texts()


def test_tr_is_given_literals_only():
    _, bad = _tr_calls()
    assert not bad, "tr() needs one string literal (use str.format after it):\n" + "\n".join(bad)


def test_every_text_has_a_chinese_entry(catalog, used):
    missing = sorted(used - set(catalog))
    assert not missing, f"{len(missing)} text(s) without a Chinese entry: {missing}"


def test_no_unused_entry(catalog, used):
    unused = sorted(set(catalog) - used)
    assert not unused, f"{len(unused)} catalog entr(ies) that no code uses: {unused}"


def test_entries_are_translated(catalog):
    empty = [k for k, v in catalog.items() if not v.strip()]
    assert not empty
    # An entry written like its English text is a name or a formula: it holds no English word
    # of three letters or more other than names (spelt with a capital, a digit or "_").
    for english, chinese in catalog.items():
        words = set(re.findall(r"\b[a-z]{3,}\b", chinese)) & set(
            re.findall(r"\b[a-z]{3,}\b", english)
        )
        if CJK.search(chinese) is None:
            assert not words - _NAMES, f"{english!r} looks untranslated: {chinese!r}"


#: Lower-case names that stay as they are in Chinese text (functions, libraries, formats).
_NAMES = {name for name in actlib.names()} | {
    "autograd",
    "float16",
    "float32",
    "float64",
    "bfloat16",
    "numpy",
    "torch",
    "sympy",
    "mpmath",
    "expm1",
    "log1p",
    "exp",
    "log",
    "tanh",
    "erf",
    "erfc",
    "expit",
    "swish",
    "softmax",
    "actlib",
}


def _fields(text: str) -> list[tuple[str, str, str]]:
    """The replacement fields of a format string: name, format spec and conversion."""
    parsed = string.Formatter().parse(text)
    return sorted((f, spec or "", conv or "") for _, f, spec, conv in parsed if f is not None)


def test_entries_keep_their_fields(catalog):
    wrong = {k: v for k, v in catalog.items() if _fields(k) != _fields(v)}
    assert not wrong, f"fields differ between English and Chinese: {wrong}"


def test_chinese_entries_hold_no_mathtext(catalog):
    # Matplotlib draws $...$ with its mathematical fonts, which have no Chinese glyphs: a label
    # mixing both would lose its Chinese characters. Formulas in Chinese labels are plain text.
    mixed = {
        k: v
        for k, v in catalog.items()
        if CJK.search(v) and re.search(r"(?<!\\)\$.+(?<!\\)\$", v, flags=re.S)
    }
    assert not mixed


def test_terms_follow_the_terminology(catalog):
    terms = yaml.safe_load((ROOT / "book" / "terminology.yml").read_text(encoding="utf-8"))
    chinese = {t["en"]: t["zh"] for t in terms["terms"]}
    chinese["saturat"] = chinese["saturation"]
    chinese["initialisation"] = "初始化"
    wrong = []
    for english, text in catalog.items():
        for term in TERMS:
            if re.search(rf"\b{term}", english, flags=re.I) and chinese[term] not in text:
                wrong.append(f"{english!r} → {text!r} (needs {chinese[term]})")
    assert not wrong, "\n".join(wrong)


# ---------------------------------------------------------------- the functions


def test_language(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "")
    assert language() == "en"
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    assert language() == "zh_CN"
    for bad in ("zh", "zh-CN", "fr", " en"):
        monkeypatch.setenv(i18n.ENV_VAR, bad)
        with pytest.raises(ValueError) as info:
            language()
        message = str(info.value)
        assert "ACTLIB_LANGUAGE" in message and repr(bad) in message
        assert "'en'" in message and "'zh_CN'" in message


def test_tr_in_both_languages(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert tr("derivative") == "derivative"
    assert tr("a text without an entry") == "a text without an entry"
    assert tr_data(actlib.get("tanh").title) == "Hyperbolic tangent"
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    assert tr("derivative") == "导数"
    assert (
        tr("{name} moved to {value} to keep the values valid")
        .format(name="upper", value="0.5")
        .startswith("upper ")
    )
    assert tr("a text without an entry") == "a text without an entry"
    assert tr_data(actlib.get("tanh").title) == "双曲正切"
    with pytest.raises(TypeError):
        tr(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        tr_data(3)  # type: ignore[arg-type]
    monkeypatch.setenv(i18n.ENV_VAR, "de")
    with pytest.raises(ValueError, match="ACTLIB_LANGUAGE"):
        tr("derivative")


def test_catalog_rejects_other_languages():
    with pytest.raises(ValueError, match="'en', 'zh_CN'"):
        i18n.catalog("fr")


def test_yes_no(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert [yes_no(v) for v in (True, False)] == ["yes", "no"]
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    assert [yes_no(v) for v in (True, False, 1 > 0)] == ["是", "否", "是"]


@pytest.mark.parametrize(
    ("names", "conjunction", "en", "zh"),
    [
        ([], "and", "", ""),
        (["relu"], "and", "relu", "relu"),
        (["relu", "elu"], "and", "relu and elu", "relu 和 elu"),
        (["relu", "elu", "selu"], "and", "relu, elu and selu", "relu、elu 和 selu"),
        (["relu", "elu", "selu"], "or", "relu, elu or selu", "relu、elu 或 selu"),
        (["relu", "elu", "selu"], None, "relu, elu, selu", "relu、elu、selu"),
        (["负侧", "正侧"], "and", "负侧 and 正侧", "负侧和正侧"),
        (["relu", "正侧"], "or", "relu or 正侧", "relu 或正侧"),
    ],
)
def test_join_names(names, conjunction, en, zh):
    assert join_names(names, conjunction, language="en") == en
    assert join_names(names, conjunction, language="zh_CN") == zh
    assert join_names(iter(names), conjunction, language="en") == en


def test_join_names_rejects_bad_input():
    with pytest.raises(TypeError, match="single string"):
        join_names("relu")
    with pytest.raises(TypeError, match="strings"):
        join_names(["relu", 1])  # type: ignore[list-item]
    with pytest.raises(ValueError, match="conjunction"):
        join_names(["a", "b"], "but")
    with pytest.raises(ValueError, match="language"):
        join_names(["a", "b"], language="fr")


# ---------------------------------------------------------------- Chinese figures


@pytest.fixture
def chinese(monkeypatch):
    """The course's style in Chinese for one test; English again afterwards."""
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    style.use()
    yield
    monkeypatch.delenv(i18n.ENV_VAR)
    style.use()


def _chinese_figure() -> Figure:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.plot([-3.0, 2.0], [-1.5, 4.0], label="导数 f′(x)")
    ax.set_title("激活函数的饱和区：梯度消失")
    ax.set_xlabel("预激活值 x（从 −3 到 2）")
    ax.set_ylabel("‖∂L/∂z‖ 与 σ(x)")
    ax.legend()
    image = ax.imshow([[0.0, 1.0], [1.0, 0.0]], extent=(-3, -2, -1, 0))
    fig.colorbar(image, label="概率")
    return fig


def test_chinese_figure_renders_without_warnings(chinese):
    assert matplotlib.rcParams["axes.unicode_minus"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = _chinese_figure()
        text = style.svg(fig)
        png = io.BytesIO()
        fig.savefig(png, format="png")
    assert png.getvalue().startswith(b"\x89PNG")
    families = set(re.findall(r"font-family: ([^;\"]*)", text))
    assert families and all(style.CJK_FAMILY in f for f in families)
    # The Latin font comes first, so Latin text, digits and the minus sign look as in English.
    assert all(f.startswith("'DejaVu Sans'") for f in families)
    # negative tick labels are drawn with the minus sign U+2212, as text
    assert re.search(r">−[0-9.]+<", text)
    assert "激活函数的饱和区" in text


def test_english_style_is_unchanged(monkeypatch):
    monkeypatch.delenv(i18n.ENV_VAR, raising=False)
    assert style.rc()["font.family"] == "sans-serif"
    assert style.CJK_FAMILY not in style.rc()["font.sans-serif"]


def test_missing_chinese_font_is_one_clear_error(monkeypatch):
    from matplotlib import font_manager

    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    kept = [f for f in font_manager.fontManager.ttflist if f.name != style.CJK_FAMILY]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", kept)
    monkeypatch.setattr(font_manager, "findSystemFonts", lambda *a, **k: [])
    with pytest.raises(RuntimeError, match="fonts-noto-cjk"):
        style.rc()


# ---------------------------------------------------------------- actlib's own output


def test_properties_table_in_chinese(monkeypatch):
    from actlib.display.book import properties_table

    english = properties_table("leaky_relu")
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    table = properties_table("leaky_relu")
    assert table.header == ["性质", "值（由 SymPy 表达式计算）"]
    assert len(table.rows) == len(english.rows)
    assert all(CJK.search(row[0]) for row in table.rows if row[0] != "f(0), f′(0)")
    rows = dict(table.rows)
    assert rows["单调"] == "是" and "0.01 和 1" in rows["f′ 的值域"]
    assert CJK.search(table.caption)


def test_verify_report_in_chinese(monkeypatch):
    monkeypatch.setenv(i18n.ENV_VAR, "zh_CN")
    report = actlib.verify("relu")
    html = report._repr_html_()
    assert "通过" in html and "PASSED" not in html
    assert report.table().header[-1] == "结果"
    assert {row[0] for row in report.table().rows} >= {"前向", "导数"}


def test_explorer_in_chinese(chinese):
    from actlib.display import explorer as explorer_module
    from actlib.display.explorer import Explorer, NormalizingExplorer

    page = Explorer("rrelu").to_html()
    for english in ("compare with", "show f′", "fit y-axis", "training draw", "x-range"):
        assert english not in page
    assert "对比" in page and "显示 f′" in page
    config = json.loads(
        re.search(r'data-config="([^"]*)"', page).group(1).replace("&quot;", '"')  # type: ignore[union-attr]
    )
    assert all(CJK.search(v) for v in config["text"].values())
    assert "{i}" in config["text"]["class"]
    alt = Explorer("relu", x=(-2, 2)).alt_text()
    assert alt == (
        "ReLU：曲线图，画出 relu(x)（实线）及其导数（虚线），x 从 -2 到 2；"
        "函数值：x = -2 处为 0、x = 0 处为 0 和 x = 2 处为 2。"
    )
    live = Explorer("rrelu").live_markup()  # the live view: the same explorer
    assert "对比" in live and "training（随机斜率，固定种子）" in live and ">无<" in live
    assert explorer_module.rejected(ValueError("lower > upper")).startswith("不允许这组取值")
    notice = explorer_module.notice().format(name="upper", value="0.5")
    assert notice == "upper 已移到 0.5，以保持取值有效"
    bars = NormalizingExplorer(logits=[1.0, 0.0])
    assert [t.get_text() for t in bars.ax.get_xticklabels()] == ["类别 1", "类别 2"]
    assert "类别 1" in bars.alt_text()


def test_figures_in_chinese(chinese):
    from actlib.display.plotting import compare, gallery, plot_activation

    fig = gallery("output")
    assert CJK.search(fig.get_suptitle())
    ax = Figure().add_subplot()
    plot_activation(ax, "rrelu", params={"training": True})
    assert ax.get_title() == "RReLU（随机化的 leaky ReLU）"
    assert CJK.search(ax.get_legend().get_texts()[-1].get_text())
    ax = Figure().add_subplot()
    compare(ax, ["relu", "elu"], derivative=True)
    assert CJK.search(ax.get_title())
