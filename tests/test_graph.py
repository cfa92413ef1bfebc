"""`cspc graph`: the static process network, and the network a run left.

The DOT text is read back (nodes by label, arrows by writer, reader and
label) so that the tests ask what the picture says, not how it is spelled."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from cspc_cli import run_cspc
from test_examples import EXAMPLES_WITH_OUTPUT, masked, text

ROOT = Path(__file__).resolve().parent.parent
HAS_DOT = shutil.which("dot") is not None
NODE = re.compile(r'^\s*(\w+) \[label=("(?:[^"\\]|\\.)*"|\S+?)(?: (.*))?\]$')
EDGE = re.compile(r'^\s*(\w+) -> (\w+) \[label=("(?:[^"\\]|\\.)*"|\S+?)(?: (.*))?\]$')


def unquote(label: str) -> str:
    return label[1:-1].replace("\\n", "\n") if label.startswith('"') else label


class Picture:
    """A DOT text read back: ``nodes`` ident -> (label, attributes),
    ``edges`` as (writer label, reader label, label, attributes)."""

    def __init__(self, dot: str) -> None:
        self.nodes: dict[str, tuple[str, str]] = {}
        raw_edges = []
        for line in dot.splitlines():
            if (m := EDGE.match(line)) is not None:
                raw_edges.append((m[1], m[2], unquote(m[3]), m[4] or ""))
            elif (m := NODE.match(line)) is not None:
                self.nodes[m[1]] = (unquote(m[2]), m[3] or "")
        self.edges = [(self.name(w), self.name(r), label, attrs) for w, r, label, attrs in raw_edges]

    def name(self, ident: str) -> str:
        return self.nodes[ident][0].split("\n")[0]

    def arrows(self) -> set[tuple[str, str, str]]:
        return {(w, r, label) for w, r, label, _ in self.edges}

    def red_nodes(self) -> set[str]:
        return {label.split("\n")[0] for label, attrs in self.nodes.values() if "red" in attrs}

    def red_edges(self) -> set[tuple[str, str, str]]:
        return {(w, r, label) for w, r, label, attrs in self.edges if "red" in attrs}


def graph(*args: str, stdin: bytes = b""):
    return run_cspc("graph", *args, cwd=ROOT, stdin=stdin)


def test_the_sieve_is_a_pipeline_of_one_replicated_filter():
    result = graph("examples/sieve.csp")
    assert result.returncode == 0, text(result.stderr)
    picture = Picture(text(result.stdout))
    assert picture.arrows() == {
        ("generate", "filter", "pipe[0]"),
        ("filter", "filter", "pipe[1..25]"),
        ("filter", "sink", "pipe[26]"),
        ("filter", "print.primes", "report[0..25]"),
        ("print.primes", "screen", "screen"),
    }
    assert "filter\ni = 0 FOR 26" in {label for label, _ in picture.nodes.values()}


def test_expand_draws_each_copy_up_to_the_limit():
    picture = Picture(text(graph("--expand", "examples/sieve.csp").stdout))
    arrows = picture.arrows()
    assert ("generate", "filter i=0", "pipe[0]") in arrows
    assert ("filter i=3", "filter i=4", "pipe[4]") in arrows
    assert ("filter i=25", "sink", "pipe[26]") in arrows
    assert ("filter i=7", "print.primes", "report[7]") in arrows
    assert len([n for n in picture.nodes.values() if n[0].startswith("filter i=")]) == 26
    kept = Picture(text(graph("--expand", "--limit", "10", "examples/sieve.csp").stdout))
    assert ("filter", "filter", "pipe[1..25]") in kept.arrows()  # 26 copies > 10: still one node


def test_a_nested_par_is_a_box_and_keyboard_and_screen_are_at_the_edge():
    dot = text(graph("examples/commstime.csp").stdout)
    picture = Picture(dot)
    assert {
        ("prefix.n", "delta.n", "a"),
        ("delta.n, PAR branch 1", "consume", "b"),
        ("delta.n, PAR branch 2", "succ.n", "c"),
        ("succ.n", "prefix.n", "d"),
        ("consume", "screen", "screen"),
    } <= picture.arrows()
    assert re.search(r'subgraph cluster_\d+ \{\s*color=gray40 label="delta.n"', dot)
    assert "rank=sink" in dot
    echo = Picture(text(graph("examples/echo.csp").stdout))
    assert ("keyboard", "echo", "keyboard") in echo.arrows()


def test_a_run_counts_the_messages_on_each_channel(backend):
    result = graph("--run", "--backend", backend, "examples/commstime.csp")
    assert result.returncode == 0
    assert text(result.stdout).startswith("CommsTime: 3 batches")  # the program's own output
    picture = Picture(text(result.stderr))
    for arrow in [("prefix.n", "delta.n", "a: 6000"), ("delta.n, PAR branch 1", "consume", "b: 6000"),
                  ("delta.n, PAR branch 2", "succ.n", "c: 6000"), ("succ.n", "prefix.n", "d: 6000")]:
        assert arrow in picture.arrows()
    sieve = Picture(text(graph("--run", "--backend", backend, "examples/sieve.csp").stderr))
    assert ("generate", "filter", "pipe[0]: 99") in sieve.arrows()  # 2..99, then the end marker
    assert ("filter", "print.primes", "report[0..25]: 26") in sieve.arrows()


def test_the_deadlocked_philosophers_are_red_and_only_they(backend, tmp_path):
    out = tmp_path / "run.dot"
    result = graph("--run", "--expand", "--backend", backend, "-o", str(out), "examples/philosophers_deadlock.csp")
    assert result.returncode == 1
    report = text(result.stderr)
    assert report.startswith("run-time error: deadlock: no process can proceed (10 blocked)")
    picture = Picture(out.read_text())
    assert picture.red_nodes() == {f"philosopher i={i}" for i in range(5)} | {f"fork i={i}" for i in range(5)}
    # philosopher i waits to give fork i its right fork; fork i waits for philosopher i+1's left.
    assert picture.red_edges() == (
        {(f"philosopher i={i}", f"fork i={i}", f"right[{i}]: 0") for i in range(5)}
        | {(f"philosopher i={i}", f"fork i={(i - 1) % 5}", f"left[{i}]: 1") for i in range(5)}
    )
    assert ("main", "screen", "screen: 38") in picture.arrows() - picture.red_edges()


def test_the_deadlock_explore_found_is_drawn_from_its_schedule(tmp_path):
    # The naive philosophers deadlock on one schedule in many: `cspc explore'
    # finds it (each picks up the left fork), and `graph --run --schedule'
    # replays exactly that run and draws it.
    program = "tests/programs/explore/philosophers_naive.csp"
    schedule, out = tmp_path / "dead.json", tmp_path / "dead.dot"
    assert run_cspc("explore", "--schedule-out", str(schedule), program, cwd=ROOT).returncode == 1
    result = graph("--run", "--expand", "--schedule", str(schedule), "-o", str(out), program)
    assert result.returncode == 1
    assert "deadlock: no process can proceed (10 blocked)" in text(result.stderr)
    picture = Picture(out.read_text())
    assert picture.red_nodes() == {f"philosopher i={i}" for i in range(5)} | {f"fork i={i}" for i in range(5)}
    # every left fork was taken once; every philosopher waits to take the right one
    assert picture.red_edges() == (
        {(f"philosopher i={i}", f"fork i={i}", f"left[{i}]: 1") for i in range(5)}
        | {(f"philosopher i={i}", f"fork i={(i - 1) % 5}", f"right[{i}]: 0") for i in range(5)}
    )
    assert graph("--schedule", str(schedule), program).returncode == 2  # it needs --run


@pytest.mark.parametrize("example", EXAMPLES_WITH_OUTPUT, ids=lambda e: e.name)
def test_every_example_is_drawn_and_runs_as_with_cspc_run(example, backend, tmp_path):
    from cspc.compiler import compile_file
    from cspc.graph import network_of
    from cspc.graph.render import dot_source

    static = Picture(dot_source(network_of(compile_file(ROOT / "examples" / example.name, use_cache=False))))
    assert any(r == "screen" for _, r, _, _ in static.edges), "every example writes to its screen"
    out = tmp_path / "run.dot"
    ran = graph("--run", "--backend", backend, "-o", str(out), f"examples/{example.name}", stdin=example.stdin)
    assert text(ran.stderr) == ""
    assert ran.returncode == 0
    assert masked(text(ran.stdout), example.masks) == example.expected
    counted = [int(label.rsplit(": ", 1)[1]) for _, _, label, _ in Picture(out.read_text()).edges]
    screen = sum(n for (_, r, label, _), n in zip(Picture(out.read_text()).edges, counted) if r == "screen")
    assert screen == len(ran.stdout)  # every byte on the screen is counted once


@pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")
def test_svg_and_png_are_really_rendered(tmp_path):
    svg, png = tmp_path / "net.svg", tmp_path / "net.png"
    assert graph("-o", str(svg), "examples/sieve.csp").returncode == 0
    assert "<svg" in svg.read_text() and "pipe[1..25]" in svg.read_text()
    assert graph("-o", str(png), "examples/sieve.csp").returncode == 0
    assert png.read_bytes().startswith(b"\x89PNG")


def test_without_dot_the_dot_text_is_written_beside(tmp_path):
    empty = tmp_path / "bin"
    empty.mkdir()
    target = tmp_path / "net.svg"
    result = run_cspc("graph", "-o", str(target), "examples/sieve.csp", cwd=ROOT, PATH=str(empty))
    assert result.returncode == 0
    assert text(result.stderr).strip().count("\n") == 0
    assert "Graphviz's `dot` is not installed" in text(result.stderr)
    assert not target.exists()
    assert ("generate", "filter", "pipe[0]") in Picture((tmp_path / "net.dot").read_text()).arrows()


def test_bad_options_are_usage_errors():
    result = graph("-o", "net.txt", "examples/sieve.csp")
    assert result.returncode == 2
    assert "suffix" in text(result.stderr)
    assert graph("--limit", "3", "examples/sieve.csp").returncode == 2


def test_a_program_with_errors_is_reported_not_drawn(tmp_path):
    bad = tmp_path / "bad.csp"
    bad.write_text("PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! x\n:\n")
    result = graph(str(bad))
    assert result.returncode == 1
    assert f"{bad}:2:" in text(result.stderr) and "Traceback" not in text(result.stderr)
    assert result.stdout == b""


def test_the_readme_shows_the_picture_the_current_code_draws():
    """docs/images/sieve.svg is committed (GitHub shows it in the README): its
    stamp is the hash of the DOT text it was drawn from, which must be what
    `cspc graph` makes of the sieve today.  If this fails, draw it again:
    `cspc graph examples/sieve.csp -o docs/images/sieve.svg`."""
    from cspc.compiler import compile_file
    from cspc.graph import network_of
    from cspc.graph.render import dot_hash, dot_source

    assert "![The sieve's process network](docs/images/sieve.svg)" in (ROOT / "README.md").read_text()
    picture = (ROOT / "docs" / "images" / "sieve.svg").read_text()
    stamped = re.search(r"<!-- cspc graph: DOT sha256 (\w+) -->", picture)
    assert stamped is not None
    now = dot_source(network_of(compile_file(ROOT / "examples" / "sieve.csp", use_cache=False)))
    assert stamped[1] == dot_hash(now)
    assert "pipe[1..25]" in picture


def test_a_process_stuck_in_an_alt_waits_on_every_guards_channel(tmp_path, backend):
    program = tmp_path / "stuck.csp"
    program.write_text(
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  CHAN INT a, b, c:\n"
        "  INT x:\n"
        "  PAR\n"
        "    c ! 1\n"
        "    ALT\n"
        "      a ? x\n"
        "        SKIP\n"
        "      b ? x\n"
        "        SKIP\n"
        ":\n"
    )
    out = tmp_path / "run.dot"
    result = graph("--run", "--backend", backend, "-o", str(out), str(program))
    assert result.returncode == 1
    assert "'main, PAR branch 2' waits in an ALT on a?, b?" in text(result.stderr)  # the report's text as before
    picture = Picture(out.read_text())
    assert picture.red_nodes() == {"main, PAR branch 1", "main, PAR branch 2"}
    assert picture.red_edges() == {
        ("(no writer)", "main, PAR branch 2", "a: 0"),
        ("(no writer)", "main, PAR branch 2", "b: 0"),
        ("main, PAR branch 1", "(no reader)", "c: 0"),
    }
