"""The Python side of cspc's file.module: POSIX file descriptors for occam.

``cspc/lib/file.module`` declares each routine by its KRoC heading with a
``#PRAGMA PYTHON "cspc.runtime.files:NAME"`` before it, so these functions
follow the calling convention of a compiled PROC: VAL parameters arrive as
values (a ``[]BYTE`` as a sequence of byte values), an array parameter is
changed in place, and the function returns the new values of the PROC's
scalar reference parameters (its results).

As in KRoC, nothing here raises for the outside world's refusals: a file
that cannot be opened gives the descriptor -1, a failed read, write, seek or
close gives the result -1, and the program carries on.  The descriptors are
the operating system's own, so 0, 1 and 2 are standard input, output and
error (but the program's screen channel is buffered apart from fd 1).

The mode bits a program passes are KRoC's (Linux's) values; they are
translated bit by bit to the host's, so O.CREAT means O_CREAT everywhere.
"""

from __future__ import annotations

import os

__all__ = (
    "check_access", "size", "open", "open3", "read", "write", "seek", "close",
    "mkdir", "rmdir", "unlink",
)  # fmt: skip

WORD_MAX = (1 << 31) - 1

# KRoC's OPEN.MODE bits (filelib.inc) and the host's flags they stand for.
_MODE_BITS = (
    (0x40, "O_CREAT"), (0x80, "O_EXCL"), (0x100, "O_NOCTTY"), (0x200, "O_TRUNC"),
    (0x400, "O_APPEND"), (0x800, "O_NONBLOCK"), (0x1000, "O_SYNC"), (0x2000, "O_ASYNC"),
    (0x4000, "O_DIRECT"), (0x8000, "O_LARGEFILE"), (0x10000, "O_DIRECTORY"),
    (0x20000, "O_NOFOLLOW"),
)  # fmt: skip
_ACCESS = {0: os.O_RDONLY, 1: os.O_WRONLY, 2: os.O_RDWR}


def _name(text) -> str:
    """An occam string as a file name: up to its first NUL (as C sees it)."""
    data = bytes(text)
    return os.fsdecode(data.split(b"\0", 1)[0])


def _flags(mode: int) -> int | None:
    access = _ACCESS.get(mode & 3)
    if access is None:
        return None
    flags = access | getattr(os, "O_BINARY", 0)
    for bit, name in _MODE_BITS:
        if mode & bit:
            flags |= getattr(os, name, 0)
    return flags


def _int(n: int) -> int:
    """A count or offset as an occam INT (larger ones are clamped)."""
    return min(n, WORD_MAX)


def check_access(filename, what, result):
    """file.check.access: whether the access `what` (R.OK, W.OK, X.OK, F.OK,
    or'ed together) to filename is allowed."""
    mode = (os.R_OK if what & 4 else 0) | (os.W_OK if what & 2 else 0)
    mode |= os.X_OK if what & 1 else 0
    return os.access(_name(filename), mode or os.F_OK)


def size(filename, result):
    """file.size: the size of filename in bytes, -1 if it does not exist."""
    try:
        return _int(os.stat(_name(filename)).st_size)
    except (OSError, ValueError):
        return -1


def open3(filename, mode, perm, fd):
    """file.open3: a new descriptor for filename (created with permissions
    perm when O.CREAT is given), or -1."""
    flags = _flags(mode)
    if flags is None:
        return -1
    try:
        return os.open(_name(filename), flags, perm & 0o7777)
    except (OSError, ValueError):
        return -1


def open(filename, mode, fd):  # noqa: A001 -- the occam name is file.open
    """file.open: as file.open3, a new file getting permissions 0666 less
    the umask."""
    return open3(filename, mode, 0o666, fd)


def read(fd, buffer, result):
    """file.read: read up to SIZE buffer bytes into buffer: the number read,
    0 at end of file, -1 on error."""
    try:
        data = os.read(fd, len(buffer))
    except (OSError, ValueError, OverflowError):
        return -1
    for i, byte in enumerate(data):
        buffer[i] = byte
    return len(data)


def write(fd, buffer, result):
    """file.write: write the bytes of buffer: the number written, -1 on error."""
    try:
        return os.write(fd, bytes(buffer))
    except (OSError, ValueError, OverflowError):
        return -1


def seek(fd, offset, whence, result):
    """file.seek: move the offset (SEEK.SET, SEEK.CUR, SEEK.END): the new
    offset, or -1."""
    if whence not in (0, 1, 2):
        return -1
    try:
        return _int(os.lseek(fd, offset, (os.SEEK_SET, os.SEEK_CUR, os.SEEK_END)[whence]))
    except (OSError, ValueError, OverflowError):
        return -1


def close(fd, result):
    """file.close: 0, or -1 (a descriptor that is not open, say)."""
    try:
        os.close(fd)
    except (OSError, ValueError, OverflowError):
        return -1
    return 0


def _status(action) -> int:
    try:
        action()
    except (OSError, ValueError):
        return -1
    return 0


def mkdir(pathname, perm, result):
    return _status(lambda: os.mkdir(_name(pathname), perm & 0o7777))


def rmdir(pathname, result):
    return _status(lambda: os.rmdir(_name(pathname)))


def unlink(filename, result):
    return _status(lambda: os.unlink(_name(filename)))
