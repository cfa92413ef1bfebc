"""Running ``python -m cspc`` as a user would, for the tests that check what a
user sees: no colour, and the backend only from the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TIMEOUT = 60  # seconds; every program the tests run takes well under one


def run_cspc(*args: str, cwd: Path | None = None, stdin: bytes = b"", **env) -> subprocess.CompletedProcess:
    """``python -m cspc ARGS`` with ``stdin`` fed in; ``env`` adds variables."""
    environment = dict(os.environ, NO_COLOR="1", **env)
    environment.pop("CSPC_BACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "cspc", *args],
        input=stdin,
        capture_output=True,
        timeout=TIMEOUT,
        cwd=cwd,
        env=environment,
    )
