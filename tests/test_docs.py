"""The documentation cannot rot: its examples are run, and the site builds cleanly.

How the pages in docs/ mark their examples (see docs/writing-docs.md):

* A fenced block marked ``occam`` is a complete program.  It is saved as
  ``example.csp`` and run with ``cspc run`` (on the default backend: the
  programs in examples/ run on both, in tests/test_examples.py).  The fenced blocks
  that come straight after it (nothing but blank lines between) say what should
  happen:

  - ``stdin``: fed to the program's keyboard;
  - ``output``: its exact standard output (no ``output`` block: no output);
  - ``stderr``: its exact standard error, and the run must fail (exit status 1);
  - ``diagnostics``: instead of running it, ``cspc check example.csp`` must
    print exactly this; the exit status is 1 when it holds an ``error:``.

  Without a ``stderr`` or ``diagnostics`` block the program must run cleanly:
  exit status 0 and nothing on standard error.
* ``occam-fragment`` blocks are shown, not run (pieces of programs).
* ``console`` blocks are terminal sessions: each ``$ command`` is run by the
  shell in a scratch folder holding a copy of ``examples/`` (one folder for the
  whole session, so that each example is compiled once), with ``cspc`` and
  ``python`` on the PATH, and what follows it up to the next ``$`` is its exact
  output (standard output and standard error together).  ``sh`` blocks are
  shown, not run (installation steps, output that varies).
* ``python`` blocks are compiled; a ``python`` block followed by an ``output``
  block is also run (in the same scratch folder) and its output compared.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from cspc_cli import TIMEOUT, run_cspc

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"

# Pages written elsewhere, whose blocks may use other conventions.
OTHER_OWNERS = {"runtime.md", "architecture.md"}
KNOWN_KINDS = {
    "occam", "occam-fragment", "stdin", "output", "stderr", "diagnostics",
    "console", "sh", "python", "text", "",
}  # fmt: skip
RESULT_KINDS = {"stdin", "output", "stderr", "diagnostics"}


# --------------------------------------------------------------------------- reading the pages


@dataclass
class Block:
    page: str
    line: int  # of the opening fence, 1-based
    kind: str  # the fence's info string
    text: str
    follows_directly: bool  # only blank lines since the previous block ended
    results: dict[str, str] = field(default_factory=dict)  # kind -> text of its result blocks
    is_result: bool = False  # a result block attached to the example before it

    @property
    def id(self) -> str:
        return f"{self.page}:{self.line}"


FENCE = re.compile(r"^```\s*([\w.+#-]*)\s*$")


def read_blocks(path: Path) -> list[Block]:
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i, prose_since_last = 0, True
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            if lines[i].strip():
                prose_since_last = True
            i += 1
            continue
        start, kind, body = i, match.group(1), []
        i += 1
        while i < len(lines) and lines[i].rstrip() != "```":
            body.append(lines[i])
            i += 1
        text = "\n".join(body) + "\n" if body else ""
        blocks.append(Block(path.name, start + 1, kind, text, not prose_since_last))
        prose_since_last = False
        i += 1
    return attach_results(blocks)


def attach_results(blocks: list[Block]) -> list[Block]:
    """Give each occam/python block the result blocks that follow it directly."""
    owner = None
    for block in blocks:
        if block.kind in RESULT_KINDS and block.follows_directly and owner is not None:
            block.is_result = True
            owner.results[block.kind] = block.text
        else:
            owner = block if block.kind in ("occam", "python") else None
    return blocks


def all_blocks() -> list[Block]:
    return [b for page in sorted(DOCS.glob("*.md")) for b in read_blocks(page)]


BLOCKS = all_blocks()
OCCAM = [b for b in BLOCKS if b.kind == "occam"]
CONSOLE = [b for b in BLOCKS if b.kind == "console"]
PYTHON = [b for b in BLOCKS if b.kind == "python"]


# --------------------------------------------------------------------------- running things


@pytest.fixture(scope="session")
def scratch(tmp_path_factory) -> tuple[Path, dict]:
    """A folder with a copy of examples/ and an environment whose PATH has cspc and python."""
    tmp_path = tmp_path_factory.mktemp("scratch")
    work = tmp_path / "work"
    shutil.copytree(ROOT / "examples", work / "examples")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "cspc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m cspc "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    python = bin_dir / "python"
    python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
    python.chmod(python.stat().st_mode | stat.S_IEXEC)
    env = dict(os.environ, NO_COLOR="1", PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    env.pop("CSPC_BACKEND", None)
    return work, env


def cspc(args: list[str], cwd: Path, stdin: str = "") -> subprocess.CompletedProcess:
    return run_cspc(*args, cwd=cwd, stdin=stdin.encode())


def text(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


# --------------------------------------------------------------------------- the tests


@pytest.fixture(scope="session")
def snippet_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("snippets")


def saved_snippet(block: Block, base: Path, compiled: bool) -> Path:
    """Save the example as example.csp in a folder of its own; if ``compiled``, also
    compile it in this process (where the compiler is loaded already), which leaves the
    result in cspc's cache: the test's `cspc run` then starts from the cache."""
    folder = base / f"{block.page.removesuffix('.md')}-{block.line}"
    path = folder / "example.csp"
    if not path.exists():
        folder.mkdir()
        path.write_text(block.text, encoding="utf-8")
    if compiled:
        from cspc.compiler import compile_file  # the code under test: imported when used
        from cspc.diagnostics import CompileError

        try:
            compile_file(str(path), ())
        except CompileError:
            pass  # `cspc check` / `cspc run` report it, as the user would see it
    return path


@pytest.mark.parametrize("block", OCCAM, ids=lambda b: b.id)
def test_occam_example_does_what_the_page_says(block: Block, snippet_dir: Path):
    checking = "diagnostics" in block.results
    path = saved_snippet(block, snippet_dir, compiled=not checking)
    if checking:
        expected = block.results["diagnostics"]
        result = cspc(["check", path.name], path.parent)
        assert text(result.stderr) == expected
        assert result.returncode == (1 if "error:" in expected else 0)
        return
    stdin = block.results.get("stdin", "")
    result = cspc(["run", path.name], path.parent, stdin)
    assert text(result.stderr) == block.results.get("stderr", "")
    assert text(result.stdout) == block.results.get("output", "")
    assert result.returncode == (1 if "stderr" in block.results else 0)


def console_steps(block: Block) -> list[tuple[str, str]]:
    """(command, expected output) for each `$ command` of a console block."""
    steps: list[tuple[str, list[str]]] = []
    for line in block.text.splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        else:
            assert steps, f"{block.id}: a console block starts with a `$ ' command"
            steps[-1][1].append(line)
    return [(command, "".join(out + "\n" for out in output)) for command, output in steps]


@pytest.mark.parametrize("block", CONSOLE, ids=lambda b: b.id)
def test_console_session_prints_what_the_page_shows(block: Block, scratch):
    work, env = scratch
    for command, expected in console_steps(block):
        result = subprocess.run(
            command,
            shell=True,
            cwd=work,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=TIMEOUT,
        )
        assert (command, text(result.stdout)) == (command, expected)


@pytest.mark.parametrize("block", PYTHON, ids=lambda b: b.id)
def test_python_example_compiles_and_runs(block: Block, scratch, tmp_path: Path):
    compile(block.text, block.id, "exec")
    if "output" not in block.results:
        return
    work, env = scratch
    script = tmp_path / "snippet.py"
    script.write_text(block.text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script)], cwd=work, env=env, capture_output=True, timeout=TIMEOUT
    )
    assert text(result.stderr) == ""
    assert text(result.stdout) == block.results["output"]


def test_every_block_says_what_it_is():
    unknown = [
        f"{b.id}: ```{b.kind}"
        for b in BLOCKS
        if b.page not in OTHER_OWNERS and b.kind not in KNOWN_KINDS
    ]
    assert unknown == []


def test_result_blocks_belong_to_an_example():
    orphans = [
        f"{b.id}: ```{b.kind}"
        for b in BLOCKS
        if b.page not in OTHER_OWNERS and b.kind in RESULT_KINDS and not b.is_result
    ]
    assert orphans == []


def test_the_language_page_runs_an_example_for_every_section():
    page = DOCS / "language.md"
    sections, current = {}, None
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            current = line[3:]
            sections[current] = 0
        elif line.strip() == "```occam" and current is not None:
            sections[current] += 1
    without = [name for name, count in sections.items() if count == 0]
    # Sections that describe rather than show (their constructs appear in other sections' examples).
    descriptive = {
        "SEQ, SKIP and STOP", "Files: #INCLUDE, #USE and #PRAGMA", "The main process",
        "The course library",
    }  # fmt: skip
    assert sorted(set(without) - descriptive) == []


def test_the_site_builds_without_warnings(tmp_path: Path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[docs]')")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )
    assert result.returncode == 0, text(result.stderr)
    # occam is coloured by cspc's Pygments lexer, with the stylesheet the build writes
    page = (tmp_path / "site" / "language" / "index.html").read_text()
    assert '<span class="k">SEQ</span>' in page and '<span class="kt">INT</span>' in page
    assert ".highlight .k " in (tmp_path / "site" / "css" / "pygments.css").read_text()
