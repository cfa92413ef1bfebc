"""The preprocessor: #IF and friends, #DEFINE, messages, and #INCLUDE inside blocks."""

from __future__ import annotations

import subprocess
import sys

import pytest

from cspc import syntax as S
from cspc.diagnostics import CompileError
from cspc.parse import parse_file, parse_text

from cspc_cli import run_cspc

MAIN = "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"


def constants(source: str) -> dict[str, object]:
    """The VAL abbreviations a program's top level keeps, name -> literal value."""
    program = parse_text(source, "t.csp")
    return {s.name.name: s.value.value for s in program.specs if isinstance(s, S.Abbreviation)}


def error_of(source: str) -> tuple[str, int, int]:
    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    d = caught.value.diagnostics[0]
    return d.message, d.span.line, d.span.col


@pytest.mark.parametrize(
    "condition, kept",
    [
        ("TRUE", True),
        ("FALSE", False),
        ("DEFINED (COMPILER.CSPC)", True),
        ("DEFINED (SUCCESSFUL.TESTS)", False),
        ("NOT DEFINED (SUCCESSFUL.TESTS)", True),
        ("TARGET.BITS.PER.WORD = 32", True),
        ("(TARGET.BITS.PER.WORD = 64)", False),
        ("TARGET.BYTES.PER.WORD <> 4", False),
        ("TARGET.BITS.PER.WORD >= #20", True),
        ("DEFINED (COMPILER.CSPC) AND TRUE AND (TARGET.BITS.PER.WORD > 16)", True),
        ("FALSE OR FALSE OR DEFINED (COMPILER.CSPC)", True),
        ("NOT (TRUE AND FALSE)", True),
        ("-- a comment only\n", None),
    ],
)
def test_a_condition_keeps_or_drops_its_lines(condition, kept):
    source = f"#IF {condition}\nVAL k IS 1:\n#ELSE\nVAL k IS 2:\n#ENDIF\n"
    if kept is None:
        assert error_of(source)[0] == "#IF needs a condition"
    else:
        assert constants(source) == {"k": 1 if kept else 2}


def test_elif_takes_the_first_true_part_only():
    source = "#IF FALSE\nVAL k IS 1:\n#ELIF TRUE\nVAL k IS 2:\n#ELIF TRUE\nVAL k IS 3:\n#ELSE\nVAL k IS 4:\n#ENDIF\n"
    assert constants(source) == {"k": 2}


def test_a_dropped_part_may_hold_anything_even_bad_directives_and_undefined_names():
    source = "#IF FALSE\n#IF UNDEFINED.NAME\n#FROBNICATE\nthis is not occam\n#ENDIF\n#ERROR \"no\"\n#ENDIF\nVAL k IS 1:\n"
    assert constants(source) == {"k": 1}


def test_define_and_undef_hold_for_the_rest_of_the_file():
    source = (
        '#DEFINE WIDTH 16\n#DEFINE NAME "cspc"\n#DEFINE FAST\n'
        "#IF (WIDTH = 16) AND (NAME = \"cspc\") AND DEFINED (FAST)\nVAL a IS 1:\n#ENDIF\n"
        "#UNDEF FAST\n#IF DEFINED (FAST)\nVAL b IS 1:\n#ELSE\nVAL b IS 2:\n#ENDIF\n"
    )
    assert constants(source) == {"a": 1, "b": 2}


def test_line_numbers_stay_right_after_dropped_lines():
    source = "#IF FALSE\nVAL a IS 1:\nVAL b IS 2:\n#ENDIF\nPROC p ()\n  x := 1 + 2 + 3\n:\n"
    assert error_of(source)[1:] == (6, 14)


@pytest.mark.parametrize(
    "source, message, line, col",
    [
        ("#IF TRUE\nVAL k IS 1:\n", "this #IF has no #ENDIF", 1, 1),
        ("VAL k IS 1:\n#ENDIF\n", "#ENDIF without #IF", 2, 1),
        ("#IF TRUE\n#ELSE\n#ELSE\n#ENDIF\n", "#ELSE after #ELSE (an #IF has one #ELSE, at its end)", 3, 1),
        ("#IF TRUE AND FALSE OR TRUE\n#ENDIF\n", "AND and OR mixed: put parentheses round one of them", 1, 20),
        ("#IF MYSTERY\n#ENDIF\n", "`MYSTERY' is not defined (DEFINED (MYSTERY) tests whether it is)", 1, 5),
        ("#IF COMPILER.CSPC\n#ENDIF\n", "`COMPILER.CSPC' is defined with no value (DEFINED (COMPILER.CSPC) tests it)",
         1, 5),
        ("#IF TARGET.BITS.PER.WORD\n#ENDIF\n",
         "this condition is not TRUE or FALSE (compare it, or use DEFINED (NAME))", 1, 5),
        ('#IF TARGET.BITS.PER.WORD = "32"\n#ENDIF\n', "cannot compare 32 with \"32\" using `='", 1, 26),
        ("#IF DEFINED (X\n#ENDIF\n", "this condition ends too soon", 1, 15),
        ("#ENDIF junk\n", "#ENDIF without #IF", 1, 1),
        ("#IF TRUE\n#ENDIF junk\n", "unexpected `junk' in a directive", 2, 8),
        ("#DEFINE\n", "#DEFINE needs a name", 1, 1),
        ("#DEFINE N 1\n#DEFINE N 2\n", "`N' is already defined, as 1 (#UNDEF it first)", 2, 1),
        ("#DEFINE N (1 + 2)\n", "unexpected `1' in a directive", 1, 12),
        ('#ERROR "this target is not supported"\n', "#ERROR this target is not supported", 1, 1),
        ("#FROBNICATE\n", "unknown directive `#FROBNICATE' (cspc knows #COMMENT, #DEFINE, #ELIF, #ELSE, #ENDIF, "
         "#ERROR, #IF, #INCLUDE, #OPTION, #PRAGMA, #RELAX, #UNDEF, #USE, #WARNING)", 1, 1),
        ("#SC \"x.tce\"\n", "`#SC' is not supported", 1, 1),
        ("PROC p ()\n  SEQ\n    #IF DEFINED (X)\n    SKIP\n:\n", "this #IF has no #ENDIF", 3, 5),
    ],
)  # fmt: skip
def test_a_bad_directive_is_a_positioned_error(source, message, line, col):
    assert error_of(source) == (message, line, col)


def test_the_same_definition_twice_is_no_error():
    assert constants("#DEFINE N 1\n#DEFINE N 1\n#IF N = 1\nVAL k IS 1:\n#ENDIF\n") == {"k": 1}


def test_warning_is_reported_and_the_program_still_compiles():
    program = parse_text('#WARNING "check the wiring"\nVAL k IS 1:\n', "t.csp")
    assert [(w.message, w.span.line) for w in program.warnings] == [("#WARNING check the wiring", 1)]


def test_a_warning_in_spliced_text_names_the_include_sites_once(tmp_path):
    (tmp_path / "inner.inc").write_text('#WARNING "deep"\nSKIP\n')
    (tmp_path / "outer.inc").write_text('PROC q ()\n  #INCLUDE "inner.inc"\n:\n')
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "outer.inc"\n' + MAIN + "  SKIP\n:\n")
    (w,) = parse_file(main).warnings
    assert (w.message, w.span.file, w.span.line) == ("#WARNING deep", str(tmp_path / "inner.inc"), 1)
    assert [(s.file, s.line) for s in w.include_chain] == [(str(main), 1), (str(tmp_path / "outer.inc"), 2)]


def test_comment_relax_and_option_are_accepted():
    assert constants('#COMMENT "a note"\n#RELAX\n#OPTION "V"\nVAL k IS 1:\n') == {"k": 1}


def test_an_option_letter_cspc_has_no_use_for_is_a_warning():
    program = parse_text('#OPTION "VA" -- no vector space\nVAL k IS 1:\n', "t.csp")
    assert [(w.message, w.span.line) for w in program.warnings] == [('#OPTION "V" means nothing to cspc; ignored', 1)]
    assert program.options == {"A"}


ALIASED_AND_SHARED = (
    MAIN + "  INT x, y:\n  SEQ\n    y := 0\n    z IS y:\n    SEQ\n      y := 1\n      z := z + 1\n"
    "    PAR\n      x := 1\n      x := 1\n    out.int (y, 0, screen!)\n:\n"
)


@pytest.mark.parametrize(
    "option, errors",
    [
        # (the usage rules are checked once the rest is right)
        ("", ["`y' cannot be used while abbreviated by `z'"]),
        ('#OPTION "A"\n', ["variable `x' is assigned to in parallel"]),
        ('#OPTION "N"\n', ["`y' cannot be used while abbreviated by `z'"]),
        ('#OPTION "AN"\n', []),
    ],
)
def test_option_a_and_n_turn_off_the_alias_and_parallel_usage_checks(tmp_path, option, errors):
    main = tmp_path / "main.csp"
    main.write_text(option + '#INCLUDE "course.module"\n' + ALIASED_AND_SHARED)
    done = run_cspc("check", str(main))
    found = [line.split(": error: ", 1)[1] for line in done.stderr.decode().splitlines() if ": error: " in line]
    assert found == errors
    assert done.returncode == (1 if errors else 0)


def test_a_directive_inside_a_block_works_at_its_indentation():
    source = MAIN + "  SEQ\n    #IF DEFINED (COMPILER.CSPC)\n    screen ! 'y'\n    #ELSE\n    screen ! 'n'\n    #ENDIF\n:\n"
    body = parse_text(source, "t.csp").specs[0].body
    assert len(body.body) == 1 and body.body[0].items[0].value == ord("y")


def test_a_definition_made_in_an_included_file_counts_after_the_include(tmp_path):
    (tmp_path / "config.inc").write_text("#DEFINE DEBUG\n")
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "config.inc"\n#IF DEFINED (DEBUG)\nVAL k IS 1:\n#ELSE\nVAL k IS 2:\n#ENDIF\n')
    program = parse_file(main)
    assert [(s.name.name, s.value.value) for s in program.specs] == [("k", 1)]


def test_include_inside_a_proc_body_scopes_its_names_to_that_body(tmp_path):
    (tmp_path / "helpers.inc").write_text("VAL INT answer IS 42:\nPROC say (CHAN BYTE out!)\n  out ! 'h'\n:\n")
    main = tmp_path / "main.csp"
    main.write_text(
        '#INCLUDE "course.module"\n'
        "PROC first (CHAN BYTE out!)\n"
        '  #INCLUDE "helpers.inc"\n'
        "  SEQ\n    say (out!)\n    out.int (answer, 0, out!)\n:\n"
        "PROC second (CHAN BYTE out!)\n"
        '  #INCLUDE "helpers.inc"\n'
        "  say (out!)\n:\n"
        + MAIN
        + "  SEQ\n    first (screen!)\n    second (screen!)\n    screen ! '*n'\n:\n"
    )
    done = run_cspc("run", str(main))
    assert (done.returncode, done.stdout, done.stderr) == (0, b"h42h\n", b"")


def test_a_name_from_an_include_inside_a_body_is_not_seen_outside_it(tmp_path):
    (tmp_path / "helpers.inc").write_text("VAL INT answer IS 42:\n")
    main = tmp_path / "main.csp"
    main.write_text(
        "PROC first ()\n"
        '  #INCLUDE "helpers.inc"\n'
        "  SKIP\n:\n" + MAIN + "  INT x:\n  x := answer\n:\n"
    )
    done = run_cspc("check", str(main))
    assert done.returncode == 1
    assert b"main.csp:7:8: error: undeclared name `answer'" in done.stderr


def test_an_error_in_a_file_included_inside_a_body_names_the_include_site(tmp_path):
    (tmp_path / "bad.inc").write_text("VAL INT k IS 1 + 2 + 3:\n")
    main = tmp_path / "main.csp"
    main.write_text(MAIN + '  #INCLUDE "bad.inc"\n  SKIP\n:\n')
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    (d,) = caught.value.diagnostics
    assert (d.span.file, d.span.line) == (str(tmp_path / "bad.inc"), 1)
    assert [(s.file, s.line, s.col) for s in d.include_chain] == [(str(main), 2, 3)]


def test_an_include_inside_a_seq_may_bring_processes_as_well(tmp_path):
    # As in KRoC's own tests: the file is spliced in as text, at the directive's indentation.
    (tmp_path / "step.inc").write_text("PROC step (INT n)\n  n := n + 1\n:\nstep (count)\n")
    (tmp_path / "twice.inc").write_text('#INCLUDE "step.inc"\n#INCLUDE "step.inc"\n')
    main = tmp_path / "main.csp"
    main.write_text(
        '#INCLUDE "course.module"\n'
        + MAIN
        + "  INT count:\n  SEQ\n    count := 0\n    #INCLUDE \"twice.inc\"\n    #INCLUDE \"step.inc\"\n"
        "    out.int (count, 0, screen!)\n    screen ! '*n'\n:\n"
    )
    done = run_cspc("run", str(main))
    assert (done.returncode, done.stdout, done.stderr) == (0, b"3\n", b"")


@pytest.mark.parametrize("how", ["run", "compile"])
def test_a_run_time_error_in_a_spliced_proc_names_its_own_file_and_line(tmp_path, how):
    (tmp_path / "fail.inc").write_text("-- a comment\nPROC fail (INT x)\n  x := x / 0\n:\n")
    main = tmp_path / "main.csp"
    main.write_text(MAIN + "  INT x:\n  SEQ\n    x := 1\n    #INCLUDE \"fail.inc\"\n    fail (x)\n:\n")
    if how == "compile":
        assert run_cspc("compile", str(main), "-o", str(tmp_path / "main.py")).returncode == 0
        done = subprocess.run([sys.executable, str(tmp_path / "main.py")], capture_output=True, timeout=60)
    else:
        done = run_cspc("run", str(main))
    assert done.returncode == 1
    assert done.stderr.decode().startswith(f"{tmp_path / 'fail.inc'}:3:")


def test_a_compile_error_in_spliced_text_points_into_that_file_with_the_chain(tmp_path):
    (tmp_path / "inner.inc").write_text("VAL INT k IS 1:\nx := 1 + 2 + 3\n")
    (tmp_path / "outer.inc").write_text('SEQ\n  #INCLUDE "inner.inc"\n')
    main = tmp_path / "main.csp"
    main.write_text(MAIN + "  INT x:\n  SEQ\n    #INCLUDE \"outer.inc\"\n:\n")
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    (d,) = caught.value.diagnostics
    assert (d.span.file, d.span.line, d.span.col) == (str(tmp_path / "inner.inc"), 2, 12)
    assert [(s.file, s.line) for s in d.include_chain] == [(str(main), 4), (str(tmp_path / "outer.inc"), 2)]
    assert "    x := 1 + 2 + 3\n               ^" in str(caught.value)


def test_include_at_the_top_level_still_reads_a_file_once(tmp_path):
    (tmp_path / "lib.inc").write_text("PROC a ()\n  SKIP\n:\n")
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "lib.inc"\n#INCLUDE "lib.inc"\n')
    assert [s.name.name for s in parse_file(main).specs] == ["a"]


@pytest.mark.parametrize("backend", ["greenlet", "threads"])
def test_a_program_built_by_its_directives_runs(tmp_path, backend):
    main = tmp_path / "main.csp"
    main.write_text(
        '#INCLUDE "course.module"\n#DEFINE GREETING "hello"\n'
        + MAIN
        + "  #IF GREETING = \"hello\"\n  VAL message IS \"hello*n\":\n  #ELSE\n  VAL message IS \"bye*n\":\n  #ENDIF\n"
        "  out.string (message, 0, screen!)\n:\n"
    )
    done = run_cspc("run", "--backend", backend, str(main))
    assert (done.returncode, done.stdout, done.stderr) == (0, b"hello\n", b"")
