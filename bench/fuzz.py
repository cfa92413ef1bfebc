"""Drive the whole compiler CLI over generated and mutated programs; count the crashes.

    python bench/fuzz.py [--count N] [--seed S] [--jobs J] [--keep DIR] [--quiet]

Each input is a seed program (the examples, the test programs, the checker's
cases, and KRoC's conformance programs when ../shared/conformance is there)
changed by a few random mutations, then given to ``cspc compile -o`` (which
parses, checks, generates, compiles and prints the module, everything but the
run) in-process through click's test runner.  Every outcome but two is a bug:
exit 0 (it compiled) and exit 1 with a positioned ``file:line:col: error:``
message (the program is wrong).  Exit 3 (an internal compiler error) and any
Python traceback in the output are counted and, with ``--keep``, the inputs
that caused them are saved for a regression test.

The mutations are of two kinds:

* textual, as a typing slip makes them: a line deleted, doubled, swapped or
  re-indented, a character dropped or inserted, a token replaced by another,
  a tab, a stray byte that is not UTF-8, the file cut short;
* semantic, so that the result still parses and the checks are what fail: a
  type name swapped for another, a channel direction flipped, a name replaced
  by another name of the program, a literal made huge or out of range, the
  body nested thousands of levels deep, a 10,000-term expression, a 10,000-
  character name or string.

Each input may take SECONDS_PER_INPUT seconds and BYTES_PER_WORKER of memory;
more is counted as its failure, and so is a worker process that dies on it:
every input is accounted for, and the run never hangs on a lost one.

The run is deterministic for a given ``--seed``.  tests/test_robustness.py runs
a slice of it; the figures of a full run are in docs/performance.md.
"""

from __future__ import annotations

import argparse
import multiprocessing
import multiprocessing.connection
import os
import random
import re
import signal
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared" / "conformance"

KEYWORDS = (
    "SEQ PAR ALT PRI IF CASE WHILE SKIP STOP PROC FUNCTION VALOF RESULT IS VAL INT BYTE BOOL "
    "REAL32 REAL64 INT16 INT32 INT64 CHAN OF TIMER AFTER FOR FROM STEP TRUE FALSE AND OR NOT "
    "SIZE MOSTPOS MOSTNEG PROTOCOL DATA TYPE RECORD ELSE BARRIER SYNC INITIAL PLUS MINUS TIMES "
    "REM BITAND BITOR ANY ROUND TRUNC"
).split()
TYPES = ("INT", "BYTE", "BOOL", "REAL32", "REAL64", "INT16", "INT64", "TIMER", "CHAN INT", "[4]INT")
PUNCTUATION = list("()[]:;,?!=<>+-*/\\~&\"'#") + ["::", ":=", "<>", "<=", ">=", "/\\", "\\/", "><"]
EXTREMES = (
    "2147483648", "-2147483649", "#FFFFFFFFFFFFFFFFFF", "9" * 60, "0", "-0", "#80000000",
    "1.0E400", "3.4E39(REAL32)", "256(BYTE)", "'*#100'", "MOSTNEG INT", "(MOSTPOS INT) + 1",
)  # fmt: skip
NAME = re.compile(r"\b[A-Za-z][A-Za-z0-9.]*\b")


# --------------------------------------------------------------------------- seeds


def split_cases(path: Path) -> list[str]:
    """The programs of a tests/check_cases file (each after its `%%` header)."""
    programs, current = [], None
    for line in path.read_text().splitlines(keepends=True):
        if line.startswith("%%"):
            if current:
                programs.append("".join(current))
            current = []
        elif current is not None:
            current.append(line)
    if current:
        programs.append("".join(current))
    return programs


def seeds() -> list[str]:
    texts = [p.read_text() for p in sorted((REPO / "examples").rglob("*.csp"))]
    texts += [p.read_text() for p in sorted((REPO / "tests" / "programs").glob("*.csp"))]
    for path in sorted((REPO / "tests" / "check_cases").glob("*.txt")):
        texts += split_cases(path)
    if SHARED.is_dir():
        texts += [p.read_text() for p in sorted(SHARED.glob("*.csp"))]
    return [t for t in texts if t.strip()]


# --------------------------------------------------------------------------- mutations


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True) or ["\n"]


def delete_line(r: random.Random, text: str) -> str:
    lines = _lines(text)
    del lines[r.randrange(len(lines))]
    return "".join(lines)


def double_line(r, text):
    lines = _lines(text)
    i = r.randrange(len(lines))
    lines.insert(i, lines[i])
    return "".join(lines)


def swap_lines(r, text):
    lines = _lines(text)
    i, j = r.randrange(len(lines)), r.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return "".join(lines)


def reindent(r, text):
    lines = _lines(text)
    i = r.randrange(len(lines))
    lines[i] = (
        r.choice(["", " ", "  ", "    ", "\t"]) + lines[i].lstrip(" ")
        if r.random() < 0.5
        else (" " * r.choice([1, 2, 3]) + lines[i])
    )
    return "".join(lines)


def drop_char(r, text):
    if not text:
        return text
    i = r.randrange(len(text))
    return text[:i] + text[i + 1 :]


def insert_char(r, text):
    i = r.randrange(len(text) + 1)
    piece = r.choice(PUNCTUATION + KEYWORDS + ["\t", "\r", "\x00", "\x1b[31m", "\u00e9", "*", "*#"])
    return text[:i] + piece + text[i:]


def replace_token(r, text):
    tokens = list(NAME.finditer(text))
    if not tokens:
        return text
    m = r.choice(tokens)
    new = r.choice(KEYWORDS + [t.group() for t in tokens] + ["x", "seq", "WHILLE"])
    return text[: m.start()] + new + text[m.end() :]


def truncate(r, text):
    return text[: r.randrange(len(text) + 1)]


def swap_type(r, text):
    found = [
        m for m in re.finditer(r"\b(INT|BYTE|BOOL|REAL32|REAL64|INT16|INT32|INT64|TIMER)\b", text)
    ]
    if not found:
        return text
    m = r.choice(found)
    return text[: m.start()] + r.choice(TYPES) + text[m.end() :]


def flip_direction(r, text):
    found = [m for m in re.finditer(r"[?!]", text)]
    if not found:
        return text
    m = r.choice(found)
    return text[: m.start()] + ("!" if m.group() == "?" else "?") + text[m.end() :]


def reuse_name(r, text):
    names = [m for m in NAME.finditer(text) if m.group() not in KEYWORDS]
    if len(names) < 2:
        return text
    m, other = r.choice(names), r.choice(names)
    return text[: m.start()] + other.group() + text[m.end() :]


def extreme_literal(r, text):
    found = [m for m in re.finditer(r"(?<![A-Za-z.])\d+(\.\d+)?", text)]
    if not found:
        return text
    m = r.choice(found)
    return text[: m.start()] + r.choice(EXTREMES) + text[m.end() :]


def deep_nesting(r, text):
    """Wrap a process line in thousands of SEQs (or IFs, PARs, WHILEs)."""
    lines = _lines(text)
    candidates = [
        i
        for i, line in enumerate(lines)
        if line.strip() and line.startswith("  ") and not line.strip().startswith("--")
    ]
    if not candidates:
        return text
    i = r.choice(candidates)
    # The text grows with the square of the depth (its indentation): 5,000 levels
    # is 25 MB, so that depth is rare.
    depth = 5000 if r.random() < 0.01 else r.choice([30, 200, 1200])
    head = r.choice(["SEQ", "PAR", "WHILE TRUE", "SEQ k = 0 FOR 2", "IF\n{pad}  TRUE"])
    if depth > 1200:
        head = head.split("\n")[0] if "\n" not in head else "SEQ"
    indent = len(lines[i]) - len(lines[i].lstrip(" "))
    wrapped = []
    for level in range(depth):
        pad = " " * (indent + 2 * level * (2 if "\n" in head else 1))
        wrapped.append(pad + head.format(pad=pad) + "\n")
    pad = " " * (indent + 2 * depth * (2 if "\n" in head else 1))
    body = "".join(pad + line.lstrip(" ") for line in [lines[i]])
    return "".join(lines[:i] + wrapped + [body] + lines[i + 1 :])


def long_expression(r, text):
    n = r.choice([500, 10_000])
    op = r.choice(["+", "PLUS", "AND", "<>", "/\\"])
    operand = r.choice(["1", "x", "TRUE", "(1 + 1)"])
    expression = f" {op} ".join([operand] * n)
    if r.random() < 0.5:
        expression = "(" * n + "1" + ")" * n
    lines = _lines(text)
    i = r.randrange(len(lines))
    return "".join(lines[:i]) + f"  VAL INT big IS {expression}:\n" + "".join(lines[i:])


def long_name(r, text):
    names = [m for m in NAME.finditer(text) if m.group() not in KEYWORDS]
    if not names:
        return text
    old = r.choice(names).group()
    return re.sub(rf"\b{re.escape(old)}\b", old + "x" * 10_000, text)


def long_string(r, text):
    i = text.find('"')
    if i < 0:
        return text
    filler = r.choice(["a" * 20_000, "*" * 3, "*#", "*n" * 5000, "*#41" * 40 + "\n"])  # the last: unclosed
    return text[: i + 1] + filler + text[i + 1 :]


TEXTUAL = [
    delete_line,
    double_line,
    swap_lines,
    reindent,
    drop_char,
    insert_char,
    replace_token,
    truncate,
]
SEMANTIC = [swap_type, flip_direction, reuse_name, extreme_literal, deep_nesting, long_expression,
            long_name, long_string]  # fmt: skip


def mutant(r: random.Random, text: str) -> bytes:
    for _ in range(r.choice([1, 1, 2, 3])):
        kind = r.choice(SEMANTIC if r.random() < 0.5 else TEXTUAL)
        text = kind(r, text)
    data = text.encode("utf-8", "surrogatepass")
    if r.random() < 0.02:  # a stray byte that is not UTF-8, or a binary file
        i = r.randrange(len(data) + 1)
        data = data[:i] + bytes([r.randrange(128, 256)]) + data[i:]
    if r.random() < 0.005:
        data = bytes(r.randrange(256) for _ in range(r.randrange(1, 400)))
    return data


# --------------------------------------------------------------------------- running


def classify(exit_code: int, output: str) -> str | None:
    """None if the CLI behaved; else what went wrong."""
    if "Traceback (most recent call last)" in output:
        return "traceback"
    if exit_code == 3 or "internal compiler error" in output:
        return "internal error"
    if exit_code not in (0, 1):
        return f"exit status {exit_code}"
    if exit_code == 1 and not re.search(r"^\S.*:\d+:\d+: error: ", output, re.M):
        return "an error without a position"
    return None


def make_input(index: int, seed: int, texts: list[str]) -> bytes:
    """Input ``index`` of the run with ``seed``: the same bytes every time."""
    r = random.Random(seed * 1_000_003 + index)
    return mutant(r, r.choice(texts))


def run_one(index: int, seed: int, texts: list[str], folder: str) -> str | None:
    """What went wrong with input ``index``, or None."""
    from click.testing import CliRunner

    from cspc.cli import main

    data = make_input(index, seed, texts)
    path = os.path.join(folder, f"fuzz{index}.csp")
    with open(path, "wb") as f:
        f.write(data)
    out = os.path.join(folder, f"fuzz{index}.py")
    try:
        result = CliRunner().invoke(main, ["compile", path, "-o", out])
    finally:
        for leftover in (path, out):
            if os.path.exists(leftover):
                os.unlink(leftover)
    output = result.stdout + result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"uncaught {type(result.exception).__name__}"
    return classify(result.exit_code, output)


# Each input gets this long and this much memory; more is a failure of its own
# (the biggest inputs, 100 MB of deeply nested text, take about 10 s and 1.5 GB).
SECONDS_PER_INPUT = 120
BYTES_PER_WORKER = 6 << 30
CHUNK = 64  # inputs per worker process


class _TooSlow(BaseException):
    """Not an Exception: the CLI's own handler must not take it for a bug of its own."""


def _on_alarm(signum, frame):
    raise _TooSlow


def _worker(conn, indices, seed, texts, folder) -> None:
    """Run ``indices`` one by one, telling ``conn`` each one's start and outcome.

    A limit on the address space turns a runaway allocation into MemoryError
    here instead of the kernel's out-of-memory killer taking a process at
    random; an alarm ends an input that runs too long.  Either is reported as
    that input's failure, and so is this process dying (the parent sees it)."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (BYTES_PER_WORKER, BYTES_PER_WORKER))
    except (ImportError, ValueError, OSError):
        pass
    signal.signal(signal.SIGALRM, _on_alarm)
    for index in indices:
        conn.send(("start", index))
        signal.alarm(SECONDS_PER_INPUT)
        try:
            problem = run_one(index, seed, texts, folder)
        except _TooSlow:
            problem = f"took more than {SECONDS_PER_INPUT} s"
        except MemoryError:
            problem = f"needed more than {BYTES_PER_WORKER >> 30} GiB"
        finally:
            signal.alarm(0)
        conn.send(("done", index, problem))
    conn.close()


def _supervise(count, seed, texts, folder, jobs):
    """Yield (index, problem) for every input, running ``jobs`` worker processes
    of CHUNK inputs each.  A worker that dies (a signal, a crash of the
    interpreter) is charged with the input it was running, and the rest of
    its chunk goes to a new worker: every input is accounted for."""
    context = multiprocessing.get_context("fork")
    todo = [list(range(i, min(i + CHUNK, count))) for i in range(0, count, CHUNK)]
    todo.reverse()
    running = {}  # connection -> [process, remaining indices, index in progress]
    while todo or running:
        while todo and len(running) < jobs:
            chunk = todo.pop()
            mine, theirs = context.Pipe(duplex=False)
            proc = context.Process(target=_worker, args=(theirs, chunk, seed, texts, folder), daemon=True)
            proc.start()
            theirs.close()
            running[mine] = [proc, chunk, None]
        for conn in multiprocessing.connection.wait(list(running)):
            proc, chunk, current = running[conn]
            try:
                message = conn.recv()
            except EOFError:  # the worker has gone: finished, or died
                proc.join()
                del running[conn]
                conn.close()
                if current is not None:
                    how = f"signal {-proc.exitcode}" if (proc.exitcode or 0) < 0 else f"exit {proc.exitcode}"
                    yield current, f"the worker died ({how})"
                    rest = chunk[chunk.index(current) + 1 :]
                    if rest:
                        todo.append(rest)
                continue
            if message[0] == "start":
                running[conn][2] = message[1]
            else:
                _, index, problem = message
                running[conn][2] = None
                yield index, problem


def _warm_up(folder: str) -> None:
    """Compile a small program here, so that every forked worker starts with the
    compiler imported and its parser built."""
    from click.testing import CliRunner

    from cspc.cli import main

    path = os.path.join(folder, "warm.csp")
    with open(path, "w") as f:
        f.write("PROC main (CHAN BYTE keyboard?, screen!, error!)\n  screen ! 'x'\n:\n")
    CliRunner().invoke(main, ["compile", path, "-o", os.path.join(folder, "warm.py")])


def fuzz(
    count: int, seed: int = 0, jobs: int = 1, keep: str | None = None, quiet: bool = False
) -> dict:
    """Run ``count`` inputs; return {"inputs", "failures": [(index, what)], "seconds"}."""
    texts = seeds()
    started = time.perf_counter()
    failures = []
    with tempfile.TemporaryDirectory() as folder:
        os.environ.setdefault("CSPC_CACHE_DIR", os.path.join(folder, "cache"))
        _warm_up(folder)
        for done, (index, problem) in enumerate(_supervise(count, seed, texts, folder, max(1, jobs)), 1):
            if problem is not None:
                failures.append((index, problem))
                if keep:
                    Path(keep).mkdir(parents=True, exist_ok=True)
                    (Path(keep) / f"fuzz{index}.csp").write_bytes(make_input(index, seed, texts))
                if not quiet:
                    print(f"input {index}: {problem}", file=sys.stderr, flush=True)
            if not quiet and done % 1000 == 0:
                print(f"{done}/{count} inputs, {len(failures)} failures", file=sys.stderr, flush=True)
    failures.sort()
    return {"inputs": count, "failures": failures, "seconds": time.perf_counter() - started}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", help="save the inputs that crash the compiler in this folder")
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args()
    report = fuzz(args.count, args.seed, args.jobs, args.keep, args.quiet)
    kinds: dict[str, int] = {}
    for _, what in report["failures"]:
        kinds[what] = kinds.get(what, 0) + 1
    print(
        f"{report['inputs']} inputs in {report['seconds']:.0f} s: "
        f"{kinds.get('internal error', 0)} internal errors, {kinds.get('traceback', 0)} tracebacks, "
        f"{len(report['failures'])} failures in all"
        + "".join(f"; {n} {what}" for what, n in sorted(kinds.items()))
    )
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
