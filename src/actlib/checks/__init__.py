"""Checks of the implementations: verification against SymPy and PyTorch, accuracy, speed."""
