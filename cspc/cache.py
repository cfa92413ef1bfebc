"""The compile cache: a second ``cspc run`` of an unchanged program parses nothing.

An entry holds what :func:`cspc.compiler.compile_file` returns: the code
object, the main PROC's Python name, the warnings, the files read.  What runs
is what the cache holds, so it is guarded as Python guards ``__pycache__``, and
more:

* **No pickle.**  An entry is a fixed header then a ``marshal``-ed tuple of
  plain data (str, int, bytes, tuple, list, dict and the code object), which
  loading cannot turn into a call.  The header is ``MAGIC``, the entry
  ``FORMAT``, Python's own bytecode magic number, the SHA-256 of the key the
  entry was stored under and the SHA-256 of the payload; an entry whose header
  or contents do not check out is ignored (and recompiled over).
* **A folder only you can write.**  The folder is made with mode 0700; one owned
  by another user, or writable by group or others, is not used at all (one
  warning, then no cache), and neither is an entry file owned by someone else.
* **Atomic writes**: an entry is written to a temporary file in the folder and
  renamed into place, so concurrent runs never read half an entry.
* **The key covers every input that changes the output**: the main file's
  path and text, the include paths, the options, cspc's version and a digest
  of its own sources and of the occam ABI, and the Python version; an entry
  also records the digest of every file the program included and is ignored
  when one of them changed.

The folder is ``$CSPC_CACHE_DIR``, else ``$XDG_CACHE_HOME/cspc``, else
``~/.cache/cspc``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import marshal
import os
import stat
import sys
import tempfile
from pathlib import Path
from types import CodeType

import cspc
from cspc.diagnostics import Diagnostic, Span

MAGIC = b"cspc-cache\0"
FORMAT = 2
_HEADER = len(MAGIC) + 2 + len(importlib.util.MAGIC_NUMBER) + 32 + 32

_warned = False


def cache_dir() -> Path:
    env = os.environ.get("CSPC_CACHE_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cspc"


# --------------------------------------------------------------------------- keys


def digest(*parts: str) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part.encode("utf-8", "surrogateescape"))
        h.update(b"\0")
    return h.hexdigest()


_SOURCES_DIGEST: str | None = None


def compiler_digest() -> str:
    """A digest of the compiler's own sources and the occam ABI, so that a changed
    compiler never reuses stale cached code, even between releases."""
    global _SOURCES_DIGEST
    if _SOURCES_DIGEST is None:
        import cspc.grammar
        import cspc.runtime.occam

        roots = [Path(cspc.__file__).parent, Path(cspc.grammar.__file__).parent]
        files = sorted(p for root in roots for p in root.rglob("*") if p.suffix in (".py", ".lark"))
        files.append(Path(cspc.runtime.occam.__file__))
        parts = [str(cspc.runtime.occam.ABI_VERSION)]
        for file in files:
            try:
                parts.append(f"{file.name}:{hashlib.sha256(file.read_bytes()).hexdigest()}")
            except OSError:
                parts.append(f"{file.name}:?")
        _SOURCES_DIGEST = digest(*parts)
    return _SOURCES_DIGEST


def key(path: str, text: str, include_paths, warn_unused: bool) -> str:
    return digest(
        str(FORMAT),
        cspc.__version__,
        compiler_digest(),
        sys.version,
        os.path.abspath(path),
        path,  # the code names the file as it was given: messages show that name
        *include_paths,
        str(warn_unused),
        text,
    )


def file_digest(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


# --------------------------------------------------------------------------- the folder


def _refuse(directory: Path, why: str) -> bool:
    global _warned
    if not _warned:
        _warned = True
        print(f"cspc: warning: not using the compile cache {directory}: {why}", file=sys.stderr)
    return False


def _safe_dir(directory: Path, create: bool) -> bool:
    """Is ``directory`` a folder only this user can write (made so if asked)?"""
    try:
        if create:
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.stat(directory)
    except FileNotFoundError:
        return False
    except OSError as exc:
        return _refuse(directory, exc.strerror or str(exc))
    if not stat.S_ISDIR(st.st_mode):
        return _refuse(directory, "it is not a folder")
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return _refuse(directory, "it belongs to another user")
    if st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return _refuse(directory, f"others may write to it (mode {stat.S_IMODE(st.st_mode):o})")
    return True


# --------------------------------------------------------------------------- entries


def _diagnostic_data(d: Diagnostic) -> tuple:
    return (
        d.severity,
        d.message,
        _span_data(d.span),
        [_diagnostic_data(n) for n in d.notes],
        [_span_data(s) for s in d.include_chain],
    )


def _span_data(s: Span) -> tuple:
    return (s.file, s.line, s.col, s.end_line, s.end_col)


def _diagnostic(data) -> Diagnostic:
    severity, message, span, notes, chain = data
    return Diagnostic(
        str(severity),
        str(message),
        Span(*span),
        [_diagnostic(n) for n in notes],
        tuple(Span(*s) for s in chain),
    )


def load(entry_key: str):
    """The entry stored under ``entry_key`` as a dict, or None (absent, unsafe,
    damaged, from another format or Python, or an included file changed)."""
    directory = cache_dir()
    if not _safe_dir(directory, create=False):
        return None
    try:
        fd = os.open(directory / f"{entry_key}.cache", os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(f.fileno())
        if hasattr(os, "getuid") and st.st_uid != os.getuid():
            return None
        blob = f.read()
    payload = _checked_payload(blob, entry_key)
    if payload is None:
        return None
    try:
        path, deps, code, main, warnings, procs, include_paths = marshal.loads(payload)
        if not isinstance(code, CodeType) or not isinstance(procs, dict):
            return None
        for dep, dep_digest in deps:
            if file_digest(dep) != dep_digest:
                return None
        return {
            "path": str(path),
            "files": [str(dep) for dep, _ in deps],
            "code": code,
            "main": main if main is None else str(main),
            "warnings": [_diagnostic(w) for w in warnings],
            "procs": {str(k): str(v) for k, v in procs.items()},
            "include_paths": tuple(str(p) for p in include_paths),
        }
    except (ValueError, EOFError, TypeError):
        return None


def _checked_payload(blob: bytes, entry_key: str) -> bytes | None:
    if len(blob) < _HEADER or not blob.startswith(MAGIC):
        return None
    at = len(MAGIC)
    if int.from_bytes(blob[at : at + 2], "little") != FORMAT:
        return None
    at += 2
    if blob[at : at + len(importlib.util.MAGIC_NUMBER)] != importlib.util.MAGIC_NUMBER:
        return None
    at += len(importlib.util.MAGIC_NUMBER)
    stored_key, stored_digest = blob[at : at + 32], blob[at + 32 : at + 64]
    payload = blob[at + 64 :]
    if stored_key != hashlib.sha256(entry_key.encode()).digest():
        return None
    if stored_digest != hashlib.sha256(payload).digest():
        return None
    return payload


def store(entry_key: str, *, path, files, code, main, warnings, procs, include_paths) -> None:
    """Store an entry (silently doing nothing when the folder cannot be used)."""
    directory = cache_dir()
    if not _safe_dir(directory, create=True):
        return
    payload = marshal.dumps(
        (
            path,
            [(dep, file_digest(dep)) for dep in files],
            code,
            main,
            [_diagnostic_data(w) for w in warnings],
            dict(procs),
            list(include_paths),
        )
    )
    header = (
        MAGIC
        + FORMAT.to_bytes(2, "little")
        + importlib.util.MAGIC_NUMBER
        + hashlib.sha256(entry_key.encode()).digest()
        + hashlib.sha256(payload).digest()
    )
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(header + payload)
            os.replace(tmp, directory / f"{entry_key}.cache")
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass  # a cache that cannot be written is only slower
