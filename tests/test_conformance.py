"""The shared conformance programs: what KRoC printed is ground truth for
occam's arithmetic.  Each NAME.csp must print exactly NAME.expect.

The folder is found beside the repository (``../shared/conformance``) or
through ``$CSPC_CONFORMANCE``; the tests skip when it is absent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from cspc.cli import main


def conformance_dir() -> Path | None:
    env = os.environ.get("CSPC_CONFORMANCE")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "conformance")
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


DIR = conformance_dir()
NAMES = sorted(p.stem for p in DIR.glob("*.csp")) if DIR else []


@pytest.fixture(autouse=True)
def shared_cache(tmp_path_factory, monkeypatch):
    # One cache for the session: the same program on both backends compiles once.
    monkeypatch.setenv("CSPC_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cspc-cache"))


@pytest.mark.skipif(DIR is None, reason="conformance programs not present")
@pytest.mark.parametrize("name", NAMES)
def test_conformance(name):
    result = CliRunner().invoke(main, ["run", str(DIR / f"{name}.csp")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (DIR / f"{name}.expect").read_bytes()


@pytest.mark.skipif(DIR is None, reason="conformance programs not present")
@pytest.mark.parametrize("name", NAMES[:3])
def test_conformance_threads(name):
    result = CliRunner().invoke(main, ["run", "--backend", "threads", str(DIR / f"{name}.csp")])
    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (DIR / f"{name}.expect").read_bytes()
