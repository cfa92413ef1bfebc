"""Bad and extreme input gets a positioned error, never an internal error: files
that are not UTF-8, terminal escapes in the source, nesting and loops deeper
than any pass or Python can take -- and a slice of the fuzz driver
(bench/fuzz.py) over mutated programs, with no crash allowed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cspc.cli import main
from cspc.parse.limits import MAX_DEPTH

REPO = Path(__file__).resolve().parents[1]
MAIN = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.mark.parametrize("command", ["check", "run", "compile"])
def test_a_file_that_is_not_utf8_is_a_positioned_error(tmp_path, command):
    path = tmp_path / "latin1.csp"
    path.write_bytes(MAIN.encode() + b"  screen ! 'x'\n  -- caf\xe9\n:\n")
    result = cli(command, str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:3:9: error: this file is not UTF-8 text: byte #E9 cannot be read "
        "(save the file as UTF-8; in a string, write the byte as *#E9)"
    )


def test_a_binary_file_is_an_error_and_no_raw_bytes_reach_the_terminal(tmp_path):
    path = tmp_path / "binary.csp"
    path.write_bytes(bytes(range(256)) * 4)
    result = cli("check", str(path))
    assert result.exit_code == 1
    assert "error: this file is not UTF-8 text" in result.stderr
    assert not any(ch in result.stderr for ch in "\x00\x07\x1b\x7f")


def test_terminal_escapes_in_the_source_are_shown_inert(tmp_path):
    path = tmp_path / "esc.csp"
    path.write_text(MAIN + "  screen ! \x1b[2J\n:\n")
    result = cli("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[:2] == [
        f"{path}:2:12: error: unexpected character `*#1B'",
        "      screen ! \ufffd[2J",
    ]


def nested(depth: int, head: str = "SEQ") -> str:
    lines = [MAIN + "  INT x:\n"]
    for level in range(depth):
        lines.append("  " * (level + 1) + head + "\n")
    lines.append("  " * (depth + 1) + "x := 1\n:\n")
    return "".join(lines)


def test_nesting_at_the_limit_compiles_and_runs(tmp_path):
    path = tmp_path / "deep.csp"
    path.write_text(nested(MAX_DEPTH - 5))
    result = cli("run", str(path))
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("head", ["SEQ", "PAR"])
def test_nesting_past_the_limit_is_a_positioned_error(tmp_path, head):
    path = tmp_path / "deeper.csp"
    path.write_text(nested(5000, head))
    result = cli("check", str(path))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:{MAX_DEPTH + 1}:")
    assert first.endswith(
        f"error: nested too deeply (limit {MAX_DEPTH} levels of processes and expressions)"
    )


def test_an_expression_nested_past_the_limit_is_a_positioned_error(tmp_path):
    path = tmp_path / "parens.csp"
    path.write_text(MAIN + "  INT x:\n  x := " + "(" * 5000 + "1" + " + 1)" * 5000 + "\n:\n")
    result = cli("run", str(path))
    assert result.exit_code == 1
    assert "error: nested too deeply (limit" in result.stderr.splitlines()[0]


def test_loops_nested_deeper_than_python_allows_are_a_check_error(tmp_path):
    path = tmp_path / "loops.csp"
    path.write_text(nested(21, "WHILE x = 0"))
    result = cli("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:23:43: error: loops nested too deeply: at most 20 WHILE loops and replicators "
        "may nest inside one PROC or PAR branch (the limit of Python, which runs them)"
    )
    path.write_text(nested(20, "WHILE x = 0"))
    assert cli("check", str(path)).exit_code == 0


def test_a_program_too_deep_for_a_python_text_module_says_so_and_still_runs(tmp_path):
    path = tmp_path / "wide.csp"
    path.write_text(nested(120, "PAR"))
    result = cli("compile", str(path), "-o", str(tmp_path / "wide.py"))
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:")
    assert "nested too deeply to be written as a Python module" in first
    assert cli("run", str(path)).exit_code == 0


def test_an_unclosed_string_of_many_escapes_is_an_error_not_a_hang(tmp_path):
    # `*#41' could once be read two ways, so an unclosed string of n of them took
    # 2**n steps to reject (30 of them: minutes; pytest-timeout stops a hang).
    path = tmp_path / "unclosed.csp"
    path.write_text(MAIN + '  screen ! "' + "*#41" * 60 + "\n:\n")
    result = cli("check", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{path}:2:")
    assert "error: " in result.stderr.splitlines()[0]


def test_a_directive_with_a_string_of_millions_of_characters_is_a_positioned_error(tmp_path):
    # The preprocessor's tokens kept backtracking state for each character of a
    # directive's string: an unclosed #INCLUDE name of 20 million characters
    # needed more than 1 GiB and crashed the compiler (found by bench/fuzz.py).
    path = tmp_path / "include.csp"
    path.write_text('#INCLUDE "' + "x" * 20_000_000 + "\n")
    probe = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\n"
        "from click.testing import CliRunner\n"
        "from cspc.cli import main\n"
        "r = CliRunner().invoke(main, ['check', sys.argv[1]])\n"
        "print(r.exit_code, r.stderr.split(':')[1:3])\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300)
    assert out.stdout.split() == ["1", "['1',", "'10']"], out.stdout + out.stderr[-2000:]


def test_a_string_of_millions_of_characters_costs_about_its_own_size(tmp_path):
    # Python's re kept ~400 bytes per character of a string literal (a 50 MB
    # string took 19 GB).  The peak is measured in a process of its own, from
    # a fresh start: Linux hands a child its parent's peak, and lets it be reset.
    if not os.path.exists("/proc/self/clear_refs"):
        pytest.skip("needs Linux's /proc to measure a process's peak memory")
    path = tmp_path / "long.csp"
    n = 4_000_000
    path.write_text(MAIN + '  VAL []BYTE s IS "' + "x" * n + '":\n  screen ! s[0]\n:\n')
    probe = (
        "import re, sys\n"
        "from click.testing import CliRunner\n"
        "from cspc.cli import main\n"
        "with open('/proc/self/clear_refs', 'w') as f:\n"
        "    f.write('5')\n"
        "r = CliRunner().invoke(main, ['check', sys.argv[1]])\n"
        "with open('/proc/self/status') as f:\n"
        "    peak_kb = int(re.search(r'VmHWM:\\s+(\\d+)', f.read()).group(1))\n"
        "print(r.exit_code, peak_kb // 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe, str(path)], capture_output=True, text=True, timeout=300)
    exit_code, peak_mb = map(int, out.stdout.split())
    assert exit_code == 0, out.stderr
    assert peak_mb < 40 * n / 1e6 + 100  # ~40 bytes per character at most, where it was ~400


def _fuzz_module():
    sys.path.insert(0, str(REPO / "bench"))
    try:
        import fuzz
    finally:
        sys.path.remove(str(REPO / "bench"))
    return fuzz


def test_the_fuzz_driver_finds_no_crash_in_2000_inputs():
    """The CI slice of bench/fuzz.py: whole-CLI compiles of mutated programs."""
    fuzz = _fuzz_module()
    report = fuzz.fuzz(2000, seed=20261203, jobs=2, quiet=True)
    assert report["inputs"] == 2000
    assert report["failures"] == []


def test_the_fuzz_driver_tells_a_crash_from_a_user_error():
    fuzz = _fuzz_module()
    assert fuzz.classify(1, "t.csp:3:4: error: undeclared name `x'\n") is None
    assert fuzz.classify(0, "") is None
    assert fuzz.classify(3, "cspc: internal compiler error: boom") == "internal error"
    assert fuzz.classify(1, "Traceback (most recent call last):\n ...") == "traceback"
    assert fuzz.classify(1, "error: something") == "an error without a position"


def test_the_fuzz_driver_charges_a_dying_or_slow_worker_to_its_input(monkeypatch):
    fuzz = _fuzz_module()

    def run_one(index, seed, texts, folder):  # only the supervision is under test
        if index == 5:
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer would
        if index == 7:
            time.sleep(30)
        if index == 9:
            raise MemoryError
        return None

    monkeypatch.setattr(fuzz, "run_one", run_one)  # the forked workers inherit it
    monkeypatch.setattr(fuzz, "SECONDS_PER_INPUT", 1)
    report = fuzz.fuzz(40, seed=3, jobs=2, quiet=True)
    assert report["failures"] == [
        (5, f"the worker died (signal {int(signal.SIGKILL)})"),
        (7, "took more than 1 s"),
        (9, f"needed more than {fuzz.BYTES_PER_WORKER >> 30} GiB"),
    ]


MANY = MAIN + "  [50]INT a:\n  PAR i = 0 FOR 50\n    a[i] := i\n:\n"


def test_more_processes_than_threads_is_a_run_time_error_at_once(tmp_path, monkeypatch):
    from cspc.runtime.backends import threads

    monkeypatch.setattr(threads, "_thread_capacity", lambda: 20)
    path = tmp_path / "many.csp"
    path.write_text(MANY)
    result = cli("run", "--backend", "threads", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{path}:3:3: run-time error: the threads backend cannot run 51 processes: each is an OS "
        "thread and the system allows no more (2 running); the greenlet backend runs millions "
        "(--backend greenlet)"
    )
    assert cli("run", "--backend", "greenlet", str(path)).exit_code == 0


def test_a_thread_the_system_refuses_is_a_run_time_error(tmp_path, monkeypatch):
    from cspc.runtime.backends import threads

    started = []

    class Scarce(threads.threading.Thread):
        def start(self):
            if len(started) >= 10:
                raise RuntimeError("can't start new thread")
            started.append(self)
            super().start()

    monkeypatch.setattr(threads.threading, "Thread", Scarce)
    path = tmp_path / "many.csp"
    path.write_text(MANY)
    result = cli("run", "--backend", "threads", str(path))
    assert result.exit_code == 1, result.stderr
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:3:3: run-time error: the threads backend cannot run ")
    assert "Traceback" not in result.stderr
