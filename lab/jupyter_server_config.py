"""Jupyter Server settings for the course's JupyterLab (installed by ``make env``).

A chapter saved after Run All should reopen trusted, so that its explorers show their saved
pictures. Jupyter signs a notebook on save only when every output in it is trusted, and
jupyterlab-myst counts the values of a text cell's inline expressions (the chapters' computed
numbers, `` {eval}`prose.name` ``) as outputs. JupyterLab marks the code cells it ran as trusted
but not the text cells, so every chapter was saved unsigned. The hook below marks a text cell as
trusted when all its expression values are plain text (or errors): plain text is shown as text,
never as HTML or script, so trusting it lets nothing run. A value with any other kind of data
leaves the cell, and so the notebook, untrusted, as before.
"""

from __future__ import annotations

from typing import Any

#: The kinds of data an expression value may hold for its text cell to be trusted.
SAFE_DATA = frozenset({"text/plain"})


def _plain_text(value: Any) -> bool:
    if not isinstance(value, dict):
        return False
    result = value.get("result")
    if not isinstance(result, dict):
        return False
    if result.get("status") == "error":
        return True
    data = result.get("data")
    return result.get("status") == "ok" and isinstance(data, dict) and set(data) <= SAFE_DATA


def trust_plain_text_expressions(model: dict[str, Any], **kwargs: Any) -> None:
    """Pre-save hook: mark text cells whose expression values are all plain text as trusted."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells") or []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        metadata = cell.get("metadata")
        values = metadata.get("user_expressions") if isinstance(metadata, dict) else None
        if isinstance(values, list) and values and all(_plain_text(v) for v in values):
            metadata["trusted"] = True  # read (and removed) by the notary when it signs


def _load_jupyter_server_extension(serverapp: Any) -> None:
    """Register the hook once the server has its contents manager."""
    serverapp.contents_manager.register_pre_save_hook(trust_plain_text_expressions)


if "get_config" in globals():  # loaded by Jupyter Server as a configuration file
    # Loaded as a server extension (a module of its own, made from this file): the server
    # applies its configuration more than once, and setting ``pre_save_hook`` again warns.
    import sys
    import types

    _extension = types.ModuleType("actlib_lab_trust", __doc__)
    _extension._load_jupyter_server_extension = _load_jupyter_server_extension  # type: ignore[attr-defined]
    sys.modules.setdefault(_extension.__name__, _extension)
    c = get_config()  # type: ignore[name-defined]  # noqa: F821
    c.ServerApp.jpserver_extensions.update({_extension.__name__: True})  # merged, not replaced
