"""Deadlock reports name the partner that never came, where the checks know it:
plain channels, channel arrays (constant subscripts and the copies of a
replicated PAR), and channels passed down through PROC parameters -- and say
nothing where two processes could be the partner (see cspc/check/partners.py)."""

from __future__ import annotations

from click.testing import CliRunner

from cspc import syntax as S
from cspc.check import check
from cspc.cli import main
from cspc.diagnostics import Reporter
from cspc.parse import parse_text

MAIN = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"


def blocked(tmp_path, source: str, backend: str) -> set[str]:
    """The lines of the deadlock report, the file name and line numbers dropped."""
    path = tmp_path / "prog.csp"
    path.write_text(source)
    result = CliRunner().invoke(main, ["run", "--backend", backend, str(path)])
    assert result.exit_code == 1, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith("run-time error: deadlock"), result.stderr
    return {line.split(": ", 1)[1] for line in lines[1:]}


def test_array_elements_of_a_pipeline_name_the_copies_and_the_constant_users(tmp_path, backend):
    source = MAIN + (
        "  [3]CHAN INT c:\n"
        "  INT y:\n"
        "  PAR\n"
        "    SKIP\n"  # the producer of c[0] never comes
        "    PAR i = 0 FOR 2\n"
        "      INT x:\n"
        "      SEQ\n"
        "        c[i] ? x\n"
        "        c[i + 1] ! x\n"
        "    c[2] ? y\n"
        ":\n"
    )
    assert blocked(tmp_path, source, backend) == {
        "'i=0' waits to input from channel c[0]",
        "'i=1' waits to input from channel c[1] (from 'i=0')",
        "'main, PAR branch 3' waits to input from channel c[2] (from 'i=1')",
    }


RELAY = (
    "PROC relay (CHAN INT in?, out!)\n"
    "  INT x:\n"
    "  SEQ\n"
    "    in ? x\n"
    "    out ! x\n"
    ":\n"
    "PROC pair (CHAN INT in?, out!)\n"
    "  CHAN INT mid:\n"
    "  PAR\n"
    "    relay (in?, mid!)\n"
    "    relay (mid?, out!)\n"
    ":\n"
)


def test_channels_passed_down_through_parameters_name_the_process_inside(tmp_path, backend):
    source = (
        RELAY
        + MAIN
        + (
            "  CHAN INT a, b:\n"
            "  INT y:\n"
            "  PAR\n"
            "    pair (a?, b!)\n"
            "    SEQ\n"
            "      b ? y\n"
            "      a ! y\n"
            ":\n"
        )
    )
    assert blocked(tmp_path, source, backend) == {
        "'relay' waits to input from channel a (from 'main, PAR branch 2')",
        "'relay' waits to input from channel mid",  # the partner has the same name: not given
        "'main, PAR branch 2' waits to input from channel b (from 'relay')",
    }


def test_an_element_with_no_known_user_gets_no_partner(tmp_path, backend):
    # Every element of c is written by one process (whatever k is), so its name
    # is given; c[1] has no known reader, so its writer's line names nobody.
    source = MAIN + (
        "  [2]CHAN INT c:\n"
        "  INT k:\n"
        "  SEQ\n"
        "    k := 1\n"
        "    PAR\n"
        "      SEQ\n"
        "        c[k] ! 1\n"
        "        c[0] ! 2\n"
        "      INT x:\n"
        "      c[0] ? x\n"
        ":\n"
    )
    assert blocked(tmp_path, source, backend) == {
        "'main, PAR branch 1' waits to output on channel c[1]",
        "'main, PAR branch 2' waits to input from channel c[0] (from 'main, PAR branch 1')",
    }


def checked(source: str) -> S.Program:
    program = parse_text(source, "t.csp")
    reporter = Reporter()
    check(program, reporter)
    reporter.raise_if_errors()
    return program


def expectations(program: S.Program) -> set[tuple]:
    found = set()
    for node in S.walk(program):
        if isinstance(node, (S.VarDecl, S.Par)):
            for e in node.expects:
                path = tuple(i.const if i.const is not None else "?" for i in e.path)
                found.add((type(node).__name__, e.symbol.name, path, e.side, e.process))
    return found


def test_two_processes_using_one_end_in_turn_leave_it_unnamed():
    program = checked(
        MAIN + "  CHAN INT c:\n  INT x:\n  SEQ\n"
        "    PAR\n      c ! 1\n      c ? x\n"
        "    PAR\n      c ! 2\n      SEQ\n        c ? x\n        SKIP\n"
        ":\n"
    )
    # Both PARs' first branches write c ("main, PAR branch 1" each time), but the
    # reader is "main, PAR branch 2" in both too: each end has one name.
    assert expectations(program) == {
        ("VarDecl", "c", (), "writer", "main, PAR branch 1"),
        ("VarDecl", "c", (), "reader", "main, PAR branch 2"),
    }
    program = checked(
        MAIN + "  CHAN INT c:\n  INT x:\n  SEQ\n"
        "    PAR\n      c ! 1\n      c ? x\n"
        "    PAR\n      c ? x\n      c ! 2\n"
        ":\n"
    )
    assert expectations(program) == set()  # each end has two users, one per PAR


def test_replicated_copies_record_the_elements_they_use():
    program = checked(
        MAIN + "  [4]CHAN INT c:\n  VAL INT n IS 3:\n  INT y:\n  PAR\n"
        "    c[0] ! 0\n"
        "    PAR i = 0 FOR n\n      INT x:\n      SEQ\n        c[i] ? x\n        c[i + 1] ! x\n"
        "    c[n] ? y\n"
        ":\n"
    )
    assert expectations(program) == {
        ("VarDecl", "c", (0,), "writer", "main, PAR branch 1"),
        ("VarDecl", "c", (3,), "reader", "main, PAR branch 3"),
        ("Par", "c", ("?",), "reader", None),
        ("Par", "c", ("?",), "writer", None),
    }


def test_checking_twice_gives_the_same_annotations():
    source = MAIN + "  CHAN INT c:\n  PAR\n    c ! 1\n    INT x:\n    c ? x\n:\n"
    program = checked(source)
    first = expectations(program)
    assert first == {
        ("VarDecl", "c", (), "writer", "main, PAR branch 1"),
        ("VarDecl", "c", (), "reader", "main, PAR branch 2"),
    }
    check(program, Reporter())
    assert expectations(program) == first


def test_copies_that_call_a_proc_are_named_by_it_and_their_index(tmp_path, backend):
    source = (
        "PROC take (CHAN INT in?)\n  INT x:\n  in ? x\n:\n"
        + MAIN
        + "  [2]CHAN INT c:\n  PAR i = 0 FOR 2\n    take (c[i]?)\n:\n"
    )
    assert blocked(tmp_path, source, backend) == {
        "'take i=0' waits to input from channel c[0]",
        "'take i=1' waits to input from channel c[1]",
    }


def test_the_branches_of_a_par_inside_copies_are_named_with_every_index(tmp_path, backend):
    source = (
        "PROC take (CHAN INT in?)\n  INT x:\n  in ? x\n:\n"
        "PROC give (CHAN INT out!)\n  out ! 1\n:\n"
        + MAIN
        + "  [2][2]CHAN INT c, d:\n"
        "  PAR i = 0 FOR 2\n"
        "    PAR j = 0 FOR 2\n"
        "      PAR\n"
        "        take (c[i][j]?)\n"  # waits for a give that went to d instead
        "        give (d[i][j]!)\n"
        ":\n"
    )
    assert blocked(tmp_path, source, backend) == {
        f"'{who} i={i} j={j}' waits to {how} channel {c}[{i}][{j}]"
        for i in range(2)
        for j in range(2)
        for who, how, c in (("take", "input from", "c"), ("give", "output on", "d"))
    }


def test_a_par_inside_copies_names_the_partner_in_the_same_copy(tmp_path, backend):
    source = (
        "PROC take (CHAN INT in?)\n  INT x:\n  SEQ\n    in ? x\n    in ? x\n:\n"
        "PROC give (CHAN INT out!)\n  out ! 1\n:\n"
        + MAIN
        + "  [3]CHAN INT c:\n"
        "  PAR i = 0 FOR 3\n"
        "    PAR\n"
        "      take (c[i]?)\n"  # wants two values, gets one
        "      give (c[i]!)\n"
        ":\n"
    )
    assert blocked(tmp_path, source, backend) == {
        f"'take i={i}' waits to input from channel c[{i}] (from 'give i={i}')" for i in range(3)
    }
