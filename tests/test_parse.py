"""The parser builds the right AST for every construct of the language.

Each case is a small snippet; most are checked against the printer's dump
(positions left out), some by looking at node fields directly.
"""

from textwrap import dedent

import pytest

from cspc import syntax as S
from cspc.parse import parse_text
from cspc.printer import dump


def specs(text: str) -> list[S.Spec]:
    return parse_text(dedent(text).lstrip("\n"), "t.csp").specs


def process(text: str) -> S.Process:
    """The body of a PROC wrapped around ``text`` (a process at column 0)."""
    body = "\n".join("  " + line if line else "" for line in dedent(text).strip("\n").splitlines())
    (proc,) = parse_text(f"PROC p ()\n{body}\n:\n", "t.csp").specs
    return proc.body


def expr(text: str) -> S.Expr:
    assign = process(f"x := {text}")
    (value,) = assign.values
    return value


def shape(node) -> str:
    return dump(node, positions=False)


# --------------------------------------------------------------------------- expressions

EXPRESSIONS = [
    ("42", "Literal int 42"),
    ("#FF", "Literal int 255 hex"),
    ("#FFFFFFFF", "Literal int 4294967295 hex"),
    ("'a'", "Literal byte 97"),
    ("'*n'", "Literal byte 10"),
    ("'*#41'", "Literal byte 65"),
    ("'*''", "Literal byte 39"),
    ("1.5", "Literal real '1.5'"),
    ("1.0E+3", "Literal real '1.0E+3'"),
    ("TRUE", "Literal bool True"),
    ("FALSE", "Literal bool False"),
    ('"hi*n"', "Literal string b'hi\\n'"),
    ('"*c*t*s***"*\'*#7E"', "Literal string b'\\r\\t *\"\\'~'"),
    ("1.5(REAL32)", "Literal real '1.5'\n  explicit: PrimType REAL32"),
    ("65(BYTE)", "Literal int 65\n  explicit: PrimType BYTE"),
    ("'a'(INT)", "Literal byte 97\n  explicit: PrimType INT"),
    ("- x", "Unary op='-'\n  operand: Name x"),
    ("-1", "Unary op='-'\n  operand: Literal int 1"),
    ("MINUS x", "Unary op='MINUS'\n  operand: Name x"),
    ("NOT b", "Unary op='NOT'\n  operand: Name b"),
    ("~ x", "Unary op='~'\n  operand: Name x"),
    ("BITNOT x", "Unary op='BITNOT'\n  operand: Name x"),
    ("SIZE a", "Unary op='SIZE'\n  operand: Name a"),
    ("INT x", "Conversion\n  target: PrimType INT\n  operand: Name x"),
    ("BYTE n", "Conversion\n  target: PrimType BYTE\n  operand: Name n"),
    ("REAL64 ROUND x", "Conversion mode='ROUND'\n  target: PrimType REAL64\n  operand: Name x"),
    ("REAL32 TRUNC x", "Conversion mode='TRUNC'\n  target: PrimType REAL32\n  operand: Name x"),
    ("MOSTPOS INT", "MostPos\n  target: PrimType INT"),
    ("MOSTNEG INT64", "MostNeg\n  target: PrimType INT64"),
    ("a[i]", "Subscript\n  base: Name a\n  index: Name i"),
    ("a[i][j]", "Subscript\n  base: Subscript\n    base: Name a\n    index: Name i\n  index: Name j"),
    ("[a FROM i FOR n]", "Slice\n  base: Name a\n  start: Name i\n  count: Name n"),
    ("[a FROM i]", "Slice\n  base: Name a\n  start: Name i"),
    ("[a FOR n]", "Slice\n  base: Name a\n  count: Name n"),
    ("[1, 2, 3]", "ArrayLit\n  items:\n    Literal int 1\n    Literal int 2\n    Literal int 3"),
    ("f (a, 1)", "Call\n  func: Name f\n  args:\n    Name a\n    Literal int 1"),
    ("f ()", "Call\n  func: Name f"),
    ("(a + b) * c", "Binary op='*'\n  left: Binary op='+'\n    left: Name a\n    right: Name b\n  right: Name c"),
    ('"abc"[i]', "Subscript\n  base: Literal string b'abc'\n  index: Name i"),
    ("[1, 2][i]", "Subscript\n  base: ArrayLit\n    items:\n      Literal int 1\n      Literal int 2\n  index: Name i"),
    ("out.string", "Name out.string"),
    ("n.sat.down", "Name n.sat.down"),
    ("t AFTER u", "Binary op='AFTER'\n  left: Name t\n  right: Name u"),
    # named types (DATA TYPE T IS t:): typed literals, conversions, MOSTPOS/MOSTNEG
    ("85(MYINT)", "Literal int 85\n  explicit: NamedType\n    name: Name MYINT"),
    ("TRUE(FLAG)", "Literal bool True\n  explicit: NamedType\n    name: Name FLAG"),
    ("FALSE(BOOL)", "Literal bool False\n  explicit: PrimType BOOL"),
    ("MYINT x", "Conversion\n  target: NamedType\n    name: Name MYINT\n  operand: Name x"),
    ("MYINT 3", "Conversion\n  target: NamedType\n    name: Name MYINT\n  operand: Literal int 3"),
    ("T a[i]", "Conversion\n  target: NamedType\n    name: Name T\n  operand: Subscript\n    base: Name a\n    index: Name i"),
    ("T f (x)", "Conversion\n  target: NamedType\n    name: Name T\n  operand: Call\n    func: Name f\n    args:\n      Name x"),
    ("MYREAL ROUND (x + 1)", "Conversion mode='ROUND'\n  target: NamedType\n    name: Name MYREAL\n  operand: Binary op='+'\n    left: Name x\n    right: Literal int 1"),
    # `T (x)' reads as a call: the checks make it a conversion when T is a type
    ("MYINT (INT y)", "Call\n  func: Name MYINT\n  args:\n    Conversion\n      target: PrimType INT\n      operand: Name y"),
    ("MOSTPOS MYINT", "MostPos\n  target: NamedType\n    name: Name MYINT"),
    ("MOSTNEG T", "MostNeg\n  target: NamedType\n    name: Name T"),
]

DYADIC = "+ - * / \\ REM PLUS MINUS TIMES /\\ \\/ >< BITAND BITOR << >> AND OR = <> < > <= >= AFTER".split()


@pytest.mark.parametrize("text, expected", EXPRESSIONS, ids=[t for t, _ in EXPRESSIONS])
def test_expression(text, expected):
    assert shape(expr(text)) == expected


@pytest.mark.parametrize("op", DYADIC)
def test_every_dyadic_operator(op):
    node = expr(f"a {op} b")
    assert isinstance(node, S.Binary)
    assert (node.op, node.left.name, node.right.name) == (op, "a", "b")


def test_a_named_type_at_the_start_of_a_line_declares_or_converts():
    """`T x:' declares, `T x' (an IF condition) converts, `T x IS y:' abbreviates."""
    body = process(
        """
        IF
          T x:
          T y IS z:
          T x
            SKIP
          T (x)
            SKIP
        """
    )
    first, second = body.choices
    assert [type(spec).__name__ for spec in first.specs] == ["VarDecl", "Abbreviation"]
    assert isinstance(first.specs[0].type, S.NamedType) and first.specs[1].type.name.name == "T"
    assert isinstance(first.condition, S.Conversion) and first.condition.target.name.name == "T"
    assert isinstance(second.condition, S.Call) and second.condition.func.name == "T"


@pytest.mark.parametrize(
    "heading, results",
    [
        ("T FUNCTION f (VAL T a) IS a:", ["T"]),
        ("T, U FUNCTION f (VAL T a) IS a, a:", ["T", "U"]),
        ("T, INT, U FUNCTION f (VAL T a) IS a, a, a:", ["T", "INT", "U"]),
        ("T, [2]U FUNCTION f (VAL T a) IS a, a:", ["T", "[]U"]),  # (the size is folded by the checks)
        ("INT, T FUNCTION f (VAL T a) IS a, a:", ["INT", "T"]),
    ],
)
def test_result_types_may_start_with_data_type_names(heading, results):
    """`T, U FUNCTION' starts like the assignment `x, y :=': both parse."""
    from cspc.check.types import type_str

    (function,) = specs(heading)
    assert [type_str(t) for t in function.results] == results


@pytest.mark.parametrize(
    "source, message",
    [
        ("a[1], INT FUNCTION f () IS 1, 2:\n", "t.csp:1:1: error: a FUNCTION's results are types: this is not one"),
        ("PROC p ()\n  IF\n    a, b\n      SKIP\n:\n", "t.csp:3:8: error: an IF choice has one condition, not a list"),
    ],
)
def test_what_reads_like_a_list_of_targets_but_is_not_one(source, message):
    from cspc.diagnostics import CompileError

    with pytest.raises(CompileError) as caught:
        parse_text(source, "t.csp")
    assert str(caught.value).splitlines()[0] == message


def test_expression_spans_cover_the_text():
    node = expr("(a + b) * c")
    assert (node.span.line, node.span.col, node.span.end_line, node.span.end_col) == (2, 8, 2, 19)
    assert (node.left.span.col, node.left.span.end_col) == (8, 15)  # `(a + b)', parentheses included
    assert (node.left.left.span.col, node.left.left.span.end_col) == (9, 10)


def test_line_continues_after_operator_comma_and_inside_brackets():
    body = process(
        """
        SEQ
          x := a +
                 b
          p (1,
             2)
          y := [1, 2,
                3]
          z := f (a
                 )
        """
    )
    assign, call, table, _ = body.body
    assert isinstance(assign.values[0], S.Binary)
    assert [a.value for a in call.args] == [1, 2]
    assert len(table.values[0].items) == 3


def test_string_continued_on_next_line():
    node = expr('"abc*\n        *def"')
    assert node.value == b"abcdef"


# --------------------------------------------------------------------------- processes

PROCESSES = [
    ("SKIP", "Skip"),
    ("STOP", "Stop"),
    ("x := 1", "Assign\n  targets:\n    Name x\n  values:\n    Literal int 1"),
    ("a, b := b, a", "Assign\n  targets:\n    Name a\n    Name b\n  values:\n    Name b\n    Name a"),
    ("a[i] := 0", "Assign\n  targets:\n    Subscript\n      base: Name a\n      index: Name i\n  values:\n    Literal int 0"),
    ("[a FROM 0 FOR 2] := b", "Assign\n  targets:\n    Slice\n      base: Name a\n      start: Literal int 0\n      count: Literal int 2\n  values:\n    Name b"),
    ("c ! x", "Output\n  chan: Name c\n  items:\n    Name x"),
    ("c ! x; y + 1", "Output\n  chan: Name c\n  items:\n    Name x\n    Binary op='+'\n      left: Name y\n      right: Literal int 1"),
    ("c ! tag; 3", "Output\n  chan: Name c\n  items:\n    Name tag\n    Literal int 3"),
    ("c ! n::buf", "Output\n  chan: Name c\n  items:\n    CountedItem\n      count: Name n\n      array: Name buf"),
    ("c ? x", "Input\n  chan: Name c\n  items:\n    Name x"),
    ("c ? x; a[i]", "Input\n  chan: Name c\n  items:\n    Name x\n    Subscript\n      base: Name a\n      index: Name i"),
    ("c ? n::buf", "Input\n  chan: Name c\n  items:\n    CountedItem\n      count: Name n\n      array: Name buf"),
    ("cs[i] ? x", "Input\n  chan: Subscript\n    base: Name cs\n    index: Name i\n  items:\n    Name x"),
    ("tim ? t", "Input\n  chan: Name tim\n  items:\n    Name t"),
    ("tim ? AFTER t + 10", "Delay\n  timer: Name tim\n  time: Binary op='+'\n    left: Name t\n    right: Literal int 10"),
    ("p ()", "ProcCall\n  proc: Name p"),
    ("out.int (x, 0, screen!)", "ProcCall\n  proc: Name out.int\n  args:\n    Name x\n    Literal int 0\n    ChanEnd direction='!'\n      chan: Name screen"),
    ("q (c?, cs[1]!)", "ProcCall\n  proc: Name q\n  args:\n    ChanEnd direction='?'\n      chan: Name c\n    ChanEnd direction='!'\n      chan: Subscript\n        base: Name cs\n        index: Literal int 1"),
    ("SYNC b", "Sync\n  barrier: Name b"),
    ("SEQ", "Seq"),
    ("PAR", "Par"),
    ("SEQ\n  SKIP\n  STOP", "Seq\n  body:\n    Skip\n    Stop"),
    ("PAR\n  SKIP\n  STOP", "Par\n  body:\n    Skip\n    Stop"),
    ("PRI PAR\n  SKIP\n  STOP", "Par pri\n  body:\n    Skip\n    Stop"),
    ("SEQ i = 0 FOR n\n  SKIP", "Seq\n  body:\n    Skip\n  replicator: Replicator\n    name: Name i\n    base: Literal int 0\n    count: Name n"),
    ("PAR i = 1 FOR 4 STEP 2\n  SKIP", "Par\n  body:\n    Skip\n  replicator: Replicator\n    name: Name i\n    base: Literal int 1\n    count: Literal int 4\n    step: Literal int 2"),
    ("PRI PAR i = 0 FOR 2\n  SKIP", "Par pri\n  body:\n    Skip\n  replicator: Replicator\n    name: Name i\n    base: Literal int 0\n    count: Literal int 2"),
    ("WHILE x < 10\n  x := x + 1", "While\n  condition: Binary op='<'\n    left: Name x\n    right: Literal int 10\n  body: Assign\n    targets:\n      Name x\n    values:\n      Binary op='+'\n        left: Name x\n        right: Literal int 1"),
    ("IF", "If"),
    ("IF\n  x = 1\n    SKIP\n  TRUE\n    STOP", "If\n  choices:\n    Choice\n      condition: Binary op='='\n        left: Name x\n        right: Literal int 1\n      body: Skip\n    Choice\n      condition: Literal bool True\n      body: Stop"),
    ("IF i = 0 FOR 3\n  a[i]\n    SKIP", "If\n  choices:\n    Choice\n      condition: Subscript\n        base: Name a\n        index: Name i\n      body: Skip\n  replicator: Replicator\n    name: Name i\n    base: Literal int 0\n    count: Literal int 3"),
    ("IF\n  IF\n    b\n      SKIP\n  TRUE\n    SKIP", "If\n  choices:\n    Choice\n      nested: If\n        choices:\n          Choice\n            condition: Name b\n            body: Skip\n    Choice\n      condition: Literal bool True\n      body: Skip"),
    ("CASE x\n  1, 2\n    SKIP\n  'a'\n    STOP\n  ELSE\n    SKIP", "Case\n  selector: Name x\n  options:\n    Option\n      values:\n        Literal int 1\n        Literal int 2\n      body: Skip\n    Option\n      values:\n        Literal byte 97\n      body: Stop\n    Option is_else\n      body: Skip"),
    ("ALT", "Alt"),
    ("ALT\n  c ? x\n    SKIP\n  ok & d ? y\n    STOP", "Alt\n  alternatives:\n    Alternative\n      guard: Guard\n        guard: Input\n          chan: Name c\n          items:\n            Name x\n      body: Skip\n    Alternative\n      guard: Guard\n        precondition: Name ok\n        guard: Input\n          chan: Name d\n          items:\n            Name y\n      body: Stop"),
    ("PRI ALT\n  tim ? AFTER t\n    SKIP\n  (n > 0) & SKIP\n    STOP\n  SKIP\n    SKIP", "Alt pri\n  alternatives:\n    Alternative\n      guard: Guard\n        guard: Delay\n          timer: Name tim\n          time: Name t\n      body: Skip\n    Alternative\n      guard: Guard\n        precondition: Binary op='>'\n          left: Name n\n          right: Literal int 0\n      body: Stop\n    Alternative\n      guard: Guard\n      body: Skip"),
    ("ALT i = 0 FOR n\n  cs[i] ? x\n    SKIP", "Alt\n  alternatives:\n    Alternative\n      guard: Guard\n        guard: Input\n          chan: Subscript\n            base: Name cs\n            index: Name i\n          items:\n            Name x\n      body: Skip\n  replicator: Replicator\n    name: Name i\n    base: Literal int 0\n    count: Name n"),
    ("ALT\n  ALT\n    c ? x\n      SKIP\n  PRI ALT i = 0 FOR 2\n    d[i] ? x\n      SKIP", "Alt\n  alternatives:\n    Alternative\n      nested: Alt\n        alternatives:\n          Alternative\n            guard: Guard\n              guard: Input\n                chan: Name c\n                items:\n                  Name x\n            body: Skip\n    Alternative\n      nested: Alt pri\n        alternatives:\n          Alternative\n            guard: Guard\n              guard: Input\n                chan: Subscript\n                  base: Name d\n                  index: Name i\n                items:\n                  Name x\n            body: Skip\n        replicator: Replicator\n          name: Name i\n          base: Literal int 0\n          count: Literal int 2"),
    ("c ? CASE\n  stop\n    SKIP\n  data; x; y\n    STOP", "CaseInput\n  chan: Name c\n  variants:\n    Variant\n      tag: Name stop\n      body: Skip\n    Variant\n      tag: Name data\n      items:\n        Name x\n        Name y\n      body: Stop"),
    ("c ? CASE data; x", "CaseInput\n  chan: Name c\n  variants:\n    Variant\n      tag: Name data\n      items:\n        Name x\n      body: Skip"),
    ("ALT\n  go & c ? CASE\n    stop\n      SKIP\n    data; x\n      STOP", "Alt\n  alternatives:\n    Alternative\n      guard: Guard\n        precondition: Name go\n        guard: CaseInput\n          chan: Name c\n          variants:\n            Variant\n              tag: Name stop\n              body: Skip\n            Variant\n              tag: Name data\n              items:\n                Name x\n              body: Stop"),
]


@pytest.mark.parametrize("text, expected", PROCESSES, ids=[t.split("\n")[0] for t, _ in PROCESSES])
def test_process(text, expected):
    assert shape(process(text)) == expected


def test_specifications_before_a_process():
    body = process(
        """
        INT x:
        VAL y IS 2:
        SEQ
          x := y
        """
    )
    assert isinstance(body, S.Specified)
    assert [type(s).__name__ for s in body.specs] == ["VarDecl", "Abbreviation"]
    assert isinstance(body.body, S.Seq)


def test_specifications_before_choice_option_alternative_and_variant():
    body = process(
        """
        SEQ
          IF
            VAL k IS 3:
            x = k
              SKIP
          CASE x
            INT y:
            1
              SKIP
            VAL z IS 2:
            ELSE
              SKIP
          ALT
            INT v:
            c ? v
              SKIP
          c ? CASE
            INT w:
            data; w
              SKIP
        """
    )
    if_, case, alt, case_input = body.body
    assert isinstance(if_.choices[0].specs[0], S.Abbreviation)
    assert isinstance(case.options[0].specs[0], S.VarDecl)
    assert case.options[1].is_else and isinstance(case.options[1].specs[0], S.Abbreviation)
    assert isinstance(alt.alternatives[0].specs[0], S.VarDecl)
    assert isinstance(case_input.variants[0].specs[0], S.VarDecl)


def test_comments_and_fold_markers_are_ignored():
    body = process(
        """
        --{{{  a fold
        SEQ   -- the main loop
          --* a doc comment
          SKIP
          -- a comment between lines
        --}}}
        """
    )
    assert shape(body) == "Seq\n  body:\n    Skip"


# --------------------------------------------------------------------------- declarations

DECLARATIONS = [
    ("INT a, b:", "VarDecl\n  type: PrimType INT\n  names:\n    Name a\n    Name b"),
    *[(f"{t} v:", f"VarDecl\n  type: PrimType {t}\n  names:\n    Name v") for t in S.PRIMITIVE_TYPES],
    ("[4]INT v:", "VarDecl\n  type: ArrayType\n    size: Literal int 4\n    elem: PrimType INT\n  names:\n    Name v"),
    ("[n][m]REAL64 m:", "VarDecl\n  type: ArrayType\n    size: Name n\n    elem: ArrayType\n      size: Name m\n      elem: PrimType REAL64\n  names:\n    Name m"),
    ("CHAN INT c:", "VarDecl\n  type: ChanType\n    protocol: PrimType INT\n  names:\n    Name c"),
    ("CHAN OF INT c:", "VarDecl\n  type: ChanType\n    protocol: PrimType INT\n  names:\n    Name c"),
    ("CHAN P c:", "VarDecl\n  type: ChanType\n    protocol: NamedType\n      name: Name P\n  names:\n    Name c"),
    ("CHAN INT::[]BYTE c:", "VarDecl\n  type: ChanType\n    protocol: CountedArray\n      count: PrimType INT\n      elem: PrimType BYTE\n  names:\n    Name c"),
    ("[n]CHAN INT cs:", "VarDecl\n  type: ArrayType\n    size: Name n\n    elem: ChanType\n      protocol: PrimType INT\n  names:\n    Name cs"),
    ("TIMER tim:", "VarDecl\n  type: TimerType\n  names:\n    Name tim"),
    ("BARRIER b:", "VarDecl\n  type: BarrierType\n  names:\n    Name b"),
    ("POINT p:", "VarDecl\n  type: NamedType\n    name: Name POINT\n  names:\n    Name p"),
    ("VAL INT x IS 3:", "Abbreviation mode='VAL'\n  type: PrimType INT\n  name: Name x\n  value: Literal int 3"),
    ("VAL x IS 3:", "Abbreviation mode='VAL'\n  name: Name x\n  value: Literal int 3"),
    ("VAL []INT t IS [1, 2]:", "Abbreviation mode='VAL'\n  type: ArrayType\n    elem: PrimType INT\n  name: Name t\n  value: ArrayLit\n    items:\n      Literal int 1\n      Literal int 2"),
    ("VAL []BYTE s IS \"hi\":", "Abbreviation mode='VAL'\n  type: ArrayType\n    elem: PrimType BYTE\n  name: Name s\n  value: Literal string b'hi'"),
    ("INT x IS a[i]:", "Abbreviation mode='REF'\n  type: PrimType INT\n  name: Name x\n  value: Subscript\n    base: Name a\n    index: Name i"),
    ("x IS a[i]:", "Abbreviation mode='REF'\n  name: Name x\n  value: Subscript\n    base: Name a\n    index: Name i"),
    ("CHAN INT c IS cs[0]:", "Abbreviation mode='REF'\n  type: ChanType\n    protocol: PrimType INT\n  name: Name c\n  value: Subscript\n    base: Name cs\n    index: Literal int 0"),
    ("INITIAL INT x IS 5:", "Abbreviation mode='INITIAL'\n  type: PrimType INT\n  name: Name x\n  value: Literal int 5"),
    ("PROTOCOL P IS INT:", "ProtocolDecl\n  name: Name P\n  items:\n    PrimType INT"),
    ("PROTOCOL P IS INT; BYTE:", "ProtocolDecl\n  name: Name P\n  items:\n    PrimType INT\n    PrimType BYTE"),
    ("PROTOCOL P IS INT::[]BYTE:", "ProtocolDecl\n  name: Name P\n  items:\n    CountedArray\n      count: PrimType INT\n      elem: PrimType BYTE"),
    ("PROTOCOL V\n  CASE\n    data; INT; BYTE\n    stop\n:", "ProtocolDecl\n  name: Name V\n  tags:\n    Tag\n      name: Name data\n      items:\n        PrimType INT\n        PrimType BYTE\n    Tag\n      name: Name stop"),
    ("DATA TYPE COLOUR IS INT:", "DataTypeDecl\n  name: Name COLOUR\n  alias: PrimType INT"),
    ("DATA TYPE POINT\n  RECORD\n    REAL64 x, y:\n    INT n:\n:", "DataTypeDecl\n  name: Name POINT\n  fields:\n    Field\n      type: PrimType REAL64\n      name: Name x\n    Field\n      type: PrimType REAL64\n      name: Name y\n    Field\n      type: PrimType INT\n      name: Name n"),
    ("DATA TYPE B\n  PACKED RECORD\n    BYTE x:\n:", "DataTypeDecl packed\n  name: Name B\n  fields:\n    Field\n      type: PrimType BYTE\n      name: Name x"),
    ("#PRAGMA SHARED screen", "Pragma name='SHARED' args='screen'"),
]


@pytest.mark.parametrize("text, expected", DECLARATIONS, ids=[t.split("\n")[0] for t, _ in DECLARATIONS])
def test_declaration(text, expected):
    (spec,) = specs(text)
    assert shape(spec) == expected


def test_declarations_inside_a_proc_too():
    body = process("INT a:\n[2]CHAN INT cs:\nSKIP")
    assert [type(s.type).__name__ for s in body.specs] == ["PrimType", "ArrayType"]


def test_proc_with_every_kind_of_parameter():
    (proc,) = specs(
        """
        PROC p (VAL INT a, b, INT r, CHAN BYTE in?, out!, []CHAN INT cs?, TIMER t, VAL []BYTE s, []INT v, CHAN OF INT plain)
          SKIP
        :
        """
    )
    got = [(p.mode, type(p.type).__name__, p.name.name, p.direction) for p in proc.params]
    assert got == [
        ("VAL", "PrimType", "a", None),
        ("VAL", "PrimType", "b", None),
        ("REF", "PrimType", "r", None),
        ("REF", "ChanType", "in", "?"),
        ("REF", "ChanType", "out", "!"),
        ("REF", "ArrayType", "cs", "?"),
        ("REF", "TimerType", "t", None),
        ("VAL", "ArrayType", "s", None),
        ("REF", "ArrayType", "v", None),
        ("REF", "ChanType", "plain", None),
    ]
    assert proc.params[0].type is proc.params[1].type  # the shared type is one node
    assert not proc.recursive


def test_recursive_proc():
    (proc,) = specs("RECURSIVE PROC f (VAL INT n)\n  SKIP\n:\n")
    assert proc.recursive
    (proc,) = specs("REC PROC f (VAL INT n)\n  SKIP\n:\n")
    assert proc.recursive


def test_function_is_form():
    (fn,) = specs("INT FUNCTION sq (VAL INT x) IS x * x:")
    assert shape(fn) == (
        "FunctionDecl\n  results:\n    PrimType INT\n  name: Name sq\n  params:\n    Param mode='VAL'\n"
        "      type: PrimType INT\n      name: Name x\n  body:\n    Binary op='*'\n      left: Name x\n      right: Name x"
    )


def test_function_valof_form_with_several_results():
    (fn,) = specs(
        """
        INT, INT FUNCTION divmod (VAL INT a, b)
          INT q:
          VALOF
            q := a / b
            RESULT q, a \\ b
        :
        """
    )
    assert [t.name for t in fn.results] == ["INT", "INT"]
    assert isinstance(fn.body, S.Valof)
    assert isinstance(fn.body.specs[0], S.VarDecl)
    assert isinstance(fn.body.body, S.Assign)
    assert [type(r).__name__ for r in fn.body.results] == ["Name", "Binary"]


def test_function_with_specs_inside_valof():
    (fn,) = specs(
        """
        BOOL FUNCTION f ()
          VALOF
            SKIP
            RESULT TRUE
        :
        """
    )
    assert fn.body.specs == [] and fn.body.results[0].value is True


def test_whole_program_with_several_procs():
    prog = parse_text(
        dedent(
            """
            VAL INT n IS 10:
            PROC a (CHAN INT out!)
              SEQ i = 0 FOR n
                out ! i
            :
            PROC main (CHAN BYTE keyboard?, screen!, error!)
              CHAN INT c:
              PAR
                a (c!)
                INT x:
                SEQ i = 0 FOR n
                  c ? x
            :
            """
        ),
        "prog.csp",
    )
    assert [type(s).__name__ for s in prog.specs] == ["Abbreviation", "ProcDecl", "ProcDecl"]
    assert prog.file == "prog.csp" and prog.files == ["prog.csp"]
    main = prog.specs[-1]
    assert main.span.line == 7 and main.span.end_line == 14


def test_empty_file_and_comment_only_file():
    assert parse_text("", "e.csp").specs == []
    assert parse_text("-- nothing here\n\n   \n", "e.csp").specs == []


def test_every_node_has_a_span_in_its_file():
    prog = parse_text(
        "PROC p (CHAN INT c!)\n  INT x:\n  SEQ\n    x := (1 + 2)\n    c ! x\n    SKIP\n:\n", "s.csp"
    )
    for node in S.walk(prog):
        assert node.span.file == "s.csp"
        assert node.span.line >= 1, node


def test_unknown_pragma_gives_a_warning_and_known_structure():
    prog = parse_text("#PRAGMA FROBNICATE x y\nPROC p ()\n  SKIP\n:\n", "w.csp")
    assert isinstance(prog.specs[0], S.Pragma)
    (warning,) = prog.warnings
    assert warning.severity == "warning"
    assert "FROBNICATE" in warning.message and warning.span.line == 1


def test_crlf_line_endings_and_byte_order_mark():
    source = '\ufeffPROC p ()\r\n  SEQ -- c\r\n    x := "a*\r\n      *b"\r\n    SKIP\r\n:\r\n'
    (proc,) = parse_text(source, "crlf.csp").specs
    assign, skip = proc.body.body
    assert assign.values[0].value == b"ab"
    assert (skip.span.line, skip.span.col) == (5, 5)
