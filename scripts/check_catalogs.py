"""Check the Chinese edition's catalogs: complete, current, and faithful to the English markup.

    python scripts/check_catalogs.py [locale/zh_CN/LC_MESSAGES/notebooks/relu.po ...]

Prints one line per problem and exits 1 if there is any. For every message of every catalog:

* it is translated, and not fuzzy (a fuzzy entry is one whose English text changed since it was
  translated: the translation must be checked and the flag removed);
* a message with English words has a translation with Chinese in it (names of functions,
  formulas and code stay as they are, so a message made only of them may be copied);
* the translation keeps the markup: the same roles with the same targets (``{eval}``,
  ``{doc}``, ``{numref}``, ``{cite:p}`` ...; the text of ``{doc}`text <target>``` may be
  translated), the same formulas and the same inline code;
* a ``{term}`` role shows the Chinese term of ``book/terminology.yml`` for its glossary entry,
  written ``{term}`梯度消失``` or ``{term}`梯度消失 <vanishing gradient>```;
* no emphasis marker is left over: ``**粗体。**`` followed by a Chinese character is not bold in
  Markdown (the asterisks would show), so bold and italic text must end on a character that is
  not punctuation, or be followed by a space or punctuation.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import yaml
from babel.messages.pofile import read_po
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))
from actlib_i18n import CJK, needs_translation  # noqa: E402  (the rules of the Chinese build)

CATALOGS = ROOT / "locale" / "zh_CN" / "LC_MESSAGES"
TERMINOLOGY = ROOT / "book" / "terminology.yml"

ROLE = re.compile(r"\{([a-z]+(?::[a-z]+)?)\}`([^`]*)`")
MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+\$", re.S)
CODE = re.compile(r"(?<![}`])`([^`]+)`")
_MD = MarkdownIt("commonmark").use(dollarmath_plugin)


def terms() -> dict[str, str]:
    """Every name of a glossary entry (English, variants, Chinese) → its English name."""
    data = yaml.safe_load(TERMINOLOGY.read_text(encoding="utf-8"))
    names: dict[str, str] = {}
    for term in data["terms"]:
        if term.get("definition"):
            for name in [term["en"], *term.get("also", []), term["zh"]]:
                names[name.lower()] = term["en"]
    return names


def chinese_term() -> dict[str, str]:
    data = yaml.safe_load(TERMINOLOGY.read_text(encoding="utf-8"))
    return {t["en"]: t["zh"] for t in data["terms"] if t.get("definition")}


def _term_target(text: str) -> tuple[str, str | None]:
    m = re.fullmatch(r"(.*?)\s*<([^<>]+)>", text, re.S)
    return (m.group(1), m.group(2)) if m else (text, None)


def _roles(text: str, names: dict[str, str]) -> Counter[str]:
    found: Counter[str] = Counter()
    for role, content in ROLE.findall(text):
        if role == "term":
            shown, target = _term_target(content)
            key = names.get((target or shown).lower(), f"?{target or shown}")
            found[f"{{term}}{key}"] += 1
        elif role in ("doc", "ref", "numref"):
            # The link text may be translated; the target may not.
            shown, target = _term_target(content)
            found[f"{{{role}}}{target or shown}"] += 1
        else:
            found[f"{{{role}}}{content}"] += 1
    return found


def _left_markers(text: str) -> int:
    count = 0
    for token in _MD.parseInline(text):
        for child in token.children or []:
            if child.type == "text":
                count += child.content.count("*")
    return count


def check_message(msgid: str, msgstr: str, names: dict[str, str], zh: dict[str, str]) -> list[str]:
    """The problems of one translated message (empty when it is fine)."""
    problems = []
    if Counter(MATH.findall(msgid)) != Counter(MATH.findall(msgstr)):
        problems.append("the formulas ($...$) differ from the English")
    if _roles(msgid, names) != _roles(msgstr, names):
        want, got = _roles(msgid, names), _roles(msgstr, names)
        problems.append(f"roles differ: missing {sorted(want - got)}, extra {sorted(got - want)}")
    code_en = Counter(CODE.findall(ROLE.sub(" ", msgid)))
    code_zh = Counter(CODE.findall(ROLE.sub(" ", msgstr)))
    if code_en != code_zh:
        problems.append(f"inline code differs: {sorted((code_en - code_zh) + (code_zh - code_en))}")
    if needs_translation(msgid) and not CJK.search(msgstr):
        problems.append("not translated into Chinese")
    for role, content in ROLE.findall(msgstr):
        if role == "term":
            shown, target = _term_target(content)
            entry = names.get((target or shown).lower())
            if entry is not None and shown != zh[entry]:
                problems.append(
                    f"{{term}}`{content}` must show {zh[entry]!r} (book/terminology.yml)"
                )
    if _left_markers(msgstr) > _left_markers(msgid):
        problems.append("an emphasis marker (*) is left as text: end bold or italic text on a "
                        "character that is not punctuation, or follow it with a space")  # fmt: skip
    return problems


def check_catalog(path: Path) -> list[str]:
    """The problems of one catalog, each as ``file: message: problem``."""
    names, zh = terms(), chinese_term()
    with path.open("rb") as f:
        catalog = read_po(f)
    rel = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    problems = []
    for message in catalog:
        if not message.id:
            continue
        msgid, msgstr = str(message.id), str(message.string or "")
        head = msgid[:60] + ("…" if len(msgid) > 60 else "")
        if not msgstr:
            problems.append(f"{rel}: {head!r}: not translated")
            continue
        if message.fuzzy:
            problems.append(f"{rel}: {head!r}: fuzzy (the English changed: update, then unflag)")
        problems += [f"{rel}: {head!r}: {p}" for p in check_message(msgid, msgstr, names, zh)]
    return problems


def catalogs() -> list[Path]:
    return sorted(CATALOGS.rglob("*.po"))


def main(argv: Iterable[str] | None = None) -> int:
    paths = [Path(p).resolve() for p in (argv if argv is not None else sys.argv[1:])] or catalogs()
    problems = [p for path in paths for p in check_catalog(path)]
    for problem in problems:
        print(problem)
    print(f"{len(paths)} catalogs, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
