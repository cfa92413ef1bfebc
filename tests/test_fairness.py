"""Fair scheduling at loop ends (runtime/fair.py): a process that never blocks
no longer keeps the others, or their timers, waiting -- on both backends."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from cspc.cli import main

POLLING = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN INT c:
  BOOL done:
  SEQ
    done := FALSE
    PAR
      WHILE NOT done
        INT v:
        PRI ALT
          c ? v
            SEQ
              out.int (v, 0, screen!)
              out.string ("*n", 0, screen!)
              done := TRUE
          SKIP
            SKIP
      TIMER tim:
      INT t:
      SEQ
        tim ? t
        tim ? AFTER t PLUS 10000
        c ! 42
:
"""

COMPUTING = """\
#INCLUDE "course.module"
PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN BYTE computed, timed:
  PAR
    INT n:
    SEQ
      n := 0
      WHILE n < 3000000
        n := n + 1
      computed ! 'c'
    TIMER tim:
    INT t:
    SEQ
      tim ? t
      tim ? AFTER t PLUS 20000
      timed ! 't'
    SEQ i = 0 FOR 2
      BYTE b:
      ALT
        computed ? b
          screen ! b
        timed ? b
          screen ! b
:
"""


def run(tmp_path: Path, source: str, backend: str):
    path = tmp_path / "prog.csp"
    path.write_text(source)
    return CliRunner().invoke(main, ["run", "--backend", backend, str(path)])


def test_a_polling_loop_lets_the_sender_in(tmp_path, backend):
    # Livelocked before: the PRI ALT's SKIP guard is always ready, so the
    # polling process never blocked and the timer process never ran.
    result = run(tmp_path, POLLING, backend)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"42\n"


def test_a_timer_fires_while_another_process_computes(tmp_path, backend):
    # The 20 ms timer must not wait for 3,000,000 iterations (about a second).
    result = run(tmp_path, COMPUTING, backend)
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == b"tc"


def test_loops_end_with_a_tick_unless_short(tmp_path):
    from cspc.compiler import compile_text

    source = (
        "PROC p (VAL INT n)\n  INT x:\n  SEQ\n"
        "    SEQ i = 0 FOR 8\n      x := i\n"
        "    SEQ i = 0 FOR n\n      x := i\n"
        "    WHILE x > 0\n      x := x - 1\n:\n"
    )
    text = compile_text(source, str(tmp_path / "t.csp")).python_source(formatted=False)
    assert text.count("_tick()") == 2


def test_a_compiled_proc_called_outside_a_run_loops_undisturbed(tmp_path):
    from cspc.compiler import compile_text

    source = "PROC count (VAL INT n, INT total)\n  SEQ i = 0 FOR n\n    total := total + 1\n:\n"
    result = compile_text(source, str(tmp_path / "t.csp"))
    namespace = result.new_namespace()
    exec(result.code, namespace)
    assert namespace["count"](200_000, 0) == 200_000  # many slices' worth of ticks, no run


def test_loops_that_always_communicate_pay_no_tick(tmp_path):
    from cspc.compiler import compile_text

    source = (
        "PROC delta (CHAN INT in?, out.1!, out.2!)\n  WHILE TRUE\n    INT x:\n    SEQ\n"
        "      in ? x\n      PAR\n        out.1 ! x\n        out.2 ! x\n:\n"
        "PROC poll (CHAN INT in?, INT n)\n  WHILE TRUE\n    INT x:\n    PRI ALT\n"
        "      in ? x\n        SKIP\n      SKIP\n        n := n PLUS 1\n:\n"
        "PROC merge ([]CHAN INT in?, CHAN INT out!)\n  SEQ i = 0 FOR SIZE in\n    INT x:\n"
        "    ALT j = 0 FOR SIZE in\n      in[j] ? x\n        out ! x\n:\n"
    )
    text = compile_text(source, str(tmp_path / "t.csp")).python_source(formatted=False)
    bodies = {
        name: text.split(f"def {name}(")[1].split("\ndef ")[0]
        for name in ("delta", "poll", "merge")
    }
    assert ["_tick()" in bodies[n] for n in ("delta", "poll", "merge")] == [False, True, False]
