"""#INCLUDE and #USE: resolution order, splicing, cycles, and errors inside included files."""

import pytest

from cspc import syntax as S
from cspc.diagnostics import CompileError
from cspc.parse import parse_file, parse_text

PROC_A = "PROC a ()\n  SKIP\n:\n"
PROC_B = "PROC b ()\n  SKIP\n:\n"


def names(program):
    return [spec.name.name for spec in program.specs if isinstance(spec, S.ProcDecl)]


def test_include_splices_specs_in_order(tmp_path):
    (tmp_path / "lib.inc").write_text(PROC_A)
    main = tmp_path / "main.csp"
    main.write_text('VAL INT k IS 1:\n#INCLUDE "lib.inc"\n' + PROC_B)
    program = parse_file(main)
    assert [type(s).__name__ for s in program.specs] == ["Abbreviation", "ProcDecl", "ProcDecl"]
    assert names(program) == ["a", "b"]
    assert program.files == [str(main), str(tmp_path / "lib.inc")]
    assert program.specs[1].span.file == str(tmp_path / "lib.inc")


def test_including_folder_comes_before_include_paths(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "extra").mkdir()
    (tmp_path / "src" / "x.inc").write_text(PROC_A)
    (tmp_path / "extra" / "x.inc").write_text(PROC_B)
    (tmp_path / "extra" / "y.inc").write_text(PROC_B)
    main = tmp_path / "src" / "main.csp"
    main.write_text('#INCLUDE "x.inc"\n#USE "y.inc"\n')
    assert names(parse_file(main, include_paths=[tmp_path / "extra"])) == ["a", "b"]


def test_use_course_lib_finds_course_module(tmp_path):
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "course.module").write_text(PROC_A)
    main = tmp_path / "main.csp"
    main.write_text('#USE "course.lib"\n' + PROC_B)
    assert names(parse_file(main, include_paths=[tmp_path / "lib"])) == ["a", "b"]


def test_use_without_extension_finds_module(tmp_path):
    (tmp_path / "course.module").write_text(PROC_A)
    main = tmp_path / "main.csp"
    main.write_text('#USE "course"\n')
    assert names(parse_file(main)) == ["a"]


def test_bundled_library_is_searched_last(tmp_path):
    import cspc.lib
    from pathlib import Path

    bundled = sorted(p.name for p in Path(cspc.lib.__file__).parent.glob("*.module"))
    assert bundled, "cspc/lib holds no .module file"
    main = tmp_path / "main.csp"
    main.write_text(f'#INCLUDE "{bundled[0]}"\n')
    program = parse_file(main)
    assert len(program.files) == 2 and program.files[1].endswith(bundled[0])


def test_parse_text_resolves_against_include_paths(tmp_path):
    (tmp_path / "lib.inc").write_text(PROC_A)
    program = parse_text('#INCLUDE "lib.inc"\n', "<string>", include_paths=[tmp_path])
    assert names(program) == ["a"]


def test_file_included_twice_is_read_once(tmp_path):
    (tmp_path / "lib.inc").write_text(PROC_A)
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "lib.inc"\n#USE "lib.inc"\n')
    assert names(parse_file(main)) == ["a"]


def test_missing_include(tmp_path):
    main = tmp_path / "main.csp"
    main.write_text('PROC p ()\n  SKIP\n:\n#INCLUDE "nothere.inc"\n')
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    (diag,) = caught.value.diagnostics
    assert diag.span.file == str(main) and diag.span.line == 4
    assert diag.message.startswith('cannot find #INCLUDE file "nothere.inc" (looked in ')


def test_include_cycle_names_the_chain(tmp_path):
    (tmp_path / "a.inc").write_text('#INCLUDE "b.inc"\n')
    (tmp_path / "b.inc").write_text('#INCLUDE "a.inc"\n')
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "a.inc"\n')
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    (diag,) = caught.value.diagnostics
    a, b = str(tmp_path / "a.inc"), str(tmp_path / "b.inc")
    assert diag.message == f"include cycle: {main} -> {a} -> {b} -> {a}"
    assert diag.span.file == b


def test_file_including_itself(tmp_path):
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "main.csp"\n')
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    assert caught.value.diagnostics[0].message == f"include cycle: {main} -> {main}"


def test_error_inside_included_file_names_the_file_and_chain(tmp_path):
    (tmp_path / "inner.inc").write_text("PROC bad ()\n  x := 1 + 2 + 3\n:\n")
    (tmp_path / "outer.inc").write_text('-- outer\n#INCLUDE "inner.inc"\n')
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "outer.inc"\n' + PROC_A)
    with pytest.raises(CompileError) as caught:
        parse_file(main)
    (diag,) = caught.value.diagnostics
    assert diag.span.file == str(tmp_path / "inner.inc") and (diag.span.line, diag.span.col) == (
        2,
        14,
    )
    assert [(s.file, s.line) for s in diag.include_chain] == [
        (str(main), 1),
        (str(tmp_path / "outer.inc"), 2),
    ]
    lines = str(caught.value).splitlines()
    assert lines[0] == f"{main}:1:1: note: included from here"
    assert lines[1] == f"{tmp_path / 'outer.inc'}:2:1: note: included from here"
    assert lines[2].startswith(
        f"{tmp_path / 'inner.inc'}:2:14: error: occam has no operator precedence"
    )


def test_pragma_warning_in_included_file_carries_chain(tmp_path):
    (tmp_path / "lib.inc").write_text("#PRAGMA MYSTERY\n")
    main = tmp_path / "main.csp"
    main.write_text('#INCLUDE "lib.inc"\n')
    (warning,) = parse_file(main).warnings
    assert warning.span.file == str(tmp_path / "lib.inc")
    assert [s.line for s in warning.include_chain] == [1]


def test_missing_main_file(tmp_path):
    with pytest.raises(CompileError) as caught:
        parse_file(tmp_path / "none.csp")
    assert "no such file" in caught.value.diagnostics[0].message


@pytest.mark.parametrize(
    "name, message",
    [
        ("a*#00b", 'cannot use #INCLUDE file "a*#00b": a file name cannot hold control characters'),
        ("a*nb", 'cannot use #INCLUDE file "a*#0Ab": a file name cannot hold control characters'),
        ("", 'cannot use #INCLUDE file "": a file name cannot hold control characters'),
        (
            "x" * 5000,
            'cannot use #INCLUDE file "'
            + "x" * 60
            + "...(5000 characters)..."
            + "x" * 30
            + '": File name too long',
        ),
        (
            "/".join(["d"] * 3000) + "/f.inc",
            '...(6005 characters).../d/d/d/d/d/d/d/d/d/d/d/d/f.inc": ' "File name too long",
        ),
    ],
    ids=["NUL", "newline", "empty", "long", "deep"],
)
def test_include_names_the_system_cannot_take_are_positioned_errors(tmp_path, name, message):
    path = tmp_path / "main.csp"
    path.write_text(f'VAL INT k IS 1:\n#INCLUDE "{name}"\n')
    with pytest.raises(CompileError) as info:
        parse_file(path)
    (d,) = info.value.diagnostics
    assert (d.span.line, d.span.col) == (2, 1)
    assert message in d.message


def test_an_include_through_a_symlink_loop_is_not_found(tmp_path):
    (tmp_path / "loop").symlink_to(".")
    path = tmp_path / "main.csp"
    path.write_text('#INCLUDE "' + "loop/" * 100 + 'f.inc"\n')
    with pytest.raises(CompileError) as info:
        parse_file(path)
    assert info.value.diagnostics[0].message.startswith('cannot find #INCLUDE file "loop/loop/')
