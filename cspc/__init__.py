"""cspc: occam's notation for CSP process networks, compiled to Python.

The compiler lives here (grammar -> parse -> check -> codegen); the runtime it
targets is the separate package :mod:`cspc.runtime`, which knows nothing of it.
"""

__version__ = "0.1.0"
