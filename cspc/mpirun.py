"""``cspc run --np N``: start the program on N MPI ranks with ``mpiexec``.

The launcher only builds a command line: ``mpiexec -n N python -m mpi4py -m
cspc run FILE ...`` (``-m mpi4py`` so that a rank dying of an unexpected
exception aborts the whole job instead of leaving the others waiting), and
returns its exit status.  Each rank then compiles FILE (through the cache) and
runs its share; see cspc.runtime.distributed.  ``mpiexec`` is the one beside
this Python (the ``mpich`` wheel puts it there), else the first on PATH.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

INSTALL_HINT = "pip install 'cspc[mpi]'"


# Set for the ranks of a job that `cspc run --np` started, which has already
# compiled the program and shown its warnings.
LAUNCHED = "CSPC_LAUNCHED_BY_NP"
_RANK_VARIABLES = ("PMI_RANK", "OMPI_COMM_WORLD_RANK", "PMIX_RANK")


def shows_warnings() -> bool:
    """Whether this process should show the compiler's warnings: not a rank of
    a job `--np` started, and not a rank other than 0 of one mpiexec started."""
    if os.environ.get(LAUNCHED):
        return False
    return all(os.environ.get(v, "0") == "0" for v in _RANK_VARIABLES)


class NoMPI(Exception):
    """mpi4py or mpiexec is missing: the message says what to install."""


def find_mpiexec() -> str:
    if importlib.util.find_spec("mpi4py") is None:
        raise NoMPI(f"--np needs MPI: {INSTALL_HINT}")
    beside = os.path.join(os.path.dirname(sys.executable), "mpiexec")
    found = beside if os.access(beside, os.X_OK) else shutil.which("mpiexec")
    if found is None:
        raise NoMPI(f"--np needs an mpiexec (none beside {sys.executable} or on PATH): {INSTALL_HINT}")
    return found


def launcher_options(mpiexec: str) -> list[str]:
    """Open MPI refuses, by default, to run as root or more ranks than cores;
    MPICH's hydra needs nothing."""
    try:
        version = subprocess.run([mpiexec, "--version"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    if "Open MPI" not in version and "OpenRTE" not in version:
        return []
    options = ["--oversubscribe"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        options.append("--allow-run-as-root")
    return options


def command(np: int, file: str, run_args: list[str]) -> list[str]:
    """The mpiexec command line that runs ``cspc run FILE run_args...`` on ``np`` ranks."""
    mpiexec = find_mpiexec()
    return [mpiexec, *launcher_options(mpiexec), "-n", str(np),
            sys.executable, "-m", "mpi4py", "-m", "cspc", "run", *run_args, file]  # fmt: skip


def launch(np: int, file: str, run_args: list[str], placement: bool = False) -> int:
    """Run the job and return its exit status (that of its worst rank)."""
    env = dict(os.environ, **{LAUNCHED: "1"})
    if placement:
        env["CSPC_PLACEMENT"] = "1"
    try:
        return subprocess.run(command(np, file, run_args), env=env).returncode
    except KeyboardInterrupt:
        return 130
