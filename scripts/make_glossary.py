"""Write the glossary page (book/glossary.md) from the course's terminology (book/terminology.yml).

The terminology file holds one Chinese term for every English one the course uses; the entries
with a definition are the glossary. Each glossary entry lists its English name (and spelling
variants) and its Chinese name as terms, so ``{term}`梯度消失``` and ``{term}`vanishing
gradient``` lead to the same entry in both editions.

    python scripts/make_glossary.py          # rewrite book/glossary.md
    python scripts/make_glossary.py --check  # exit 1 when book/glossary.md is not up to date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
TERMINOLOGY = ROOT / "book" / "terminology.yml"
GLOSSARY = ROOT / "book" / "glossary.md"
FIELDS = {"en", "also", "zh", "definition"}


def load(path: Path = TERMINOLOGY) -> dict[str, Any]:
    """The terminology file, checked: every term has ``en`` and ``zh``, no name appears twice."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("terms"), list):
        raise ValueError(f"{path}: expected a mapping with a list under 'terms'")
    seen: dict[str, str] = {}
    for i, term in enumerate(data["terms"]):
        if not isinstance(term, dict) or not {"en", "zh"} <= term.keys():
            raise ValueError(f"{path}: term {i} needs 'en' and 'zh', got {term!r}")
        unknown = set(term) - FIELDS
        if unknown:
            raise ValueError(f"{path}: term {term['en']!r} has unknown fields {sorted(unknown)}")
        for name in [term["en"], *term.get("also", [])]:
            if name in seen:
                raise ValueError(f"{path}: {name!r} is listed twice")
            seen[name] = term["zh"]
    return data


def glossary_terms(data: dict[str, Any]) -> list[dict[str, Any]]:
    """The terms that have a definition, in the order of the file."""
    return [term for term in data["terms"] if term.get("definition")]


def render(data: dict[str, Any]) -> str:
    """The Markdown of the glossary page."""
    lines = [
        "# Glossary",
        "",
        "<!-- Generated from book/terminology.yml by scripts/make_glossary.py: edit that file. -->",
        "",
        data["intro"].rstrip("\n"),
        "",
        "```{glossary}",
    ]
    for term in glossary_terms(data):
        lines += [term["en"], *term.get("also", []), term["zh"]]
        lines += [
            "  " + line if line else "" for line in term["definition"].rstrip("\n").split("\n")
        ]
        lines.append("")
    lines[-1] = "```"
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the page is current")
    args = parser.parse_args(argv)
    text = render(load())
    if args.check:
        if GLOSSARY.read_text(encoding="utf-8") != text:
            print(
                f"{GLOSSARY} is out of date: run python scripts/make_glossary.py", file=sys.stderr
            )
            return 1
        return 0
    GLOSSARY.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
