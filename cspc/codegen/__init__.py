"""Code generation: a checked occam program becomes a Python ``ast.Module``.

Every Python node is stamped with the line and column of the occam node it
comes from, so tracebacks, ``linecache`` and the runtime's deadlock reports
point at ``.csp`` lines once the module is compiled with the ``.csp`` path as
its file name.

How occam maps onto Python (see also ``cspc/runtime/occam.py``):

* values: integers are ``int``, BOOL ``bool``, REALs ``float``; arrays and
  records are ``list`` (strings are ``bytes`` constants, read-only);
* a PROC is a function; its scalar reference parameters are copied in and
  their final values returned (occam's aliasing rules make copy-in/copy-out
  indistinguishable from sharing), arrays and channels are passed by
  reference, slices used as variables are :class:`View` objects;
* a variable is a Python local; a PAR branch is a nested function that
  declares ``nonlocal`` the outer variables it assigns;
* a channel message is the single value of a one-item protocol, a tuple for a
  sequential protocol, ``(count, items)`` for a counted array, and
  ``(tag_name, items...)`` for a variant protocol.

Calling Python (`#PRAGMA PYTHON "module:function"` before a PROC or FUNCTION
heading): the body is replaced by a call of that function, imported on first
use, with the same calling convention as a compiled PROC -- VAL parameters
as values, arrays as sequences, channels as runtime channels; a FUNCTION
returns its result (a tuple for several); a PROC returns the new values of
its scalar reference parameters (one value, a tuple for several, or None
when it has none).

Generated code reaches the runtime, its helpers and Python's builtins only
through ``_``-prefixed names, which no occam name can spell (see
:mod:`cspc.names`).

The package, by construct family: :mod:`.core` (the registry of translators,
one per AST node class, and the module being built), :mod:`.decls`
(declarations, PROCs, FUNCTIONs), :mod:`.control` (SEQ, IF, CASE, WHILE,
assignment, calls), :mod:`.par` (PAR, barriers), :mod:`.comms`
(communication, ALT), :mod:`.values` (names, elements, slices, tables) and
:mod:`.arith` (operators, conversions); :mod:`.pyast` and :mod:`.types` are
small helpers.  The generator is a pure translator: it reads what the checks
established (the annotations listed in :mod:`cspc.check`) and finds no user
errors, so a program that passes ``cspc check`` always compiles.
"""

from __future__ import annotations

from cspc import syntax as S

# Importing the families registers their translators.
from . import arith, comms, control, decls, par, processes, values  # noqa: F401
from .core import RESERVED, TRANSLATORS, Generator

__all__ = ["Generator", "generate", "TRANSLATORS", "RESERVED"]


def generate(program: S.Program, main: S.ProcDecl | None = None):
    """The Python module (an ``ast.Module``) for a checked ``program``; ``main``
    runs when the module is run as a script."""
    return Generator(program, main).module()
