"""Activations inside networks, by concern.

* :mod:`actlib.nn.networks`: the :class:`~actlib.nn.networks.MLP` class, ``build_mlp`` and the
  initialisers;
* :mod:`actlib.nn.training`: the training loop ``fit``, ``accuracy``, the digits data and the
  seeded ``train`` experiment;
* :mod:`actlib.nn.diagnostics`: gradient profiles, dead units, collapse of linear networks,
  linear regions and activation patterns;
* :mod:`actlib.nn.plotting`: decision boundaries and linear pieces, drawn on given axes.

These modules import PyTorch; ``import actlib`` does not.
"""
