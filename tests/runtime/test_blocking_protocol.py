"""The one blocking protocol: ``wait_on`` names what a blocked process waits
on, on both backends; and the runtime runs the code that is written in it."""

import ast
from pathlib import Path

import cspc.runtime
from cspc.runtime import Channel, Timer, run
from cspc.runtime.hooks import current_process
from cspc.runtime.occam import par


def test_wait_on_is_the_channel_while_blocked_and_none_once_running(backend):
    c = Channel("c")
    seen = {}

    def reader():
        seen["record"] = current_process()
        seen["value"] = c.read()
        seen["after"] = seen["record"].wait_on

    def observer():
        Timer().sleep(20_000)  # long enough for the reader to block on c
        seen["while_blocked"] = seen["record"].wait_on
        c.write(42)

    run(lambda: par(reader, observer), backend=backend)
    assert seen["while_blocked"] is c
    assert seen["value"] == 42
    assert seen["after"] is None


FORBIDDEN_MODULES = {"inspect", "ast"}
FORBIDDEN_CALLS = {"exec", "eval", "compile"}


def runtime_sources():
    root = Path(cspc.runtime.__file__).parent
    return sorted(root.rglob("*.py"))


def test_the_runtime_never_rewrites_or_generates_its_own_code():
    sources = runtime_sources()
    assert len(sources) > 10  # the whole package, not an empty glob
    problems = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            where = f"{path.name}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Import):
                problems += [f"{where} import {a.name}" for a in node.names
                             if a.name.split(".")[0] in FORBIDDEN_MODULES]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.split(".")[0] in FORBIDDEN_MODULES:
                    problems.append(f"{where} from {node.module} import")
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in FORBIDDEN_CALLS:
                    problems.append(f"{where} {node.func.id}()")
            elif isinstance(node, ast.Attribute) and node.attr == "__code__":
                if isinstance(node.ctx, ast.Store):
                    problems.append(f"{where} assigns __code__")
    assert problems == []
