"""What a reader sees: plots, explorers, tables and the book's formatting helpers.

Importing this package applies the course's figure style (:func:`actlib.display.style.use`):
the colour-blind-safe palette with a line style per curve, and SVG figures in a notebook.
"""

from actlib.display.style import use as _use_course_style

_use_course_style()
