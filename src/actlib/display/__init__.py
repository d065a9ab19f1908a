"""What a reader sees: plots, explorers, tables and the book's formatting helpers.

Importing this package applies the course's figure style (:func:`actlib.display.style.use`):
the colour-blind-safe palette with a line style per curve, and SVG figures in a notebook.

The words code shows the reader go through :func:`~actlib.display.i18n.tr`, exported here
with the other helpers of :mod:`actlib.display.i18n` (the chapters import them from here)::

    from actlib.display import tr
"""

from actlib.display.i18n import join_names, language, tr, tr_data, yes_no
from actlib.display.style import use as _use_course_style

__all__ = ["join_names", "language", "tr", "tr_data", "yes_no"]

_use_course_style()
