"""The typed AST: the contract between the parser, the checks and the code generator.

Every node carries ``span`` (see :class:`cspc.diagnostics.Span`).  Nothing after
the parser sees a Lark tree.  Nodes compare by identity (``eq=False``) so they
can be dictionary keys for the passes' side tables.

Annotations filled in later passes (default ``None`` from the parser):

* ``Name.symbol``   -- the :class:`Symbol` the name refers to (set by ``check``)
* ``Expr.type``     -- the expression's occam type (set by ``check``)
* ``Expr.const``    -- the folded value of a constant expression (int, bool or
  float), else ``None`` (set by ``check``)
* the fields declared with :func:`annotation` below: facts the checks establish
  for the code generator (a named type's base, a call that is a conversion,
  which inputs read a timer, the Python a PROC is bound to, the names of PAR
  branches, which process uses each channel end).  :func:`children` does not
  visit them; ``cspc.check`` documents what each holds.

The whole AST is one module on purpose: it is the one contract every pass
reads, and a reader should see every node class and annotation in one place.

Naming of the node fields follows the occam 2.1 reference manual where it has a
word for the thing (specification, abbreviation, replicator, guard, choice,
alternative, variant, option).

One file, over 600 lines: the AST is one vocabulary, every node class, which each pass reads
whole; splitting it would make every pass import from several places.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Optional, Union

from cspc.diagnostics import UNKNOWN, Diagnostic, Span


@dataclass(eq=False)
class Node:
    span: Span = field(default=UNKNOWN, kw_only=True, repr=False)


def annotation(default=None, factory=None):
    """A field the checks fill in (never the parser); not a child of the node."""
    kwargs = {"default_factory": factory} if factory is not None else {"default": default}
    return field(**kwargs, kw_only=True, repr=False, compare=False, metadata={"annotation": True})


def annotation_fields(node: "Node") -> list:
    """The annotation fields of ``node``'s class."""
    return [f for f in fields(node) if f.metadata.get("annotation")]


# --------------------------------------------------------------------------- types


class Type(Node):
    """Base of occam types."""


PRIMITIVE_TYPES = ("BOOL", "BYTE", "INT", "INT16", "INT32", "INT64", "REAL32", "REAL64")


@dataclass(eq=False)
class PrimType(Type):
    name: str  # one of PRIMITIVE_TYPES


@dataclass(eq=False)
class NamedType(Type):
    """A user type: a DATA TYPE (record) or a PROTOCOL name used as a channel protocol."""

    name: "Name"


@dataclass(eq=False)
class ArrayType(Type):
    size: Optional["Expr"]  # None for an open array `[]T`
    elem: Type


@dataclass(eq=False)
class ChanType(Type):
    """`CHAN P`; occam-pi's `SHARED CHAN P` (``shared`` "?!": both ends shared),
    `SHARED ! CHAN P` ("!": the writing end) and `SHARED ? CHAN P` ("?")."""

    protocol: "Protocol"
    shared: Optional[str] = None  # the shared ends: "?!", "!" or "?"; None for none


@dataclass(eq=False)
class TimerType(Type):
    pass


@dataclass(eq=False)
class BarrierType(Type):
    pass


@dataclass(eq=False)
class MobileType(Type):
    """occam-pi `MOBILE t`: data that moves, not copies, on assignment and
    output.  `MOBILE []INT` (an open size) is a dynamic mobile array, sized
    when it is allocated; `MOBILE [8]BYTE`, `MOBILE INT` and `MOBILE P` are
    static mobiles.  The checks see the values' type ``inner`` (``Symbol.mobile``
    marks the names)."""

    inner: Type


@dataclass(eq=False)
class EndType(Type):
    """occam-pi: an end of a mobile channel type, `FOO!' (the client end) or
    `FOO?' (the server end), `SHARED FOO!' when parallel processes share it
    (each uses it inside a CLAIM).  ``name`` names the CHAN TYPE.  A variable
    of an end type is a mobile (``Symbol.mobile``): assigned or output, it
    moves, unless it is SHARED, which copies the reference."""

    name: "Name"
    direction: str  # "!" (client) or "?" (server)
    shared: bool = False


# A channel protocol: a single type (`CHAN INT`), a named PROTOCOL (`CHAN P`),
# `ANY`, or a sequential/counted list written inline in a PROTOCOL declaration.
@dataclass(eq=False)
class CountedArray(Type):
    """`INT::[]BYTE` -- a length of `count` type, then that many `elem`s."""

    count: Type
    elem: Type


@dataclass(eq=False)
class AnyProtocol(Type):
    pass


Protocol = Type  # PrimType | ArrayType | NamedType | CountedArray | AnyProtocol


# --------------------------------------------------------------------------- expressions


class Expr(Node):
    """Base of expressions.  ``type`` and ``const`` are filled in by the checks."""

    type: Optional[Type] = None
    const: object = None  # folded value of a constant expression, else None


@dataclass(eq=False)
class Name(Expr):
    name: str  # as written, dots and all
    symbol: Optional["Symbol"] = field(default=None, compare=False, repr=False)
    # A mobile variable whose value the process using it moves away (`a := b`,
    # `c ! b`): b is undefined after it (set by the checks).
    moved: bool = annotation(False)


@dataclass(eq=False)
class Literal(Expr):
    """A literal. ``kind`` is "int", "real", "byte", "bool" or "string".

    ``value`` is an int (int and byte and hex literals), a str holding the
    decimal text (real, kept exact), a bool, or bytes (strings, escapes decoded).
    ``explicit`` is the type in `65(BYTE)` / `1.5(REAL32)`, else None.
    """

    kind: str
    value: object
    explicit: Optional[Type] = None
    hex: bool = False  # written `#FF`: value is the raw unsigned number; the checks wrap it


# The operators that mean something only as a FUNCTION defines them,
# `INT FUNCTION "@@" (VAL INT a, b)' (KRoC's set); each may be monadic or dyadic.
USER_OPERATORS = frozenset("?? @@ $$ % %% ^ @ == !! ++ && <% %> <& &> <] [> <@ @>".split())


@dataclass(eq=False)
class ArrayLit(Expr):
    """`[e1, e2, ...]`: a table; `[e1, e2](T)` gives it a record's or named
    array type's type."""

    items: list[Expr]
    explicit: Optional[Type] = None


@dataclass(eq=False)
class ArrayConstructor(Expr):
    """`[i = base FOR count STEP step | value]`: the array of value's values for
    each index (the replicator's name is in scope in value only)."""

    replicator: Replicator
    value: Expr


@dataclass(eq=False)
class Subscript(Expr):
    """`base[index]`.  Also record field selection `r[field]` (index is then a Name
    that the checks resolve to a field Symbol)."""

    base: Expr
    index: Expr
    # occam-pi: the element is itself a mobile (`a[i]' of `[3]MOBILE []INT a',
    # of an array of MOBILE RECORDs or of CHAN TYPE ends), and this use moves
    # it away, as ``Name.moved`` (both set by the checks).
    mobile: bool = annotation(False)
    moved: bool = annotation(False)


@dataclass(eq=False)
class Slice(Expr):
    """`[base FROM start FOR count]`; either of start/count may be None."""

    base: Expr
    start: Optional[Expr]
    count: Optional[Expr]


@dataclass(eq=False)
class Binary(Expr):
    """A dyadic operator, spelled as in occam: + - * / \\ REM PLUS MINUS TIMES
    /\\ \\/ >< BITAND BITOR << >> AND OR = <> < > <= >= AFTER."""

    op: str
    left: Expr
    right: Expr
    # A FUNCTION that defines this operator for these operand types
    # (`INT FUNCTION "+" (VAL MYINT a, b)`): a name bound to it, set by the checks.
    operator: Optional["Name"] = annotation()


@dataclass(eq=False)
class Unary(Expr):
    """A monadic operator: - MINUS ~ BITNOT NOT SIZE."""

    op: str
    operand: Expr
    operator: Optional["Name"] = annotation()  # as Binary.operator


@dataclass(eq=False)
class SizeOfType(Expr):
    """`SIZE [n]INT`: the first size of an array type (a constant)."""

    of: Type


@dataclass(eq=False)
class BytesIn(Expr):
    """`BYTESIN (INT)`, `BYTESIN (x)`: the bytes a value of the type (or of the
    expression's type) takes in KRoC's 32-bit layout (a constant)."""

    of: Node  # a Type, or an Expr (a Name may turn out to name a DATA TYPE)
    # (a scalar's bytes, the array dimensions around it), for an open array's count
    unit: Optional[tuple[int, int]] = annotation()


@dataclass(eq=False)
class OffsetOf(Expr):
    """`OFFSETOF (R, field)`: where the field starts in a record of type R, in
    bytes of KRoC's 32-bit layout (a constant)."""

    record: Name
    field: Name


@dataclass(eq=False)
class Conversion(Expr):
    """`INT x`, `REAL64 ROUND x`, `REAL32 TRUNC x`; mode is None, "ROUND" or "TRUNC"."""

    target: Type
    mode: Optional[str]
    operand: Expr


@dataclass(eq=False)
class MostPos(Expr):
    target: Type


@dataclass(eq=False)
class MostNeg(Expr):
    target: Type


@dataclass(eq=False)
class Call(Expr):
    """A FUNCTION call in an expression -- or, when ``func`` names a DATA TYPE, the
    conversion `T (x)` written like one (the parser cannot tell them apart)."""

    func: Name
    args: list[Expr]
    # `T (x)` with T a DATA TYPE: the Conversion `T x' it stands for (its operand
    # is ``args[0]``), typed by the checks; None for a FUNCTION call.
    conversion: Optional["Conversion"] = annotation()


@dataclass(eq=False)
class ValofExpr(Expr):
    """`(VALOF ... RESULT e)` or `(INT r: VALOF ... RESULT r)` in an expression:
    a FUNCTION body in place, with no side effects outside it."""

    valof: "Valof"


@dataclass(eq=False)
class ExprList(Expr):
    """`(a, b)`: a list of expressions, which occam lets one compare with
    another list of as many items, item by item: `(a, b) = (e, f)`."""

    items: list[Expr]


@dataclass(eq=False)
class MobileAllocation(Expr):
    """`MOBILE [n]T` (and `MOBILE [h][w]T`): a new mobile array of those sizes."""

    target: "ArrayType"


@dataclass(eq=False)
class EndsAllocation(Expr):
    """`MOBILE FOO' (FOO a CHAN TYPE): a new bundle of FOO's channels, given to
    its two ends by `cli, svr := MOBILE FOO'.  Its type is FOO's client end.
    The parser makes one for every `MOBILE name'; the checks make it a
    ProcessAllocation when the name is a MOBILE PROC's (the two have the same
    fields)."""

    name: Name


@dataclass(eq=False)
class BarrierAllocation(Expr):
    """occam-pi `MOBILE BARRIER`: a new mobile barrier, on which whoever holds
    it is enrolled."""


@dataclass(eq=False)
class ProcessAllocation(Expr):
    """occam-pi `MOBILE p`: a new mobile process of the MOBILE PROC ``name``,
    not yet started (its type is the PROC TYPE that it implements)."""

    name: "Name"


@dataclass(eq=False)
class Clone(Expr):
    """`CLONE m`: a copy of the mobile ``m``, which stays defined."""

    operand: Expr


@dataclass(eq=False)
class Defined(Expr):
    """`DEFINED m`: TRUE if the mobile ``m`` holds a value (BOOL)."""

    operand: Expr


@dataclass(eq=False)
class ChanEnd(Expr):
    """A channel (or channel array) actual with a direction: `c?`, `c!`."""

    chan: Expr
    direction: str  # "?" or "!"


@dataclass(eq=False)
class CountedItem(Expr):
    """`n::a` in an input or output of a counted-array protocol."""

    count: Expr
    array: Expr


# --------------------------------------------------------------------------- symbols


@dataclass(eq=False)
class Symbol:
    """What a name denotes; made by the scope check, attached to ``Name.symbol``.

    ``kind`` is one of: "variable", "channel", "timer", "barrier", "abbreviation"
    (a reference abbreviation or a reference PROC parameter), "value" (VAL
    abbreviation, VAL parameter, replicator index or named constant), "proc",
    "function", "protocol", "tag", "record", "field".  ``decl`` is the declaring
    node (VarDecl, Abbreviation, Param, Replicator, ProcDecl, ...).  ``type`` is
    the occam type (for channels, a ChanType; for arrays of them, ArrayType of
    ChanType).  ``direction`` is "?"/"!" for channel ends, else None.
    """

    name: str
    kind: str
    decl: Node
    type: Optional[Type] = None
    direction: Optional[str] = None
    span: Span = UNKNOWN
    shared: bool = False  # named by `#PRAGMA SHARED': parallel use is the program's own business
    aliases_permitted: bool = False  # named by `#PRAGMA PERMITALIASES': so is using it while abbreviated
    mobile: bool = False  # an occam-pi mobile (its type is the values' type, MOBILE left off)
    predefined: bool = False  # one of occam's predefined routines (cspc/check/predefined.py)


# --------------------------------------------------------------------------- specifications


class Spec(Node):
    """Base of specifications (declarations, abbreviations, definitions)."""


@dataclass(eq=False)
class VarDecl(Spec):
    """`INT a, b:`, `[4]INT v:`, `CHAN INT c:`, `[n]CHAN OF P cs:`, `TIMER t:`, `BARRIER b:`."""

    type: Type
    names: list[Name]
    # Channel ends whose one user is known (plain channels, constant elements).
    expects: list["Expectation"] = annotation(factory=list)


@dataclass(eq=False)
class Expectation:
    """Which process uses one end of a channel: what a deadlock report names as
    the partner that never came (``runtime.Channel.expect``); made by
    :mod:`cspc.check.partners`.

    The channel is ``symbol`` subscripted by ``path`` (index expressions): no
    path means the channel itself, or every element of a channel array.  In
    ``VarDecl.expects`` the indexes are constants; in a replicated PAR's
    ``expects`` a copy evaluates them as it starts.  ``side`` is "reader" or
    "writer"; ``process`` is the user's process name, None for the copy itself.
    When ``within`` is a PAR inside the copy, the user is its branch ``process``,
    named with the copy's index as that PAR names its branches (``Par.copies``).
    """

    symbol: "Symbol"
    path: list
    side: str
    process: Optional[str]
    within: Optional["Par"] = None


@dataclass(eq=False)
class Abbreviation(Spec):
    """`VAL INT x IS e:`, `INT x IS v:`, `VAL x IS e:`, `INITIAL INT x IS e:`,
    `VAL []INT t IS [1, 2]:`, and channel abbreviations `CHAN INT c IS cs[i]:`.

    ``mode`` is "VAL", "REF" or "INITIAL"; ``type`` is None when inferred.
    ``retypes`` is "RETYPES" or "RESHAPES" for `VAL [4]BYTE b RETYPES x:`
    and `INT16 h RETYPES bytes:`, which read (and for REF, write) the value's
    bits as the named type."""

    mode: str
    type: Optional[Type]
    name: Name
    value: Expr
    retypes: Optional[str] = None
    # For a RETYPES: the value's layout and the new name's, each a scalar
    # type's name and the array sizes around it, outermost first (None: open).
    layouts: Optional[tuple] = annotation()


@dataclass(eq=False)
class Tag(Node):
    """One case of a variant protocol: a tag and the items it carries (maybe none)."""

    name: Name
    items: list[Type]


@dataclass(eq=False)
class ProtocolDecl(Spec):
    """`PROTOCOL P IS INT:` / `IS INT; BYTE:` / `IS INT::[]BYTE:` (``items``), or a
    variant `PROTOCOL P` / `CASE` / tags (``tags``).  Exactly one of the two is set.
    A variant may extend others, `PROTOCOL Q EXTENDS P, R` (``extends``): it has
    their tags as well as its own (``tags`` holds only its own)."""

    name: Name
    items: Optional[list[Type]] = None
    tags: Optional[list[Tag]] = None
    extends: list[Name] = field(default_factory=list)


@dataclass(eq=False)
class ChanField(Node):
    """One channel of a CHAN TYPE: `CHAN INT req?:' -- its ``direction`` is the
    one the server end sees (`?': the server inputs, the client outputs)."""

    type: "ChanType"
    name: Name
    direction: str


@dataclass(eq=False)
class ChanTypeDecl(Spec):
    """occam-pi `CHAN TYPE FOO` / `MOBILE RECORD` / channel fields / `:`; with
    ``recursive`` (`RECURSIVE CHAN TYPE`) the fields may carry FOO's own ends."""

    name: Name
    fields: list[ChanField]
    recursive: bool = False


@dataclass(eq=False)
class Field(Node):
    type: Type
    name: Name


@dataclass(eq=False)
class DataTypeDecl(Spec):
    """`DATA TYPE R` / `RECORD` / fields, or the named type `DATA TYPE T IS type:` (``alias``)."""

    name: Name
    fields: Optional[list[Field]] = None
    alias: Optional[Type] = None
    packed: bool = False
    mobile: bool = False  # `MOBILE RECORD': its variables are mobiles
    # For a named type (`DATA TYPE T IS t:`): its base, what its values are made of,
    # other named types seen through at the top (`DATA TYPE B IS A:` with `DATA
    # TYPE A IS INT:` gives INT).  Never a NamedType of an alias.  T itself is a
    # new type, distinct from its base (check/types.py, same_type and base).
    base: Optional[Type] = annotation()
    # For a record: its size in bytes and its fields' offsets, in KRoC's 32-bit
    # layout (check/layout.py); None if a field is no data of known size.
    layout: Optional[tuple] = annotation()


@dataclass(eq=False)
class Param(Node):
    """A formal parameter.  ``mode`` is "VAL" or "REF" (channels, timers and
    barriers are "REF"); ``direction`` is "?"/"!" on channel parameters;
    ``result`` marks an occam-pi RESULT parameter (a reference the PROC
    assigns before it ends: passed like any reference)."""

    mode: str
    type: Type
    name: Name
    direction: Optional[str] = None
    result: bool = False


@dataclass(eq=False)
class ProcDecl(Spec):
    name: Name
    params: list[Param]
    body: "Process"
    recursive: bool = False
    python: Optional[str] = annotation()  # "module:function" of a `#PRAGMA PYTHON` before it
    # occam-pi `MOBILE PROC p (...) IMPLEMENTS T': the PROC TYPE it implements.
    # Such a PROC is only run as a mobile process (`MOBILE p'), never called.
    implements: Optional["Name"] = None


@dataclass(eq=False)
class ProcTypeDecl(Spec):
    """occam-pi `PROC TYPE T IS (formals):`: the type of mobile processes
    activated with those parameters (`MOBILE T p:`, `p (args)`)."""

    name: Name
    params: list[Param]


@dataclass(eq=False)
class Valof(Node):
    """`VALOF` body `RESULT` e1, e2 -- with the specifications that precede VALOF."""

    specs: list[Spec]
    body: "Process"
    results: list[Expr]


@dataclass(eq=False)
class FunctionDecl(Spec):
    """`T FUNCTION f (params) IS e:` (body is a list of Exprs) or the VALOF form
    (body is a Valof).  ``results`` lists the result types."""

    results: list[Type]
    name: Name
    params: list[Param]
    body: Union[Valof, list[Expr]]
    recursive: bool = False
    python: Optional[str] = annotation()  # "module:function" of a `#PRAGMA PYTHON` before it


@dataclass(eq=False)
class Pragma(Spec):
    """`#PRAGMA NAME rest...`: ``name`` is the first word, ``args`` the raw rest."""

    name: str
    args: str
    # `#PRAGMA DEFINED a, b': the mobiles it names (set by the checks).
    symbols: list = annotation(factory=list)


@dataclass(eq=False)
class Placement(Spec):
    """`PLACE a IN WORKSPACE:` (or VECSPACE): where a transputer kept an
    array.  It changes nothing in cspc, which checks only that ``name`` is a
    variable in scope."""

    name: "Name"
    where: str  # "WORKSPACE", "VECSPACE", or "AT" (an absolute address, which cspc refuses)
    address: Optional[Expr] = None  # `PLACE c AT address:'


# --------------------------------------------------------------------------- processes


class Process(Node):
    """Base of processes."""


@dataclass(eq=False)
class Specified(Process):
    """Specifications scoping over the process that follows them."""

    specs: list[Spec]
    body: Process


@dataclass(eq=False)
class Skip(Process):
    pass


@dataclass(eq=False)
class Stop(Process):
    pass


@dataclass(eq=False)
class Assign(Process):
    """`a := e` and multiple assignment `a, b := b, a`."""

    targets: list[Expr]
    values: list[Expr]


@dataclass(eq=False)
class Output(Process):
    """`c ! e1; e2`, `c ! tag; e`, `c ! n::a`.  For a variant protocol the first item
    is a Name whose symbol is a "tag"."""

    chan: Expr
    items: list[Expr]


@dataclass(eq=False)
class Input(Process):
    """`c ? x; y`, `c ? n::a`, and also timer reads `tim ? t` (the checks tell them
    apart by the channel's symbol kind).  ``tag`` is set for `c ? tag; x` on a
    variant protocol when written as one alternative (also via CaseInput)."""

    chan: Expr
    items: list[Expr]
    timer: bool = annotation(False)  # a timer read `tim ? t`


@dataclass(eq=False)
class Delay(Process):
    """`tim ? AFTER e`."""

    timer: Expr
    time: Expr


@dataclass(eq=False)
class Variant(Node):
    """One branch of `c ? CASE`: `tag; x; y` then a process.  In `c ?? CASE`
    (an :class:`ExtendedCaseInput`) ``body`` is the during process and
    ``after`` the one after the rendezvous (None when there is none)."""

    specs: list[Spec]
    tag: Name
    items: list[Expr]
    body: Process
    after: Optional[Process] = None


@dataclass(eq=False)
class CaseInput(Process):
    """`c ? CASE` with one Variant per tag."""

    chan: Expr
    variants: list[Variant]


@dataclass(eq=False)
class ExtendedInput(Process):
    """occam-pi's extended rendezvous `c ?? x; y` (also `c ?? n::a`): the value is
    taken, ``during`` runs while the writer still waits, then the writer goes on
    and ``after`` runs (None when there is none).  As an ALT guard, the
    alternative's processes are these two."""

    chan: Expr
    items: list[Expr]
    during: Process
    after: Optional[Process] = None


@dataclass(eq=False)
class ExtendedCaseInput(Process):
    """`c ?? CASE` with one Variant per tag, each with its during process (the
    Variant's ``body``) and after process; also `c ?? CASE tag; x` (one Variant)."""

    chan: Expr
    variants: list[Variant]


@dataclass(eq=False)
class Claim(Process):
    """occam-pi `CLAIM c!` (or `c?`): the process holds that shared end of a
    channel for ``body``.  ``direction`` is as written, None when the name's
    own direction says it (a parameter `SHARED CHAN T out!` claimed as `CLAIM out`)."""

    chan: Expr
    direction: Optional[str]
    body: Process


@dataclass(eq=False)
class Replicator(Node):
    """`name = base FOR count [STEP step]`; the name is a "value" symbol."""

    name: Name
    base: Expr
    count: Expr
    step: Optional[Expr] = None


@dataclass(eq=False)
class Seq(Process):
    body: list[Process]
    replicator: Optional[Replicator] = None
    tick: bool = annotation(True)  # a replicated SEQ's iterations end with a tick (check/loops.py)


@dataclass(eq=False)
class Par(Process):
    body: list[Process]
    replicator: Optional[Replicator] = None
    pri: bool = False
    enroll: list["Name"] = field(default_factory=list)  # occam-pi `PAR ... ENROLL b': barriers
    # occam's `PLACED PAR': the PROCESSOR number of each branch (of the one
    # branch of a replicated PLACED PAR, computed for each copy from its index).
    processors: list[Expr] = field(default_factory=list)
    # The process names of the branches, for reports ("consumer", "main, PAR branch 2");
    # empty for a replicated PAR, whose copies are named by copy_prefix.
    names: list[str] = annotation(factory=list)
    # Channel ends used by a copy of this replicated PAR: set as each copy starts.
    expects: list["Expectation"] = annotation(factory=list)
    # A replicated PAR's copies are named this then the index: "i=" gives "i=3",
    # "philosopher i=" (for a copy that calls philosopher) "philosopher i=3".
    copy_prefix: str = annotation("")
    # For a PAR inside copies of replicated PARs (of the same PROC, outermost
    # first): its branches are named with those copies' indexes, "fork i=3".
    copies: list["Par"] = annotation(factory=list)

    @property
    def placed(self) -> bool:
        """An occam `PLACED PAR' (with at least one PROCESSOR item)."""
        return bool(self.processors)


@dataclass(eq=False)
class Choice(Node):
    """One branch of IF: a condition and its process, or a nested IF (``nested``)."""

    specs: list[Spec]
    condition: Optional[Expr]
    body: Optional[Process]
    nested: Optional["If"] = None


@dataclass(eq=False)
class If(Process):
    choices: list[Choice]
    replicator: Optional[Replicator] = None


@dataclass(eq=False)
class While(Process):
    condition: Expr
    body: Process
    tick: bool = annotation(True)  # iterations end with a tick (fair scheduling; check/loops.py)


@dataclass(eq=False)
class Option(Node):
    """One branch of CASE: selector values (empty for ELSE) and a process."""

    specs: list[Spec]
    values: list[Expr]
    body: Process
    is_else: bool = False


@dataclass(eq=False)
class Case(Process):
    selector: Expr
    options: list[Option]


@dataclass(eq=False)
class Guard(Node):
    """What an alternative waits for.  ``precondition`` is the `cond &` part (None
    when absent).  ``guard`` is an Input, CaseInput, Delay or None for `cond & SKIP`."""

    precondition: Optional[Expr]
    guard: Union[Input, CaseInput, ExtendedInput, ExtendedCaseInput, Delay, None]


@dataclass(eq=False)
class Alternative(Node):
    """One branch of ALT: a guard and its process, or a nested ALT (``nested``).
    For a CaseInput guard the body is None (each variant has its own), and so
    for an extended input guard (its during and after processes are its own)."""

    specs: list[Spec]
    guard: Optional[Guard]
    body: Optional[Process]
    nested: Optional["Alt"] = None


@dataclass(eq=False)
class Alt(Process):
    alternatives: list[Alternative]
    replicator: Optional[Replicator] = None
    pri: bool = False


@dataclass(eq=False)
class Sync(Process):
    """occam-pi `SYNC b` on a BARRIER."""

    barrier: Expr


@dataclass(eq=False)
class Resign(Process):
    """occam-pi `RESIGN b` and a process: ``body`` runs resigned from the
    BARRIER ``b``, which it must not use; the process is enrolled again after."""

    barrier: Expr
    body: Process


@dataclass(eq=False)
class ProcCall(Process):
    """`p (args)`: a call of the PROC p, or (occam-pi) the activation of the
    mobile process variable p (``activates``): it runs until the process
    SUSPENDs or ends."""

    proc: Name
    args: list[Expr]
    activates: bool = annotation(False)


@dataclass(eq=False)
class Forking(Process):
    """occam-pi `FORKING` / body: ends when the body has and every process
    forked while it ran has (by its body, its PAR branches and the PROCs they
    call: the FORKs that no FORKING inside it encloses)."""

    body: Process


@dataclass(eq=False)
class Fork(Process):
    """occam-pi `FORK p (args)`: starts the call running in parallel with what
    follows, joined to the innermost FORKING running around it (else the
    program's top level).  VAL actuals are copied and mobiles moved at the FORK."""

    call: ProcCall


@dataclass(eq=False)
class Suspend(Process):
    """occam-pi `SUSPEND`: the mobile process running it gives control back to
    its activator, keeping its state (a run-time error outside one)."""


# --------------------------------------------------------------------------- program


@dataclass(eq=False)
class Program(Node):
    """A whole compilation: the top-level specifications of the main file with
    those of every #INCLUDEd / #USEd file spliced in where they were included
    (each node's span names its own file).  ``files`` lists every file read."""

    file: str
    specs: list[Spec]
    files: list[str] = field(default_factory=list)
    # Warnings found while parsing (unknown #PRAGMAs, ...), for the driver to report.
    warnings: list["Diagnostic"] = field(default_factory=list)
    # The occ21 options an `#OPTION "AN"' asked for (see parse/preprocess.py).
    options: set[str] = field(default_factory=set)


# --------------------------------------------------------------------------- helpers


def children(node: Node):
    """The direct child nodes of ``node`` (lists flattened), in field order."""
    for f in fields(node):
        if f.name in ("span", "symbol", "type") or f.metadata.get("annotation"):
            continue
        value = getattr(node, f.name)
        if isinstance(value, Node):
            yield value
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, Node):
                    yield item


def walk(node: Node):
    """Every node of the tree under ``node``, pre-order, ``node`` first."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(list(children(current))))
