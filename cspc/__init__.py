"""cspc: occam's notation for CSP process networks, compiled to Python.

The compiler lives here (grammar -> parse -> check -> codegen); the runtime it
targets is the separate package :mod:`cspc.runtime`, which knows nothing of it.
"""

__version__ = "0.1.0"


def load_ipython_extension(ipython) -> None:
    """``%load_ext cspc`` in IPython or Jupyter: the ``%%occam`` cell magic
    (see :mod:`cspc.notebook`, which is where IPython is first imported)."""
    from cspc.notebook import load_ipython_extension as load

    load(ipython)
