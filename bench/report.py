"""Turn the suite's measurements into ``results.md`` and PNG plots."""

from __future__ import annotations

import os
import random
import statistics

COMMSTIME_ROWS = [
    ("cspc-greenlet", "cspc greenlet, hand-written (runtime API)"),
    ("compiled-greenlet", "cspc greenlet, compiled .csp"),
    ("baseline-compiled-greenlet", "cspc (baseline) greenlet, compiled .csp"),
    ("pycsp-greenlets", "PyCSP 0.9.2 greenlets"),
    ("asyncio", "asyncio tasks, asyncio.Queue(maxsize=1) (a one-place buffer, not a rendezvous: flatters it)"),
    ("trio", "trio tasks, trio.open_memory_channel(0) (a rendezvous)"),
    ("cspc-threads", "cspc threads, hand-written (runtime API)"),
    ("compiled-threads", "cspc threads, compiled .csp"),
    ("baseline-compiled-threads", "cspc (baseline) threads, compiled .csp"),
    ("pycsp-threads", "PyCSP 0.9.2 threads"),
    ("semaphore", "bare threading.Semaphore channel"),
    ("queue", "queue.Queue pipeline (threads)"),
    ("greenlet-switch", "bare greenlet switch (no channel: the floor)"),
]

GREENLET_TARGET_NS = 450
PYCSP_GREENLET_SPEEDUP = 3.5  # compiled greenlet CommsTime against PyCSP 0.9.2 greenlets
# "No slower than the baseline" allows this much: see baseline_margin_note for why.
BASELINE_MARGIN = 0.05


def fmt(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


def commstime_table(results) -> list[str]:
    base = results["cspc-greenlet"].median("ns_per_comm")
    lines = ["| variant | ns per communication | relative to cspc greenlet | CPU ns per communication |",
             "|---|---:|---:|---:|"]
    for key, label in COMMSTIME_ROWS:
        m = results[key]
        ns = m.median("ns_per_comm")
        cell = fmt(ns) if m.error is None else m.error
        rel = ratio(ns, base)
        cpu = m.median("cpu_ns_per_comm") if m.samples and "cpu_ns_per_comm" in m.samples[0] else None
        lines.append(f"| {label} | {cell} | {'-' if rel is None else f'{rel:.2f}x'} | {fmt(cpu)} |")
    return lines


def commstime_notes(results) -> list[str]:
    """What the table cannot say in a row label."""
    notes = ["",
             "asyncio and trio run the same network with every process a task of the event loop (one OS thread,",
             "like greenlets, and as many rounds).  asyncio has no rendezvous: `put` into an empty",
             "`Queue(maxsize=1)` returns at once, so a writer runs one value ahead and many hand-overs cost no",
             "task switch.  trio's unbuffered memory channel is a true rendezvous, like an occam channel.",
             "The baseline rows are the same occam program with the same rounds, compiled and run by the",
             "baseline interpreter's own cspc (`--baseline-python`), interleaved with the other rows."]
    for key in ("baseline-compiled-greenlet", "baseline-compiled-threads"):
        if any(sample.get("route") == "cspc run" for sample in results[key].samples):
            notes.append(f"The baseline's library API differs from this one's, so `{key}` ran through its "
                         "`cspc run` command (same TIMER figure, no CPU figure).")
    return notes


def ring_table(results) -> list[str]:
    lines = ["| backend | processes | ns per hop | bytes per process | runs |", "|---|---:|---:|---:|---:|"]
    for (backend, size), m in results.items():
        if m.error:
            lines.append(f"| {backend} | {size:,} | {m.error} | | |")
        else:
            lines.append(f"| {backend} | {size:,} | {fmt(m.median('ns_per_hop'))} "
                         f"| {fmt(m.median('bytes_per_process'))} | {len(m.samples)} |")
    return lines


def alt_table(results) -> list[str]:
    lines = ["| backend | choice | messages per second |", "|---|---|---:|"]
    for (backend, pri), m in results.items():
        value = m.error or fmt(m.median("msgs_per_s"))
        lines.append(f"| {backend} | {'PRI ALT' if pri else 'ALT'} | {value} |")
    return lines


TRACING_MODES = [
    ("hookless", "untraced, the observer hook's tests taken out (the floor)"),
    ("off", "untraced: the hook there and empty, as every run without `cspc trace`"),
    ("traced", "traced: `cspc trace` writing every event to the null device"),
]
TRACED_AT_MOST = 3.0  # a traced communication against an untraced one


def tracing_table(results) -> list[str]:
    lines = ["| backend | run | ns per communication | relative to untraced | CPU ns per communication |",
             "|---|---|---:|---:|---:|"]
    for backend in ("greenlet", "threads"):
        off = results[backend, "off"].median("ns_per_comm")
        for mode, label in TRACING_MODES:
            m = results[backend, mode]
            ns = m.median("ns_per_comm")
            rel = ratio(ns, off)
            lines.append(f"| {backend} | {label} | {m.error or fmt(ns)} | {'-' if rel is None else f'{rel:.2f}x'} "
                         f"| {fmt(m.median('cpu_ns_per_comm'))} |")
    return lines + ["", "| target | measured | result |", "|---|---:|---|",
                    *(f"| {label} | {measured} | {verdict(passed)} |" for label, measured, passed in
                      tracing_targets(results))]


def tracing_targets(results) -> list[tuple[str, str, bool | None]]:
    """Tracing off costs nothing measurable: within BASELINE_MARGIN of the
    floor (the noise between identical builds), judged on the CPU time, which
    load from other processes moves less than the wall clock (a difference of
    a few per cent is lost in the wall clock's noise on a shared machine);
    tracing on costs at most TRACED_AT_MOST times a communication, on the wall clock."""
    out = []
    for backend in ("greenlet", "threads"):
        floor, off, traced = (results[backend, mode] for mode in ("hookless", "off", "traced"))
        cost = ratio(off.median("cpu_ns_per_comm"), floor.median("cpu_ns_per_comm"))
        out.append((f"tracing off costs nothing measurable ({backend}: CPU within {BASELINE_MARGIN:.0%} of no hook)",
                    "-" if cost is None else f"CPU {_ratio_text(off, floor, 'cpu_ns_per_comm')}; "
                    f"wall {_ratio_text(off, floor, 'ns_per_comm')}", None if cost is None else cost <= 1 + BASELINE_MARGIN))
        slowdown = ratio(traced.median("ns_per_comm"), off.median("ns_per_comm"))
        out.append((f"tracing on costs at most {TRACED_AT_MOST:.0f}x a communication ({backend})",
                    "-" if slowdown is None else f"wall {_ratio_text(traced, off, 'ns_per_comm')}; "
                    f"CPU {_ratio_text(traced, off, 'cpu_ns_per_comm')}",
                    None if slowdown is None else slowdown <= TRACED_AT_MOST))
    return out


def _ratio_text(ours, theirs, key: str) -> str:
    """The ratio of two measurements' medians, with its 95% interval."""
    low, high = ratio_interval(ours, theirs, key)
    return f"{ours.median(key) / theirs.median(key):.2f}x (95% interval {low:.2f}-{high:.2f}x)"


def verdict(passed: bool | None) -> str:
    return "not measured" if passed is None else ("pass" if passed else "**MISS**")


def compiler_table(m) -> list[str]:
    if m.error:
        return [f"compiler: {m.error}"]
    lines_of_code = m.samples[0]["lines"]
    stages = [("parse", "parse_s"), ("check", "check_s"), ("code generation (Python ast + compile())", "codegen_s")]
    out = [f"On a generated program of {lines_of_code:,} lines:", "",
           "| stage | seconds | lines per second |", "|---|---:|---:|"]
    total = 0.0
    for label, key in stages:
        seconds = m.median(key)
        total += seconds
        out.append(f"| {label} | {seconds:.2f} | {lines_of_code / seconds:,.0f} |")
    out.append(f"| all three | {total:.2f} | {lines_of_code / total:,.0f} |")
    return out


def startup_table(times) -> list[str]:
    rows = [("`python -c pass` (the floor)", "python"), ("`cspc run hello.csp`, empty cache", "cold"),
            ("`cspc run hello.csp`, cached", "cached")]
    out = ["| command | wall time (ms) |", "|---|---:|"]
    for label, key in rows:
        out.append(f"| {label} | {statistics.median(times[key]) * 1000:,.0f} |")
    return out


def change_targets(results) -> list[tuple[str, str, bool | None]]:
    """The targets of the current change to the runtime, for compiled greenlet
    CommsTime: no slower than the baseline's in the same run, or at least
    PYCSP_GREENLET_SPEEDUP times as fast as PyCSP's greenlets."""
    ct = results["commstime"]
    compiled = ct["compiled-greenlet"].median("ns_per_comm")
    baseline = ct["baseline-compiled-greenlet"]
    slowdown = ratio(compiled, baseline.median("ns_per_comm"))
    if slowdown is None:
        measured = baseline.error or "-"
    else:
        low, high = ratio_interval(ct["compiled-greenlet"], baseline)
        measured = (f"{slowdown:.2f}x the baseline's ({fmt(compiled)} ns against "
                    f"{fmt(baseline.median('ns_per_comm'))}; 95% interval {low:.2f}-{high:.2f}x)")
    out = [(f"compiled greenlet CommsTime no slower than the baseline's (within {BASELINE_MARGIN:.0%})", measured,
            None if slowdown is None else slowdown <= 1 + BASELINE_MARGIN)]
    speedup = ratio(ct["pycsp-greenlets"].median("ns_per_comm"), compiled)
    out.append((f"compiled greenlet CommsTime >= {PYCSP_GREENLET_SPEEDUP}x faster than PyCSP greenlets",
                "PyCSP not measured" if speedup is None else f"{speedup:.1f}x",
                None if speedup is None else speedup >= PYCSP_GREENLET_SPEEDUP))
    return out


def ratio_interval(ours, theirs, key: str = "ns_per_comm") -> tuple[float, float]:
    """A 95% bootstrap interval for the ratio of the medians of two
    ``run.Measured`` (resampling each one's runs): how far the
    ratio could move if the runs were made again under the same conditions.
    Fixed seed, so the same samples always give the same report."""
    a = [s[key] for s in ours.samples]
    b = [s[key] for s in theirs.samples]
    draw = random.Random(0).choices
    ratios = sorted(statistics.median(draw(a, k=len(a))) / statistics.median(draw(b, k=len(b)))
                    for _ in range(2000))
    return ratios[50], ratios[1949]


def either_met(verdicts: list[bool | None]) -> str:
    if any(verdicts):
        return "**met**"
    if all(v is None for v in verdicts):
        return "not measured"
    return "**not met**" if all(v is False for v in verdicts) else "not met (the other was not measured)"


def targets(results) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, passed or None when it could not be measured):
    the current change's first, then the standing ones."""
    ct = results["commstime"]
    hand_g = ct["cspc-greenlet"].median("ns_per_comm")
    hand_t = ct["cspc-threads"].median("ns_per_comm")
    out = change_targets(results)
    cpu_g = ct["cspc-greenlet"].median("cpu_ns_per_comm")
    out.append((f"greenlet CommsTime <= {GREENLET_TARGET_NS} ns/communication",
                f"{fmt(hand_g)} ns (CPU {fmt(cpu_g)} ns)", None if hand_g is None else hand_g <= GREENLET_TARGET_NS))
    for ours, theirs, need, label in (
        (hand_g, ct["pycsp-greenlets"].median("ns_per_comm"), 3, "greenlets >= 3x faster than PyCSP greenlets"),
        (hand_t, ct["pycsp-threads"].median("ns_per_comm"), 4, "threads >= 4x faster than PyCSP threads"),
    ):
        speedup = ratio(theirs, ours)
        out.append((label, "PyCSP not measured" if speedup is None else f"{speedup:.1f}x",
                    None if speedup is None else speedup >= need))
    out.append(ring_target(results.get("ring")))
    for backend, hand in (("greenlet", hand_g), ("threads", hand_t)):
        compiled = ct[f"compiled-{backend}"].median("ns_per_comm")
        slowdown = ratio(compiled, hand)
        out.append((f"compiled CommsTime within 1.2x of hand-written ({backend})",
                    "-" if slowdown is None else f"{slowdown:.2f}x", None if slowdown is None else slowdown <= 1.2))
    return out


def ring_target(ring_results) -> tuple[str, str, bool | None]:
    label = "1,000,000 processes in the ring"
    if ring_results is None:
        return label, "not measured (--only)", None
    biggest = max((size for (backend, size) in ring_results if backend == "greenlet"), default=0)
    ring = ring_results.get(("greenlet", 1_000_000))
    if ring is None:
        return label, f"not attempted (largest ring {biggest:,})", None
    return label, ring.error or "ran", ring.error is None


def targets_table(results, context) -> list[str]:
    out = ["Verdicts use the wall-clock medians below; the CPU figure (this process's CPU time per",
           "communication) is less inflated by load from other processes, but a shared machine moves it too.", "",
           "| target | measured | result |", "|---|---:|---|"]
    for label, measured, passed in targets(results):
        out.append(f"| {label} | {measured} | {verdict(passed)} |")
    change = [passed for _label, _measured, passed in change_targets(results)]
    out += ["", f"The first two are the current change's target, either one sufficing: {either_met(change)}.",
            "", *baseline_margin_note(context)]
    return out


def baseline_margin_note(context) -> list[str]:
    """Why the baseline comparison allows BASELINE_MARGIN, and what the baseline was."""
    note = [f"\"No slower\" allows {BASELINE_MARGIN:.0%}: two identical builds of cspc, measured against each other in",
            "interleaved runs like these on a shared 2-core machine (load about 2), differed by 1-6% in medians",
            "of 5 runs, so a smaller gap cannot be told from noise.  A slowdown beyond it is a MISS even if noise",
            "caused it: the 95% interval shows how far the ratio could move; on a loaded machine run again",
            "before believing either verdict."]
    if context.get("baseline") is None:
        return note + ["No baseline was measured (`--baseline-python`)."]
    note.append(f"Baseline: {context['baseline']}; under test: {context['cspc']}.")
    same_commit = context["baseline"] == context["cspc"] and "commit" in context["cspc"] \
        and "uncommitted" not in context["cspc"]
    if context.get("same_cspc") or same_commit:
        note.append("**The baseline is the same code as the cspc under test: this comparison measures only noise.**")
    return note


def render(results, context) -> str:
    c = context["config"]
    head = [
        "# cspc benchmark results",
        "",
        f"{context['date']}; Python {context['python']}; {context['machine']}; load average "
        f"{context['load']:.1f} at the start; the suite took {context['seconds']:.0f} s.",
        f"Medians of {c.reps} interleaved runs, each in a fresh process (rings of 100,000 and more: one run).",
        f"Under test: {context.get('cspc', 'cspc')}; baseline: {context.get('baseline') or 'none'}.",
    ]
    if context["quick"]:
        head += ["", "**Quick smoke configuration: tiny sizes, one run; these numbers mean nothing.**"]
    missing = [group for group in ("commstime", "tracing", "ring", "alt", "compiler", "startup")
               if group not in results]
    if missing:
        head += ["", f"Only some groups were measured (`--only`): no {', '.join(missing)}."]
    sections = [  # (the group it needs, title, a function making its lines)
        ("commstime", "Targets", lambda: targets_table(results, context)),
        ("commstime", f"CommsTime (4 communications a round; {c.greenlet_rounds:,} rounds on greenlets, "
         f"{c.thread_rounds:,} on threads, {c.pycsp_thread_rounds:,} for PyCSP threads)",
         lambda: commstime_table(results["commstime"]) + commstime_notes(results["commstime"])),
        ("tracing", "The cost of tracing (compiled CommsTime, as above; interleaved runs)",
         lambda: tracing_table(results["tracing"])),
        ("ring", "Token ring (the second lap is timed; memory is the peak RSS growth divided by the ring's size)",
         lambda: ring_table(results["ring"])),
        ("alt", f"ALT under load ({c.alt_producers} producers into one ALT-ing consumer)",
         lambda: alt_table(results["alt"])),
        ("compiler", "The compiler", lambda: compiler_table(results["compiler"])),
        ("startup", "Start-up", lambda: startup_table(results["startup"])),
    ]
    body = []
    for group, title, lines in sections:
        if group in results:
            body += ["", f"## {title}", ""] + lines()
    return "\n".join(head + body) + "\n"


def write_results(results, context, out_dir: str) -> str:
    os.makedirs(out_dir, exist_ok=True)
    path = os.path.join(out_dir, "results.md")
    with open(path, "w") as f:
        f.write(render(results, context))
    plot(results, out_dir)
    return path


# -- plots ------------------------------------------------------------------------------


def plot(results, out_dir: str) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots (pip install -e '.[bench]')")
        return
    for group, plot_group in (("commstime", plot_commstime), ("ring", plot_ring), ("alt", plot_alt)):
        if group in results:  # all of them, unless run with --only
            plot_group(plt, results[group], os.path.join(out_dir, f"{group}.png"))


def bar_colour(key: str) -> str:
    """cspc under test, its baseline, and everything else (the peers and floors)."""
    if key.startswith("baseline-"):
        return "tab:gray"
    return "tab:blue" if key.startswith(("cspc-", "compiled-")) else "tab:orange"


def short_label(label: str) -> str:
    """A row's label without its closing remark in parentheses, for a plot's axis."""
    return label.rsplit(" (", 1)[0] if label.endswith(")") else label


def plot_commstime(plt, results, path) -> None:
    rows = [(key, short_label(label), results[key].median("ns_per_comm")) for key, label in COMMSTIME_ROWS]
    rows = [row for row in rows if row[2] is not None][::-1]
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.barh([label for _, label, _ in rows], [ns for _, _, ns in rows], color=[bar_colour(k) for k, _, _ in rows])
    ax.set_xscale("log")
    ax.axvline(GREENLET_TARGET_NS, color="tab:red", linestyle="--", label=f"target {GREENLET_TARGET_NS} ns")
    ax.set_xlabel("ns per communication (log scale; shorter is faster)")
    ax.set_title("CommsTime")
    from matplotlib.patches import Patch

    handles = [ax.get_lines()[0], Patch(color="tab:blue", label="cspc under test"),
               Patch(color="tab:gray", label="cspc baseline"), Patch(color="tab:orange", label="others")]
    ax.legend(handles=handles, loc="upper right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_ring(plt, results, path) -> None:
    fig, (hop_ax, mem_ax) = plt.subplots(1, 2, figsize=(10, 4))
    for backend in ("greenlet", "threads"):
        points = [(size, m) for (b, size), m in results.items() if b == backend and m.error is None]
        if not points:
            continue
        sizes = [size for size, _ in points]
        hop_ax.plot(sizes, [m.median("ns_per_hop") for _, m in points], marker="o", label=backend)
        mem_ax.plot(sizes, [m.median("bytes_per_process") for _, m in points], marker="o", label=backend)
    for ax, label in ((hop_ax, "ns per hop"), (mem_ax, "bytes per process")):
        ax.set_xscale("log")
        if all(y > 0 for line in ax.get_lines() for y in line.get_ydata()):
            ax.set_yscale("log")
        ax.set_xlabel("processes in the ring")
        ax.set_ylabel(label)
        ax.legend()
    fig.suptitle("Token ring")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def plot_alt(plt, results, path) -> None:
    rows = [(f"{backend} {'PRI ALT' if pri else 'ALT'}", m.median("msgs_per_s")) for (backend, pri), m in results.items()]
    rows = [(label, v) for label, v in rows if v is not None]
    fig, ax = plt.subplots(figsize=(7, 3))
    ax.barh([label for label, _ in rows][::-1], [v for _, v in rows][::-1], color="tab:green")
    ax.set_xlabel("messages per second (longer is faster)")
    ax.set_title("ALT under load")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


# -- the docs' performance page -----------------------------------------------------------

DOCS_PAGE = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "docs", "performance.md")
BEGIN, END = "<!-- results: begin (written by bench/report.py) -->", "<!-- results: end -->"


def update_docs(results_md: str, page: str = DOCS_PAGE) -> None:
    """Copy ``results.md`` into the performance page, between its markers,
    one heading level down (the page has its own title)."""
    with open(results_md) as f:
        lines = f.read().splitlines()
    body = [("#" + line if line.startswith("## ") else line) for line in lines if not line.startswith("# ")]
    with open(page) as f:
        text = f.read()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{page} has no results markers ({BEGIN} ... {END})")
    before, rest = text.split(BEGIN, 1)
    after = rest.split(END, 1)[1]
    with open(page, "w") as f:
        f.write(before + BEGIN + "\n" + "\n".join(body).strip() + "\n" + END + after)


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Copy bench/results/results.md into docs/performance.md.")
    parser.add_argument("results", nargs="?", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                                   "results", "results.md"))
    update_docs(parser.parse_args().results)
    print(f"updated {DOCS_PAGE}")
