"""One module per activation (or small family); each exposes ``SPECS``."""
