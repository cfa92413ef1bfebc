"""The grammar itself: LALR without silently resolved conflicts, loaded once,
and every conformance program (occam as KRoC ran it) parses."""

import os
from pathlib import Path

import pytest
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
