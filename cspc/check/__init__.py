"""Semantic analysis: what occam's compilers check between parsing and code generation.

The rule families, one module each:

* :mod:`~cspc.check.resolve` -- names and scopes, specifications, processes,
  PROC/FUNCTION calls, VAL and the alias rule, FUNCTION purity; with
  :mod:`~cspc.check.expressions` (types and constant folding of expressions) and
  :mod:`~cspc.check.protocols` (channels, protocols, directions, timers) and
  :mod:`~cspc.check.claims` (occam-pi shared channel ends and their CLAIMs) and
  :mod:`~cspc.check.processes` (occam-pi FORKING, FORK, PROC TYPEs, mobile
  processes and SUSPEND);
* :mod:`~cspc.check.usage` -- the parallel usage rules (PAR), channel parameters
  used both ways, the "will deadlock" warning;
* :mod:`~cspc.check.flow` -- the "may be read before it is set" warning and the
  undefined-ness check of mobiles;
* :mod:`~cspc.check.placed` -- PLACED PAR's PROCESSOR numbers (with the
  resolver), and the warning for a PLACED PAR that places nothing;
* :mod:`~cspc.check.loops` -- loops nested deeper than Python allows, and which loop ends need a tick for fair scheduling;
* helpers: :mod:`~cspc.check.types`, :mod:`~cspc.check.constants`,
  :mod:`~cspc.check.literals`, :mod:`~cspc.check.scopes`, :mod:`~cspc.check.access`;
* :mod:`~cspc.check.predefined` -- occam's predefined routines, declared by
  their headings in the scope beneath the program's top level.

Entry point: :func:`check`.  It annotates the AST in place and reports every
problem to the :class:`~cspc.diagnostics.Reporter` (it raises nothing for user
errors; call ``reporter.raise_if_errors()`` afterwards).

The annotation contract (what the code generator may rely on after a check
without errors):

* ``Name.symbol`` is set on every name that denotes a declaration, including
  the names in declarations themselves, PROC/FUNCTION names at calls, protocol
  tags (in outputs, inputs and CASE inputs: kind "tag") and record fields in
  `r[field]` (the Subscript's index Name: kind "field").  There is exactly one
  Symbol object per declared name; symbols compare by identity.
* Symbol kinds (``syntax.Symbol.kind``): "variable" (declarations and INITIAL
  abbreviations), "abbreviation" (reference abbreviations and reference data
  parameters), "value" (VAL abbreviations, VAL parameters, replicator indices),
  "channel" / "timer" / "barrier" (however declared: variable, abbreviation or
  parameter, arrays of them included), "proc", "function", "protocol", "tag",
  "record" (DATA TYPE; ``type`` is the aliased type for `DATA TYPE T IS t:`),
  "chantype" (occam-pi CHAN TYPE), "field" (of a record, or a channel of a
  CHAN TYPE: its ``direction`` is the one the server end sees).  ``Symbol.direction`` is "?"/"!" for channel parameters and
  abbreviations that carry one.  ``Symbol.decl`` is the declaring node
  (VarDecl, Abbreviation, Param, Replicator, ProcDecl, FunctionDecl,
  ProtocolDecl, Tag, DataTypeDecl, Field).  ``Symbol.type`` is the declared
  type, except that an abbreviation declared with an open array type (or none)
  takes its value's type, size included (`VAL []INT t IS [1, 2]:` gives [2]INT).
  Declaring Names carry ``type`` too (their symbol's type); Names of PROCs,
  FUNCTIONs, PROTOCOLs and DATA TYPEs have ``type`` None.
* ``Expr.type`` is set on every expression node (a ``syntax`` Type node; the
  primitive ones are the shared instances in :mod:`cspc.check.types`).  A call
  of a FUNCTION with several results has a :class:`types.ResultsType`.
  Tables and strings get an ``ArrayType`` whose size is an INT Literal with
  ``const`` set.  A Slice's type has a constant size when it is known.
* ``Expr.const`` holds the folded value of every constant expression (int,
  bool, float; a tuple for a constant table or string), including names of VAL
  abbreviations of constants, ``SIZE`` of arrays of known size and
  MOSTPOS/MOSTNEG.  Array sizes in types (``ArrayType.size``) are folded, so
  ``size.const`` is the size.
* Literals: see :mod:`cspc.check.literals` (``value`` of an integer literal is
  already wrapped into its type's range: `#FFFFFFFF` as INT is -1).
* Predefined routines: the symbol of a call of LONGSUM, SQRT, MOVE2D, ...
  (one not hidden by a user's declaration) has ``Symbol.predefined`` set; its
  ``decl`` is the heading in :mod:`~cspc.check.predefined`, outside the
  program, and the runtime's routine of the same name implements it.
* Timer reads: ``Input.timer`` is True for a timer read (`tim ? t`: the
  channel's root Name has a symbol of kind "timer").
* Fair scheduling: ``While.tick`` and ``Seq.tick`` (replicated) say whether the
  loop's iterations must end with a tick, i.e. may go round without blocking
  (:mod:`~cspc.check.loops`).
* Named types: ``DataTypeDecl.base`` is the base of `DATA TYPE T IS t:` (what
  its values are made of), with named types inside it seen through at the top
  (never an alias's NamedType).  Expressions of a named type have the
  NamedType as their type; the generator looks through it for the arithmetic.
* `T (x)` with T a DATA TYPE parses as a Call: ``Call.conversion`` is then the
  Conversion `T x` it stands for (typed; its operand is the Call's argument).
* `#PRAGMA PYTHON "module:function"`: validated, and bound to the PROC or
  FUNCTION declared next in the same specification list (``.python``).
* PAR: ``Par.names`` are the branches' process names, as reports show them
  (the PROC a branch calls, else "enclosing PROC, PAR branch k"); a replicated
  PAR's copies are named ``Par.copy_prefix`` and their index, and the branches
  of a PAR inside copies carry those copies' indexes too (``Par.copies``).
* Channel partners: ``VarDecl.expects`` and ``Par.expects`` list the channel
  ends whose one user process is known (:class:`syntax.Expectation`), for
  deadlock reports; see :mod:`~cspc.check.partners`.
* Channel types (occam-pi): a variable or parameter of an end type
  (:class:`syntax.EndType`, `T!' or `T?') is a mobile; `cli[f]` is a Subscript
  whose index Name is the field (kind "field") and whose type is the field's
  ChanType (its direction at that end: ``types.field_direction``);
  `cli, svr := MOBILE T` is an Assign whose one value is an EndsAllocation.
* Mobiles (occam-pi): ``Symbol.mobile`` marks a mobile variable or parameter
  (its ``type`` is that of its values, `MOBILE` left off; the declaration keeps
  the written :class:`syntax.MobileType`); ``Subscript.mobile`` marks an element
  of an array of mobiles (`a[i]` of `[4]MOBILE []INT a`, of an array of MOBILE
  RECORDs or of CHAN TYPE ends), itself a mobile, its type the values' type;
  ``Name.moved`` and ``Subscript.moved`` mark a use that moves the mobile away
  (assignment to a mobile, output on a mobile channel or protocol item);
  ``Pragma.symbols`` lists what a `#PRAGMA DEFINED` names.
  :mod:`~cspc.check.flow` checks that no undefined mobile is used.
* Mobile processes (occam-pi): ``ProcCall.activates`` marks `m (args)` with m a mobile process variable
  (its Symbol is mobile and its type the PROC TYPE); a MOBILE PROC is a
  ProcDecl whose ``implements`` names its PROC TYPE (symbol kind "proc type").
* PLACED PAR: a Par whose ``processors`` are set (``Par.placed``); each
  PROCESSOR number is an INT that is constant or computed from the PAR's own
  index (:mod:`~cspc.check.placed`).
* :func:`main_proc` picks the PROC the program runs.
"""

from __future__ import annotations

from dataclasses import MISSING

from cspc import syntax as S
from cspc.check import types
from cspc.diagnostics import Reporter

__all__ = ["check", "main_proc", "main_channels", "types"]


def check(program: S.Program, reporter: Reporter, *, warn_unused: bool = False) -> None:
    """Resolve names, type expressions, and check occam's rules over ``program``.

    Included files arrive already spliced into ``program.specs`` by the parser.
    ``warn_unused`` adds the "declared but never used" warning.
    """
    from cspc.check.predefined import predefined_symbols
    from cspc.check.resolve import Resolver

    _forget_annotations(program)
    Resolver(reporter, warn_unused, predefined_symbols).program(program)
    if reporter.errors:
        # The usage rules assume names and types are right; avoid cascades.
        return
    from cspc.check.flow import check_flow
    from cspc.check.loops import check_loops
    from cspc.check.placed import check_placement
    from cspc.check.usage import check_usage

    check_usage(program, reporter)
    check_flow(program, reporter)
    check_loops(program, reporter)
    check_placement(program, main_proc(program), reporter)


def _forget_annotations(program: S.Program) -> None:
    """Clear a previous check's results, so checking twice gives the same AST."""
    for node in S.walk(program):
        if isinstance(node, S.Expr):
            node.type = None
            node.const = None
            if isinstance(node, S.Name):
                node.symbol = None
        for f in S.annotation_fields(node):
            setattr(node, f.name, f.default_factory() if f.default is MISSING else f.default)


def _is_byte_channel(param: S.Param) -> bool:
    t = param.type
    return (
        param.mode == "REF"
        and isinstance(t, S.ChanType)
        and isinstance(t.protocol, S.PrimType)
        and t.protocol.name == "BYTE"
    )


STANDARD_CHANNELS = ("keyboard", "screen", "error")


def main_channels(proc: S.ProcDecl) -> list[str] | None:
    """Which standard channel each parameter of a top-level PROC takes, or None
    if it cannot be the top-level process.

    The full form is `(CHAN BYTE keyboard?, screen!, error!)`: three BYTE
    channels, any names, directions optional but if given `?`, `!`, `!`.  As
    KRoC does, a PROC may also take only some of them, told apart by direction:
    `(CHAN BYTE screen!)`, `(CHAN BYTE in?, out!)`: the input is the keyboard,
    the first output the screen, the second the error channel.
    """
    params = proc.params
    if not 1 <= len(params) <= 3 or not all(_is_byte_channel(p) for p in params):
        return None
    if len(params) == 3 and all(p.direction in (None, want) for p, want in zip(params, "?!!")):
        return list(STANDARD_CHANNELS)
    if any(p.direction is None for p in params):
        return None
    inputs = [p for p in params if p.direction == "?"]
    outputs = [p for p in params if p.direction == "!"]
    if len(inputs) > 1 or len(outputs) > 2:
        return None
    outs = iter(("screen", "error"))
    return ["keyboard" if p.direction == "?" else next(outs) for p in params]


def main_proc(program: S.Program) -> S.ProcDecl | None:
    """The PROC to run (never a MOBILE PROC): the last top-level PROC of the main file when it can be a
    top-level process (:func:`main_channels`), else the last one of the full
    form `(CHAN BYTE keyboard?, screen!, error!)`, one of the main file's
    preferred to one from an included file.
    """
    own_procs = [s for s in program.specs
                 if isinstance(s, S.ProcDecl) and s.implements is None and s.span.file == program.file]
    if own_procs and main_channels(own_procs[-1]) is not None:
        return own_procs[-1]
    candidates = [
        spec
        for spec in program.specs
        if isinstance(spec, S.ProcDecl) and spec.implements is None and main_channels(spec) == list(STANDARD_CHANNELS)
    ]
    own = [spec for spec in candidates if spec.span.file == program.file]
    chosen = own or candidates
    return chosen[-1] if chosen else None
