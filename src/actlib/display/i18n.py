"""The language of the words that actlib and the chapters' code show the reader.

The course is built in English and in Chinese from the same notebooks. The Chinese build runs
every code cell again with the environment variable ``ACTLIB_LANGUAGE=zh_CN``; everything the
code shows in words (figure titles, axis labels, legends, table headers and cells, explorer
controls, printed sentences, values set for the prose) then comes out in Chinese.

A string that code shows the reader goes through :func:`tr`, written as a literal so that the
tests can collect it::

    ax.set_xlabel(tr("hidden layer (1 = next to the input)"))
    print(tr("{n} dead units").format(n=dead))

Placeholders are ``str.format`` fields, filled after the translation; the Chinese entry has the
same fields, in whatever order the sentence needs. Text that comes from the registry (an
activation's title, summary, kink convention, stability note or a parameter's description) is
data rather than a literal of the code, and goes through :func:`tr_data`. Names of functions,
libraries and dtypes (ReLU, softmax, PyTorch, float32), numbers and formulas are the same in
both languages.

The translations are one catalog shipped with the package, ``locale/zh_CN.json`` next to this
module: a JSON object from the English text to the Chinese one, using the course's terminology
(``book/terminology.yml``). ``tests/test_i18n.py`` checks that every literal given to
:func:`tr` (in ``src/actlib`` and in the chapters' code cells) and every text of the registry
has an entry, that no entry is unused, and that both sides of an entry have the same fields.

>>> language()  # the tests run without ACTLIB_LANGUAGE
'en'
>>> tr("yes"), catalog("zh_CN")["yes"]
('yes', '是')
>>> join_names(["relu", "elu", "selu"], language="zh_CN")
'relu、elu 和 selu'
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from functools import cache
from importlib import resources

__all__ = [
    "DEFAULT_LANGUAGE",
    "ENV_VAR",
    "LANGUAGES",
    "catalog",
    "join_names",
    "language",
    "tr",
    "tr_data",
    "yes_no",
]

#: The environment variable that chooses the language.
ENV_VAR = "ACTLIB_LANGUAGE"
#: The language when the variable is not set (or empty).
DEFAULT_LANGUAGE = "en"
#: The languages actlib speaks (the source language first).
LANGUAGES: tuple[str, ...] = ("en", "zh_CN")

# How a list of names is joined, per language: the separator, and the word before the last
# name for each conjunction (in Chinese with a space on a side where a Latin name stands:
# "relu、elu 和 selu", but "正侧和负侧").
_SEPARATOR = {"en": ", ", "zh_CN": "、"}
_CONJUNCTIONS = {"en": {"and": "and", "or": "or"}, "zh_CN": {"and": "和", "or": "或"}}
_CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def _check_language(value: str, what: str) -> str:
    if value not in LANGUAGES:
        allowed = ", ".join(repr(v) for v in LANGUAGES)
        raise ValueError(f"{what} must be one of {allowed}, got {value!r}")
    return value


def language() -> str:
    """The language the reader gets, from the environment variable ``ACTLIB_LANGUAGE``.

    Read on every call, so a test (or a kernel) that sets the variable is followed at once.

    Returns:
        ``"en"`` when the variable is unset or empty, else its value, one of :data:`LANGUAGES`.

    Raises:
        ValueError: the variable holds anything else; the message names the variable, its
            value and the allowed values.

    >>> os.environ[ENV_VAR] = "fr"
    >>> language()
    Traceback (most recent call last):
    ...
    ValueError: the environment variable ACTLIB_LANGUAGE must be one of 'en', 'zh_CN' (or unset for 'en'), got 'fr'
    >>> del os.environ[ENV_VAR]
    >>> language()
    'en'
    """  # noqa: E501
    value = os.environ.get(ENV_VAR, "")
    if value == "":
        return DEFAULT_LANGUAGE
    if value not in LANGUAGES:
        allowed = ", ".join(repr(v) for v in LANGUAGES)
        raise ValueError(
            f"the environment variable {ENV_VAR} must be one of {allowed} "
            f"(or unset for {DEFAULT_LANGUAGE!r}), got {value!r}"
        )
    return value


@cache
def catalog(lang: str) -> Mapping[str, str]:
    """The translations into ``lang``: English text → text in ``lang``.

    Args:
        lang: one of :data:`LANGUAGES`; English has an empty catalog (its text is the source).

    Returns:
        A read-only mapping, loaded once from ``locale/<lang>.json`` in this package.

    Raises:
        ValueError: ``lang`` is not one of :data:`LANGUAGES`.

    >>> catalog("zh_CN")["yes"], len(catalog("en"))
    ('是', 0)
    """
    _check_language(lang, "lang")
    if lang == "en":
        return {}
    path = resources.files("actlib.display").joinpath("locale", f"{lang}.json")
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in data.items()
    ):
        raise ValueError(f"{path} must hold one JSON object from strings to strings")
    from types import MappingProxyType

    return MappingProxyType(data)


def tr(text: str) -> str:
    """``text``, a literal English string, in the reader's language (:func:`language`).

    English text is returned unchanged. Write the argument as a string literal (placeholders
    as ``str.format`` fields, filled afterwards) so that ``tests/test_i18n.py`` finds it; for
    text that comes from the registry use :func:`tr_data`.

    Args:
        text: the English text.

    Returns:
        The translation, or ``text`` itself in English (and for text without an entry, which
        the tests do not allow in the package or the chapters).

    Raises:
        TypeError: ``text`` is not a string.

    >>> tr("no")  # in English
    'no'
    >>> os.environ[ENV_VAR] = "zh_CN"
    >>> tr("no"), tr("an English text without an entry")
    ('否', 'an English text without an entry')
    >>> del os.environ[ENV_VAR]
    """
    if not isinstance(text, str):
        raise TypeError(f"tr() translates a string, got {type(text).__name__}")
    lang = language()
    if lang == "en":
        return text
    return catalog(lang).get(text, text)


def tr_data(text: str) -> str:
    """Text of the registry (a title, a summary, a kink convention) in the reader's language.

    The same as :func:`tr`, for a string that is not a literal of the code: the tests take the
    texts of every registered activation from the registry and require an entry for each.

    Args:
        text: an activation's ``title``, ``summary``, ``kink_convention`` or
            ``stability_note``, or the ``description`` of a parameter with a slider.

    Returns:
        The translation, or ``text`` itself in English.

    Raises:
        TypeError: ``text`` is not a string.

    >>> from actlib import get
    >>> tr_data(get("tanh").title)
    'Hyperbolic tangent'
    """
    if not isinstance(text, str):
        raise TypeError(f"tr_data() translates a string, got {type(text).__name__}")
    lang = language()
    return text if lang == "en" else catalog(lang).get(text, text)


def yes_no(flag: object) -> str:
    """``"yes"`` or ``"no"`` in the reader's language (是 or 否), for a table cell.

    Args:
        flag: the answer (anything with a truth value, such as a NumPy bool).

    Returns:
        The word.

    >>> yes_no(True), yes_no(0.0)
    ('yes', 'no')
    """
    return tr("yes") if flag else tr("no")


def _lang(value: str | None) -> str:
    return language() if value is None else _check_language(value, "language")


def join_names(
    names: Iterable[str], conjunction: str | None = "and", *, language: str | None = None
) -> str:
    """Names joined for a sentence: ``A, B and C`` in English, ``A、B 和 C`` in Chinese.

    Args:
        names: the names (strings), in the order to show them.
        conjunction: ``"and"`` or ``"or"`` before the last name, or ``None`` for a plain list
            (``A, B, C``; ``A、B、C``).
        language: the language, one of :data:`LANGUAGES`; the reader's when ``None``.

    Returns:
        The joined text; ``""`` for no names, the name itself for one.

    Raises:
        TypeError: ``names`` is a single string or holds something other than strings.
        ValueError: ``conjunction`` is not ``"and"``, ``"or"`` or ``None``.

    >>> join_names(["tanh", "softsign"], language="en")
    'tanh and softsign'
    >>> join_names(["elu", "celu", "selu"], "or", language="en")
    'elu, celu or selu'
    >>> join_names(["sigmoid", "tanh", "relu"], None, language="zh_CN")
    'sigmoid、tanh、relu'
    >>> join_names(["负侧", "正侧"], language="zh_CN")
    '负侧和正侧'
    """
    if isinstance(names, str):
        raise TypeError("names must be a sequence of strings, not a single string")
    items = list(names)
    for item in items:
        if not isinstance(item, str):
            raise TypeError(f"names must be strings, got {type(item).__name__}")
    if conjunction is not None and conjunction not in ("and", "or"):
        raise ValueError(f"conjunction must be 'and', 'or' or None, got {conjunction!r}")
    lang = _lang(language)
    sep = _SEPARATOR[lang]
    if conjunction is None or len(items) < 2:
        return sep.join(items)
    word = _CONJUNCTIONS[lang][conjunction]
    head, last = sep.join(items[:-1]), items[-1]
    if lang == "en":
        return f"{head} {word} {last}"
    # Chinese puts a space between a Chinese word and a Latin one, none between Chinese ones.
    left = "" if _CJK.match(head[-1:]) else " "
    right = "" if _CJK.match(last[:1]) else " "
    return f"{head}{left}{word}{right}{last}"
