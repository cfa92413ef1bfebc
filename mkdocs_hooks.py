"""MkDocs hooks (``hooks:`` in mkdocs.yml), run by ``mkdocs build`` and ``serve``.

The code blocks are coloured by Pygments at build time (pymdownx.highlight,
with cspc's own occam lexer); the colours are a stylesheet Pygments writes
from its default style, so the site's copy is written here at each build
instead of being kept, generated, in the repository.

The pictures of "Seeing a run" (docs/seeing.md) are drawn here too, from the
examples, by the code the page describes (``cspc graph``, ``cspc trace
--chart``), so they always show what the current cspc draws.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

STYLESHEET = "css/pygments.css"  # listed in mkdocs.yml's extra_css


def on_post_build(config, **kwargs) -> None:
    from pygments.formatters import HtmlFormatter

    path = os.path.join(config["site_dir"], STYLESHEET)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(HtmlFormatter(style="default").get_style_defs(".highlight") + "\n")


# Pictures for docs/seeing.md: the site file -> the cspc command line drawing it (OUT: where).
PICTURES = {
    "images/seeing/sieve.svg": ["graph", "-o", "OUT", "examples/sieve.csp"],
    "images/seeing/commstime-run.svg": ["graph", "--run", "-o", "OUT", "examples/commstime.csp"],
    "images/seeing/deadlock.svg": ["graph", "--run", "--expand", "-o", "OUT", "examples/philosophers_deadlock.csp"],
    "images/seeing/buffer-chart.svg": ["trace", "--chart", "OUT", "--chart-limit", "16", "-o", os.devnull,
                                       "examples/buffer.csp"],
}  # fmt: skip


def on_files(files, config, **kwargs):
    """Add the pictures of :data:`PICTURES`, drawn now, to the site."""
    from mkdocs.structure.files import File

    root = os.path.dirname(os.path.abspath(__file__))
    with tempfile.TemporaryDirectory() as tmp:
        for uri, args in PICTURES.items():
            out = os.path.join(tmp, os.path.basename(uri))
            command = [sys.executable, "-m", "cspc", *[out if a == "OUT" else a for a in args]]
            ran = subprocess.run(command, cwd=root, capture_output=True, timeout=120)
            if not os.path.exists(out):  # no dot or no matplotlib here: say so in the picture's place
                why = ran.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no output)"]
                content = _placeholder(f"not drawn at this build: {why[0]}")
            else:
                with open(out, "rb") as f:
                    content = f.read()
            files.append(File.generated(config, uri, content=content))
    return files


def _placeholder(message: str) -> bytes:
    from xml.sax.saxutils import escape

    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="600" height="40"><text x="4" y="24" '
            f'font-family="sans-serif" font-size="14">{escape(message)}</text></svg>').encode("utf-8")
