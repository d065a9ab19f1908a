"""The two editions of the book: English (the source) and Chinese (a translation catalog of it).

The English notebooks and pages are the only prose. ``make catalogs`` extracts their messages
with Sphinx's gettext builder and keeps the catalogs under ``locale/zh_CN/LC_MESSAGES/``; the
Chinese site is built from the same sources with ``language: zh_CN`` (``scripts/editions.py``
writes its configuration) and executes the code afresh, so every number is computed in both.

This extension, loaded by both builds:

* makes exercise titles and figures' alt texts messages of the catalogs (:class:`ExerciseTitles`,
  :func:`_collect_late_messages`);
* keeps display formulas, what the code cells print, and the names of the glossary's terms out
  of the catalogs:
  a cell's output (a table rendered as Markdown, a value) is produced by actlib in the reader's
  language, and timings change at every run, so a catalog entry for it would be stale at once;
* keeps the pages listed in ``actlib_untranslated`` out of the catalogs (the API reference,
  generated from docstrings, is English in both editions);
* in a translated edition, warns about every piece of prose that is still English (the strict
  build fails on it): a paragraph changed in English since the catalogs were updated;
* indexes the Chinese edition for search in linear time (:class:`ChineseSearch`), with the
  course's Chinese terms (``book/terminology.yml``) as words of jieba's dictionary;
* links every page to the same page of the other edition: a language link in the page header,
  and ``<link rel="alternate" hreflang>`` for both editions in the page head. The English site
  is ``_build/html/``, the Chinese one ``_build/html/zh/``.
"""

from __future__ import annotations

import fnmatch
import html
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jieba
import sphinx.search
import yaml
from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders.gettext import MessageCatalogBuilder, MsgOrigin
from sphinx.search.zh import SearchChinese
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain
from sphinx.util.nodes import extract_messages
from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node, exercise_subtitle

LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True)
class Edition:
    """One edition of the site: its Sphinx language, HTML language tag and folder."""

    language: str
    tag: str
    folder: str
    #: The link text that leads a reader to this edition (written in its own language).
    label: str
    #: The link's tooltip (in the edition's own language).
    title: str


EDITIONS = (
    Edition(language="en", tag="en", folder="", label="English", title="This page in English"),
    Edition(language="zh_CN", tag="zh-CN", folder="zh", label="中文", title="本页的中文版"),
)


def edition(language: str | None) -> Edition:
    """The edition built with Sphinx's ``language`` (``None`` is English)."""
    for candidate in EDITIONS:
        if candidate.language == (language or "en"):
            return candidate
    known = ", ".join(e.language for e in EDITIONS)
    raise ValueError(f"language must be one of {known}, got {language!r}")


def page_url(pagename: str, source: Edition, target: Edition) -> str:
    """The relative URL, from page ``pagename`` of ``source``, of the same page in ``target``."""
    up = pagename.count("/") + (1 if source.folder else 0)
    prefix = f"{target.folder}/" if target.folder else ""
    return "../" * up + prefix + pagename + ".html"


def _untranslated(element: nodes.Element, keep: tuple[type[nodes.Element], ...] = ()) -> None:
    for node in element.findall(nodes.Element):
        if not isinstance(node, keep) and not any(isinstance(p, keep) for p in _parents(node)):
            node["translatable"] = False


def _parents(node: nodes.Node) -> list[nodes.Node]:
    found = []
    while node.parent is not None:
        node = node.parent
        found.append(node)
    return found


#: Inline markup whose text is not prose: roles (MyST and reStructuredText), formulas, code.
_MARKUP = re.compile(
    r"\{[a-z]+(?::[a-z]+)?\}`[^`]*`|:[a-z]+(?::[a-z]+)*:`[^`]*`|\$\$.+?\$\$|\$[^$]+\$|`[^`]+`", re.S
)
_WORD = re.compile(r"\b[A-Za-z]{2,}\b")
CJK = re.compile(r"[\u3400-\u9fff]")


def needs_translation(message: str) -> bool:
    """Whether a message is prose: two English words or more once markup is removed.

    A message made only of names, formulas and code (``ReLU``, ``$f'(0)$``) may stay as it is.

    >>> needs_translation("The derivative of {eval}`prose.name` at $x = 0$")
    True
    >>> needs_translation("ReLU6 {cite:p}`relu6`"), needs_translation("`spec.latex()`")
    (False, False)
    """
    return len(_WORD.findall(_MARKUP.sub(" ", message))) >= 2


def _keep_out_of_catalogs(app: Sphinx, doctree: nodes.document) -> None:
    docname = app.env.docname
    if any(fnmatch.fnmatchcase(docname, pattern) for pattern in app.config.actlib_untranslated):
        _untranslated(doctree)
        return
    for output in doctree.findall(nodes.container):
        if "cell_output" in output.get("classes", []):
            # A figure's caption is prose (from the cell's metadata), not output.
            _untranslated(output, keep=(nodes.caption,))
    # Display formulas are the same in every language (a translated one would not render).
    for block in doctree.findall(nodes.math_block):
        block["translatable"] = False
    # A glossary entry lists its English and its Chinese name as terms (book/terminology.yml):
    # both stay as they are in both editions, so that either name links to the entry.
    for glossary in doctree.findall(addnodes.glossary):
        for term in glossary.findall(nodes.term):
            _untranslated(term)


_EXTRA = "actlib_i18n_messages"


def _collect_late_messages(app: Sphinx, doctree: nodes.document) -> None:
    """Exercise titles and figures' alt texts: prose that message extraction would miss.

    Sphinx extracts the messages of a page from its final document tree, where sphinx-exercise
    and myst-nb have rebuilt these nodes (no longer translatable nodes). They are recorded here,
    as read (the form that the Chinese build translates), and added to the catalog below.
    """
    found = []
    for node in doctree.findall(lambda n: isinstance(n, exercise_subtitle | nodes.image)):
        message = node.rawsource if isinstance(node, exercise_subtitle) else node.get("alt", "")
        message = message.replace("\n", " ").strip()
        if message:
            found.append((message, node.source or "", node.line or 0))
    store = getattr(app.env, _EXTRA, {})
    store[app.env.docname] = found
    setattr(app.env, _EXTRA, store)


def _add_late_messages(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    if not isinstance(app.builder, MessageCatalogBuilder):
        return
    domain = docname_to_domain(docname, app.config.gettext_compact)
    catalog = app.builder.catalogs[domain]
    for message, source, line in getattr(app.env, _EXTRA, {}).get(docname, []):
        catalog.add(message, MsgOrigin(source, line))


def _translated_exercises(app: Sphinx, doctree: nodes.document) -> None:
    """A solution's title repeats its exercise's title: take it from the translated page.

    sphinx-exercise keeps each exercise's node, as parsed, in a registry from which it builds
    the titles of solutions; in a translated edition that copy is still English.
    """
    registry = getattr(app.env, "sphinx_exercise_registry", {})
    for node in doctree.findall(lambda n: isinstance(n, exercise_enumerable_node | exercise_node)):
        entry = registry.get(node.get("label", ""))
        if entry is not None and entry.get("docname") == app.env.docname:
            entry["node"] = node


def _report_untranslated(app: Sphinx, doctree: nodes.document) -> None:
    """In a translated edition, warn about every piece of prose left in English.

    A paragraph whose English changed since the catalogs were updated has no translation and
    is shown in English: the strict build fails on it, naming the catalog to update.
    """
    if edition(app.config.language).language == "en":
        return
    catalog = f"locale/{app.config.language}/LC_MESSAGES/{app.env.docname}.po"
    for node, message in extract_messages(doctree):
        # A translated node keeps its English rawsource and is flagged; an alt text is replaced.
        if node.get("translated") or CJK.search(message):
            continue
        if needs_translation(message):
            text = message if len(message) < 80 else message[:77] + "..."
            LOGGER.warning(
                "not translated: %r (run `make catalogs`, then translate it in %s)",
                text,
                catalog,
                location=node,
                type="actlib",
                subtype="i18n",
            )


class ExerciseTitles(SphinxTransform):
    """Give exercise titles a source, so that they are messages of the catalogs.

    sphinx-exercise builds the title of an exercise (``{exercise} Predict, then run: ...``) as a
    node without a source, which Sphinx's translation skips. This runs before it.
    """

    default_priority = 10  # Sphinx's translation (sphinx.transforms.i18n.Locale) is 20

    def apply(self, **kwargs: Any) -> None:
        for node in self.document.findall(exercise_subtitle):
            for parent in _parents(node):
                if parent.source:
                    node.source, node.line = parent.source, parent.line
                    break


def _link_editions(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    this = edition(app.config.language)
    others = [e for e in EDITIONS if e != this]
    context["actlib_editions"] = [
        {"url": page_url(pagename, this, e), "tag": e.tag, "label": e.label, "title": e.title}
        for e in others
    ]
    base = app.config.html_baseurl.rstrip("/")
    links = []
    for e in EDITIONS:
        path = (f"{e.folder}/" if e.folder else "") + pagename + ".html"
        href = f"{base}/{path}" if base else page_url(pagename, this, e)
        links.append(f'<link rel="alternate" hreflang="{e.tag}" href="{html.escape(href)}">')
    context["metatags"] = context.get("metatags", "") + "\n".join(links) + "\n"


class ChineseSearch(SearchChinese):
    """Sphinx's Chinese search (words segmented by jieba), in linear time.

    Sphinx 7.4 keeps the Latin words of every page seen so far in a list and looks each word
    up in it, so indexing grows with the square of the site (minutes for this book); a set
    gives the same index.
    """

    def init(self, options: dict[str, str]) -> None:
        super().init(options)
        self.seen_latin: set[str] = set()

    def split(self, input: str) -> list[str]:  # noqa: A002 (Sphinx's signature)
        chinese = list(jieba.cut_for_search(input))
        latin = [term.strip() for term in self.latin1_letters.findall(input)]
        self.seen_latin.update(latin)
        return chinese + latin

    def stem(self, word: str) -> str:
        lower = word.lower()
        stemmed = self.stemmer.stemWord(lower)
        # As Sphinx: a Latin word of 3 letters or more is kept whole if stemming would make it
        # shorter than 3 (acronyms).
        if word in self.seen_latin and len(word) >= 3 and len(stemmed) < 3:
            return lower
        return stemmed


def _terms_for_search(app: Sphinx) -> None:
    """Teach jieba the course's Chinese terms, so that 梯度消失 is indexed as one word too.

    jieba's dictionary splits a term it does not know (梯度消失 → 梯度, 消失); a reader who
    searches for the term would then find only its glossary entry.
    """
    if edition(app.config.language).language == "en":
        return
    path = Path(app.srcdir) / "book" / "terminology.yml"
    for term in yaml.safe_load(path.read_text(encoding="utf-8"))["terms"]:
        for word in re.split(r"[（）()\s]+", term["zh"]):
            if CJK.search(word):
                jieba.add_word(word)


def _one_document(app: Sphinx, doctree: nodes.document) -> None:
    """Every node of a page belongs to the page's document, not to a message's.

    Sphinx translates a paragraph by parsing its translation as a document of its own and
    moving the result into the page; the moved nodes keep a reference to that small document,
    and through its settings to everything the parser held (a notebook chapter's whole
    notebook). Pickled with the page, those references made each Chinese chapter's doctree about
    10 MB instead of a few hundred kB, and every later load of it (cross-references, figure
    numbers, writing) took about a second. Pointing them at the page's document drops them.
    """
    for node in doctree.findall():
        if getattr(node, "_document", None) not in (None, doctree):
            node.document = doctree


def setup(app: Sphinx) -> dict[str, Any]:
    sphinx.search.languages["zh"] = ChineseSearch
    app.connect("builder-inited", _terms_for_search)
    # Pages (glob patterns of document names) whose text is not translated: the reference
    # generated from actlib's docstrings is English in both editions.
    app.add_config_value("actlib_untranslated", [], "env", types=[list])
    app.add_transform(ExerciseTitles)
    app.connect("doctree-read", _keep_out_of_catalogs)
    app.connect("doctree-read", _one_document, priority=900)
    app.connect("doctree-read", _report_untranslated, priority=600)
    app.connect("doctree-read", _translated_exercises)
    app.connect("doctree-read", _collect_late_messages)
    app.connect("doctree-resolved", _add_late_messages)
    app.connect("html-page-context", _link_editions)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
