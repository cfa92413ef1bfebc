"""Drawing a :class:`~cspc.chart.record.Chart` with matplotlib (Agg, no display).

The picture: a box per lifeline along the top, a dashed line down from it,
and per row an arrow from writer to reader labelled with the event's number
and text as the trace writes them.  An arrow an ALT chose is drawn in blue
with a diamond at the choosing process and the choice's text beside it; a
SKIP or timeout choice is a diamond alone.  A lifeline a deadlock left
blocked ends in a red cross with what it waits for.  A chart cut at its
limit says so under the last row.  The format follows the file's suffix;
SVG keeps its text as text, so the labels can be searched.
"""

from __future__ import annotations

import os

from .record import Arrow, Chart, Choice

FORMATS = (".svg", ".png", ".pdf")

_COLUMN = 2.2  # inches between lifelines
_ROW = 0.34  # inches per row
_HEAD = 3.0  # rows above the first arrow: the lifelines' boxes
_ALT_COLOUR = "#1f5fbf"
_BLOCKED_COLOUR = "#c0111f"


def chart_format(path: str) -> str | None:
    """The suffix of ``path`` if it names a format the chart can be drawn in."""
    suffix = os.path.splitext(path)[1].lower()
    return suffix if suffix in FORMATS else None


def draw(chart: Chart, path: str) -> None:
    """Write ``chart`` to ``path`` (.svg, .png or .pdf)."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    columns = max(len(chart.lifelines), 1)
    tail = 2 + (1 if chart.blocked else 0) + (1 if chart.cut else 0) + (1 if chart.ending else 0)
    rows = _HEAD + len(chart.rows) + tail
    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 8}):
        fig = plt.figure(figsize=(max(columns * _COLUMN, 4.0), rows * _ROW))
        try:
            ax = fig.add_axes((0, 0, 1, 1))
            ax.set_xlim(-0.5, columns - 0.5)
            ax.set_ylim(rows, 0)
            ax.axis("off")
            _draw(ax, chart, end=_HEAD + len(chart.rows))
            fig.savefig(path, format=chart_format(path)[1:], metadata=_metadata(path), dpi=png_dpi(fig.get_size_inches()))
        finally:
            plt.close(fig)


def _draw(ax, chart: Chart, end: float) -> None:
    x = {line: i for i, line in enumerate(chart.lifelines)}
    for line, i in x.items():
        blocked = line in chart.blocked
        ax.text(i, 1.2, line, ha="center", va="center", fontweight="bold",
                bbox={"boxstyle": "round", "facecolor": "#f2f2f2",
                      "edgecolor": _BLOCKED_COLOUR if blocked else "#444444"})  # fmt: skip
        ax.plot([i, i], [2, end + 0.5], color="#999999", linestyle="--", linewidth=0.8)
        if blocked:
            ax.plot([i], [end + 0.5], marker="X", markersize=10, color=_BLOCKED_COLOUR)
            ax.text(i, end + 1.3, f"blocked: {chart.blocked[line]}", ha="center", va="center",
                    color=_BLOCKED_COLOUR)  # fmt: skip
    for n, row in enumerate(chart.rows):
        y = _HEAD + n
        if isinstance(row, Arrow):
            _arrow(ax, row, x[row.writer], x[row.reader], y)
        else:
            _choice(ax, row, x[row.process], y)
    notes = []
    if chart.cut:
        notes.append(chart.cut_note())
    if chart.ending:
        notes.append(chart.ending)
    for k, note in enumerate(notes):
        ax.text(-0.4, end + (2.3 if chart.blocked else 1.3) + k, note, ha="left", va="center",
                style="italic")  # fmt: skip


def _arrow(ax, arrow: Arrow, xw: int, xr: int, y: float) -> None:
    colour = _ALT_COLOUR if arrow.choice is not None else "black"
    label = f"{arrow.seq}  {arrow.event}"
    if xw == xr:  # a process and itself (a buffered channel it reads back): a loop
        ax.annotate("", xy=(xw, y + 0.3), xytext=(xw, y - 0.3), arrowprops={
            "arrowstyle": "->", "color": colour, "connectionstyle": "arc3,rad=-1.2"})  # fmt: skip
        ax.text(xw + 0.15, y, label, ha="left", va="center", color=colour)
    else:
        ax.annotate("", xy=(xr, y), xytext=(xw, y),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "shrinkA": 0, "shrinkB": 0})  # fmt: skip
        ax.text((xw + xr) / 2, y - 0.12, label, ha="center", va="bottom", color=colour)
    if arrow.choice is not None:
        at = xr if arrow.choice.process == arrow.reader else xw
        _choice(ax, arrow.choice, at, y, beside=True)


def _choice(ax, choice: Choice, at: int, y: float, beside: bool = False) -> None:
    ax.plot([at], [y], marker="D", markersize=6, color=_ALT_COLOUR)
    ax.text(at + 0.08, y + (0.32 if beside else 0), choice.text(), ha="left",
            va="center" if not beside else "top", color=_ALT_COLOUR, fontsize=7)  # fmt: skip


def png_dpi(size_inches) -> float:
    """Dots per inch for a PNG: 100, or fewer for a chart so long that its
    picture would pass the 65,536 pixels a side that the Agg renderer draws."""
    return min(100.0, 65_000 / max(size_inches))


def _metadata(path: str) -> dict:
    """No creation date in the file, so that the same run draws the same bytes."""
    suffix = chart_format(path)
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    return {}
