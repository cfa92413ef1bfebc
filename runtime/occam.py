"""occam's data semantics, for code compiled by cspc.

Compiled programs represent occam values with plain Python objects -- INT,
INT16, INT32, INT64 and BYTE as ``int``, BOOL as ``bool``, REAL32 and REAL64
as ``float``, arrays and records as ``list`` (strings may also be ``bytes``
where they are only read) -- and inline the cheap checks (for example
``-2147483648 <= r <= 2147483647`` after an addition).  This module holds what
is too long to inline: truncating division, shifts, range-checked
conversions, single-precision rounding, slices and array copies, and the
functions that raise :class:`OccamError` with occam's wording.

It is part of the runtime, so it imports nothing from the compiler; compiled
modules import it as ``cspc.runtime.occam``.

It is also the **occam ABI**: every name that compiled code imports comes
from here, so the code generator compiles against this one module.  Besides
the helpers written below, it re-exports

* the fast entries ``par(*fns, names=...)``, ``alt(guards, pri, site)``,
  ``seq(*fns)`` and ``stop()`` (occam STOP), the function spellings of
  ``Par``, ``Alt`` and ``Seq`` without an object per use;
* the core objects compiled code makes: ``Channel``, ``Timer``,
  ``InputGuard``, ``SkipGuard``, ``TimeoutGuard`` (taking an occam time),
  and for occam-pi ``ExtendedInputGuard`` (`c ?? x` as a guard) and
  ``claim_of(channel, side)`` (the CLAIM of a shared end);
* the occam clock arithmetic: ``wrap32(n)`` and :func:`after`;
* ``tick()``, called at loop ends for fair scheduling (``fair.py``);
* occam's predefined routines (written in ``predefined.py``, listed in
  ``PREDEFINED``): ``LONGSUM``, ``SHIFTLEFT``, ``SQRT``, ``IEEE32OP``,
  ``FLOATING_UNPACK`` (for FLOATING.UNPACK), ``MOVE2D``, ``ASSERT``, ...;
* occam's top level (written in ``io.py``): ``run_main(proc, ...)``, which
  runs ``proc(keyboard, screen, error)`` on the standard streams, the
  ``KeyboardChannel`` and ``ScreenWriter`` it binds, and ``FLUSH`` (byte 255).

Compiled modules call :func:`require_abi` first, with the ``ABI_VERSION`` they
were compiled for: a module from another cspc stops with one line naming both
versions instead of failing on a missing name.

:func:`run_program` (written in ``toplevel.py``) runs a compiled main PROC the way ``cspc run`` does and
turns run-time errors into ``file:line:col: run-time error: message``, naming
the ``.csp`` line and column of the innermost compiled frame.

One file, over 600 lines: it is the ABI, every name compiled code imports from the runtime,
and one file keeps that list and its version in one place (the pin in tests/runtime/test_api.py).
"""

from __future__ import annotations

import math
import os
import struct
import sys

from cspc.runtime import Barrier, Channel, InputGuard, OccamError, SkipGuard, TimeoutGuard, Timer
from cspc.runtime._shared import ChannelBundle, claim_of
from cspc.runtime.channels import ChannelParameter
from cspc.runtime.alt import ExtendedInputGuard, alt
from cspc.runtime.fair import tick
from cspc.runtime.forking import activate, fork, forking, mobile_process, suspend
from cspc.runtime.io import FLUSH, KeyboardChannel, ScreenWriter, run_main
from cspc.runtime.predefined import *  # noqa: F401,F403 -- occam's predefined routines, LONGSUM ...
from cspc.runtime.predefined import __all__ as PREDEFINED
from cspc.runtime.process import par, seq, stop
from cspc.runtime.distributed import placed_par, spread_par  # the main PROC's PAR, placed on MPI ranks
from cspc.runtime.timers import wrap32
from cspc.runtime.toplevel import (  # noqa: F401 -- occam's top level, re-exported
    EXIT_INTERRUPTED,
    INTERRUPTED,
    csp_frame,
    format_runtime_error,
    is_runtime_error,
    root_cause,
    run_program,
    runtime_error_text,
)

# The names this module re-exports for compiled code (see the docstring).
ABI_REEXPORTS = (
    "Channel", "InputGuard", "OccamError", "SkipGuard", "TimeoutGuard", "Timer",
    "ExtendedInputGuard", "claim_of",
    "alt", "par", "seq", "stop", "tick", "wrap32",
    "forking", "fork", "mobile_process", "activate", "suspend",
    "FLUSH", "KeyboardChannel", "ScreenWriter", "run_main",
)  # fmt: skip

# The version of this ABI: bumped whenever a name compiled code imports from here,
# or what one of them does, changes incompatibly.  tests/runtime/test_api.py pins
# the names with it.
ABI_VERSION = 4


def require_abi(version, module_name, compiled_by):
    """Stop a compiled module made for another ABI, with one line naming both.

    Run as a script (``module_name == "__main__"``) it exits with status 2, as
    for any usage error; imported, it raises ImportError with the same line."""
    if version == ABI_VERSION:
        return
    try:
        from importlib.metadata import version as installed

        here = f"cspc {installed('cspc')}"
    except Exception:  # not installed as a distribution (e.g. run from a checkout)
        here = "this cspc"
    message = (
        f"this module was compiled by {compiled_by} for runtime ABI {version}, but {here} "
        f"provides ABI {ABI_VERSION}: compile it again with `cspc compile`"
    )
    if module_name == "__main__":
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)
    raise ImportError(message)


# The value range of each integer type: (lowest, highest).
RANGES = {
    "BYTE": (0, 255),
    "INT16": (-(1 << 15), (1 << 15) - 1),
    "INT": (-(1 << 31), (1 << 31) - 1),
    "INT32": (-(1 << 31), (1 << 31) - 1),
    "INT64": (-(1 << 63), (1 << 63) - 1),
}

BITS = {"BYTE": 8, "INT16": 16, "INT": 32, "INT32": 32, "INT64": 64}


# --------------------------------------------------------------------------- errors


def overflow():
    raise OccamError("arithmetic overflow")


def bad_index():
    raise OccamError("array index out of range")


def if_failed():
    raise OccamError("IF: no condition is TRUE")


def case_failed(value):
    raise OccamError(f"CASE: no option matches the selector ({value})")


def range_error(value, target):
    raise OccamError(f"conversion out of range: {value} does not fit in {target}")


def tag_mismatch(got, expected):
    if expected is None:
        raise OccamError(f"CASE input: no variant for tag {got}")
    raise OccamError(f"input expected tag {expected} but received {got}")


# --------------------------------------------------------------------------- Python interop

_python_functions = {}


def python_function(where, *near):
    """The Python callable named "module:function" (`#PRAGMA PYTHON`), imported on
    first use.  The module is looked for on sys.path, then in the directories of
    the files in ``near`` (the occam source that declared it, the module running)."""
    fn = _python_functions.get(where)
    if fn is None:
        module_name, _, name = where.partition(":")
        module = _import_near(module_name, near)
        target = getattr(module, name, None)
        if not callable(target):
            raise OccamError(f"#PRAGMA PYTHON: {module_name} has no function {name}")
        fn = _python_function_guard(where, target)
        _python_functions[where] = fn
    return fn


def _import_near(module_name, near):
    import importlib

    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc
        if exc.name != module_name.partition(".")[0]:
            raise OccamError(f"#PRAGMA PYTHON: cannot import {module_name}: {exc}") from None
    except ImportError as exc:
        raise OccamError(f"#PRAGMA PYTHON: cannot import {module_name}: {exc}") from None
    for directory in dict.fromkeys(os.path.dirname(os.path.abspath(f)) for f in near if f):
        if not os.path.isdir(directory):
            continue
        sys.path.insert(0, directory)
        try:
            return importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        except ImportError as exc:
            raise OccamError(f"#PRAGMA PYTHON: cannot import {module_name}: {exc}") from None
        finally:
            sys.path.remove(directory)
    raise OccamError(f"#PRAGMA PYTHON: cannot import {module_name}: {missing}") from None


def _python_function_guard(where, target):
    """``target``, with a Python exception escaping it turned into an occam
    run-time error naming the function (the runtime's own exceptions pass)."""
    from cspc.runtime import CSPError

    def call(*args):
        try:
            return target(*args)
        except (OccamError, CSPError):
            raise
        except Exception as exc:
            raise OccamError(f"Python function {where} raised {type(exc).__name__}: {exc}") from exc

    call.__wrapped__ = target
    return call


# --------------------------------------------------------------------------- integer arithmetic


def div(a, b, lo, hi):
    """``a / b`` truncating toward zero; division by zero and MOSTNEG / -1 are errors."""
    if b == 0:
        raise OccamError("division by zero")
    q = abs(a) // abs(b)
    if (a < 0) != (b < 0):
        q = -q
    if not lo <= q <= hi:
        overflow()
    return q


def rem(a, b):
    """``a \\ b``: the remainder has the sign of the dividend; ``x \\ 0`` is an error."""
    if b == 0:
        raise OccamError("remainder by zero")
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def wrap(x, bits):
    """x reduced to a signed ``bits``-wide two's complement value (BYTE: unsigned)."""
    if bits == 8:
        return x & 0xFF
    half = 1 << (bits - 1)
    return ((x + half) & ((1 << bits) - 1)) - half


def _bad_shift(n, bits):
    raise OccamError(f"shift count {n} out of range (0 to {bits})")


def shl(x, n, bits):
    """``x << n``: bits shifted out are lost; shifting by the whole width gives 0.

    A count outside 0..width is an error, as it is in a constant expression."""
    if not 0 <= n <= bits:
        _bad_shift(n, bits)
    return wrap(x << n, bits)


def shr(x, n, bits):
    """``x >> n``: a logical shift (zeros come in at the top, whatever the sign)."""
    if not 0 <= n <= bits:
        _bad_shift(n, bits)
    return wrap((x & ((1 << bits) - 1)) >> n, bits)


def bitnot(x, bits):
    return x ^ 0xFF if bits == 8 else ~x


def after(a, b, bits=32):
    """occam's AFTER: ``a AFTER b`` is ``(a MINUS b) > 0``."""
    return wrap(a - b, bits) > 0


# --------------------------------------------------------------------------- reals


_FLOAT32 = struct.Struct("f")
FLT_MAX = 3.4028234663852886e38


def real32(x):
    """x rounded to the nearest single-precision value; overflow is an error."""
    try:
        return _FLOAT32.unpack(_FLOAT32.pack(x))[0]
    except OverflowError:
        raise OccamError("REAL32 overflow") from None


def real_checked(x):
    """A REAL64 result: infinities and NaNs from finite operands are errors."""
    if math.isinf(x) or math.isnan(x):
        raise OccamError("floating-point overflow")
    return x


def fdiv(a, b):
    if b == 0:
        raise OccamError("floating-point division by zero")
    return a / b


def frem(a, b):
    """The REAL remainder: ``a - b * n`` with n the integer nearest ``a / b``."""
    if b == 0:
        raise OccamError("floating-point remainder by zero")
    return math.remainder(a, b)


# --------------------------------------------------------------------------- conversions


def to_int(x, target):
    """An integer conversion (``BYTE n``, ``INT16 n``), range-checked."""
    lo, hi = RANGES[target]
    if not lo <= x <= hi:
        range_error(x, target)
    return x


def to_bool(x):
    if x == 0:
        return False
    if x == 1:
        return True
    range_error(x, "BOOL")


def real_to_int(x, target, mode):
    """``INT ROUND r`` (half to even) or ``INT TRUNC r`` (toward zero), range-checked."""
    if math.isnan(x) or math.isinf(x):
        range_error(x, target)
    n = round(x) if mode == "ROUND" else math.trunc(x)
    lo, hi = RANGES[target]
    if not lo <= n <= hi:
        range_error(x, target)
    return n


def int_to_real(x, target, mode):
    """``REAL32 ROUND n`` / ``REAL64 TRUNC n``."""
    if mode == "TRUNC" and target == "REAL64" and abs(x) > 1 << 53:
        exact = float(x)
        if abs(int(exact)) > abs(x):  # rounded away from zero: step back toward it
            exact = math.nextafter(exact, 0.0)
        return exact
    value = float(x)
    return real32(value) if target == "REAL32" else value


def real_to_real(x, target, mode):
    return real32(x) if target == "REAL32" else float(x)


# --------------------------------------------------------------------------- arrays


def new_array(dims, make):
    """A fresh array with the given dimensions, each element ``make()``."""
    for d in dims:
        if d < 0:
            raise OccamError(f"array size is negative ({d})")
    return _build(dims, 0, make)


def _build(dims, level, make):
    if level == len(dims) - 1:
        return [make() for _ in range(dims[level])]
    return [_build(dims, level + 1, make) for _ in range(dims[level])]


_SCALAR_TYPES = frozenset((int, float, bool))


def copy(value):
    """A deep copy of an array or record value (scalars are immutable already)."""
    if isinstance(value, list) and _SCALAR_TYPES.issuperset(map(type, value)):
        return value[:]  # a row of scalars, copied at C speed (a raster's rows, CLONEd every frame)
    if isinstance(value, (list, View)):
        return [copy(item) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return list(value)
    return value


def copy_flat(value):
    """A copy of an array of scalars."""
    return list(value)


def assign(target, value):
    """``target := value`` for an array of scalars: copied in place, so that every
    abbreviation of ``target`` sees the new value."""
    if len(target) != len(value):
        raise OccamError(f"array sizes differ in assignment ({len(target)} := {len(value)})")
    target[:] = value


def assign_deep(target, value):
    """``target := value`` for arrays of arrays and records: a deep copy, in
    place at every level, so that an abbreviation of a part of ``target``
    (``b IS a[2]:``) sees the new value too."""
    if len(target) != len(value):
        raise OccamError(f"array sizes differ in assignment ({len(target)} := {len(value)})")
    _copy_into(target, [copy(item) for item in value])  # a copy first: value may overlap target


def _copy_into(target, value):
    for i, item in enumerate(value):
        old = target[i]
        if isinstance(old, (list, View)) and isinstance(item, list) and len(old) == len(item):
            _copy_into(old, item)
        else:
            target[i] = item


def check_size(value, size):
    """An array received or abbreviated with a known size must have that size."""
    if len(value) != size:
        raise OccamError(f"array size mismatch: expected {size}, got {len(value)}")
    return value


def slice_bounds(array, start, count):
    if start < 0 or count < 0 or start + count > len(array):
        raise OccamError(
            f"slice [FROM {start} FOR {count}] out of range of array of size {len(array)}"
        )


def slice_value(array, start, count):
    """``[a FROM s FOR n]`` read as a value: a copy of that part."""
    slice_bounds(array, start, count)
    return array[start : start + count]


def slice_view(array, start, count):
    """``[a FROM s FOR n]`` used as a variable: a view writing through to ``a``."""
    slice_bounds(array, start, count)
    return View(array, start, count)


# --------------------------------------------------------------------------- mobiles
# An occam-pi mobile is the Python object its variable holds; moving it hands
# over that object (no copy) and leaves None, "undefined", in the source.


def mobile(value, name):
    """The value of the mobile ``name``: an error if it is undefined."""
    if value is None:
        raise OccamError(f"MOBILE `{name}' is undefined here (moved away, or never allocated)")
    return value


def clone(value, name):
    """`CLONE m': a deep copy of the mobile's value; of a mobile barrier,
    another reference to it, with one more process enrolled."""
    value = mobile(value, name)
    if isinstance(value, Barrier):
        value.enrol()
        return value
    return copy(value)


def ends(name, fields):
    """`cli, svr := MOBILE T', T a CHAN TYPE: a new bundle of channels, named
    ``name`` in reports, for both ends (the client's first)."""
    bundle = ChannelBundle(name, fields)
    return bundle, bundle


def allocate(dims, zero):
    """`MOBILE [n]T', `MOBILE [h][w]T': a new array, its elements ``zero``
    (KRoC leaves them as they come)."""
    if not isinstance(zero, (int, float)):
        return new_array(dims, lambda: copy(zero))
    for d in dims:
        if d < 0:
            raise OccamError(f"array size is negative ({d})")
    return _filled(dims, zero)  # a scalar is immutable: each row is made at once (a raster has 10^6 pixels)


def _filled(dims, zero):
    if len(dims) == 1:
        return [zero] * dims[0]
    return [_filled(dims[1:], zero) for _ in range(dims[0])]


# A scalar's bytes as KRoC lays them out on a 32-bit little-endian machine.
_PACKING = {"BOOL": "?", "BYTE": "B", "INT16": "h", "INT": "i", "INT32": "i", "INT64": "q",
            "REAL32": "f", "REAL64": "d"}  # fmt: skip


def retype(value, source, target, word="RETYPES"):
    """``VAL T y RETYPES x``: the bytes of ``value`` read as another type.

    ``source`` and ``target`` are layouts (``cspc.check.layout``): an element
    (a primitive type's name, or a record's ``(bytes, fields)``) and the array
    sizes around it, outermost first.  The target's sizes were computed as the
    program runs where the compiler did not know them; one may be None (open):
    it takes what fills it."""
    data = _bytes_of(value, source[0], len(source[1]))
    element, dims = target
    known = 1
    for d in dims:
        if d is not None:
            if d < 0:
                raise OccamError(f"{word}: array size {d} is negative")
            known *= d
    unit = _element_bytes(element) * known
    if None in dims:
        if not unit or len(data) % unit:
            raise OccamError(f"{word}: {len(data)} bytes are no whole number of the known sizes of "
                             f"{_layout_text(element, dims)} ({unit} bytes)")
        dims = tuple(len(data) // unit if d is None else d for d in dims)
    elif len(data) != unit:
        raise OccamError(f"{word} needs the same size: {len(data)} bytes given for "
                         f"{_layout_text(element, dims)} ({unit} bytes)")
    return _from_bytes(data, element, dims)


def retype_back(value, target, original, source):
    """The value of a RETYPES of a variable (``value``, laid out as ``target``)
    as the original's type, ``source``, in the original's own sizes: what is
    written back to it when the new name goes out of scope."""
    data = _bytes_of(value, target[0], len(target[1]))
    dims = []
    for _ in source[1]:
        dims.append(len(original))
        original = original[0] if len(original) else None
    return _from_bytes(data, source[0], tuple(dims))


def bytes_in(value, unit, depth):
    """``BYTESIN (x)`` for an array whose sizes are known only at run time:
    ``unit`` bytes a scalar, times each of ``depth`` dimensions' sizes."""
    size = unit
    for _ in range(depth):
        size *= len(value)
        if not size:
            return 0
        value = value[0]
    return size


def _element_bytes(element):
    return struct.calcsize(_PACKING[element]) if isinstance(element, str) else element[0]


def _bytes_of(value, element, depth):
    if not isinstance(element, str):
        if depth:
            return b"".join(_bytes_of(item, element, depth - 1) for item in value)
        data = bytearray(element[0])  # padding between fields reads as 0
        for index, offset, (inner, dims) in element[1]:
            part = _bytes_of(value[index], inner, len(dims))
            data[offset : offset + len(part)] = part
        return bytes(data)
    if depth == 0:
        return struct.pack("<" + _PACKING[element], value)
    if depth == 1 and element == "BYTE":
        return bytes(value)
    flat = value
    for _ in range(depth - 1):
        flat = [item for row in flat for item in row]
    return struct.pack(f"<{len(flat)}{_PACKING[element]}", *flat)


def _from_bytes(data, element, dims):
    """The value laid out as ``data``: ``element``s in arrays of sizes ``dims``."""
    if isinstance(element, str):
        unit = struct.calcsize(_PACKING[element])
        items = list(struct.unpack(f"<{len(data) // unit}{_PACKING[element]}", data))
    else:
        size = element[0]
        items = [_record_from(data[k : k + size], element) for k in range(0, len(data), size)]
    return _shaped(items, dims) if dims else items[0]


def _record_from(data, element):
    fields = element[1]
    value = [None] * len(fields)
    for index, offset, (inner, dims) in fields:
        size = _element_bytes(inner)
        for d in dims:
            size *= d
        value[index] = _from_bytes(data[offset : offset + size], inner, dims)
    return value


def _shaped(items, dims):
    if len(dims) == 1:
        return items
    step = len(items) // dims[0] if dims[0] else 0
    return [_shaped(items[k * step : (k + 1) * step], dims[1:]) for k in range(dims[0])]


def _layout_text(element, dims):
    name = element if isinstance(element, str) else f"RECORD of {element[0]} bytes"
    return "".join(f"[{'' if d is None else d}]" for d in dims) + name


def counted_input(target, count, items):
    """``c ? n::a``: store the received items at the start of ``a``."""
    if not 0 <= count <= len(target):
        raise OccamError(f"counted array input of {count} items into array of size {len(target)}")
    target[:count] = items
    return count


def counted_output(count, array):
    if not 0 <= count <= len(array):
        raise OccamError(f"counted array output of {count} items from array of size {len(array)}")
    return (count, copy(array[:count]))


def expect_end(channels, indexes, side, process):
    """Note ``process`` as the user of the ``side`` ("reader"/"writer") end of
    ``channels[indexes...]``, or of every channel in it when it is an array, for
    deadlock reports.  An index outside the array says nothing (the program
    may never use that element), so it is ignored."""
    for i in indexes:
        if not 0 <= i < len(channels):
            return
        channels = channels[i]
    stack = [channels]
    while stack:
        item = stack.pop()
        if isinstance(item, ChannelParameter):
            item = item.target
        if isinstance(item, Channel):
            item.expect(**{side: process})
        else:
            stack.extend(item)


class View:
    """A writable window onto part of a list (a slice used as a variable)."""

    __slots__ = ("base", "start", "count")

    def __init__(self, base, start, count):
        self.base, self.start, self.count = base, start, count

    def __len__(self):
        return self.count

    def _index(self, i):
        if not 0 <= i < self.count:
            bad_index()
        return self.start + i

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self.base[self.start + j] for j in range(*i.indices(self.count))]
        return self.base[self._index(i)]

    def __setitem__(self, i, value):
        if isinstance(i, slice):
            positions = range(*i.indices(self.count))
            value = list(value)
            if len(value) != len(positions):
                raise OccamError("array sizes differ in assignment")
            for j, item in zip(positions, value):
                self.base[self.start + j] = item
        else:
            self.base[self._index(i)] = value

    def __iter__(self):
        base = self.base
        for j in range(self.start, self.start + self.count):
            yield base[j]

    def __repr__(self):
        return f"View({list(self)!r})"
