"""Symbolic analysis: properties computed from an activation's SymPy expression."""
