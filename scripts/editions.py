"""The Chinese edition: its translation catalogs, its configuration, and its place in the site.

The English notebooks and pages are the only source of the book's prose. The Chinese edition is
built from them with Sphinx's internationalisation: every paragraph, heading and caption is a
message in a gettext catalog under ``locale/zh_CN/LC_MESSAGES/`` (one ``.po`` file per page),
and the build with ``language: zh_CN`` replaces each message by its translation. The code cells
are not in the catalogs: the Chinese build executes them afresh (with ``ACTLIB_LANGUAGE=zh_CN``,
so that actlib labels figures and tables in Chinese), into its own execution cache.

    python scripts/editions.py catalogs   # extract the messages, update the .po files
    python scripts/editions.py config     # write the Chinese edition's _config.yml and _toc.yml
    python scripts/editions.py place      # copy the built Chinese site to _build/html/zh/
    python scripts/editions.py build [jupyter-book options]   # all of it, for both editions

``make catalogs`` and ``make book`` run these steps. A message whose English text changed is
marked fuzzy in its catalog (with the old translation kept for reference), a new one is added
untranslated: ``tests/test_catalogs.py`` fails on both until the translation is updated.
"""

from __future__ import annotations

import argparse
import copy
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
LANGUAGE = "zh_CN"
LOCALE = ROOT / "locale"
CATALOGS = LOCALE / LANGUAGE / "LC_MESSAGES"
#: Book-level strings of the Chinese edition that are not page text: its title and the
#: captions of the table of contents' parts (English caption → Chinese).
EDITION_STRINGS = LOCALE / LANGUAGE / "edition.yml"
BUILD = ROOT / "_build"
#: The message extraction has its own output folder: a gettext build in the English build's
#: folder would make the next HTML build fail ("environment is incompatible").
EXTRACT = BUILD / "i18n"
POT = EXTRACT / "_build" / "gettext"
#: The Chinese edition is built here; its HTML is then placed at SITE (``place``).
ZH = BUILD / "zh"
ZH_CONFIG = ZH / "_config.yml"
ZH_TOC = ZH / "_toc.yml"
ZH_HTML = ZH / "_build" / "html"
SITE = BUILD / "html" / "zh"
ZH_CACHE = ".jupyter_cache_zh"


def _bin(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _has_messages(pot: Path) -> bool:
    # Every catalog starts with the header entry (msgid ""); a page none of whose text is
    # translated (the API reference) has nothing else.
    return pot.read_text(encoding="utf-8").count('\nmsgid "') > 1


def catalogs() -> None:
    """Extract the messages of the English sources and merge them into the .po files."""
    # A fresh read: what goes into the catalogs depends on the local extensions, whose changes
    # Sphinx does not notice.
    shutil.rmtree(POT, ignore_errors=True)
    shutil.rmtree(EXTRACT / "_build" / ".doctrees", ignore_errors=True)
    subprocess.run(
        [_bin("jupyter-book"), "build", str(ROOT), "--builder", "custom",
         "--custom-builder", "gettext", "--path-output", str(EXTRACT)],
        check=True,
    )  # fmt: skip
    for pot in POT.rglob("*.pot"):
        if not _has_messages(pot):
            pot.unlink()
    subprocess.run(
        [_bin("sphinx-intl"), "update", "-p", str(POT), "-l", LANGUAGE, "-d", str(LOCALE),
         "-w", "0", "--no-obsolete"],
        check=True,
    )  # fmt: skip
    # A page that left the book leaves its catalog behind: remove it.
    wanted = {p.relative_to(POT).with_suffix(".po") for p in POT.rglob("*.pot")}
    for po in CATALOGS.rglob("*.po"):
        if po.relative_to(CATALOGS) not in wanted:
            print(f"removing the catalog of a page that is gone: {po.relative_to(ROOT)}")
            po.unlink()


def edition_strings() -> dict[str, Any]:
    """The Chinese title, part captions and text settings (``locale/zh_CN/edition.yml``)."""
    data = yaml.safe_load(EDITION_STRINGS.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not {"title", "parts"} <= data.keys():
        raise ValueError(f"{EDITION_STRINGS} needs 'title' and 'parts'")
    return data


def zh_config(english: dict[str, Any], strings: dict[str, Any]) -> dict[str, Any]:
    """The Chinese edition's configuration: the English one with its language and cache."""
    config = copy.deepcopy(english)
    config["title"] = strings["title"]
    config["execute"]["cache"] = ZH_CACHE
    sphinx = config.setdefault("sphinx", {})
    sphinx.setdefault("config", {}).update(
        **strings.get("settings", {}),
        language=LANGUAGE,
        locale_dirs=[str(LOCALE.relative_to(ROOT)) + "/"],
        html_search_language="zh",
    )
    # Jupyter Book reads local extensions from the configuration file's folder (the other
    # paths are read from the book's root, wherever the configuration file is).
    up = Path(*[".."] * len(ZH_CONFIG.parent.relative_to(ROOT).parts))
    sphinx["local_extensions"] = {
        name: (up / path).as_posix() for name, path in sphinx["local_extensions"].items()
    }
    return config


def zh_toc(english: dict[str, Any], strings: dict[str, Any]) -> dict[str, Any]:
    """The table of contents with the parts' captions in Chinese."""
    toc = copy.deepcopy(english)
    parts = strings["parts"]
    for part in toc.get("parts", []):
        caption = part.get("caption")
        if caption is not None:
            if caption not in parts:
                raise ValueError(f"{EDITION_STRINGS}: no Chinese caption for part {caption!r}")
            part["caption"] = parts[caption]
    return toc


def config() -> None:
    """Write ``_build/zh/_config.yml`` and ``_build/zh/_toc.yml`` from the English ones."""
    strings = edition_strings()
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    ZH.mkdir(parents=True, exist_ok=True)
    header = "# Generated by scripts/editions.py from the English file: do not edit.\n"
    ZH_CONFIG.write_text(
        header + yaml.safe_dump(zh_config(english, strings), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    ZH_TOC.write_text(
        header + yaml.safe_dump(zh_toc(toc, strings), allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )


def place() -> None:
    """Copy the built Chinese site into the English one, at ``_build/html/zh/``."""
    if not (ZH_HTML / "index.html").is_file():
        raise SystemExit(f"no Chinese site at {ZH_HTML}: build it first (make book)")
    shutil.rmtree(SITE, ignore_errors=True)
    shutil.copytree(ZH_HTML, SITE, ignore=shutil.ignore_patterns(".buildinfo", ".doctrees"))


def _started_reading(log: Path, process: subprocess.Popen) -> None:
    """Wait until the build writing ``log`` reads its pages (or has ended).

    Before it reads, a build writes the API reference's pages into ``book/api/`` (autosummary).
    The second build rewrites none of them (the content is the same), but on a fresh clone both
    would write them at once, and one could read a page the other is writing.
    """
    while process.poll() is None:
        if "reading sources" in log.read_text(encoding="utf-8", errors="replace"):
            return
        time.sleep(0.5)


def build(options: list[str]) -> int:
    """Build both editions: their chapters executed side by side, then their sites.

    The chapters of both editions share one pool of workers (``scripts/execute_chapters.py``,
    every chapter in a fresh kernel, the Chinese ones with ``ACTLIB_LANGUAGE=zh_CN``). Each
    edition's site build starts as soon as its own chapters are done, while the other edition's
    still run, so that the two builds (one core each) overlap instead of following each other.
    Their logs are printed when they end. Returns the first non-zero exit status, else 0.
    """
    import execute_chapters  # this folder's script, importable beside this one

    config()
    jupyter_book = _bin("jupyter-book")
    editions = {
        ROOT / "_config.yml": ([jupyter_book, "build", str(ROOT), *options], {}),
        ZH_CONFIG: (
            [jupyter_book, "build", str(ROOT), "--config", str(ZH_CONFIG), "--toc", str(ZH_TOC),
             "--path-output", str(ZH), *options],
            {"ACTLIB_LANGUAGE": LANGUAGE},
        ),
    }  # fmt: skip
    builds: list[tuple[Path, Path, subprocess.Popen]] = []

    def start(edition: execute_chapters.Edition) -> None:
        command, env = editions[edition.config]
        if builds:  # the first build must have written the API pages
            _, first_log, first = builds[0]
            _started_reading(first_log, first)
        log = BUILD / f"build-{edition.language or 'en'}.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("w", encoding="utf-8") as out:
            process = subprocess.Popen(  # noqa: S603 (this environment's jupyter-book)
                command, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **env}
            )
        print(f"building the {edition.language or 'English'} site (log: {log.relative_to(ROOT)})")
        builds.append((edition.config, log, process))

    status = execute_chapters.run(
        list(editions), execute_chapters.chapters(), execute_chapters.default_jobs(), on_done=start
    )
    for config_path, log, process in builds:
        code = process.wait()
        print(log.read_text(encoding="utf-8", errors="replace"))
        print(f"{config_path.relative_to(ROOT)}: jupyter-book build exited with {code}")
        status = status or code
    if len(builds) != len(editions):
        raise SystemExit("an edition was never built")
    if status == 0:
        place()
    return status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["catalogs", "config", "place", "build"])
    args, options = parser.parse_known_args(argv)
    if args.step == "build":
        return build(options)
    if options:
        parser.error(f"unrecognized arguments: {' '.join(options)}")
    {"catalogs": catalogs, "config": config, "place": place}[args.step]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
