"""How data lies in memory on KRoC's 32-bit little-endian target: what BYTESIN,
OFFSETOF, RETYPES and RESHAPES see.

A *layout* is ``(element, dims)``: the array sizes around the element,
outermost first (an int, None where not known when the program is compiled),
and the element, either a primitive type's name (``"INT16"``) or a record's
layout ``(bytes, fields)`` with one ``(index, offset, layout)`` per field: the
field's place in the record's Python list, its byte offset and its own layout.
Layouts are nested tuples of constants, so the generated code carries them as
they are and the runtime packs and unpacks bytes with them (``retype``).

Records are laid out as occ21 lays them out for a 32-bit word:

* a RECORD's fields are placed smallest first (by the bytes of the whole field,
  an array's included), fields of the same size in the order written;
* each field starts at a multiple of its alignment: the bytes of its element
  (arrays and named types seen through; a record's element is the whole
  record) when that is less than a word, else a word;
* the record's size is rounded up to a whole number of words;
* a PACKED RECORD keeps the written order and has no padding at all (occ21
  refuses one that would need padding; cspc lays it out without).
"""

from __future__ import annotations

from cspc import syntax as S
from cspc.check import types as T

WORD = 4
BYTES = {"BOOL": 1, "BYTE": 1, "INT16": 2, "INT": 4, "INT32": 4, "INT64": 8, "REAL32": 4, "REAL64": 8}


def layout(t) -> tuple | None:
    """The layout of a value of type ``t``; None for what is not data of
    primitive types, records of them and arrays of both."""
    dims = []
    t = T.alias_base(t)
    while isinstance(t, S.ArrayType):
        dims.append(T.array_size(t))
        t = T.alias_base(t.elem)
    element = element_of(t)
    return (element, tuple(dims)) if element is not None else None


def element_of(t):
    """A primitive type's name, or a record's layout (None if neither)."""
    name = T.prim(t)
    if name is not None:
        return name
    decl = record_decl(t)
    return decl.layout if decl is not None else None


def record_decl(t) -> S.DataTypeDecl | None:
    if isinstance(t, S.NamedType) and t.name.symbol is not None:
        decl = t.name.symbol.decl
        if isinstance(decl, S.DataTypeDecl) and decl.fields is not None:
            return decl
    return None


def element_bytes(element) -> int:
    return BYTES[element] if isinstance(element, str) else element[0]


def layout_bytes(shape: tuple) -> int | None:
    """The size in bytes of a layout, if every size is known."""
    element, dims = shape
    size = element_bytes(element)
    for d in dims:
        if not isinstance(d, int):
            return None
        size *= d
    return size


def record_layout(decl: S.DataTypeDecl) -> tuple | None:
    """``(bytes, fields)`` for a record whose fields' types are checked; None
    if a field is no data of known size (reported where it is declared)."""
    shapes = []
    for index, f in enumerate(decl.fields):
        shape = layout(f.name.type) if f.name.type is not None else None
        size = layout_bytes(shape) if shape is not None else None
        if size is None:
            return None
        shapes.append((size, index, shape))
    order = shapes if decl.packed else sorted(shapes, key=lambda s: (s[0], s[1]))
    offset = 0
    fields = []
    for size, index, shape in order:
        if not decl.packed:
            align = min(element_bytes(shape[0]), WORD)
            offset += -offset % align
        fields.append((index, offset, shape))
        offset += size
    if not decl.packed:
        offset += -offset % WORD
    return (offset, tuple(sorted(fields)))


def offset_of(decl: S.DataTypeDecl, field: str) -> int | None:
    """OFFSETOF (R, field): the field's byte offset in the record."""
    if decl.layout is None:
        return None
    for index, offset, _shape in decl.layout[1]:
        if decl.fields[index].name.name == field:
            return offset
    return None


def layout_str(shape: tuple) -> str:
    """A layout as occam writes its type, for messages (a record by its bytes)."""
    element, dims = shape
    name = element if isinstance(element, str) else f"RECORD of {element[0]} bytes"
    return "".join(f"[{d if isinstance(d, int) else ''}]" for d in dims) + name


def run_time_sizes(spec: S.Abbreviation) -> list[S.Expr]:
    """The sizes of a RETYPES's (or RESHAPES's) new name that are computed as
    the program runs: expressions the abbreviation reads."""
    if spec.retypes is None or spec.layouts is None:
        return []
    return [d for d in spec.layouts[1][1] if isinstance(d, S.Expr)]
