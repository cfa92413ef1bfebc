"""The grammar itself: LALR without silently resolved conflicts, loaded once,
and every conformance program (occam as KRoC ran it) parses."""

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Lark

from cspc import parse
from cspc.grammar import grammar_text


def test_grammar_builds_with_strict_lalr():
    # strict=True fails on any shift/reduce conflict and on colliding terminals
    # (lark needs the interegular package for the second check).
    Lark(grammar_text(), parser="lalr", lexer="basic", strict=True)


def test_parser_is_built_once_per_process():
    assert parse._parser() is parse._parser()


def conformance_folder() -> Path | None:
    env = os.environ.get("CSPC_CONFORMANCE")
    folder = Path(env) if env else Path(__file__).resolve().parents[2] / "shared" / "conformance"
    return folder if folder.is_dir() else None


def conformance_programs():
    folder = conformance_folder()
    return sorted(folder.glob("*.csp")) if folder else []


@pytest.fixture(scope="module")
def course_include(tmp_path_factory):
    """Where `#INCLUDE "course.module"' resolves: a small stub declaring the PROCs
    the programs call (found before cspc's own library, which is parsed once in
    test_examples_and_course_library_parse)."""
    folder = tmp_path_factory.mktemp("stub")
    (folder / "course.module").write_text(
        "PROC out.int (VAL INT n, w, CHAN BYTE out!)\n  SKIP\n:\n"
        "PROC out.string (VAL []BYTE s, VAL INT w, CHAN BYTE out!)\n  SKIP\n:\n"
    )
    return [folder]


@pytest.mark.skipif(not conformance_programs(), reason="conformance programs not found")
@pytest.mark.parametrize("path", conformance_programs(), ids=lambda p: p.stem)
def test_conformance_program_parses(path, course_include):
    program = parse.parse_file(path, include_paths=course_include)
    assert program.specs[-1].name.name == "main"
    assert program.files[0] == str(path) and program.files[1].endswith("course.module")


def test_examples_and_course_library_parse():
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "examples").glob("*.csp")) + sorted((root / "cspc" / "lib").glob("*.module"))
    for path in files:
        parse.parse_file(path)


def test_every_rule_has_an_ast_method():
    """No grammar rule falls through to ToAST's missing-method InternalError."""
    missing = set()
    for rule in parse._parser().rules:
        name = rule.alias or rule.origin.name
        if name.startswith("_") or (rule.options.expand1 and not rule.alias and len(rule.expansion) == 1):
            continue
        if not hasattr(parse.ToAST, name):
            missing.add(name)
    assert not missing


# ---------------------------------------------------------------- the scanner agrees with the grammar

@pytest.fixture(scope="module")
def lark_lexer():
    """Lark's own lexer for occam.lark: the reference for cspc's fast scanner."""
    from lark.lexer import LexerState, TextSlice

    grammar = Lark(grammar_text(), parser="lalr", lexer="basic", cache=True)
    lexer = grammar._build_lexer()

    def tokens(text):
        return lexer.lex(LexerState(TextSlice.cast_from(text)), None)

    tokens.conf = grammar.lexer_conf
    return tokens


def both_scans(lark_lexer, text):
    def scan(tokens):
        try:
            return [(t.type, t.value, t.line, t.column, t.end_line, t.end_column) for t in tokens()], None
        except parse.ScanError as err:
            return None, (err.line, err.col)
        except Exception as err:  # lark's UnexpectedCharacters
            return None, (err.line, err.column)

    ours = scan(lambda: parse.OccamLexer(lark_lexer.conf).lex(text))
    theirs = scan(lambda: lark_lexer(text))
    return ours, theirs


SCANNER_SAMPLES = [
    'PROC p (CHAN INT c!)\n  SEQ  -- comment\n    c ! #FF; 1.5E+3(REAL32); \'*n\'\n    x := "a*"b*\n     *c"\n:\n',
    "a/\\b \\/ c >< d << e >> f <= g >= h <> i := j :: k",
    "#INCLUDE \"x\"\n#USE \"y\"\n#PRAGMA SHARED a b\n",
    "SEQ.x INT16x REC RECURSIVE x.y.z 12.5 12. #1g",
    "'a' 'ab' \"unterminated\n",
    "x $ y",
]


@pytest.mark.parametrize("text", SCANNER_SAMPLES)
def test_scanner_agrees_with_lark_lexer(lark_lexer, text):
    ours, theirs = both_scans(lark_lexer, text)
    assert ours == theirs


def test_scanner_agrees_on_every_example(lark_lexer):
    root = Path(__file__).resolve().parents[1]
    files = list((root / "examples").glob("*.csp")) + list((root / "cspc" / "lib").glob("*.module"))
    for path in files:
        ours, theirs = both_scans(lark_lexer, path.read_text())
        assert ours == theirs, path


PIECES = list(set(SCANNER_SAMPLES[0] + SCANNER_SAMPLES[1] + "#$'\"*\t\r-é")) + [
    "--", "\n  ", "SEQ", "#FF", "#PRAGMA", "#INCLUDE", "*#4", "1.5", "E+", "a.b", ":=", "::",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_scanner_agrees_on_random_text(lark_lexer, text):
    ours, theirs = both_scans(lark_lexer, text)
    assert ours == theirs
