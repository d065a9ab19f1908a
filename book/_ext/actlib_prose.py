"""The ``{eval}`` role of the book: the values a chapter's text shows (a local Sphinx extension).

A chapter sets each value its text shows on one object, ``prose.max_slope = format(s, ".4f")``
(:class:`actlib.display.book.Prose`), and writes ``{eval}`prose.max_slope``` in its markdown.
Run live in JupyterLab with jupyterlab-myst, the kernel evaluates that expression when the cell
is rendered. The book is rendered from cached outputs, without a kernel, so myst-nb's own
``eval`` role (which needs a kernel) is replaced here by one that reads the value each
assignment glued under its name. Only ``prose.<name>`` is accepted: any other expression would
show one thing live and nothing in the book, so it fails the build with a message.

In the Chinese edition, Sphinx parses each translated paragraph on its own, as plain MyST
without the notebook's outputs. Every translated paragraph replaces an English one that holds
the same ``{eval}`` roles and was parsed first, with the notebook: the role keeps the values of
the page it last read (``env.temp_data``, cleared at every page) and the translation reads them
from there.
"""

from __future__ import annotations

import re
from typing import Any

from docutils import nodes
from myst_nb.ext.utils import RoleBase
from sphinx.application import Sphinx
from sphinx.util import logging

from actlib.display.book import PROSE

LOGGER = logging.getLogger(__name__)
_PAGE_VALUES = "actlib_prose_values"
_EXPRESSION = re.compile(rf"{PROSE}\.([A-Za-z][A-Za-z0-9_]*)")


class ProseValueRole(RoleBase):
    """``{eval}`prose.name```: the text glued by ``prose.name = …`` in a cell above."""

    def _fail(self, message: str) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        LOGGER.warning(message, location=(self.source, self.line), type="actlib", subtype="eval")
        return [nodes.problematic(self.rawtext, self.rawtext)], []

    def _glued(self) -> dict[str, dict[str, Any]]:
        """The data glued by the page being read: its name → its mime bundle."""
        temp = self.document.settings.env.temp_data
        if "nb_renderer" in self.document:
            # The notebook itself: remember its values for the translated paragraphs.
            renderer = self.document["nb_renderer"].renderer
            glue = renderer.nb_client.glue_data
            temp[_PAGE_VALUES] = {key: value["data"] for key, value in glue.items()}
        return temp.get(_PAGE_VALUES, {})

    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        match = _EXPRESSION.fullmatch(self.text.strip())
        if match is None:
            return self._fail(
                f"the book shows only {{eval}}`{PROSE}.<name>` (a value set in a code cell "
                f"with {PROSE}.<name> = ...), got {{eval}}`{self.text}`"
            )
        name = match.group(1)
        glued = self._glued()
        if name not in glued:
            return self._fail(
                f"{{eval}}`{self.text}`: no code cell of this notebook sets {PROSE}.{name}"
            )
        text = glued[name].get("text/plain")
        if not isinstance(text, str):
            return self._fail(f"{{eval}}`{self.text}`: the value has no text form")
        node = nodes.inline(text, text, classes=["pasted-text"])
        self.set_source_info(node)
        return [node], []


def setup(app: Sphinx) -> dict[str, Any]:
    # Loaded after myst-nb (a local extension), so this replaces its kernel-only role.
    app.add_role("eval", ProseValueRole(), override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
