"""The course library's interface: every documented PROC, FUNCTION and constant
is declared with its documented signature, and its helpers are private."""

from __future__ import annotations

import re

from course_support import LIB

# --------------------------------------------------------------------------- the library's interface


# The documented signatures of the public procedures and functions, as KRoC's
# course library has them (parameter names are not part of the interface).
SIGNATURES = """
PROC out.repeat (VAL BYTE ch, VAL INT n, CHAN BYTE out!)
PROC out.ch (VAL BYTE ch, VAL INT field, CHAN BYTE out!)
PROC out.string (VAL []BYTE s, VAL INT field, CHAN BYTE out!)
PROC out.byte (VAL BYTE b, VAL INT field, CHAN BYTE out!)
PROC out.int (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.number (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.hex (VAL INT n, VAL INT field, CHAN BYTE out!)
PROC out.bool (VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC out.yes.no (VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC flush (CHAN BYTE out!)
PROC in.skip (BYTE ch, CHAN BYTE in?)
PROC in.digit (BYTE d, CHAN BYTE in?, CHAN BYTE out!)
PROC in.string ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC in.bool (BOOL b, CHAN BYTE in?, CHAN BYTE out!)
PROC in.byte.chars ([]BYTE s, INT length, CHAN BYTE in?, CHAN BYTE out!)
INT FUNCTION convert.byte.chars (VAL []BYTE s, VAL INT length)
PROC in.byte (BYTE b, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC in.num.chars ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
BOOL FUNCTION check.num.chars (VAL []BYTE s, VAL INT length)
BOOL, INT FUNCTION convert.num.chars (VAL []BYTE s)
PROC in.int (INT n, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC black.hole (CHAN BYTE in?)
PROC file.in.string ([]BYTE s, INT length, VAL INT max, CHAN BYTE in?)
PROC file.in.token ([]BYTE t, INT length, VAL INT max, CHAN BYTE in?)
PROC file.in.int (INT n, VAL INT max, BOOL ok, CHAN BYTE in?)
PROC file.in.number (INT n, VAL INT max, BOOL ok, CHAN BYTE in?)
PROC ask.string (VAL []BYTE prompt, []BYTE s, INT length, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.bool (VAL []BYTE prompt, BOOL b, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.byte (VAL []BYTE prompt, BYTE b, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.int (VAL []BYTE prompt, INT n, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC cursor.x.y (VAL BYTE x, VAL BYTE y, CHAN BYTE out!)
PROC cursor.up (VAL BYTE n, CHAN BYTE out!)
PROC cursor.down (VAL BYTE n, CHAN BYTE out!)
PROC cursor.right (VAL BYTE n, CHAN BYTE out!)
PROC cursor.left (VAL BYTE n, CHAN BYTE out!)
PROC erase.eol (CHAN BYTE out!)
PROC erase.bol (CHAN BYTE out!)
PROC erase.line (CHAN BYTE out!)
PROC erase.eos (CHAN BYTE out!)
PROC erase.bos (CHAN BYTE out!)
PROC erase.screen (CHAN BYTE out!)
PROC cursor.visible (CHAN BYTE out!)
PROC cursor.invisible (CHAN BYTE out!)
PROC goto.x.y (VAL INT x, VAL INT y, CHAN BYTE out!)
PROC pos.int (VAL INT col, VAL INT row, VAL INT n, VAL INT field, CHAN BYTE out!)
PROC pos.yes.no (VAL INT col, VAL INT row, VAL BOOL b, VAL INT field, CHAN BYTE out!)
PROC make.string ([]BYTE a, VAL INT length)
PROC copy.string (VAL []BYTE a, []BYTE b)
BOOL FUNCTION equal.string (VAL []BYTE a, VAL []BYTE b)
INT FUNCTION compare.string (VAL []BYTE a, VAL []BYTE b)
BOOL FUNCTION starts.with.string (VAL []BYTE needle, VAL []BYTE haystack)
BOOL FUNCTION ends.with.string (VAL []BYTE needle, VAL []BYTE haystack)
BOOL FUNCTION byte.in.string (VAL BYTE needle, VAL []BYTE haystack)
BOOL, INT FUNCTION string.to.int (VAL []BYTE s)
PROC write.string (VAL []BYTE a, VAL INT field, CHAN BYTE out!)
INT, INT FUNCTION random (VAL INT upto, VAL INT seed)
PROC id (CHAN INT in?, CHAN INT out!)
PROC succ (CHAN INT in?, CHAN INT out!)
PROC plus (CHAN INT in.1?, CHAN INT in.2?, CHAN INT out!)
PROC times (CHAN INT out!)
PROC delta (CHAN INT in?, CHAN INT out.1!, CHAN INT out.2!)
PROC prefix (VAL INT n, CHAN INT in?, CHAN INT out!)
PROC tail (CHAN INT in?, CHAN INT out!)
PROC numbers (CHAN INT out!)
PROC integrate (CHAN INT in?, CHAN INT out!)
PROC pairs (CHAN INT in?, CHAN INT out!)
PROC squares (CHAN INT out!)
PROC fibonacci (CHAN INT out!)
PROC out.real32 (VAL REAL32 r, VAL INT ip, VAL INT dp, CHAN BYTE out!)
PROC out.real64 (VAL REAL64 r, VAL INT ip, VAL INT dp, CHAN BYTE out!)
PROC buffer.set.string ([]BYTE buf, INT len, VAL []BYTE to.add)
PROC buffer.set.int ([]BYTE buf, INT len, VAL INT n)
PROC buffer.set.hex ([]BYTE buf, INT len, VAL INT n)
PROC buffer.set.bin8 ([]BYTE buf, INT len, VAL BYTE n)
PROC buffer.set.real32 ([]BYTE buf, INT len, VAL INT ip, VAL INT dp, VAL REAL32 n)
"""

# cspc's additions, made like their INT siblings (KRoC's course library reads
# no REALs).
CSPC_SIGNATURES = """
PROC in.real32 (REAL32 r, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC in.real64 (REAL64 r, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.real32 (VAL []BYTE prompt, REAL32 r, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
PROC ask.real64 (VAL []BYTE prompt, REAL64 r, VAL INT max, CHAN BYTE in?, CHAN BYTE out!)
"""

CONSTANTS = {
    "NULL": ("BYTE", 0),
    "BELL": ("BYTE", 7),
    "BACK": ("BYTE", 8),
    "ESCAPE": ("BYTE", 27),
    "DELETE": ("BYTE", 127),
    "FLUSH": ("BYTE", 255),
    "END.OF.FILE": ("BYTE", 255),
    "string.less": ("INT", -1),
    "string.same": ("INT", 0),
    "string.more": ("INT", 1),
}


def documented_signatures() -> dict[str, str]:
    """name -> "PROC (kinds of parameters)" or "T FUNCTION (...)", from SIGNATURES."""
    table = {}
    for line in (SIGNATURES.strip() + "\n" + CSPC_SIGNATURES.strip()).splitlines():
        head, params = line.split(" (", 1)
        *results, name = head.split(" ")
        kinds = [
            re.sub(r" [\w.]+([?!]?)$", r"\1", p.strip()) for p in params.rstrip(")").split(",")
        ]
        table[name] = f"{' '.join(results)} ({', '.join(kinds)})"
    return table


def type_text(t) -> str:
    from cspc import syntax

    if isinstance(t, syntax.PrimType):
        return t.name
    if isinstance(t, syntax.ArrayType):
        return ("[]" if t.size is None else "[n]") + type_text(t.elem)
    if isinstance(t, syntax.ChanType):
        return "CHAN " + type_text(t.protocol)
    return type(t).__name__


def declared_signatures(program) -> dict[str, str]:
    from cspc import syntax

    table = {}
    for spec in program.specs:
        if isinstance(spec, (syntax.ProcDecl, syntax.FunctionDecl)):
            kinds = []
            for p in spec.params:
                mode = "VAL " if p.mode == "VAL" else ""
                kinds.append(f"{mode}{type_text(p.type)}{p.direction or ''}")
            if isinstance(spec, syntax.ProcDecl):
                head = "PROC"
            else:
                head = ", ".join(type_text(t) for t in spec.results) + " FUNCTION"
            table[spec.name.name] = f"{head} ({', '.join(kinds)})"
    return table


def test_library_declares_every_documented_name_with_its_signature():
    from cspc import parse

    program = parse.parse_file(str(LIB), [])
    declared = declared_signatures(program)
    for name, signature in documented_signatures().items():
        assert declared.get(name) == signature, name


def test_library_declares_the_documented_constants():
    from cspc import parse
    from cspc import syntax

    program = parse.parse_file(str(LIB), [])
    constants = {
        spec.name.name: spec
        for spec in program.specs
        if isinstance(spec, syntax.Abbreviation) and spec.mode == "VAL"
    }
    for name, (type_name, _) in CONSTANTS.items():
        assert name in constants, name
        assert type_text(constants[name].type) == type_name, name


def test_library_helpers_are_marked_private():
    # Anything the library declares beyond the documented interface is a
    # helper, and is named `course.*` so that it cannot clash with a program.
    from cspc import parse
    from cspc import syntax

    program = parse.parse_file(str(LIB), [])
    public = set(documented_signatures()) | set(CONSTANTS)
    for spec in program.specs:
        name = getattr(spec, "name", None)
        if isinstance(name, syntax.Name) and name.name not in public:
            assert name.name.startswith("course."), name.name
