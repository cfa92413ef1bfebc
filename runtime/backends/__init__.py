"""Schedulers that run cspc processes: greenlets (default) and OS threads.

``create(name)`` makes a fresh backend; ``name`` None means the
``CSPC_BACKEND`` environment variable, else "greenlet".  A name that is
neither (nor an alias of one) raises :class:`UnknownBackend`, a usage error.
"""

from __future__ import annotations

import os

from ..errors import CSPError

NAMES = ("greenlet", "threads")
_ALIASES = {"greenlets": "greenlet", "thread": "threads"}


class UnknownBackend(CSPError, ValueError):
    """A backend name that is not one of :data:`NAMES`: the user's mistake in a
    command line or in ``CSPC_BACKEND``, reported before anything runs."""


def resolve_name(name: str | None) -> str:
    """The backend ``name`` stands for (None: ``$CSPC_BACKEND``, else "greenlet")."""
    where = ""
    if name is None:
        name = os.environ.get("CSPC_BACKEND") or "greenlet"
        where = " in CSPC_BACKEND"
    given = name
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if name not in NAMES:
        raise UnknownBackend(f"unknown backend {given!r}{where}: choose one of {', '.join(NAMES)}")
    return name


def create(name: str | None = None):
    name = resolve_name(name)
    if name == "greenlet":
        from .greenlets import GreenletBackend

        return GreenletBackend()
    from .threads import ThreadsBackend

    return ThreadsBackend()
