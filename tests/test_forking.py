"""occam-pi FORKING, FORK and mobile processes at run time, on both backends:
errors in a forked process name its line, deadlock reports list forked and
mobile processes, and a mobile process made of a PAR suspends once every
process in it has."""

from __future__ import annotations

from click.testing import CliRunner

from cspc.cli import main


def run(tmp_path, backend, source, name="prog.csp"):
    path = tmp_path / name
    path.write_text(source)
    result = CliRunner().invoke(main, ["run", "--backend", backend, str(path)])
    return path, result


FORKED_FAILURE = """\
PROC divide (VAL INT n, d, CHAN INT out!)
  out ! n / d
:
PROC main (CHAN BYTE screen!)
  CHAN INT c:
  INT x:
  FORKING
    SEQ
      FORK divide (1, 0, c!)
      c ? x
:
"""


def test_an_error_in_a_forked_process_names_its_line(tmp_path, backend):
    path, result = run(tmp_path, backend, FORKED_FAILURE)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:2:9: run-time error: division by zero"
    assert "Traceback" not in result.stderr


TOP_LEVEL_FAILURE = """\
PROC late (VAL INT d)
  TIMER tim:
  INT t, x:
  SEQ
    tim ? t
    tim ? AFTER t PLUS 5000
    x := 1 / d
:
PROC main (CHAN BYTE screen!)
  FORK late (0)
:
"""


def test_a_fork_outside_any_forking_is_waited_for_and_its_error_reported(tmp_path, backend):
    path, result = run(tmp_path, backend, TOP_LEVEL_FAILURE)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:7:10: run-time error: division by zero"


FORKED_DEADLOCK = """\
PROC reader (CHAN INT in?)
  INT x:
  in ? x
:
PROC main (CHAN BYTE screen!)
  CHAN INT c:
  FORKING
    FORK reader (c?)
:
"""


def test_a_deadlock_report_lists_the_forked_process_and_the_waiting_block(tmp_path, backend):
    path, result = run(tmp_path, backend, FORKED_DEADLOCK)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == "run-time error: deadlock: no process can proceed (2 blocked)"
    assert f"  {path}:3: 'reader' waits to input from channel c" in lines
    waiting = [line for line in lines if line.startswith(f"  {path}:7: ")]
    assert len(waiting) == 1 and "waits (FORKING) [1 forked process(es) still running]" in waiting[0]


PAR_INSIDE = """\
#INCLUDE "course.module"
PROC TYPE T IS (CHAN INT out!):
PROC half (VAL INT k, CHAN INT out!)
  INT n:
  SEQ
    n := k
    WHILE TRUE
      SEQ
        out ! n
        n := n + 10
        SUSPEND
:
MOBILE PROC both (CHAN INT out!) IMPLEMENTS T
  CHAN INT a, b:
  PAR
    half (1, a!)
    half (2, b!)
    WHILE TRUE
      INT x, y:
      SEQ
        a ? x
        b ? y
        out ! x + y
        SUSPEND
:
PROC main (CHAN BYTE screen!)
  MOBILE T m:
  CHAN INT c:
  INT r:
  SEQ
    m := MOBILE both
    SEQ i = 0 FOR 3
      SEQ
        PAR
          m (c!)
          c ? r
        out.int (r, 0, screen!)
        out.string (" ", 0, screen!)
:
"""


def test_a_mobile_process_of_a_par_suspends_when_all_its_processes_have(tmp_path, backend):
    # Each activation resumes all three; the channel c, declared once, is the
    # one the PROCs inside were given.
    _, result = run(tmp_path, backend, PAR_INSIDE)
    assert result.stderr == ""
    assert result.stdout == "3 23 43 "


SUSPEND_OUTSIDE = """\
PROC main (CHAN BYTE screen!)
  SEQ
    SKIP
    SUSPEND
:
"""


def test_suspend_outside_a_mobile_process_is_a_run_time_error(tmp_path, backend):
    path, result = run(tmp_path, backend, SUSPEND_OUTSIDE)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:4:5: run-time error: SUSPEND outside a mobile process"


FAILING_MOBILE = """\
PROC TYPE T IS (CHAN INT in?):
MOBILE PROC m (CHAN INT in?) IMPLEMENTS T
  INT d, x:
  SEQ
    SUSPEND
    in ? d
    x := 1 / d
:
PROC main (CHAN BYTE screen!)
  MOBILE T p:
  CHAN INT c:
  SEQ
    p := MOBILE m
    p (c?)
    PAR
      p (c?)
      c ! 0
:
"""


def test_an_error_in_a_mobile_process_names_its_line_and_stops_the_activator(tmp_path, backend):
    path, result = run(tmp_path, backend, FAILING_MOBILE)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"{path}:7:10: run-time error: division by zero"


INNER_SUSPEND = """\
#INCLUDE "course.module"
PROC TYPE T IS (CHAN INT in?, out!):
PROC inner (CHAN INT in?, out!)
  INT total:
  SEQ
    total := 0
    WHILE TRUE
      INT v:
      SEQ
        in ? v
        total := total + v
        out ! total
        SUSPEND
:
MOBILE PROC m (CHAN INT in?, out!) IMPLEMENTS T
  inner (in?, out!)
:
PROC main (CHAN BYTE screen!)
  MOBILE T p:
  INT x:
  SEQ
    p := MOBILE m
    SEQ i = 1 FOR 3
      CHAN INT a, b:
      SEQ
        PAR
          a ! i
          p (a?, b!)
          b ? x
        out.int (x, 0, screen!)
        out.string (" ", 0, screen!)
:
"""


def test_a_proc_that_suspends_inside_a_mobile_process_talks_on_each_activations_channels(tmp_path, backend):
    # `inner' was given the first activation's channels; after each SUSPEND
    # it goes on with the channels of the activation that resumed it.
    _, result = run(tmp_path, backend, INNER_SUSPEND)
    assert result.stderr == ""
    assert result.stdout == "1 3 6 "


UNDEFINED_ACTIVATION = """\
PROC TYPE T IS ():
MOBILE PROC m () IMPLEMENTS T
  SKIP
:
PROC go (MOBILE T p)
  p ()
:
PROC main (CHAN BYTE screen!)
  MOBILE T p:
  SEQ
    go (p)
:
"""


def test_activating_an_undefined_mobile_process_is_a_run_time_error(tmp_path, backend):
    path, result = run(tmp_path, backend, UNDEFINED_ACTIVATION)
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{path}:6:3: run-time error: MOBILE `p' is undefined here")


DYNAMIC_FORKING = """\
#INCLUDE "course.module"
PROC late (VAL INT n, SHARED CHAN BYTE out!)
  TIMER tim:
  INT t:
  SEQ
    tim ? t
    tim ? AFTER t PLUS (n * 5000)
    CLAIM out!
      SEQ
        out.int (n, 0, out!)
        out.string (" ", 0, out!)
:
PROC spawner (SHARED CHAN BYTE out!)
  SEQ i = 1 FOR 2
    FORK late (i, out!)      -- no FORKING here: the one around the call waits
:
PROC main (CHAN BYTE screen!)
  SHARED ! CHAN BYTE out:
  PAR
    SEQ
      FORKING
        spawner (out!)
      CLAIM out!
        out.string ("after*n", 0, out!)
      CLAIM out!
        out ! 0
    BYTE ch:
    SEQ
      out ? ch
      WHILE ch <> 0
        SEQ
          screen ! ch
          out ? ch
:
"""


def test_a_forking_waits_for_the_forks_of_a_proc_it_calls(tmp_path, backend):
    _, result = run(tmp_path, backend, DYNAMIC_FORKING)
    assert result.stderr == ""
    assert result.stdout == "1 2 after\n"
