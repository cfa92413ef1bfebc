"""`cspc explore`: verdicts, counterexamples and their replay, on test
programs whose verdicts are known (tests/programs/explore/)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cspc_cli import run_cspc

PROGRAMS = Path(__file__).parent / "programs" / "explore"


def explore(name, *args):
    return run_cspc("explore", *args, str(PROGRAMS / name))


def steps(out: str) -> list[str]:
    """The numbered communication lines of a counterexample."""
    return [line for line in out.splitlines() if line.strip()[:1].isdigit()]


def test_naive_philosophers_deadlock_all_pick_up_their_left_fork(tmp_path):
    schedule = tmp_path / "dead.json"
    r = explore("philosophers_naive.csp", "--schedule-out", str(schedule))
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("deadlock found: after 5 communications")
    comms = steps(out)
    assert len(comms) == 5
    for line in comms:  # each philosopher i picks up its left fork: left[i] ! TRUE
        number, rest = line.split(". ", 1)
        assert rest.startswith("left[") and "! TRUE: philosopher i=" in rest
        channel_index = rest[len("left["):rest.index("]")]
        assert f"philosopher i={channel_index} " in rest
    assert sorted(line.split("left[")[1][0] for line in comms) == list("01234")
    assert "cycle of waiting: philosopher i=0 -> fork i=4 -> philosopher i=4" in out
    assert out.count("waits to output on channel right[") == 5

    run = run_cspc("run", "--schedule", str(schedule), str(PROGRAMS / "philosophers_naive.csp"))
    assert run.returncode == 1
    assert "does not fit" not in run.stderr.decode()
    assert "deadlock: no process can proceed (10 blocked)" in run.stderr.decode()
    trace = run_cspc("trace", "--schedule", str(schedule), str(PROGRAMS / "philosophers_naive.csp"))
    events = [line.split()[1] for line in trace.stderr.decode().splitlines() if line.strip()[:1].isdigit()]
    assert trace.returncode == 1
    assert sorted(events) == [f"left[{i}].TRUE" for i in range(5)]


def test_philosophers_with_a_butler_explored_exhaustively():
    r = explore("philosophers_butler.csp")
    out = r.stdout.decode()
    assert r.returncode == 0, out
    assert out.startswith("no deadlock: explored exhaustively (781 states,")


def test_a_bound_is_reported_as_a_bound_not_as_correct():
    r = explore("philosophers_butler.csp", "--max-states", "50")
    out = r.stdout.decode()
    assert r.returncode == 4, out
    assert out.startswith("bound reached: no deadlock within 50 states (--max-states 50;")


def test_protocol_mismatch_deadlocks_at_once():
    r = explore("protocol_mismatch.csp", "--json")
    data = json.loads(r.stdout)
    assert r.returncode == 1
    assert data["verdict"] == "deadlock"
    assert data["communications"] == 0
    assert data["cycle"] == ["sender", "receiver", "sender"]
    assert {b["process"]: b["at"].rsplit(":", 1)[1] for b in data["blocked"]} == {"sender": "6", "receiver": "13"}


def test_deadlock_reachable_through_one_alt_choice_only(tmp_path):
    schedule = tmp_path / "s.json"
    r = explore("one_bad_choice.csp", "--schedule-out", str(schedule))
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("deadlock found: after 1 communications and 1 decisions")
    decision = next(line for line in out.splitlines() if "decision 1:" in line)
    assert "server" in decision and "takes request[2]?" in decision
    assert "ready: server request[0]?, server request[1]?, server request[2]?" in decision
    assert steps(out)[0].split(". ", 1)[1].startswith("request[2] ! 2: client i=2")
    saved = json.loads(schedule.read_text())
    assert saved["decisions"] == [2]
    run = run_cspc("run", "--schedule", str(schedule), str(PROGRAMS / "one_bad_choice.csp"))
    assert run.returncode == 1
    assert "'server' waits to input from channel answer" in run.stderr.decode()
    fair = run_cspc("run", str(PROGRAMS / "one_bad_choice.csp"))  # the default policy takes request[0]
    assert fair.returncode == 0 and fair.stdout == b"o"


def test_partial_deadlock_beside_a_running_timer_process():
    r = explore("partial_deadlock.csp")
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("partial deadlock found: after 0 communications")
    assert "blocked for ever:" in out
    assert "ticker" not in out.split("blocked for ever:")[1]
    assert out.count("waits to input from channel") == 2
    assert "cycle of waiting: worker -> worker -> worker" not in out
    assert "cycle of waiting: worker -> worker" in out


def test_run_time_error_on_one_schedule_only(tmp_path):
    schedule = tmp_path / "err.json"
    r = explore("error_on_one_schedule.csp", "--schedule-out", str(schedule))
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("run-time error found: after 2 communications and 1 decisions")
    assert "error_on_one_schedule.csp:20:12: run-time error: division by zero" in out
    assert "takes b?" in out
    run = run_cspc("run", "--schedule", str(schedule), str(PROGRAMS / "error_on_one_schedule.csp"))
    assert run.returncode == 1
    assert "run-time error: division by zero" in run.stderr.decode()
    fair = run_cspc("run", str(PROGRAMS / "error_on_one_schedule.csp"))
    assert fair.returncode == 0 and fair.stdout == b"k"


def test_while_true_server_network_ends_by_state_matching():
    r = explore("server_network.csp")
    out = r.stdout.decode()
    assert r.returncode == 0, out
    assert out.startswith("no deadlock: explored exhaustively (")


@pytest.mark.parametrize("mode", [[], ["--pct"]])
def test_random_schedules_find_the_philosophers_deadlock(mode):
    r = explore("philosophers_naive.csp", "--random", "50", "--seed", "1", *mode)
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("deadlock found: after")
    assert "(random schedule " in out


def test_bad_input_is_status_2(tmp_path):
    bad = tmp_path / "bad.csp"
    bad.write_text("PROC main (CHAN BYTE keyboard?, screen!, error!)\n  SEQ\n    x := \n:\n")
    r = run_cspc("explore", str(bad))
    assert r.returncode == 2
    assert f"{bad}:4:1: error: unexpected" in r.stderr.decode()
    assert run_cspc("explore", "--pct", str(PROGRAMS / "protocol_mismatch.csp")).returncode == 2


def test_keyboard_input_decides_the_run(tmp_path):
    program = tmp_path / "echo.csp"
    program.write_text(
        "PROC main (CHAN BYTE keyboard?, screen!, error!)\n"
        "  BYTE ch:\n"
        "  SEQ\n"
        "    keyboard ? ch\n"
        "    IF\n"
        "      ch = 'y'\n"
        "        STOP\n"
        "      TRUE\n"
        "        screen ! ch\n"
        ":\n"
    )
    assert run_cspc("explore", "--input", "n", str(program)).returncode == 0
    r = run_cspc("explore", "--input", "y", str(program))
    assert r.returncode == 1
    assert r.stdout.decode().startswith("run-time error found: after 1 communications")
    assert "echo.csp:7: run-time error: STOP reached by 'main'" in r.stdout.decode()


def test_a_schedule_that_does_not_fit_is_said_so(tmp_path):
    schedule = tmp_path / "s.json"
    explore("one_bad_choice.csp", "--schedule-out", str(schedule))
    r = run_cspc("run", "--schedule", str(schedule), str(PROGRAMS / "philosophers_naive.csp"))
    assert "does not fit this program" in r.stderr.decode()
    junk = tmp_path / "junk.json"
    junk.write_text("{}")
    r = run_cspc("run", "--schedule", str(junk), str(PROGRAMS / "one_bad_choice.csp"))
    assert r.returncode == 2
    assert "not a schedule written by" in r.stderr.decode()


EXAMPLES = Path(__file__).parent.parent / "examples"


@pytest.mark.parametrize(
    "name, args, status, verdict",
    [
        ("hello.csp", [], 0, "no deadlock: explored exhaustively (a single schedule"),
        ("sort_pump.csp", [], 0, "no deadlock: explored exhaustively (a single schedule"),
        ("buffer.csp", [], 0, "no deadlock: explored exhaustively (44 states, 68 transitions"),
        ("mux.csp", [], 0, "no deadlock: explored exhaustively (3 states, 5 transitions"),
        ("echo.csp", ["--input", "occam."], 0, "no deadlock: explored exhaustively (a single schedule"),
        ("philosophers_deadlock.csp", [], 1, "deadlock found: after 43 communications and 8 decisions"),
    ],
)
def test_the_fast_examples_get_the_verdicts_docs_examples_states(name, args, status, verdict):
    r = run_cspc("explore", *args, str(EXAMPLES / name))
    assert r.returncode == status, r.stdout.decode()
    assert r.stdout.decode().startswith(verdict)


def test_a_replayed_deadlock_is_reported_as_either_backend_reports_it(backend, tmp_path):
    """A program with one schedule deadlocks the same way replayed and on each backend."""
    program = str(PROGRAMS / "protocol_mismatch.csp")
    schedule = tmp_path / "s.json"
    assert run_cspc("explore", "--schedule-out", str(schedule), program).returncode == 1
    replayed = run_cspc("run", "--schedule", str(schedule), program)
    plain = run_cspc("run", "--backend", backend, program)
    assert replayed.returncode == plain.returncode == 1
    assert replayed.stderr == plain.stderr
    assert b"deadlock: no process can proceed (2 blocked)" in plain.stderr
    refused = run_cspc("run", "--schedule", str(schedule), "--backend", backend, program)
    assert refused.returncode == 2 and b"leave out --backend" in refused.stderr


def test_all_reports_each_distinct_finding_with_its_shortest_counterexample():
    first = explore("three_outcomes.csp").stdout.decode()
    assert first.startswith("deadlock found: after 1 communications and 1 decisions")
    assert "distinct findings" not in first and "division by zero" not in first

    r = explore("three_outcomes.csp", "--all")
    out = r.stdout.decode()
    assert r.returncode == 1, out
    head, *parts = out.rstrip("\n").split("\n\n")
    assert head == "3 distinct findings (explored exhaustively; 3 states, 3 transitions, 3 distinct ALT decisions)"
    assert [p.split(":")[0] for p in parts] == ["finding 1 of 3", "finding 2 of 3", "finding 3 of 3"]
    taken = [p.split("takes ")[1].split(";")[0] for p in parts]
    assert taken == ["a?", "b?", "c?"]
    for part, still_writing in zip(parts[:2], (["b", "c"], ["a", "c"])):
        assert part.startswith(f"finding {parts.index(part) + 1} of 3: deadlock found: after 1 communications")
        assert [line.split("output on channel ")[1].split()[0] for line in part.splitlines()
                if "waits to output" in line] == still_writing
    assert parts[2].startswith("finding 3 of 3: run-time error found: after 1 communications")
    assert "three_outcomes.csp:14:14: run-time error: division by zero" in parts[2]

    data = json.loads(explore("three_outcomes.csp", "--all", "--json").stdout)
    assert data["exhaustive"] is True
    assert [(f["verdict"], f["decisions"]) for f in data["findings"]] == [
        ("deadlock", [0]), ("deadlock", [1]), ("run-time error", [2])]


def test_all_counts_one_deadlock_reached_many_ways_once():
    r = explore("philosophers_naive.csp", "--all")
    out = r.stdout.decode()
    assert r.returncode == 1
    assert out.startswith("deadlock found: after 5 communications and 5 decisions")
    assert "distinct findings" not in out
    assert explore("philosophers_butler.csp", "--all").stdout.decode().startswith(
        "no deadlock: explored exhaustively (781 states,")
    assert explore("three_outcomes.csp", "--all", "--random", "3").returncode == 2


def test_which_claimant_gets_a_shared_end_first_is_explored(tmp_path):
    source = PROGRAMS / "claim_order.csp"
    assert run_cspc("run", str(source)).returncode == 0  # the first come claims first: no STOP on this run
    schedule = tmp_path / "claim.json"
    r = explore("claim_order.csp", "--schedule-out", str(schedule))
    out = r.stdout.decode()
    assert r.returncode == 1, out
    assert out.startswith("run-time error found: after 1 communications and 1 decisions")
    assert ("takes CLAIM c; ready: claim.order, PAR branch 1 CLAIM c, claim.order, PAR branch 2 CLAIM c"
            in out)
    assert "    1. c ! 2: claim.order, PAR branch 2" in out
    assert "claim_order.csp:18: run-time error: STOP reached by 'claim.order, PAR branch 3'" in out
    # Replayed from another folder, the program named another way: the schedule still fits.
    replay = run_cspc("run", "--schedule", str(schedule), "claim_order.csp", cwd=PROGRAMS)
    assert replay.returncode == 1
    assert "  claim_order.csp:18: 'claim.order, PAR branch 3' has stopped (STOP)\n" in replay.stderr.decode()
    assert "does not fit" not in replay.stderr.decode()
