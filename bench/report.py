"""Turn the suite's measurements into ``results.md`` and PNG plots."""

from __future__ import annotations

import os
import statistics

COMMSTIME_ROWS = [
    ("cspc-greenlet", "cspc greenlet, hand-written (runtime API)"),
    ("compiled-greenlet", "cspc greenlet, compiled .csp"),
    ("pycsp-greenlets", "PyCSP 0.9.2 greenlets"),
    ("cspc-threads", "cspc threads, hand-written (runtime API)"),
    ("compiled-threads", "cspc threads, compiled .csp"),
    ("pycsp-threads", "PyCSP 0.9.2 threads"),
    ("semaphore", "bare threading.Semaphore channel"),
    ("queue", "queue.Queue pipeline (threads)"),
    ("greenlet-switch", "bare greenlet switch (no channel: the floor)"),
]

GREENLET_TARGET_NS = 450


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


def targets(results) -> list[tuple[str, str, bool | None]]:
    """(target, what was measured, passed or None when it could not be measured)."""
    ct = results["commstime"]
    hand_g = ct["cspc-greenlet"].median("ns_per_comm")
    hand_t = ct["cspc-threads"].median("ns_per_comm")
    out = []
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
    biggest = max((size for (backend, size) in results["ring"] if backend == "greenlet"), default=0)
    ring = results["ring"].get(("greenlet", 1_000_000))
    if ring is None:
        out.append(("1,000,000 processes in the ring", f"not attempted (largest ring {biggest:,})", None))
    else:
        out.append(("1,000,000 processes in the ring", ring.error or "ran", ring.error is None))
    for backend, hand in (("greenlet", hand_g), ("threads", hand_t)):
        compiled = ct[f"compiled-{backend}"].median("ns_per_comm")
        slowdown = ratio(compiled, hand)
        out.append((f"compiled CommsTime within 1.2x of hand-written ({backend})",
                    "-" if slowdown is None else f"{slowdown:.2f}x", None if slowdown is None else slowdown <= 1.2))
    return out


def targets_table(results) -> list[str]:
    out = ["Verdicts use the wall-clock medians below; the CPU figure (this process's CPU time per",
           "communication) is less inflated by load from other processes, but a shared machine moves it too.", "",
           "| target | measured | result |", "|---|---:|---|"]
    for label, measured, passed in targets(results):
        verdict = "not measured" if passed is None else ("pass" if passed else "**MISS**")
        out.append(f"| {label} | {measured} | {verdict} |")
    return out


def render(results, context) -> str:
    c = context["config"]
    head = [
        "# cspc benchmark results",
        "",
        f"{context['date']}; Python {context['python']}; {context['machine']}; load average "
        f"{context['load']:.1f} at the start; the suite took {context['seconds']:.0f} s.",
        f"Medians of {c.reps} interleaved runs, each in a fresh process (rings of 100,000 and more: one run).",
    ]
    if context["quick"]:
        head += ["", "**Quick smoke configuration: tiny sizes, one run; these numbers mean nothing.**"]
    sections = [
        ("Targets", targets_table(results)),
        (f"CommsTime (4 communications a round; {c.greenlet_rounds:,} rounds on greenlets, "
         f"{c.thread_rounds:,} on threads, {c.pycsp_thread_rounds:,} for PyCSP threads)",
         commstime_table(results["commstime"])),
        ("Token ring (the second lap is timed; memory is the peak RSS growth divided by the ring's size)",
         ring_table(results["ring"])),
        (f"ALT under load ({c.alt_producers} producers into one ALT-ing consumer)", alt_table(results["alt"])),
        ("The compiler", compiler_table(results["compiler"])),
        ("Start-up", startup_table(results["startup"])),
    ]
    body = []
    for title, lines in sections:
        body += ["", f"## {title}", ""] + lines
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
    plot_commstime(plt, results["commstime"], os.path.join(out_dir, "commstime.png"))
    plot_ring(plt, results["ring"], os.path.join(out_dir, "ring.png"))
    plot_alt(plt, results["alt"], os.path.join(out_dir, "alt.png"))


def plot_commstime(plt, results, path) -> None:
    rows = [(label, results[key].median("ns_per_comm")) for key, label in COMMSTIME_ROWS]
    rows = [(label, ns) for label, ns in rows if ns is not None]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.barh([label for label, _ in rows][::-1], [ns for _, ns in rows][::-1], color="tab:blue")
    ax.set_xscale("log")
    ax.axvline(GREENLET_TARGET_NS, color="tab:red", linestyle="--", label=f"target {GREENLET_TARGET_NS} ns")
    ax.set_xlabel("ns per communication (log scale; shorter is faster)")
    ax.set_title("CommsTime")
    ax.legend(loc="lower right")
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
