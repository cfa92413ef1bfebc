"""Runs over MPI: `cspc run --np N`, mpiexec started by hand, and the placement rule.

Each run is an mpiexec subprocess with a timeout; the tests that need MPI are
skipped (saying why) where mpi4py or mpiexec is missing.  `.ci/run` installs
the `mpi` extra, so CI runs them.  Every rank runs on greenlets, so these
tests have no backend parameter.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from cspc.runtime.distributed.placement import SPREAD, beyond, deal_branches, deal_copies, deal_processors, describe
from cspc_cli import run_cspc

PROGRAMS = Path(__file__).parent / "programs" / "mpi"
TIMEOUT = 240  # seconds for one job; the slowest (100,000 messages on 4 ranks) takes well under a minute idle


def _mpi_missing() -> str | None:
    try:
        import mpi4py  # noqa: F401
    except ImportError:
        return "mpi4py is not installed (pip install 'cspc[mpi]')"
    from cspc.mpirun import NoMPI, find_mpiexec

    try:
        find_mpiexec()
    except NoMPI as exc:
        return str(exc)
    return None


needs_mpi = pytest.mark.skipif(_mpi_missing() is not None, reason=_mpi_missing() or "")


def cspc(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    """`python -m cspc ARGS` in the programs' folder, with the job's timeout."""
    environment = dict(os.environ, NO_COLOR="1")
    environment.pop("CSPC_BACKEND", None)
    return subprocess.run(
        [sys.executable, "-m", "cspc", *args], input=stdin, capture_output=True,
        timeout=TIMEOUT, cwd=PROGRAMS, env=environment,
    )  # fmt: skip


def one_rank(program: str) -> subprocess.CompletedProcess:
    result = cspc("run", program)
    assert result.returncode == 0, result.stderr.decode()
    return result


def clean_run(np: int, program: str) -> bytes:
    """What ``cspc run --np NP PROGRAM`` prints, once it has ended with status 0
    and nothing on standard error."""
    result = cspc("run", "--np", str(np), program)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr == b""
    return result.stdout


# -- the placement rule (no MPI needed) ---------------------------------------------


def test_plain_branches_are_dealt_round_robin_and_spread_ones_run_everywhere():
    assert deal_branches(4, (), 3) == [0, 1, 2, 0]
    assert deal_branches(4, (1,), 2) == [0, SPREAD, 1, 0]


def test_copies_are_dealt_in_contiguous_blocks_of_nearly_equal_size():
    assert deal_copies(6, 4) == [0, 0, 1, 2, 2, 3]
    assert deal_copies(3, 4) == [0, 1, 2]
    blocks = deal_copies(10, 3)
    assert blocks == sorted(blocks) and {blocks.count(r) for r in range(3)} <= {3, 4}


def test_placement_lines_name_each_ranks_processes():
    assert describe(["a", "b", "c"], [0, 1, 0]) == ["rank 0: a, c", "rank 1: b"]
    copies = [f"i={k}" for k in range(8)]
    assert describe(copies, deal_copies(8, 2)) == ["rank 0: i=0 .. i=3 (4 copies)", "rank 1: i=4 .. i=7 (4 copies)"]


def test_processor_n_is_rank_n_and_numbers_past_the_last_rank_wrap_round():
    assert deal_processors([2, 1, 0, 1], 3) == [2, 1, 0, 1]
    assert deal_processors([3, 2, 1, 0], 2) == [1, 0, 1, 0]
    assert beyond([2, 1, 0], 3) is None
    assert beyond([2, 1, 0], 2) == (
        "PROCESSOR 2 names a rank this job does not have (it has 2): "
        "PROCESSOR n runs on rank n modulo 2 (--np 3 gives each number its own rank)"
    )
    assert beyond(range(9), 3).startswith("PROCESSOR 3, 4, 5, 6 and ... name ranks this job does not have (it has 3)")


def test_np_without_mpi_says_in_one_line_what_to_install(monkeypatch):
    import importlib.util

    from cspc.cli import main

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "mpi4py" else real(name, *a))
    result = CliRunner().invoke(main, ["run", "--np", "2", str(PROGRAMS / "deadlock.csp")])
    assert result.exit_code == 2
    assert result.output.strip() == "cspc: --np needs MPI: pip install 'cspc[mpi]'"


def test_without_mpi_the_placed_par_is_an_ordinary_par():
    result = run_cspc("run", str(PROGRAMS / "pipeline.csp"))
    assert result.returncode == 0
    assert result.stdout.decode().endswith("sum 310\n")


# -- runs over MPI -------------------------------------------------------------------


@needs_mpi
@pytest.mark.parametrize(
    "program, np",
    [("pipeline.csp", 2), ("pipeline.csp", 3), ("alt3.csp", 4), ("farm.csp", 2), ("farm.csp", 3), ("farm.csp", 4)],
)
def test_output_is_the_same_as_on_one_rank(program, np):
    expected = one_rank(program).stdout
    assert clean_run(np, program) == expected


@needs_mpi
@pytest.mark.parametrize("program", ["values.csp", "timeout.csp"])
def test_values_of_every_shape_and_alt_timeouts_work_across_two_ranks(program):
    expected = one_rank(program).stdout
    result = cspc("run", "--np", "2", program)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == expected


@needs_mpi
def test_the_pri_alt_over_three_ranks_takes_its_first_ready_guard():
    result = cspc("run", "--np", "4", "alt3.csp")
    lines = result.stdout.decode().splitlines()
    assert lines[0] == "first from 1"  # b's writer is on rank 2, a's on rank 1, c's on rank 3
    assert lines[1:] == ["1000 499500", "1000 100499500", "1000 200499500"]


@needs_mpi
def test_placement_is_shown_on_request():
    result = cspc("run", "--np", "2", "--placement", "pipeline.csp")
    assert result.returncode == 0
    assert result.stderr.decode().splitlines() == [
        "cspc: placement: rank 0: main, PAR branch 1",
        "cspc: placement: rank 1: main, PAR branch 3",
        "cspc: placement: rank 0: s=0, s=1, s=2",
        "cspc: placement: rank 1: s=3, s=4, s=5",
    ]


@needs_mpi
@pytest.mark.parametrize("np", [2, 3, 4])
def test_a_deadlock_across_ranks_is_reported_like_on_one_rank(np):
    alone = cspc("run", "deadlock.csp")
    result = cspc("run", "--np", str(np), "deadlock.csp")
    assert alone.returncode == result.returncode == 1
    assert result.stdout == b""
    lines = result.stderr.decode().splitlines()
    assert lines[0] == "run-time error: deadlock: no process can proceed (2 blocked)"
    assert lines[1].endswith(
        "deadlock.csp:7: 'main, PAR branch 1' waits to input from channel pong (from 'main, PAR branch 2') [on rank 0]"
    )
    assert lines[2].endswith(
        "deadlock.csp:11: 'main, PAR branch 2' waits to input from channel ping (from 'main, PAR branch 1') [on rank 1]"
    )
    assert len(lines) == 3
    untagged = result.stderr.decode().replace(" [on rank 0]", "").replace(" [on rank 1]", "")
    assert untagged == alone.stderr.decode()


@needs_mpi
@pytest.mark.parametrize("np", [3, 4])
def test_a_runtime_error_on_rank_2_ends_the_job_with_its_message(np):
    started = time.monotonic()
    result = cspc("run", "--np", str(np), "error_rank2.csp")
    assert time.monotonic() - started < 60  # the other ranks' waits do not hold the job
    assert result.returncode == 1
    assert result.stdout == b"rank 0 waits\n"
    assert result.stderr.decode().splitlines() == [
        "error_rank2.csp:17:12: run-time error: division by zero",
        "          z := 100 / zero",
        "               ^~~~~~~~~~",
    ]


@needs_mpi
def test_100000_messages_through_a_random_alt_network_on_4_ranks_none_lost_or_duplicated():
    result = cspc("run", "--np", "4", "alt_network.csp")
    assert result.returncode == 0, result.stderr.decode()
    n = 100_000
    assert result.stdout.decode().splitlines() == [
        f"messages {n}",
        f"sum {sum(range(n + 1))}",
        f"sum of squares {sum(k * k for k in range(n + 1))}",
    ]


@needs_mpi
def test_the_keyboard_and_screen_go_through_rank_0():
    result = cspc("run", "--np", "2", "keyboard.csp", stdin=b"hello, ranks.")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"hello, ranks\n"


@needs_mpi
def test_mpiexec_by_hand_runs_cspc_and_a_compiled_module(tmp_path):
    from cspc.mpirun import find_mpiexec

    expected = one_rank("pipeline.csp").stdout
    module = tmp_path / "pipeline.py"
    assert cspc("compile", "pipeline.csp", "-o", str(module)).returncode == 0
    for command in (
        [sys.executable, "-m", "cspc", "run", "pipeline.csp"],
        [sys.executable, "-m", "mpi4py", str(module)],
    ):
        result = subprocess.run([find_mpiexec(), "-n", "2", *command], capture_output=True, timeout=TIMEOUT,
                                cwd=PROGRAMS)
        assert result.returncode == 0, result.stderr.decode()
        assert result.stdout == expected


def cpu_of_job(program: str) -> tuple[float, float]:
    """The CPU seconds (all ranks, mpiexec included) and wall seconds of a
    two-rank run of ``program``, which must print that it woke after 3 seconds."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    result = cspc("run", "--np", "2", program)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"woke after 3 seconds\n"
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


@needs_mpi
def test_an_idle_rank_does_not_spin_a_core():
    # The same job with and without a 3-second wait on a timer (rank 0) while
    # rank 1 waits for its message: two ranks polling flat out would spend
    # about 6 s more CPU on the wait.  Starting Python and compiling cost the
    # same in both runs, however loaded the machine is, and cancel out.
    startup, _ = cpu_of_job("awake.csp")
    idle, wall = cpu_of_job("idle.csp")
    assert wall >= 3
    assert idle - startup < 1.5, f"waiting 3 s cost {idle - startup:.1f} s of CPU ({idle:.1f} s against {startup:.1f} s)"


@needs_mpi
def test_the_mpi_bench_runs_in_its_quick_configuration(tmp_path):
    report = tmp_path / "mpi.md"
    bench = Path(__file__).parent.parent / "bench" / "mpi.py"
    result = subprocess.run([sys.executable, str(bench), "--quick", "--out", str(report)], capture_output=True,
                            text=True, timeout=TIMEOUT)
    assert result.returncode == 0, result.stderr
    text = report.read_text()
    assert "**2 cores**" in text.replace(f"**{os.cpu_count()} cores**", "**2 cores**")
    for row in ("| 2 |", "| ping-pong |", "| CommsTime |", "| 4 |"):
        assert row in text


# -- occam's PLACED PAR ----------------------------------------------------------------


def squares_expected(count: int = 40) -> bytes:
    """What placed.csp prints: the squares of 0 .. count - 1, then their sum."""
    squares = [i * i for i in range(count)]
    return ("".join(f"{x} " for x in squares) + f"\nsum of squares {sum(squares)}\n").encode()


def farm_expected(workers: int = 3, work: int = 1000) -> bytes:
    """What placed_farm.csp prints: worker i's sum of k * k * (i + 1) over k < work."""
    return "".join(f"worker {i}: {sum(k * k for k in range(work)) * (i + 1)}\n" for i in range(workers)).encode()


PLACED = {"placed.csp": squares_expected(), "placed_farm.csp": farm_expected()}
HIGHEST_PROCESSOR = {"placed.csp": 2, "placed_farm.csp": 3}


@pytest.mark.parametrize("program", sorted(PLACED))
def test_a_placed_par_on_one_rank_runs_as_a_par(program, backend):
    result = run_cspc("run", "--backend", backend, str(PROGRAMS / program))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == PLACED[program]
    assert result.stderr == b""


@needs_mpi
@pytest.mark.parametrize(
    "program, np", [("placed.csp", 2), ("placed.csp", 3), ("placed_farm.csp", 2), ("placed_farm.csp", 3),
                    ("placed_farm.csp", 4)],
)  # fmt: skip
def test_a_placed_par_gives_the_output_of_one_rank_on_any_number_of_ranks(program, np):
    result = cspc("run", "--np", str(np), program)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == one_rank(program).stdout == PLACED[program]
    warnings = result.stderr.decode().splitlines()
    if HIGHEST_PROCESSOR[program] < np:
        assert warnings == []
    else:  # the numbers past the last rank, each once, from rank 0
        assert len(warnings) == 1 and "warning: PROCESSOR " in warnings[0]
        assert f"(it has {np}): PROCESSOR n runs on rank n modulo {np}" in warnings[0]


@needs_mpi
def test_each_processor_branch_runs_on_its_rank():
    result = cspc("run", "--np", "3", "--placement", "placed.csp")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode().splitlines() == [
        "cspc: placement: rank 0: sink",
        "cspc: placement: rank 1: square, tally",
        "cspc: placement: rank 2: source",
    ]


@needs_mpi
def test_each_copy_of_a_replicated_placed_par_runs_where_its_index_says():
    result = cspc("run", "--np", "4", "--placement", "placed_farm.csp")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode().splitlines() == [
        "cspc: placement: rank 0: i=3",
        "cspc: placement: rank 1: i=2",
        "cspc: placement: rank 2: i=1",
        "cspc: placement: rank 3: i=0",
    ]


@needs_mpi
def test_a_processor_number_past_the_last_rank_wraps_round_with_a_warning():
    result = cspc("run", "--np", "2", "--placement", "placed.csp")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stderr.decode().splitlines() == [
        "placed.csp:48: warning: PROCESSOR 2 names a rank this job does not have (it has 2): "
        "PROCESSOR n runs on rank n modulo 2 (--np 3 gives each number its own rank)",
        "cspc: placement: rank 0: source, sink",
        "cspc: placement: rank 1: square, tally",
    ]


NEGATIVE_PROCESSOR = [
    "placed_negative.csp:3:3: run-time error: PROCESSOR -1: a PROCESSOR number cannot be negative",
    "      PLACED PAR i = 0 FOR 2",
    "      ^~~~~~~~~~~~~~~~~~~~~~",
]


def test_a_negative_processor_number_is_a_runtime_error_on_one_rank(backend):
    result = run_cspc("run", "--backend", backend, "placed_negative.csp", cwd=PROGRAMS)
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == NEGATIVE_PROCESSOR


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_a_negative_processor_number_is_reported_once_across_ranks(np):
    result = cspc("run", "--np", str(np), "placed_negative.csp")
    assert result.returncode == 1
    assert result.stdout == b""
    assert result.stderr.decode().splitlines() == NEGATIVE_PROCESSOR


# -- the extended rendezvous (??) across ranks --------------------------------------


def extended_expected() -> bytes:
    """What extended.csp prints when every writer waits out the during process."""
    lines = []
    for label, values in (("during ", range(3)), ("ALT a during ", range(10, 13)), ("ALT b during ", range(20, 23))):
        for x in values:
            lines += [f"{label}{x}: its writer waits", f"  then sent {x}"]
    return ("\n".join(lines) + "\n").encode()


def test_the_extended_rendezvous_program_on_one_rank():
    assert one_rank("extended.csp").stdout == extended_expected()


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_an_extended_input_holds_a_writer_on_another_rank_until_its_during_process_ends(np):
    # At --np 2 writer b shares rank 0 with the reader; at 3 every writer is remote.
    assert clean_run(np, "extended.csp") == extended_expected()


# -- shared channels (SHARED, CLAIM) across ranks ------------------------------------


def shared_farm_expected(workers: int = 6, blocks: int = 20) -> bytes:
    """What shared_farm.csp prints when every CLAIMed block arrives whole and in order."""
    lines = [f"worker {i}: {blocks} blocks, sum {sum(range(blocks))}" for i in range(workers)]
    return ("\n".join(lines + ["broken blocks: 0"]) + "\n").encode()


def test_the_shared_farm_on_one_rank(backend):
    result = run_cspc("run", "--backend", backend, str(PROGRAMS / "shared_farm.csp"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == shared_farm_expected()


@needs_mpi
@pytest.mark.parametrize("np", [2, 3, 4])
def test_writers_on_every_rank_share_a_channel_and_each_claim_is_kept_whole(np):
    # Workers beside the collector (rank 0) and on every other rank CLAIM one writing end.
    assert clean_run(np, "shared_farm.csp") == shared_farm_expected()


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_a_deadlock_with_a_claim_held_on_another_rank_is_reported(np):
    alone = cspc("run", "shared_deadlock.csp")
    result = cspc("run", "--np", str(np), "shared_deadlock.csp")
    assert alone.returncode == result.returncode == 1
    waiting_rank = 2 if np == 3 else 0  # branch 3
    assert result.stderr.decode().splitlines() == [
        "run-time error: deadlock: no process can proceed (2 blocked)",
        "  shared_deadlock.csp:14: 'main, PAR branch 2' waits to output on channel c (to 'main, PAR branch 1')"
        " [on rank 1]",
        "  shared_deadlock.csp:18: 'main, PAR branch 3' waits to CLAIM a shared end of channel c"
        f" (the writing end is held on another rank) [on rank {waiting_rank}]",
    ]
    assert "(the writing end is held by 'main, PAR branch 2')" in alone.stderr.decode()


def test_readers_sharing_a_reading_end_run_on_one_rank():
    assert one_rank("shared_readers.csp").stderr == b""


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_readers_of_a_shared_end_on_two_ranks_end_the_job_with_one_message(np):
    result = cspc("run", "--np", str(np), "shared_readers.csp")
    assert result.returncode == 1
    assert result.stderr.decode().splitlines() == [
        "run-time error: channel jobs: processes on rank 0 and rank 1 share its reading end; "
        "the readers of a shared channel must be on one rank (its writers may be anywhere)"
    ]


def shared_extended_expected(writers: int = 4, rounds: int = 3) -> bytes:
    lines = [f"writer {i}: {rounds}" for i in range(writers)] + ["writers gone on during a rendezvous: 0"]
    return ("\n".join(lines) + "\n").encode()


def test_the_extended_input_of_a_shared_channel_on_one_rank():
    assert one_rank("shared_extended.csp").stdout == shared_extended_expected()


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_an_extended_input_of_a_shared_channel_holds_local_and_remote_writers(np):
    assert clean_run(np, "shared_extended.csp") == shared_extended_expected()


# -- barriers across ranks -------------------------------------------------------------


def barrier_expected(workers: int = 4, phases: int = 5) -> bytes:
    """What barrier.csp prints: per phase, the workers still enrolled; none out of order."""
    lines = [f"phase {p}: {sum(1 for i in range(workers) if p < phases - i)}" for p in range(phases)]
    return ("\n".join(lines + ["logged out of phase order: 0"]) + "\n").encode()


def test_the_barrier_program_on_one_rank(backend):
    result = run_cspc("run", "--backend", backend, str(PROGRAMS / "barrier.csp"))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == barrier_expected()


@needs_mpi
@pytest.mark.parametrize("np", [2, 3, 4])
def test_a_barrier_holds_its_processes_on_every_rank_together(np):
    # Workers on every rank SYNC each phase; those that end resign, from whichever rank.
    assert clean_run(np, "barrier.csp") == barrier_expected()


@needs_mpi
@pytest.mark.parametrize("np, ranks", [(2, (0, 1, 0, 1)), (3, (0, 1, 2, 0))])
def test_a_deadlock_at_a_barrier_across_ranks_is_reported(np, ranks):
    result = cspc("run", "--np", str(np), "barrier_deadlock.csp")
    assert result.returncode == 1
    counted = "3 of 4 enrolled have synced, on every rank"
    elsewhere = "the barrier's count is kept on rank 0"
    sync = [counted if rank == 0 else elsewhere for rank in ranks]
    assert result.stderr.decode().splitlines() == [
        "run-time error: deadlock: no process can proceed (4 blocked)",
        f"  barrier_deadlock.csp:7: 'main, PAR branch 1' waits to SYNC on barrier b [{sync[0]}; on rank {ranks[0]}]",
        f"  barrier_deadlock.csp:8: 'main, PAR branch 2' waits to SYNC on barrier b [{sync[1]}; on rank {ranks[1]}]",
        "  barrier_deadlock.csp:11: 'main, PAR branch 3' waits to input from channel c (from 'main, PAR branch 4')"
        f" [on rank {ranks[2]}]",
        f"  barrier_deadlock.csp:14: 'main, PAR branch 4' waits to SYNC on barrier b [{sync[3]}; on rank {ranks[3]}]",
    ]


@needs_mpi
@pytest.mark.parametrize("np", [2, 3])
def test_a_placed_par_shares_a_reading_end_among_workers_on_one_rank_and_a_writing_end_back(np):
    result = cspc("run", "--np", str(np), "--placement", "placed_shared.csp")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == one_rank("placed_shared.csp").stdout == f"sum of squares {sum(j * j for j in range(30))}\n".encode()
    assert result.stderr.decode().splitlines() == [
        "cspc: placement: rank 0: main, PAR branch 1, main, PAR branch 4",
        "cspc: placement: rank 1: worker, worker",
    ]
