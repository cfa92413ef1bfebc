"""The runtime's public surface is deliberate: pinned here, importable, documented.

Adding a name to ``cspc.runtime.__all__`` is a decision: make it here, and
document the name in docs/runtime.md.
"""

import re
import sys
from pathlib import Path

import pytest

import cspc.runtime
from cspc.runtime import hooks, occam

PAGE = (Path(__file__).resolve().parents[2] / "docs" / "runtime.md").read_text(encoding="utf-8")

CORE = [
    # channels and their ends
    "Channel", "BufferedChannel", "Any2OneChannel", "One2AnyChannel", "Any2AnyChannel",
    "ChannelEnd",
    # processes and running them
    "process", "Par", "Seq", "run",
    # choice
    "Alt", "PriAlt", "InputGuard", "OutputGuard", "SkipGuard", "TimeoutGuard",
    # time and synchronisation
    "Timer", "Barrier",
    # ending a network
    "poison", "retire",
    # errors
    "CSPError", "PoisonError",
    "RetireError",
    "ProcessError", "Deadlock", "BlockedProcess", "OccamError",
]  # fmt: skip


def documented(name: str) -> bool:
    """The page names it in code outside a code block: `name`, `name(...)` or `name.x`."""
    prose = re.sub(r"```.*?```", "", PAGE, flags=re.S)
    return re.search(rf"`{re.escape(name)}[`(.]", prose) is not None


def test_the_core_is_exactly_the_deliberate_list():
    assert cspc.runtime.__all__ == CORE


def test_the_core_has_one_spelling_of_each_name():
    lowered = [name.lower() for name in cspc.runtime.__all__]
    assert len(set(lowered)) == len(lowered)


def test_star_import_gives_every_core_name():
    namespace: dict = {}
    exec("from cspc.runtime import *", namespace)
    assert sorted(set(namespace) - {"__builtins__"}) == sorted(CORE)


@pytest.mark.parametrize(
    "module, names",
    [(cspc.runtime, CORE), (hooks, hooks.__all__), (occam, occam.ABI_REEXPORTS)],
    ids=["core", "hooks", "occam ABI"],
)
def test_every_public_name_is_importable_and_documented(module, names):
    assert [n for n in names if not hasattr(module, n)] == []
    assert [n for n in names if not documented(n)] == []


@pytest.mark.parametrize(
    "name", ["par", "alt", "seq", "stop", "run_main", "wrap32", "set_observer", "set_alt_policy"]
)
def test_moved_names_are_not_in_the_core(name):
    assert name not in cspc.runtime.__all__
    # (cspc.runtime.alt is the submodule that defines Alt: there, but not a function)
    assert not callable(getattr(cspc.runtime, name, None))


def test_the_hooks_are_not_process_wide_settings():
    assert not any(name.startswith(("set_", "get_")) for name in hooks.__all__)


def test_the_occam_abi_reexports_the_runtimes_own_objects():
    assert occam.Channel is cspc.runtime.Channel
    assert occam.TimeoutGuard is cspc.runtime.TimeoutGuard
    assert occam.par is sys.modules["cspc.runtime.process"].par


def test_generated_code_finds_every_name_it_imports_in_the_abi():
    from cspc.codegen.core import OCCAM_HELPERS, RUNTIME_NAMES

    assert [n for n in OCCAM_HELPERS + RUNTIME_NAMES if not hasattr(occam, n)] == []


class RecordingEnd:
    """Stands in for a channel end: records what was asked of it."""

    def __init__(self, name, log):
        self.name, self.log = name, log

    def poison(self):
        self.log.append(("poison", self.name))

    def retire(self):
        self.log.append(("retire", self.name))


def test_poison_and_retire_ask_each_end_given_in_turn():
    # The semantics are the channels' (tests/runtime/test_timers_barriers_poison.py);
    # the root functions are the PyCSP spellings that apply them to several ends.
    log = []
    cspc.runtime.poison(RecordingEnd("a", log), RecordingEnd("b", log))
    cspc.runtime.retire(RecordingEnd("c", log), RecordingEnd("d", log))
    assert log == [("poison", "a"), ("poison", "b"), ("retire", "c"), ("retire", "d")]


# The names compiled code imports from cspc.runtime.occam, with the ABI version
# they make up.  Changing what a compiled module may import means bumping
# occam.ABI_VERSION and this pin together.
ABI_PIN = (
    4,
    "Channel ExtendedInputGuard InputGuard SkipGuard TimeoutGuard Timer activate allocate alt assign "
    "assign_deep bad_index bytes_in case_failed check_size claim_of clone copy copy_flat "
    "counted_input counted_output div ends expect_end fdiv fork forking frem if_failed int_to_real mobile "
    "mobile_process new_array overflow par placed_par python_function real32 real_to_int real_to_real rem "
    "require_abi retype retype_back run_program shl shr slice_value slice_view spread_par stop suspend tag_mismatch tick "
    "to_bool to_int",
)


def test_the_abi_version_is_pinned_with_the_names_compiled_code_imports():
    from cspc.codegen.core import OCCAM_HELPERS, RUNTIME_NAMES

    names = " ".join(sorted(set(OCCAM_HELPERS + RUNTIME_NAMES) | {"require_abi", "run_program"}))
    assert (occam.ABI_VERSION, names) == ABI_PIN
