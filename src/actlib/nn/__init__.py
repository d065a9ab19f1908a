"""Activations inside networks: building, initialising and training small MLPs."""
