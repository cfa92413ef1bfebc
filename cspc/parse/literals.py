"""The text inside string and byte literals: escapes and continued lines."""

from __future__ import annotations

import re

__all__ = ["BadEscape", "decode_occam_text"]

_ESCAPES = {"n": 10, "c": 13, "t": 9, "s": 32, "*": 42, '"': 34, "'": 39}
_STRING_PIECE = re.compile(r"\*[ \t]*\r?\n[ \t]*\*|\*#[0-9A-Fa-f]{2}|\*.|[^*]+", re.S)


class BadEscape(Exception):
    def __init__(self, escape: str, offset: int, message: str | None = None):
        self.escape, self.offset, self.message = escape, offset, message


def decode_occam_text(body: str, *, string: bool = False) -> bytes:
    """Decode the inside of a string (``string``) or byte literal: escapes,
    continued lines, and a string's leading ``*l``, which stands for the
    number of bytes after it (KRoC's length-prefixed strings)."""
    out = bytearray()
    counted = False
    for match in _STRING_PIECE.finditer(body):
        piece = match.group()
        if piece in ("*l", "*L"):
            if not (string and match.start() == 0):
                raise BadEscape(piece, match.start(), f"`{piece}' (the string's length) may only begin a string")
            counted = True
            out.append(0)  # filled in below
            continue
        if piece.startswith("*") and len(piece) > 1:
            if "\n" in piece:
                continue  # a string continued on the next line
            if piece[1] == "#" and len(piece) == 4:  # *#hh; a bare *# is a bad escape
                out.append(int(piece[2:], 16))
            elif piece[1] in _ESCAPES:
                out.append(_ESCAPES[piece[1]])
            elif piece[1].lower() in _ESCAPES:  # *N, *C, *T, *S are accepted too
                out.append(_ESCAPES[piece[1].lower()])
            else:
                raise BadEscape(piece, match.start())
        elif piece == "*":
            raise BadEscape(piece, match.start())
        else:
            out += piece.encode("utf-8")
    if counted:
        if len(out) - 1 > 255:
            raise BadEscape(body[:2], 0, f"a string begun with `{body[:2]}' holds at most 255 bytes after it")
        out[0] = len(out) - 1
    return bytes(out)
