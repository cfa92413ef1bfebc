"""MkDocs hooks (``hooks:`` in mkdocs.yml), run by ``mkdocs build`` and ``serve``.

The code blocks are coloured by Pygments at build time (pymdownx.highlight,
with cspc's own occam lexer); the colours are a stylesheet Pygments writes
from its default style, so the site's copy is written here at each build
instead of being kept, generated, in the repository.
"""

from __future__ import annotations

import os

STYLESHEET = "css/pygments.css"  # listed in mkdocs.yml's extra_css


def on_post_build(config, **kwargs) -> None:
    from pygments.formatters import HtmlFormatter

    path = os.path.join(config["site_dir"], STYLESHEET)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HtmlFormatter(style="default").get_style_defs(".highlight") + "\n")
