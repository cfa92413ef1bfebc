"""Schedulers that run cspc processes: greenlets (default) and OS threads.

``create(name)`` makes a fresh backend; ``name`` None means the
``CSPC_BACKEND`` environment variable, else "greenlet".
"""

from __future__ import annotations

import os

from ..errors import CSPError

NAMES = ("greenlet", "threads")
_ALIASES = {"greenlets": "greenlet", "thread": "threads"}


def resolve_name(name: str | None) -> str:
    if name is None:
        name = os.environ.get("CSPC_BACKEND") or "greenlet"
    name = _ALIASES.get(name.strip().lower(), name.strip().lower())
    if name not in NAMES:
        raise CSPError(f"unknown backend {name!r}: choose one of {', '.join(NAMES)}")
    return name


def create(name: str | None = None):
    name = resolve_name(name)
    if name == "greenlet":
        from .greenlets import GreenletBackend

        return GreenletBackend()
    from .threads import ThreadsBackend

    return ThreadsBackend()
