"""``cspc trace --chart``: a run drawn as a message sequence chart.

:mod:`.record` builds the chart's data model while the program runs (an
observer and an ALT policy that only watch); :mod:`.draw` turns it into a
picture with matplotlib once the run is over.  :class:`ChartedTrace` is
what the CLI runs with: the trace and the chart side by side.
"""

from __future__ import annotations

from .record import DEFAULT_LIMIT, Arrow, Chart, ChartRecorder, Choice, RecordingPolicy

__all__ = ["DEFAULT_LIMIT", "Arrow", "Chart", "ChartRecorder", "Choice", "RecordingPolicy", "ChartedTrace"]


class ChartedTrace:
    """An observer that hands each communication to a tracer and to a chart
    recorder, and draws the chart to ``path`` when the run ends.

    ``policy`` is the ALT policy the run must be given, for the chart's
    ALT marks."""

    def __init__(self, tracer, recorder: ChartRecorder, path: str, say) -> None:
        self.tracer = tracer
        self.recorder = recorder
        self.policy = RecordingPolicy(recorder)
        self.path = path
        self.say = say  # one line to the user: the note that the chart was cut
        self.failed = False  # the chart could not be written (and the user was told)

    def communicated(self, channel, value, writer, reader) -> None:
        self.tracer.communicated(channel, value, writer, reader)
        self.recorder.communicated(channel, value, writer, reader)

    def finish(self, ending: BaseException | None = None, report: str | None = None) -> None:
        from .draw import draw

        self.tracer.finish(ending, report)
        self.recorder.finish(ending, report)
        chart = self.recorder.chart
        if chart.cut:
            self.say(f"cspc: {chart.cut_note()}")
        try:
            draw(chart, self.path)
        except OSError as exc:
            self.say(f"cspc: cannot write the chart to {self.path}: {exc.strerror or exc}")
            self.failed = True
