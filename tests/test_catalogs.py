"""The Chinese edition's sources: catalogs complete and faithful, terminology, configuration.

The Chinese site is built from the English sources and the catalogs in ``locale/zh_CN``
(``scripts/editions.py``). These tests fail when a catalog entry is untranslated or fuzzy, when
a translation drops or changes markup, when a page has no catalog, when the glossary page
disagrees with the terminology file, or when the Chinese configuration misses a setting. That
a catalog holds every message of the current English text is checked by the strict Chinese
build, which fails on any paragraph it shows in English (``book/_ext/actlib_i18n.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from _scripts import load_script

ROOT = Path(__file__).resolve().parents[1]


check = load_script("check_catalogs")
editions = load_script("editions")
glossary = load_script("make_glossary")


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]
    for part in toc["parts"]:
        for chapter in part["chapters"]:
            files.append(chapter["file"])
    return files


@pytest.mark.parametrize("catalog", check.catalogs(), ids=lambda p: p.stem)
def test_catalog_is_complete_and_faithful(catalog: Path) -> None:
    problems = check.check_catalog(catalog)
    assert not problems, "\n".join(problems[:20]) + f"\n({len(problems)} problems)"


def test_every_page_has_a_catalog_and_no_catalog_is_orphaned() -> None:
    pages = {Path(f"{name}.po") for name in _toc_files()}
    catalogs = {p.relative_to(editions.CATALOGS) for p in editions.CATALOGS.rglob("*.po")}
    assert pages == catalogs


def test_checker_finds_what_a_translation_breaks() -> None:
    names, zh = check.terms(), check.chinese_term()
    english = "The {term}`vanishing gradient` at $x = 0$: `f(x)` is {eval}`prose.value`."

    def problems(chinese: str) -> list[str]:
        return check.check_message(english, chinese, names, zh)

    good = "在 $x = 0$ 处的{term}`梯度消失`：`f(x)` 为 {eval}`prose.value`。"
    assert problems(good) == []
    assert problems(good.replace("$x = 0$", "$x=0$")) == [
        "the formulas ($...$) differ from the English"
    ]
    assert "roles differ" in problems(good.replace("{eval}`prose.value`", "0.5"))[0]
    assert "inline code differs" in problems(good.replace("`f(x)`", "f(x)"))[0]
    assert (
        "must show '梯度消失'"
        in problems(good.replace("`梯度消失`", "`消失 <vanishing gradient>`"))[0]
    )
    assert "not translated into Chinese" in problems(english)
    bold = check.check_message("**Mean.** The mean", "**均值。**均值", names, zh)
    assert bold and "emphasis marker" in bold[0]
    assert check.check_message("**Mean.** The mean", "**均值**。均值", names, zh) == []


def test_checker_reports_untranslated_and_fuzzy_entries(tmp_path: Path) -> None:
    po = tmp_path / "page.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "An empty translation"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "A changed paragraph"\nmsgstr "一个改动过的段落"\n',
        encoding="utf-8",
    )
    problems = check.check_catalog(po)
    assert len(problems) == 2
    assert problems[0].endswith("not translated") and "fuzzy" in problems[1]


def test_glossary_page_is_generated_from_the_terminology() -> None:
    data = glossary.load()
    assert glossary.GLOSSARY.read_text(encoding="utf-8") == glossary.render(data), (
        "book/glossary.md differs from book/terminology.yml: run python scripts/make_glossary.py"
    )
    entries = glossary.glossary_terms(data)
    assert entries and all(t["definition"].strip() for t in entries)


def test_terminology_rejects_a_term_listed_twice(tmp_path: Path) -> None:
    path = tmp_path / "terminology.yml"
    path.write_text(
        "intro: x\nterms:\n- {en: gate, zh: 门}\n- {en: gate, zh: 闸}\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match="'gate' is listed twice"):
        glossary.load(path)
    path.write_text("intro: x\nterms:\n- {en: gate}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs 'en' and 'zh'"):
        glossary.load(path)


def test_chinese_configuration_is_the_english_one_in_chinese() -> None:
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    strings = editions.edition_strings()
    config = editions.zh_config(english, strings)
    settings = config["sphinx"]["config"]
    assert settings["language"] == "zh_CN" and settings["locale_dirs"] == ["locale/"]
    assert settings["html_search_language"] == "zh"
    assert config["execute"]["cache"] != english["execute"]["cache"]
    # Everything else is the English configuration (one source of settings).
    for key in ("language", "locale_dirs", "html_search_language", *strings["settings"]):
        settings.pop(key)
    config["execute"]["cache"] = english["execute"]["cache"]
    config["title"] = english["title"]
    local = config["sphinx"].pop("local_extensions")
    english_local = english["sphinx"].pop("local_extensions")
    assert config == english
    # Local extensions are found from the configuration file's folder (_build/zh).
    assert local == {name: f"../../{path}" for name, path in english_local.items()}


def test_chinese_table_of_contents_translates_every_part() -> None:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    zh = editions.zh_toc(toc, editions.edition_strings())
    captions = [part["caption"] for part in zh["parts"]]
    assert all(check.CJK.search(c) for c in captions)
    assert [p["chapters"] for p in zh["parts"]] == [p["chapters"] for p in toc["parts"]]
    with pytest.raises(ValueError, match="no Chinese caption for part 'Foundations'"):
        editions.zh_toc(toc, {"title": "x", "parts": {}})
