"""The measured workloads of the benchmark suite, one per subprocess.

    python bench/workloads.py KIND '{"param": value, ...}'

prints one JSON object (the measurement) on its last line of standard output.
Each measurement runs in a fresh interpreter so that runs cannot disturb each
other (memory already allocated, a scheduler left behind, warmed caches), and
so that peak memory can be read with ``resource.getrusage``.  The driver is
``bench/run.py``.  The CommsTime network, its variants and the token ring come
from ``bench/commstime.py``, the generated program that times the compiler from
``bench/parse_speed.py``.
"""

from __future__ import annotations

import io
import json
import os
import queue
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

import commstime  # noqa: E402  (bench/ is not a package)
import commstime_async  # noqa: E402


# -- CommsTime --------------------------------------------------------------------

COMMSTIME_CSP = """\
-- CommsTime as the benchmark runs it: the same network as the hand-written
-- runtime version in bench/commstime.py (delta outputs in sequence).
#INCLUDE "course.module"

VAL INT ROUNDS IS {rounds}:

PROC prefix.n (VAL INT n, CHAN INT in?, out!)
  INT x:
  SEQ
    out ! 0
    SEQ i = 0 FOR n - 1
      SEQ
        in ? x
        out ! x
    in ? x
:

PROC delta.n (VAL INT n, CHAN INT in?, out.1!, out.2!)
  INT x:
  SEQ i = 0 FOR n
    SEQ
      in ? x
      out.1 ! x
      out.2 ! x
:

PROC succ.n (VAL INT n, CHAN INT in?, out!)
  INT x:
  SEQ i = 0 FOR n
    SEQ
      in ? x
      out ! x + 1
:

PROC consume (VAL INT n, CHAN INT in?, CHAN BYTE out!)
  TIMER clock:
  INT start, finish, x:
  SEQ
    in ? x
    clock ? start
    SEQ i = 0 FOR n - 1
      in ? x
    clock ? finish
    out.string ("elapsed.us ", 0, out!)
    out.int (finish MINUS start, 0, out!)
    out.string ("*n", 0, out!)
:

PROC commstime (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT a, b, c, d:
  PAR
    prefix.n (ROUNDS + 1, d?, a!)
    delta.n (ROUNDS + 1, a?, b!, c!)
    succ.n (ROUNDS + 1, c?, d!)
    consume (ROUNDS + 1, b?, screen!)
:
"""


def compiled_commstime(backend: str, rounds: int) -> dict:
    """CommsTime compiled from occam by the cspc that this interpreter imports
    (so a baseline interpreter uses its own compiler and runtime) and run as
    ``cspc run`` runs it.  The occam program times itself with a TIMER
    (microseconds), so compiling and start-up are not counted.

    This file measures both the cspc under test and an earlier one (run by the
    ``--baseline-python`` interpreter), whose library API may differ: when the
    in-process names (or the attributes of their result) are missing, the
    program is run through the ``cspc run`` command instead, which every
    version has.  The TIMER figure means the same either way; the CPU figure is
    then left out (the child's CPU time includes its start-up)."""
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "commstime.csp")
        with open(source, "w") as f:
            f.write(COMMSTIME_CSP.format(rounds=rounds))
        try:
            output, cpu = run_in_process(source, backend)
            route = "library"
        except (ImportError, AttributeError):
            output, cpu = run_through_cli(source, backend), None
            route = "cspc run"
    match = re.search(rb"elapsed\.us (\d+)", output)
    if not match:
        raise RuntimeError(f"compiled CommsTime printed {output[-200:]!r}")
    result = {"ns_per_comm": int(match.group(1)) * 1000 / (4 * rounds), "route": route}
    if cpu is not None:
        result["cpu_ns_per_comm"] = cpu * 1e9 / (4 * rounds)
    return result


def run_in_process(source: str, backend: str) -> tuple[bytes, float]:
    """Compile (through the cache in ``$CSPC_CACHE_DIR``) and run ``source``'s
    main PROC here; return its screen output and the CPU seconds of the run."""
    from cspc.compiler import compile_file
    try:
        from cspc.runtime.occam import run_main  # where the occam ABI lives now
    except ImportError:
        from cspc.runtime import run_main  # an earlier cspc (a baseline)

    result = compile_file(source)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    screen = io.BytesIO()
    cpu = time.process_time()
    run_main(namespace[result.main], backend=backend, stdin=io.BytesIO(b""), stdout=screen)
    return screen.getvalue(), time.process_time() - cpu


def run_through_cli(source: str, backend: str) -> bytes:
    """``cspc run --backend BACKEND source`` in a child of this interpreter.
    It starts in the source's folder because ``-m`` puts the working directory
    first on ``sys.path``: started in a checkout, it would import that cspc
    rather than the interpreter's own."""
    proc = subprocess.run([sys.executable, "-m", "cspc", "run", "--backend", backend, source],
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=600,
                          cwd=os.path.dirname(source))
    if proc.returncode != 0:
        raise RuntimeError(f"cspc run failed: {proc.stderr.decode(errors='replace')[-300:]}")
    return proc.stdout


# -- the cost of tracing ----------------------------------------------------------

TRACING_MODES = ("hookless", "off", "traced")


def tracing_commstime(backend: str, rounds: int, mode: str) -> dict:
    """Compiled CommsTime (as ``compiled_commstime`` runs it) in one of three
    ways: ``off``, as every untraced run is (the observer hook is there, and
    empty); ``hookless``, with the channel's hand-overs rebuilt without the
    hook's test (:func:`hookless_channel`), the floor ``off`` is judged
    against; ``traced``, with the tracer of ``cspc trace`` writing every
    event to the null device."""
    from cspc.compiler import compile_file
    from cspc.runtime.occam import run_main
    from cspc.trace import Protocols, Tracer

    if mode not in TRACING_MODES:
        raise ValueError(f"unknown tracing mode {mode!r}")
    with tempfile.TemporaryDirectory() as tmp:
        source = os.path.join(tmp, "commstime.csp")
        with open(source, "w") as f:
            f.write(COMMSTIME_CSP.format(rounds=rounds))
        result = compile_file(source)
    namespace = result.new_namespace()
    exec(result.code, namespace)
    if mode == "hookless":
        hookless_channel()
    screen = io.BytesIO()
    with open(os.devnull, "w") as null:
        tracer = Tracer(null, Protocols(result.program)) if mode == "traced" else None
        cpu = time.process_time()
        run_main(namespace[result.main], backend=backend, stdin=io.BytesIO(b""), stdout=screen, observer=tracer)
        cpu = time.process_time() - cpu
    match = re.search(rb"elapsed\.us (\d+)", screen.getvalue())
    if not match:
        raise RuntimeError(f"compiled CommsTime printed {screen.getvalue()[-200:]!r}")
    result = {"ns_per_comm": int(match.group(1)) * 1000 / (4 * rounds), "cpu_ns_per_comm": cpu * 1e9 / (4 * rounds)}
    if tracer is not None and tracer.seq < 4 * rounds:
        raise RuntimeError(f"the tracer saw {tracer.seq} events, not at least {4 * rounds}")
    return result


HOOK_TEST = re.compile(r"^( *)if _observer is not None:\n\1    _communicated\(.*\)\n", re.M)


def hookless_channel() -> int:
    """Replace ``Channel.write`` and ``Channel.read`` (in this process only)
    with their own source minus the observer hook's test (each
    ``if _observer is not None: _communicated(...)``), compiled in the
    channels module's globals so that they see the same backend primitives.
    The copy is made from the runtime's current source, so it cannot drift
    from it; returns how many tests were taken out."""
    import inspect
    import textwrap

    from cspc.runtime import channels

    removed = 0
    for name in ("write", "read"):
        text = textwrap.dedent(inspect.getsource(getattr(channels.Channel, name)))
        text, count = HOOK_TEST.subn("", text)
        if count == 0 or "_observer" in text:
            raise RuntimeError(f"Channel.{name} no longer has the observer test this benchmark removes")
        removed += count
        scope: dict = {}
        exec(compile(text, channels.__file__, "exec"), vars(channels), scope)
        setattr(channels.Channel, name, scope[name])
    return removed


class QueueChannel(queue.Queue):
    """An unbounded ``queue.Queue`` with the channel method names, so that the
    CommsTime network of ``bench/commstime.py`` runs over it unchanged (the
    names are aliases, not wrappers: no extra call per communication)."""

    read = queue.Queue.get
    write = queue.Queue.put


def queue_commstime(rounds: int) -> dict:
    """The same network with threads and ``queue.Queue`` for channels: what a
    Python programmer would write without any CSP library (buffered, not a
    rendezvous)."""
    return {"ns_per_comm": commstime.threaded_commstime(QueueChannel, rounds)}


def greenlet_switch(rounds: int) -> dict:
    """Not CommsTime: two bare greenlets switching to each other, 4 * rounds
    switches.  The floor under any greenlet CSP library, where a communication
    costs at least one switch; it shows how fast this machine is right now."""
    import greenlet

    switches = 4 * rounds

    def bounce():
        while True:
            main.switch()

    main = greenlet.getcurrent()
    other = greenlet.greenlet(bounce)
    start = time.perf_counter()
    for _ in range(switches // 2):
        other.switch()
    return {"ns_per_comm": (time.perf_counter() - start) / switches * 1e9}


def commstime_variant(variant: str, rounds: int) -> dict:
    """ns_per_comm is wall time over the timed rounds; cpu_ns_per_comm is the
    CPU time of this whole process per communication (all its threads; set-up
    included, which is a few microseconds), the figure that load from other
    processes on the machine does not inflate."""
    if variant.startswith("compiled-"):
        return compiled_commstime(variant.removeprefix("compiled-"), rounds)
    if variant.startswith("pycsp-"):
        import pycsp.greenlets  # noqa: F401  (imports are not part of the CPU time)
    elif variant in commstime_async.VARIANTS:
        __import__(variant)
    else:
        import cspc.runtime.occam  # noqa: F401  (what the cspc variants import)
    cpu = time.process_time()
    if variant in commstime_async.VARIANTS:
        result = {"ns_per_comm": commstime_async.VARIANTS[variant](rounds)}
    elif variant == "queue":
        result = queue_commstime(rounds)
    elif variant == "greenlet-switch":
        result = greenlet_switch(rounds)
    else:
        result = {"ns_per_comm": commstime.run_one(variant, rounds)}
    result["cpu_ns_per_comm"] = (time.process_time() - cpu) * 1e9 / (4 * rounds)
    return result


# -- the token ring -----------------------------------------------------------------


def token_ring(size: int, backend: str) -> dict:
    """The token ring of ``bench/commstime.py`` on either backend."""
    ns_per_hop, bytes_per_process = commstime.token_ring(size, backend)
    return {"ns_per_hop": ns_per_hop, "bytes_per_process": bytes_per_process}


# -- ALT under load -------------------------------------------------------------------


def alt_load(backend: str, producers: int, messages: int, pri: bool) -> dict:
    """``producers`` processes each send ``messages // producers`` values on
    their own channel to one consumer that ALTs (or PRI ALTs) over them all."""
    from cspc.runtime import Alt, Channel, InputGuard, PriAlt, run
    from cspc.runtime.occam import par  # the fast entry compiled code uses

    each = max(1, messages // producers)
    total = each * producers
    channels = [Channel(f"in.{i}") for i in range(producers)]
    timing = {}

    def producer(ch):
        def body():
            for i in range(each):
                ch.write(i)

        return body

    def consumer():
        choice = (PriAlt if pri else Alt)(*(InputGuard(ch) for ch in channels))
        counts = [0] * producers
        start = time.perf_counter()
        for _ in range(total):
            index, _value = choice.select()
            counts[index] += 1
        timing["t"] = time.perf_counter() - start
        if counts != [each] * producers:
            raise RuntimeError(f"lost messages: {counts}")

    run(lambda: par(consumer, *(producer(ch) for ch in channels)), backend=backend)
    return {"msgs_per_s": total / timing["t"]}


# -- the compiler ---------------------------------------------------------------------

def compiler_speed(lines: int) -> dict:
    """Seconds spent in parse, check and code generation (to a Python ``ast``
    and then a code object) on a generated program."""
    from cspc import codegen
    from cspc.check import check
    from cspc.diagnostics import Reporter
    from cspc.parse import _parser, parse_text
    from parse_speed import generated_program

    text = generated_program(lines)
    _parser()  # load the grammar once, outside the timings
    start = time.perf_counter()
    program = parse_text(text, "generated.csp")
    parsed = time.perf_counter()
    reporter = Reporter()
    check(program, reporter)
    reporter.raise_if_errors()
    checked = time.perf_counter()
    module = codegen.generate(program)
    compile(module, "generated.csp", "exec")
    generated = time.perf_counter()
    return {
        "lines": text.count("\n"),
        "parse_s": parsed - start,
        "check_s": checked - parsed,
        "codegen_s": generated - checked,
    }


# -- the command line -----------------------------------------------------------------

WORKLOADS = {
    "commstime": commstime_variant,
    "ring": token_ring,
    "alt": alt_load,
    "compiler": compiler_speed,
    "tracing": tracing_commstime,
}


def main() -> None:
    kind, params = sys.argv[1], json.loads(sys.argv[2])
    result = WORKLOADS[kind](**params)
    print(json.dumps(result), flush=True)
    # A few variants leave daemon threads blocked for ever; do not wait for them.
    os._exit(0)


if __name__ == "__main__":
    main()
