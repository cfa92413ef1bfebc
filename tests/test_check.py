"""The checker's annotations: the contract the code generator relies on."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cspc import syntax as S
from cspc.check import check, main_proc
from cspc.check import types as T
from cspc.diagnostics import Reporter
from cspc.parse import parse_file, parse_text

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").rglob("*.csp"))
COURSE = ROOT / "cspc" / "lib" / "course.module"


def conformance_dir() -> Path | None:
    env = os.environ.get("CSPC_CONFORMANCE")
    candidates = [Path(env)] if env else []
    candidates.append(ROOT.parent / "shared" / "conformance")
    return next((c for c in candidates if c.is_dir()), None)


CONFORMANCE = conformance_dir()
CONFORMANCE_FILES = sorted(CONFORMANCE.glob("*.csp")) if CONFORMANCE else []


def checked(text: str, **options) -> tuple[S.Program, Reporter]:
    program = parse_text(text, "test.csp")
    reporter = Reporter()
    check(program, reporter, **options)
    return program, reporter


def clean(text: str) -> S.Program:
    program, reporter = checked(text)
    assert not reporter.diagnostics, [str(d) for d in reporter.diagnostics]
    return program


def find(program: S.Program, cls, **attrs):
    """Every node of class ``cls`` whose attributes equal ``attrs``."""
    return [
        n for n in S.walk(program) if isinstance(n, cls) and all(getattr(n, k) == v for k, v in attrs.items())
    ]


# --------------------------------------------------------------------------- whole programs


UNTYPED_KINDS = {"proc", "function", "protocol", "record"}


def assert_annotated(program: S.Program) -> None:
    """Every Name resolved, every expression typed, one Symbol per declaration."""
    declared: dict[int, S.Name] = {}
    for node in S.walk(program):
        if isinstance(node, S.Name):
            assert node.symbol is not None, f"{node.span}: `{node.name}' unresolved"
        if isinstance(node, S.Expr) and not (isinstance(node, S.Name) and node.symbol.kind in UNTYPED_KINDS):
            assert node.type is not None, f"{node.span}: {type(node).__name__} untyped"
            assert not isinstance(node.type, T.UnknownType), f"{node.span}: unknown type"
        for name in declaring_names(node):
            assert id(name.symbol) not in declared, f"{name.span}: shares a Symbol"
            declared[id(name.symbol)] = name
    for node in S.walk(program):
        # (a predefined routine is declared beneath the program, not in it)
        if isinstance(node, S.Name) and node.symbol.kind not in ("tag", "field") and not node.symbol.predefined:
            assert id(node.symbol) in declared, f"{node.span}: `{node.name}' has a Symbol of no declaration"


def declaring_names(node: S.Node) -> list[S.Name]:
    if isinstance(node, S.VarDecl):
        return list(node.names)
    if isinstance(node, (S.Abbreviation, S.ProcDecl, S.FunctionDecl, S.ProtocolDecl, S.DataTypeDecl)):
        return [node.name]
    if isinstance(node, (S.Param, S.Replicator, S.Tag, S.Field)):
        return [node.name]
    return []


# The conformance programs call only these course PROCs; a small stand-in keeps
# the test fast (the real course.module is checked on its own below).
COURSE_STAND_IN = """
PROC out.int (VAL INT n, VAL INT field, CHAN BYTE out!)
  out ! BYTE (n /\\ 255)
:
PROC out.string (VAL []BYTE s, VAL INT field, CHAN BYTE out!)
  SEQ i = 0 FOR SIZE s
    out ! s[i]
:
"""


@pytest.fixture(scope="module")
def course_stand_in(tmp_path_factory):
    folder = tmp_path_factory.mktemp("course")
    (folder / "course.module").write_text(COURSE_STAND_IN)
    return folder


@pytest.mark.skipif(not CONFORMANCE_FILES, reason="conformance programs not present")
@pytest.mark.parametrize("path", CONFORMANCE_FILES, ids=lambda p: p.stem)
def test_conformance_programs_check_clean_and_fully_annotated(path, course_stand_in):
    program = parse_file(path, include_paths=[course_stand_in])
    assert any(str(course_stand_in) in f for f in program.files)
    reporter = Reporter()
    check(program, reporter)
    assert not reporter.diagnostics, "\n".join(str(d) for d in reporter.diagnostics)
    assert_annotated(program)
    assert main_proc(program).name.name == "main"


def test_one_conformance_program_with_the_real_course_module():
    if not CONFORMANCE_FILES:
        pytest.skip("conformance programs not present")
    program = parse_file(CONFORMANCE_FILES[0])
    reporter = Reporter()
    check(program, reporter)
    assert not reporter.diagnostics, "\n".join(str(d) for d in reporter.diagnostics)
    assert_annotated(program)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_check_without_errors(path):
    program = parse_file(path)
    reporter = Reporter()
    check(program, reporter)
    assert not reporter.errors, "\n".join(str(d) for d in reporter.errors)
    assert_annotated(program)
    if path.with_suffix(".expected").exists():  # a runnable program, not a library
        assert main_proc(program) is not None


def test_course_module_checks_clean():
    program = parse_file(COURSE)
    reporter = Reporter()
    check(program, reporter)
    assert not reporter.errors, "\n".join(str(d) for d in reporter.errors)
    assert_annotated(program)


# --------------------------------------------------------------------------- symbols


def test_symbol_kinds_and_directions():
    program = clean(
        "PROTOCOL MSG\n  CASE\n    num; INT\n:\n"
        "DATA TYPE POINT\n  RECORD\n    INT x:\n:\n"
        "INT FUNCTION f (VAL INT n) IS n:\n"
        "PROC q (VAL INT v, INT r, CHAN MSG out!, TIMER tim)\n"
        "  [4]INT a, b:\n"
        "  INT y IS b[0]:\n"  # not a[0]: a[i] below may be that element (the alias rule)
        "  VAL INT k IS 3:\n"
        "  POINT pt:\n"
        "  SEQ\n"
        "    SEQ i = 0 FOR 4\n"
        "      a[i] := f (v)\n"
        "    y, r := k, v\n"
        "    pt[x] := 1\n"
        "    out ! num; pt[x]\n"
        "    tim ? r\n"
        ":\n"
    )
    kinds = {}
    for name in find(program, S.Name):
        kinds.setdefault(name.name, set()).add(name.symbol.kind)
    assert kinds["MSG"] == {"protocol"}
    assert kinds["num"] == {"tag"}
    assert kinds["POINT"] == {"record"}
    assert kinds["x"] == {"field"}
    assert kinds["f"] == {"function"}
    assert kinds["q"] == {"proc"}
    assert kinds["v"] == kinds["k"] == kinds["i"] == kinds["n"] == {"value"}
    assert kinds["r"] == kinds["y"] == {"abbreviation"}
    assert kinds["a"] == kinds["pt"] == {"variable"}
    assert kinds["out"] == {"channel"}
    assert kinds["tim"] == {"timer"}
    out = find(program, S.Name, name="out")[0].symbol
    assert out.direction == "!"
    assert isinstance(out.decl, S.Param)
    assert isinstance(find(program, S.Name, name="i")[0].symbol.decl, S.Replicator)


def test_shadowing_gives_distinct_symbols():
    program = clean("PROC p ()\n  INT x:\n  SEQ\n    x := 1\n    INT x:\n    x := 2\n:\n")
    outer, inner = [d.names[0].symbol for d in find(program, S.VarDecl)]
    assert outer is not inner
    uses = [n.symbol for n in find(program, S.Name, name="x") if isinstance(n.symbol.decl, S.VarDecl)]
    assert uses.count(outer) == 2 and uses.count(inner) == 2


def test_uses_share_their_declarations_symbol():
    program = clean("PROC p (INT v)\n  SEQ\n    v := 1\n    v := v + 1\n:\n")
    symbols = {id(n.symbol) for n in find(program, S.Name, name="v")}
    assert len(symbols) == 1


# --------------------------------------------------------------------------- types and constants


def test_literal_types_follow_context():
    program = clean(
        "PROC p ()\n  BYTE b:\n  INT64 l:\n  INT16 s:\n  SEQ\n    b := 7\n    l := 7\n    s := 2 + 3\n:\n"
    )
    types = [lit.type.name for lit in find(program, S.Literal)]
    assert types == ["BYTE", "INT64", "INT16", "INT16"]


def test_hex_literals_wrap_to_their_type():
    program = clean(
        "PROC p ()\n  INT x:\n  BYTE b:\n  INT64 l:\n  SEQ\n    x := #FFFFFFFF\n"
        "    b := #FF\n    l := #FFFFFFFF\n:\n"
    )
    values = [(lit.type.name, lit.value, lit.const) for lit in find(program, S.Literal)]
    assert values == [("INT", -1, -1), ("BYTE", 255, 255), ("INT64", 4294967295, 4294967295)]


def test_constants_fold_through_val_abbreviations_size_and_mostpos():
    program = clean(
        "PROC p ()\n"
        "  VAL INT n IS 3 + 4:\n"
        "  [n * 2]INT a:\n"
        '  VAL []BYTE s IS "abc":\n'
        "  INT x:\n"
        "  SEQ\n"
        "    x := SIZE a\n"
        "    x := SIZE s\n"
        "    x := (MOSTPOS INT) PLUS 1\n"
        "    x := (-7) / 2\n"
        "    x := (-7) \\ 2\n"
        "    x := #F0 >> 4\n"
        ":\n"
    )
    decl = find(program, S.VarDecl)[0]
    assert decl.type.size.const == 14
    assert decl.names[0].symbol.type.size.const == 14
    values = [a.values[0].const for a in find(program, S.Assign)]
    assert values == [14, 3, -(2**31), -3, -1, 15]


def test_logical_shift_of_negative_constant():
    program = clean("PROC p ()\n  INT x:\n  x := (-1) >> 28\n:\n")
    assert find(program, S.Assign)[0].values[0].const == 15


def test_string_literal_type_has_constant_size():
    program = clean('PROC p ()\n  VAL s IS "hello":\n  SKIP\n:\n')
    literal = find(program, S.Literal, kind="string")[0]
    assert isinstance(literal.type, S.ArrayType)
    assert literal.type.elem.name == "BYTE"
    assert literal.type.size.const == 5
    assert literal.const == tuple(b"hello")


def test_slice_type_knows_its_size():
    program = clean(
        "PROC p ()\n  [10]INT a:\n  [3]INT b:\n  SEQ\n    a := [0,0,0,0,0,0,0,0,0,0]\n"
        "    b := [a FROM 2 FOR 3]\n    b := [a FROM 7]\n:\n"
    )
    slices = find(program, S.Slice)
    assert [T.array_size(s.type) for s in slices] == [3, 3]


def test_multiple_results_call_type():
    program = clean(
        "INT, BYTE FUNCTION f (VAL INT n) IS n, BYTE n:\n"
        "PROC p ()\n  INT a:\n  BYTE b:\n  a, b := f (65)\n:\n"
    )
    call = find(program, S.Call)[0]
    assert isinstance(call.type, T.ResultsType)
    assert [t.name for t in call.type.types] == ["INT", "BYTE"]


def test_chan_end_and_record_field_types():
    program = clean(
        "DATA TYPE P\n  RECORD\n    BYTE tag:\n    INT n:\n:\n"
        "PROC put (CHAN INT out!)\n  out ! 1\n:\n"
        "PROC q ()\n  CHAN INT c:\n  P r:\n  INT x:\n  SEQ\n    r[n] := 3\n    PAR\n      put (c!)\n      c ? x\n:\n"
    )
    end = find(program, S.ChanEnd)[0]
    assert isinstance(end.type, S.ChanType) and end.direction == "!"
    field_access = find(program, S.Subscript)[0]
    assert field_access.type.name == "INT"
    assert field_access.index.symbol.kind == "field"


# --------------------------------------------------------------------------- timer reads and main_proc


def test_timer_reads_are_told_from_channel_inputs():
    program = clean(
        "PROC q (TIMER clock, CHAN INT in?)\n  INT t:\n  SEQ\n    clock ? t\n    in ? t\n:\n"
        "PROC p ()\n  TIMER tim:\n  INT t:\n  tim ? t\n:\n"
    )
    inputs = find(program, S.Input)
    assert [i.timer for i in inputs] == [True, False, True]


def test_main_proc_is_the_last_matching_top_level_proc():
    program = clean(
        "PROC helper (CHAN BYTE out!)\n  out ! 'x'\n:\n"
        "PROC first (CHAN BYTE a?, b!, c!)\n  b ! 'a'\n:\n"
        "PROC second (CHAN OF BYTE in, out, err)\n  out ! 'b'\n:\n"
        "PROC other (CHAN INT a?, b!, c!)\n  SKIP\n:\n"
    )
    assert main_proc(program).name.name == "second"


def test_main_proc_none_when_nothing_matches():
    program = clean("PROC p (VAL INT n)\n  SKIP\n:\n")
    assert main_proc(program) is None


def test_main_proc_rejects_wrong_directions():
    # Directions pick the channels (as KRoC does): two inputs cannot both be the keyboard.
    program = clean("PROC p (CHAN BYTE a?, b?, c!)\n  SKIP\n:\n")
    assert main_proc(program) is None


# --------------------------------------------------------------------------- diagnostics


def test_undeclared_name_reported_once_per_scope_with_position():
    _, reporter = checked("PROC p ()\n  INT x:\n  SEQ\n    x := y\n    x := y + y\n:\n")
    assert [str(d.span) + " " + d.message for d in reporter.errors] == ["test.csp:4:10 undeclared name `y'"]


def test_all_errors_are_reported():
    _, reporter = checked("PROC p ()\n  INT x:\n  BYTE b:\n  SEQ\n    x := a\n    b := 300\n    x := b\n:\n")
    messages = [d.message for d in reporter.errors]
    assert len(messages) == 3
    assert "undeclared name `a'" in messages[0]
    assert "out of range for BYTE" in messages[1]
    assert "type mismatch in assignment: INT and BYTE" in messages[2]


def test_parallel_conflict_names_both_places():
    _, reporter = checked("PROC p ()\n  INT x:\n  PAR\n    x := 1\n    x := 2\n:\n")
    (error,) = reporter.errors
    assert error.message == "variable `x' is assigned to in parallel"
    # the error itself stands at the first place; its note names the second
    assert (error.span.line, error.span.col) == (4, 5)
    assert [(n.span.line, n.span.col) for n in error.notes] == [(5, 5)]
    rendered = error.render()
    assert rendered.startswith("test.csp:4:5: error: variable `x' is assigned to in parallel")


def test_type_mismatch_in_operator_names_both_operands():
    _, reporter = checked("PROC p (VAL INT a, VAL BYTE b, BOOL r)\n  r := a = b\n:\n")
    (error,) = reporter.errors
    assert "type mismatch in operands of `=': INT and BYTE" in error.message
    assert len(error.notes) == 2


def test_unused_warnings_only_with_the_flag():
    text = "PROC p ()\n  INT spare:\n  SKIP\n:\n"
    assert not checked(text)[1].diagnostics
    (warning,) = checked(text, warn_unused=True)[1].warnings
    assert warning.message == "`spare' is declared but never used"


def test_no_usage_cascade_after_name_errors():
    _, reporter = checked("PROC p ()\n  PAR\n    zz := 1\n    zz := 2\n:\n")
    assert [d.message for d in reporter.diagnostics] == ["undeclared name `zz'"]


# --------------------------------------------------------------------------- every node handled


def subclasses(base):
    found = []
    for cls in base.__subclasses__():
        found.append(cls)
        found.extend(subclasses(cls))
    return found


@pytest.mark.parametrize(
    "module, cls_name, prefix, base",
    [
        ("resolve", "Resolver", "proc_", S.Process),
        ("resolve", "Resolver", "spec_", S.Spec),
        ("resolve", "Resolver", "expr_", S.Expr),
        ("usage", "UsageChecker", "proc_", S.Process),
        ("flow", "Flow", "proc_", S.Process),
    ],
)
def test_every_node_class_has_a_handler(module, cls_name, prefix, base):
    """A node added to the AST must be taught to every pass (found here, not in a user's program)."""
    import importlib

    checker = getattr(importlib.import_module(f"cspc.check.{module}"), cls_name)
    ast_classes = [c for c in subclasses(base) if c.__module__ == "cspc.syntax"]
    missing = [c.__name__ for c in ast_classes if not hasattr(checker, prefix + c.__name__)]
    assert not missing, f"{cls_name} has no {prefix}* for {missing}"


def test_checking_twice_gives_the_same_annotations():
    program, reporter = checked(
        "PROC p (CHAN INT out!)\n  INT x:\n  SEQ\n    x := #FFFFFFFF\n    out ! x\n:\n"
    )
    assert not reporter.diagnostics
    reporter = Reporter()
    check(program, reporter)
    assert not reporter.diagnostics
    assert_annotated(program)
    assert find(program, S.Literal)[0].value == -1


@pytest.mark.parametrize(
    "expression, value",
    [
        ("~ (1713 PLUS 4107)", -5821),
        ("(MOSTNEG INT) REM 16", 0),
        ("(-7) REM 2", -1),
        ("7 \\ (-2)", 1),
        ("7 / (-2)", -3),
        ("(MOSTPOS INT) TIMES 2", -2),
        ("(MOSTNEG INT) MINUS 1", 2147483647),
        ("#80000000 >> 31", 1),
        ("(-1) << 31", -2147483648),
        ("(-1) >< 5", -6),
        ("INT (BYTE ((-1) /\\ 255))", 255),
        ("(-12) \\/ 3", -9),
        ("INT ((3 > 2) AND (NOT FALSE))", 1),
        ("(1 AFTER 2) = FALSE", True),
        ("(MOSTNEG INT) AFTER (MOSTPOS INT)", True),
    ],
)
def test_constant_folding_follows_occam_arithmetic(expression, value):
    result_type = "BOOL" if isinstance(value, bool) else "INT"
    program = clean(f"PROC p ()\n  {result_type} x:\n  x := {expression}\n:\n")
    assert find(program, S.Assign)[0].values[0].const == value


def test_an_unknown_node_is_an_internal_error():
    from cspc.diagnostics import InternalError

    class Mystery(S.Process):
        pass

    program = S.Program("test.csp", [S.ProcDecl(S.Name("p"), [], Mystery())])
    with pytest.raises(InternalError, match="no rule for Mystery"):
        check(program, Reporter())


def test_each_par_reports_its_own_race():
    _, reporter = checked(
        "PROC p ()\n  INT x:\n  SEQ\n    PAR\n      x := 1\n      x := 2\n    PAR\n      x := 3\n      x := 4\n:\n"
    )
    assert [d.span.line for d in reporter.errors] == [5, 8]


def test_a_wrong_argument_count_is_one_error_and_no_cascade():
    # Which argument was meant for which parameter is unknowable: no error may
    # follow from pairing them up (e.g. "only a variable can be passed to
    # reference parameter `result'" for the 3 of `add (1, 2, 3, r)').
    program, reporter = checked(
        "PROC add (VAL INT a, b, INT result)\n  result := a + b\n:\n"
        "INT FUNCTION twice (VAL INT x) IS x + x:\n"
        "PROC producer (CHAN INT out!)\n  out ! 1\n:\n"
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  CHAN INT c:\n"
        "  INT r:\n"
        "  SEQ\n"
        "    add (1, r)\n"
        "    add (1, 2, 3, r)\n"
        "    r := twice (1, 2)\n"
        "    PAR\n"
        "      producer (c!, 3)\n"
        "      producer (c!)\n"
        "    add (1, 2, undeclared)\n"
        ":\n"
    )
    assert [d.message for d in reporter.diagnostics] == [
        "PROC `add' takes 3 parameters, but 2 are given",
        "PROC `add' takes 3 parameters, but 4 are given",
        "FUNCTION `twice' takes 1 parameter, but 2 are given",
        "PROC `producer' takes 1 parameter, but 2 are given",
        "undeclared name `undeclared'",
    ]
