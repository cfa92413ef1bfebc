"""The ``cspc`` command line: a thin layer over :mod:`cspc.compiler` and the runtime.

Exit status: 0 success; 1 a user error (compile-time diagnostics, or a
run-time error such as overflow or deadlock); 2 a usage error (click's, or an
unknown backend in $CSPC_BACKEND); 3 an internal compiler error; 130 Ctrl-C;
141 when the program's output pipe is closed under it (`cspc run p | head`), as
for a Unix command that SIGPIPE stops.
"""

from __future__ import annotations

import os
import sys
import traceback

import click

import cspc
from cspc.diagnostics import CompileError, Diagnostic

EXIT_USER_ERROR = 1
EXIT_USAGE_ERROR = 2
EXIT_INTERNAL_ERROR = 3
EXIT_BROKEN_PIPE = 141

include_option = click.option(
    "-I",
    "--include",
    "include_paths",
    multiple=True,
    type=click.Path(file_okay=False),
    help="Also look for #INCLUDE / #USE files in DIR (repeatable).",
    metavar="DIR",
)
schedule_option = click.option(
    "--schedule", type=click.Path(exists=True, dir_okay=False), default=None, metavar="FILE",
    help="Replay the schedule FILE written by `cspc explore --schedule-out' (ALT choices and timeouts).",
)
debug_option = click.option(
    "--debug", is_flag=True, help="Show Python tracebacks for internal and run-time errors."
)


def use_colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def report(diagnostics: list[Diagnostic]) -> None:
    colour = use_colour(sys.stderr)
    for diagnostic in diagnostics:
        click.echo(diagnostic.render(colour=colour), err=True)


def internal_error(exc: BaseException, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = str(exc) or type(exc).__name__
    click.echo(f"cspc: internal compiler error: {message}", err=True)
    if not debug:
        click.echo("(run again with --debug for the traceback; please report it)", err=True)
    sys.exit(EXIT_INTERNAL_ERROR)


def compile_or_exit(path: str, include_paths, debug: bool, warn: bool = True, **kwargs):
    """Compile ``path``; on failure print why and exit with the right status
    (its warnings too, unless ``warn`` is False)."""
    from cspc.compiler import compile_file

    try:
        result = compile_file(path, include_paths, **kwargs)
    except CompileError as exc:
        report(exc.diagnostics)
        sys.exit(EXIT_USER_ERROR)
    except Exception as exc:  # noqa: BLE001 -- InternalError or a crash: either way ours
        internal_error(exc, debug)
    if warn:
        report(result.warnings)
    return result


@click.group(
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="""\b
Examples:
  cspc run hello.csp                      compile (cached) and run
  cspc run --backend threads sim.csp      run on OS threads
  cspc compile hello.csp -o hello.py      write a standalone Python module
  python hello.py                         ... which runs like `cspc run`
  cspc check -W *.csp                     diagnostics only, with unused-name warnings
  cspc trace -v prog.csp                  run, printing each communication as it happens
  cspc graph prog.csp -o net.svg          draw the process network
""",
)
@click.version_option(cspc.__version__, prog_name="cspc")
def main() -> None:
    """cspc: compile occam programs (.csp) to Python and run them as CSP process networks.

    A program may bind a PROC or FUNCTION to Python with `#PRAGMA PYTHON
    "module:function"`: that Python runs with your rights, as any import
    does, so read a program's pragmas before you run it.
    """


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--backend",
    type=click.Choice(["greenlet", "threads"]),
    default=None,
    help="Scheduler: greenlets (default, or $CSPC_BACKEND) or OS threads.",
)
@click.option("--np", type=click.IntRange(min=1), default=None, metavar="N",
              help="Run on N MPI ranks (launches mpiexec; needs `pip install 'cspc[mpi]'`).")
@click.option("--placement", is_flag=True, help="Say on stderr which rank runs which process (with MPI).")
@schedule_option
@include_option
@debug_option
def run(file: str, backend: str | None, np: int | None, placement: bool, schedule: str | None, include_paths,
        debug: bool) -> None:
    """Compile FILE (using the cache) and run its main PROC.

    The main PROC is the last one with parameters (CHAN BYTE keyboard?,
    screen!, error!); they are bound to stdin, stdout and stderr.
    In a terminal the keyboard delivers each key as pressed, without echo.
    Run-time errors print `file:line:col: run-time error: ...` and exit 1.
    With --np N the main PROC's PAR is dealt out to N MPI ranks (see
    docs/distributed.md); the output is the same as on one.

    \b
    Examples:
      cspc run -I mylib prog.csp
      cspc run --np 4 --placement farm.csp
    """
    check_backend(backend)
    if np is not None and np > 1 and schedule is not None:
        click.echo("cspc: --schedule replays a run on one rank: it cannot be combined with --np", err=True)
        sys.exit(EXIT_USAGE_ERROR)
    if np is not None and np > 1:
        from cspc import mpirun

        compile_or_exit(file, include_paths, debug)  # report compile errors once, not per rank
        forwarded = [a for p in include_paths for a in ("-I", p)] + (["--debug"] if debug else [])
        try:
            sys.exit(mpirun.launch(np, file, forwarded, placement))
        except mpirun.NoMPI as exc:
            click.echo(f"cspc: {exc}", err=True)
            sys.exit(EXIT_USAGE_ERROR)
    if placement:
        os.environ["CSPC_PLACEMENT"] = "1"
    from cspc.mpirun import shows_warnings

    result = compile_or_exit(file, include_paths, debug, warn=shows_warnings())
    proc = main_proc_of(result, file, debug)
    if schedule is not None:
        if backend is not None:
            raise click.UsageError("--schedule replays on the explorer's own scheduler: leave out --backend")
        backend, policy, stdin = scheduled(schedule)
        sys.exit(run_main_proc(proc, backend, debug, policy=policy, stdin=stdin))
    sys.exit(run_main_proc(proc, backend, debug))


def scheduled(path: str):
    """``--schedule FILE``: the controlled scheduler replaying FILE, its ALT
    policy and the keyboard input the schedule was found with (cspc/explore.py)."""
    import io

    from cspc.explore import ScheduleError, schedule_backend

    try:
        backend, keyboard = schedule_backend(path, warn=lambda line: click.echo(line, err=True))
    except ScheduleError as exc:
        click.echo(f"cspc: {exc}", err=True)
        sys.exit(EXIT_USAGE_ERROR)
    return backend, backend.policy, io.BytesIO(keyboard)


def main_proc_of(result, file: str, debug: bool):
    """The compiled program's main PROC, its module run; exits if it has none."""
    if result.main is None:
        click.echo(
            f"{file}: error: no main PROC: the program needs a PROC with parameters "
            "(CHAN BYTE keyboard?, screen!, error!)",
            err=True,
        )
        sys.exit(EXIT_USER_ERROR)
    namespace = result.new_namespace()
    try:
        exec(result.code, namespace)
    except Exception as exc:  # noqa: BLE001 -- module set-up failing is a user error or a bug
        fail_at_run_time(exc, debug)
    return namespace[result.main]


def check_backend(backend: str | None) -> None:
    """The backend (``--backend``, else ``$CSPC_BACKEND``) is checked before the
    compile: an unknown one is a usage error, reported in one line."""
    from cspc.runtime.backends import UnknownBackend, resolve_name

    try:
        resolve_name(backend)
    except UnknownBackend as exc:
        click.echo(f"cspc: {exc}", err=True)
        sys.exit(EXIT_USAGE_ERROR)


def run_main_proc(proc, backend, debug: bool, tracer=None, policy=None, stdin=None) -> int:
    """Run the main PROC; with a ``tracer`` (see cspc.trace), trace the run and
    end the trace with how the run ended; ``policy`` is the run's ALT policy;
    ``stdin`` the keyboard's stream (default: standard input)."""
    from cspc.runtime.occam import EXIT_INTERRUPTED, INTERRUPTED, run_main

    try:
        run_main(proc, backend=backend, observer=tracer, policy=policy, stdin=stdin)
    except KeyboardInterrupt:
        flush_stdout()
        if tracer is not None:
            tracer.finish()
        click.echo(INTERRUPTED, err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 -- sorted by fail_at_run_time
        if tracer is not None:
            tracer.finish(exc, runtime_error_report(exc))
        fail_at_run_time(exc, debug)
    if tracer is not None:
        tracer.finish()
    return 0


def runtime_error_report(exc: BaseException) -> str | None:
    """The text `cspc run` prints for a run-time error, or None for anything else."""
    from cspc.runtime import occam

    return occam.format_runtime_error(exc) if occam.is_runtime_error(exc) else None


def fail_at_run_time(exc: BaseException, debug: bool) -> None:
    from cspc.runtime import occam

    if isinstance(exc, BrokenPipeError) or isinstance(exc.__cause__, BrokenPipeError):
        # Whoever read the output has gone: stop quietly, as `yes | head` does
        # (and keep Python from failing again as it flushes at exit).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    if not occam.is_runtime_error(exc):
        internal_error(exc, debug)
    flush_stdout()
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    click.echo(occam.format_runtime_error(exc), err=True)
    sys.exit(EXIT_USER_ERROR)


def flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass


@main.command(name="compile")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the result here (default: FILE with .py, or stdout for -o -).",
)
@click.option(
    "--emit",
    type=click.Choice(["py", "ast"]),
    default="py",
    show_default=True,
    help="py: a readable Python module; ast: a dump of its Python AST.",
)
@include_option
@debug_option
def compile_command(file: str, output: str | None, emit: str, include_paths, debug: bool) -> None:
    """Compile FILE to a standalone Python module.

    The module imports only cspc.runtime; `python OUT.py` runs the main PROC
    just as `cspc run` does, and each PROC is a function callable from Python.

    \b
    Examples:
      cspc compile prog.csp               writes prog.py
      cspc compile prog.csp -o - | less   prints the module
      cspc compile --emit ast prog.csp -o -
    """
    import ast

    result = compile_or_exit(file, include_paths, debug, use_cache=False)
    try:
        if emit == "ast":
            text = ast.dump(result.module, indent=2) + "\n"
        else:
            text = result.python_source()
    except CompileError as exc:  # a program Python cannot read back as text
        report(exc.diagnostics)
        sys.exit(EXIT_USER_ERROR)
    except Exception as exc:  # noqa: BLE001
        internal_error(exc, debug)
    if output is None:
        output = os.path.splitext(file)[0] + (".py" if emit == "py" else ".ast.txt")
    if output == "-":
        click.echo(text, nl=False)
        return
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    click.echo(f"cspc: wrote {output}", err=True)


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("-W", "--warn-unused", is_flag=True, help="Warn about names declared but never used.")
@include_option
@debug_option
def check(files, warn_unused: bool, include_paths, debug: bool) -> None:
    """Parse and check FILES; print diagnostics only (nothing is run).

    \b
    Example:
      cspc check -W prog.csp lib/*.csp
    """
    from cspc.compiler import check_file

    failed = False
    for file in files:
        try:
            warnings = check_file(file, include_paths, warn_unused=warn_unused)
        except CompileError as exc:
            report(exc.diagnostics)
            failed = True
            continue
        except Exception as exc:  # noqa: BLE001
            internal_error(exc, debug)
        report(warnings)
    sys.exit(EXIT_USER_ERROR if failed else 0)


def chart_path(ctx, param, value: str | None) -> str | None:
    """``--chart FILE``: FILE's suffix names the format; matplotlib must be there."""
    if value is None:
        return None
    from cspc.chart.draw import FORMATS, chart_format

    if chart_format(value) is None:
        raise click.BadParameter(f"{value!r}: the chart's format comes from its suffix: {', '.join(FORMATS)}")
    try:
        import matplotlib  # noqa: F401 -- only to say now, not after the run, that it is missing
    except ImportError:
        raise click.BadParameter("drawing a chart needs matplotlib: pip install 'cspc[chart]'") from None
    return value


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["csp", "json", "csv"]), default="csp", show_default=True,
    help="csp: numbered events `c.3'; json: one object per line; csv: a table.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
    help="Write the trace to FILE (default: standard error; the program's output stays on stdout).",
)
@click.option("-v", "--verbose", is_flag=True, help="Name each event's writer and reader and their .csp lines.")
@click.option("--limit", type=click.IntRange(min=0), default=None, metavar="N",
              help="Stop tracing after N events (the run goes on).")
@click.option("--channels", default=None, metavar="C,D",
              help="Only these channels (a name picks every element of a channel array).")
@click.option("--process", default=None, metavar="NAME",
              help="Only events NAME takes part in (NAME picks the copies `NAME i=...' too).")
@click.option(
    "--chart", type=click.Path(dir_okay=False, writable=True), default=None, callback=chart_path,
    help="Also draw the run as a sequence chart in FILE (.svg, .png or .pdf).",
)
@click.option("--chart-limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="Draw at most the first N events on the chart (default 100).")
@click.option(
    "--backend", type=click.Choice(["greenlet", "threads"]), default=None,
    help="Scheduler: greenlets (default, or $CSPC_BACKEND) or OS threads.",
)
@schedule_option
@include_option
@debug_option
def trace(file, fmt, output, verbose, limit, channels, process, chart, chart_limit, backend, schedule,
          include_paths, debug) -> None:
    """Run FILE and print its CSP trace: one event per communication, in order.

    Events are written as CSP writes them, channel.value: `c.3', a tagged
    message `c.move.3.4', a string `line.5."hello"', a byte `screen.'h''.
    The program runs as with `cspc run`: its output and exit status are the
    same.  A run that deadlocks or stops with a run-time error ends its trace
    with the report.

    \b
    Examples:
      cspc trace prog.csp
      cspc trace --verbose --channels c,d prog.csp
      cspc trace --format json -o run.jsonl prog.csp
      cspc trace --chart run.svg -o /dev/null prog.csp

    With --chart, the chart has a lifeline per process and an arrow per
    communication, numbered as in the trace (and filtered as it is by
    --channels and --process); an ALT's choice is marked in blue with the
    guards that were ready, and the processes a deadlock left blocked end in
    a red cross.
    """
    from cspc.trace import Protocols, Tracer

    check_backend(backend)
    if chart_limit is not None and chart is None:
        raise click.UsageError("--chart-limit needs --chart FILE")
    result = compile_or_exit(file, include_paths, debug, use_cache=False)
    proc = main_proc_of(result, file, debug)
    wanted = [c.strip() for c in channels.split(",") if c.strip()] if channels else None
    out = open(output, "w", encoding="utf-8") if output else sys.stderr
    try:
        protocols = Protocols(result.program)
        tracer = Tracer(out, protocols, format=fmt, verbose=verbose, limit=limit,
                        channels=wanted, process=process)
        observer, policy, stdin = tracer, None, None
        if schedule is not None:
            backend, policy, stdin = scheduled(schedule)
        if chart is not None:
            from cspc.chart import DEFAULT_LIMIT, ChartedTrace, ChartRecorder

            recorder = ChartRecorder(protocols, program=result.program, limit=chart_limit or DEFAULT_LIMIT,
                                     wanted=tracer.wanted)
            observer = ChartedTrace(tracer, recorder, chart, say=lambda line: click.echo(line, err=True))
            observer.policy.inner = policy or observer.policy.inner  # a schedule's decisions, recorded
            policy = observer.policy
        status = run_main_proc(proc, backend, debug, observer, policy, stdin)
        if chart is not None and observer.failed:
            status = status or EXIT_USER_ERROR
    finally:
        if output:
            out.close()
    sys.exit(status)


def keyboard_text(ctx, param, value: str | None) -> bytes:
    """``--input TEXT`` or ``--input @FILE``: what the keyboard channel delivers."""
    if value is None:
        return b""
    if value.startswith("@"):
        try:
            with open(value[1:], "rb") as f:
                return f.read()
        except OSError as exc:
            raise click.BadParameter(f"{value[1:]}: {exc.strerror}") from None
    return value.encode("utf-8").decode("unicode_escape").encode("latin-1")


@main.command(name="explore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--max-states", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Stop after this many distinct states.")
@click.option("--max-depth", type=click.IntRange(min=0), default=1_000, show_default=True,
              help="Follow at most this many ALT decisions in one run.")
@click.option("--max-time", type=click.FloatRange(min=0), default=50.0, show_default=True, metavar="SECONDS",
              help="Stop searching after this long (the verdict then says a bound was reached).")
@click.option("--input", "keyboard", default=None, callback=keyboard_text, metavar="TEXT|@FILE",
              help="What the keyboard delivers (escapes like \\n allowed), or @FILE's bytes.")
@click.option("--random", "random_runs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Instead of the exhaustive search, try N random schedules.")
@click.option("--pct", is_flag=True, help="With --random: PCT-style random priorities instead of uniform choices.")
@click.option("--seed", type=int, default=0, show_default=True, help="The seed of --random.")
@click.option("--all", "every", is_flag=True,
              help="Search on past the first finding and report each distinct one, each with its shortest "
                   "counterexample.")
@click.option("--json", "as_json", is_flag=True, help="Print the verdict and counterexample as JSON.")
@click.option("--schedule-out", type=click.Path(dir_okay=False, writable=True), default=None, metavar="FILE",
              help="Write the counterexample as a schedule that `cspc run --schedule FILE' replays.")
@include_option
@debug_option
def explore_command(file, max_states, max_depth, max_time, keyboard, random_runs, pct, seed, every, as_json,
                    schedule_out, include_paths, debug) -> None:
    """Run FILE under every schedule that can change its outcome; report a
    deadlock or run-time error with a shortest counterexample.

    Exit status: 0 explored exhaustively, nothing found; 1 a deadlock or
    run-time error found; 2 bad input; 4 a bound was reached, nothing found.

    \b
    Examples:
      cspc explore philosophers.csp
      cspc explore --all philosophers.csp
      cspc explore --schedule-out dead.json prog.csp && cspc run --schedule dead.json prog.csp
    """
    from cspc.explore import run_explore

    if pct and random_runs is None:
        raise click.UsageError("--pct needs --random N")
    if every and random_runs is not None:
        raise click.UsageError("--all is for the exhaustive search: leave out --random")
    try:
        result = compile_or_exit(file, include_paths, debug, use_cache=False)
        proc = main_proc_of(result, file, debug)
    except SystemExit as exc:  # a program that does not compile is bad input here: status 2
        sys.exit(EXIT_USAGE_ERROR if exc.code == EXIT_USER_ERROR else exc.code)
    sys.exit(run_explore(file, result.program, proc, keyboard=keyboard, max_states=max_states,
                         max_depth=max_depth, max_time=max_time, random_runs=random_runs, pct=pct, seed=seed,
                         as_json=as_json, schedule_out=schedule_out, every=every))


@main.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True), default=None,
              help="Write the picture to FILE: .svg, .png or .dot (default: DOT text on standard output, "
                   "or standard error with --run).")
@click.option("--expand", is_flag=True, help="Draw each copy of a replicated PAR (up to --limit copies).")
@click.option("--limit", type=click.IntRange(min=1), default=None, metavar="N",
              help="With --expand: a replicated PAR of more than N copies stays one node (default 64).")
@click.option("--run", "run_it", is_flag=True,
              help="Run FILE, and draw the network as the run left it: messages per channel, "
                   "and in red what a deadlock left blocked.")
@click.option(
    "--backend", type=click.Choice(["greenlet", "threads"]), default=None,
    help="With --run: greenlets (default, or $CSPC_BACKEND) or OS threads.",
)
@schedule_option
@include_option
@debug_option
def graph(file, output, expand, limit, run_it, backend, schedule, include_paths, debug) -> None:
    """Draw FILE's process network with Graphviz.

    Processes are boxes (a replicated PAR is one box with its count, or one
    per copy with --expand), channels are arrows from writer to reader, a
    process running a PAR is a box around its branches, and keyboard, screen
    and error sit at the edge.  SVG and PNG need Graphviz's `dot`; without
    it the DOT text is written beside.

    \b
    Examples:
      cspc graph prog.csp -o net.svg
      cspc graph --expand --limit 8 prog.csp -o net.png
      cspc graph --run prog.csp -o run.svg
      cspc graph --run --schedule dead.json prog.csp -o dead.svg
    """
    from cspc.graph import DEFAULT_LIMIT, network_of
    from cspc.graph.render import graph_format

    if output is not None and graph_format(output) is None:
        raise click.BadParameter(f"{output!r}: the picture's format comes from its suffix: .svg, .png or .dot",
                                 param_hint="'-o'")
    if limit is not None and not expand:
        raise click.UsageError("--limit needs --expand")
    if schedule is not None and not run_it:
        raise click.UsageError("--schedule needs --run")
    check_backend(backend)
    result = compile_or_exit(file, include_paths, debug, use_cache=False)
    proc = main_proc_of(result, file, debug)
    network = network_of(result, expand=expand, limit=limit or DEFAULT_LIMIT)
    if not run_it:
        sys.exit(0 if draw_network(network, output, sys.stdout) else EXIT_USER_ERROR)
    from cspc.graph.run import GraphedRun

    written = []
    observer = GraphedRun(network, lambda net: (flush_stdout(), written.append(draw_network(net, output, sys.stderr))))
    policy = stdin = None
    if schedule is not None:  # the run a `cspc explore --schedule-out' found
        backend, policy, stdin = scheduled(schedule)
    status = run_main_proc(proc, backend, debug, observer, policy, stdin)
    sys.exit(status or (0 if all(written) else EXIT_USER_ERROR))


def draw_network(network, output: str | None, stream) -> bool:
    """Write ``network`` to ``output`` (or its DOT text to ``stream``); False
    if the file could not be written (the user was told why)."""
    from cspc.graph.render import NoDot, dot_source, write

    if output is None:
        stream.write(dot_source(network))
        stream.flush()
        return True
    try:
        write(network, output)
    except NoDot as missing:
        click.echo(f"cspc: Graphviz's `dot` is not installed, so no {output}: wrote {missing.args[0]} instead",
                   err=True)
    except OSError as exc:
        click.echo(f"cspc: cannot write {output}: {exc.strerror or exc}", err=True)
        return False
    return True


if __name__ == "__main__":
    main()
