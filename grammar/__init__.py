"""The occam grammar (``occam.lark``), shipped as package data.

It is the language's reference: read ``occam.lark`` top to bottom.
"""

from importlib import resources


def grammar_text() -> str:
    return resources.files(__name__).joinpath("occam.lark").read_text(encoding="utf-8")
