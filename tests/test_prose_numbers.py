"""Every number in a chapter's prose comes from code.

A number about a function's behaviour typed into a markdown cell goes stale the day the code
changes, so the prose of every chapter may only contain numbers that are

- computed (``{eval}`prose.name```, see ``tests/test_prose_values.py``), or inside another
  role, a citation, a link or inline code, which this check removes first;
- small integers (0 to 10, as digits or words): counts, orders of derivatives, exponents,
  exercise numbers and the coefficients of formulas;
- years (1900 to 2099), which appear beside the works they date;
- in :data:`ALLOWED`, a short, reviewed list of constants with the reason each is typed.

Numbers in math count too: ``$x \\approx -38$`` is the same typed claim as "x ≈ −38". Spelled
numbers above ten ("sixteen digits", "a hundred runs") are flagged as well.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))

#: Typed numbers that are definitions, not measurements: each with the reason it may be typed.
ALLOWED: dict[str, str] = {
    "0.5": "one half, exact (σ(0), the mean of a symmetric Bernoulli variable)",
    "0.25": "one quarter, exact (σ′(0), the maximum slope of the sigmoid)",
    "0.044715": "the cubic coefficient of the tanh approximation of GELU, part of its definition",
    "1.702": "the sigmoid approximation x σ(1.702 x) of GELU, part of its definition",
    "0.01": "the default negative slope of leaky ReLU in PyTorch and in the original paper",
    "1.0507": "SELU's scale λ as printed in the paper (four decimals)",
    "1.6733": "SELU's α as printed in the paper (four decimals)",
    "16": "bit width in the names of formats (16-bit, bfloat16 written with a space)",
    "32": "bit width in the names of formats (32-bit)",
    "64": "bit width in the names of formats (64-bit)",
}

_WORDS = (
    "eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|"
    "thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|hundreds|thousand|thousands|"
    "million|millions|billion|billions"
)
_SPELLED = re.compile(rf"\b(?:{_WORDS})\b", re.IGNORECASE)
_SUPERSCRIPT = "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺"
#: A number standing on its own: not part of a name such as float32, log1p, x2 or N(0,1)'s
#: neighbours; an optional sign, digits with a decimal part, an exponent or a superscript.
_NUMBER = re.compile(rf"(?<![\w.\\])[-−]?\d+(?:\.\d+)*(?:[eE][-+−]?\d+)?[{_SUPERSCRIPT}]*(?![\w])")

_STRIP = [
    re.compile(r"```.*?```", re.DOTALL),  # fenced code
    re.compile(r"<!--.*?-->", re.DOTALL),  # comments
    re.compile(r"\{[\w:-]+\}`[^`]*`"),  # roles: {eval}`prose.x`, {cite:p}`key`, {doc}`x`
    re.compile(r"`[^`]*`"),  # inline code
    re.compile(r"\]\([^)]*\)"),  # link targets
    re.compile(r"https?://\S+"),
    re.compile(r"^\s*:[\w-]+:.*$", re.MULTILINE),  # directive options (:label:, :width:)
    re.compile(r"^\(.*\)=\s*$", re.MULTILINE),  # targets: (label)=
    re.compile(r"^[:`]{3,}\{[\w-]+\}.*$", re.MULTILINE),  # directive lines and their arguments
    re.compile(r"<img[^>]*>"),
    re.compile(r"\\(?:label|ref|eqref|tag)\{[^}]*\}"),
]


def _prose(source: str) -> str:
    for pattern in _STRIP:
        source = pattern.sub(" ", source)
    return source


def _allowed(token: str) -> bool:
    plain = token.lstrip("-−")
    if any(c in _SUPERSCRIPT for c in plain):
        return False
    if plain in ALLOWED:
        return True
    if re.fullmatch(r"\d+", plain):
        value = int(plain)
        return value <= 10 or 1900 <= value <= 2099
    return False


def typed_numbers(source: str) -> list[str]:
    """The numbers in a markdown cell that are neither computed, allowed nor small integers.

    >>> typed_numbers("The slope is {eval}`prose.s` at 0, about 0.3 at 2 and 1e-5 at 19.")
    ['0.3', '1e-5', '19']
    >>> typed_numbers("Leaky ReLU (0.01, Maas 2013) in float32 has $2^L$ pieces; sixteen digits.")
    ['sixteen']
    """
    text = _prose(source)
    found = [m.group(0) for m in _NUMBER.finditer(text) if not _allowed(m.group(0))]
    return found + [m.group(0) for m in _SPELLED.finditer(text)]


def _report(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    problems = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "markdown":
            continue
        source = "".join(cell["source"])
        for token in typed_numbers(source):
            line = next((ln for ln in source.splitlines() if token in ln), "")
            problems.append(f"cell {index}: {token!r} in: {line.strip()[:110]}")
    return problems


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_chapter_prose_has_no_typed_numbers(path):
    problems = _report(path)
    assert not problems, (
        f"{path.name}: numbers typed into the prose (compute them as prose values, derive them "
        "from computed values, or add a reviewed constant to ALLOWED in "
        "tests/test_prose_numbers.py):\n  " + "\n  ".join(problems)
    )


def test_the_check_finds_a_typed_number_and_ignores_computed_ones():
    assert typed_numbers("erfc(7) is 1.2·10⁻²³") == ["1.2", "10⁻²³"]
    assert typed_numbers("beyond $|x| \\approx 19$") == ["19"]
    assert typed_numbers("erfc(7) is {eval}`prose.erfc7`, see {cite:p}`abramowitz1964`") == []
    assert typed_numbers("Figure 3 in {numref}`fig-relu-12`; `np.exp(-745.2)`") == []
