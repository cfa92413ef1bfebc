"""Which variables of a suspended frame can still be read: a backward
dataflow over the frame's bytecode, for the explorer's state fingerprints.

A variable that will be assigned before it is read again (a loop's
``BOOL any:`` after its value was used) is no part of a process's state; left
in a fingerprint it makes states that behave alike look different (the
design notes saw 123 states become 1,583).  The compiler emits ordinary
Python, so the code object itself says what is live: ``LOAD_FAST`` uses a
variable, ``STORE_FAST``/``DELETE_FAST`` kill it, jumps and exception
handlers join the paths.  Cell and free variables (shared with nested PAR
branches) are always counted live.  Results are cached per code object.
"""

from __future__ import annotations

import bisect
import dis

_JUMPS = set(dis.hasjrel) | set(dis.hasjabs)
_ENDS = {"RETURN_VALUE", "RAISE_VARARGS", "RERAISE", "JUMP_FORWARD", "JUMP_BACKWARD",
         "JUMP_BACKWARD_NO_INTERRUPT", "JUMP_ABSOLUTE", "RETURN_CONST"}
_USES = {"LOAD_FAST", "LOAD_FAST_CHECK", "LOAD_FAST_AND_CLEAR"}
_KILLS = {"STORE_FAST", "DELETE_FAST"}

_cache: dict = {}


def live_after(code, offset: int) -> frozenset | None:
    """The fast locals of ``code`` that may be read after the instruction at
    ``offset`` completes (a suspended frame's ``f_lasti`` may point into the
    inline cache after its CALL: the instruction is the last one at or
    before it); None for an offset before the first instruction."""
    table = _cache.get(code)
    if table is None:
        table = _cache[code] = _analyse(code)
    offsets, lives = table
    i = bisect.bisect_right(offsets, offset) - 1
    return lives[i] if i >= 0 else None


def _analyse(code) -> tuple:
    instructions = list(dis.get_instructions(code))
    index = {ins.offset: i for i, ins in enumerate(instructions)}
    n = len(instructions)
    successors: list[list[int]] = [[] for _ in range(n)]
    for i, ins in enumerate(instructions):
        if ins.opname not in _ENDS and i + 1 < n:
            successors[i].append(i + 1)
        if ins.opcode in _JUMPS and ins.argval in index:
            successors[i].append(index[ins.argval])
    for entry in dis.Bytecode(code).exception_entries:
        target = index.get(entry.target)
        if target is None:
            continue
        for offset in range(entry.start, entry.end, 2):
            if offset in index:
                successors[index[offset]].append(target)
    uses = [frozenset([ins.argval]) if ins.opname in _USES else frozenset() for ins in instructions]
    kills = [frozenset([ins.argval]) if ins.opname in _KILLS else frozenset() for ins in instructions]
    live_in = [frozenset()] * n
    live_out = [frozenset()] * n
    changed = True
    while changed:
        changed = False
        for i in range(n - 1, -1, -1):
            out = frozenset().union(*(live_in[s] for s in successors[i])) if successors[i] else frozenset()
            new_in = uses[i] | (out - kills[i])
            if out != live_out[i] or new_in != live_in[i]:
                live_out[i], live_in[i] = out, new_in
                changed = True
    return [ins.offset for ins in instructions], live_out
