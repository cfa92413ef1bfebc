"""Drawing on rasters: the bodies of rastergraphics.module's routines.

Each function follows the calling convention of a compiled PROC bound by
``#PRAGMA PYTHON``: a raster (``[][]INT``) is changed in place, VAL
parameters arrive as values, and the function returns the new values of the
PROC's scalar reference parameters (for a FUNCTION, its results).  Shapes
are clipped at the raster's edges, so drawing partly (or wholly) outside it
is not an error, as in KRoC.

An ANGLE is an INT measuring a whole turn as 2**32, so it wraps as a TIMER
does; the CORDIC routines convert between that and radians.
"""

from __future__ import annotations

import math

__all__ = (
    "clear_raster", "fill_rectangle", "fill_circle", "draw_line", "circle_hits",
    "cordic", "cidroc",
)  # fmt: skip

TURN = 1 << 32
RADIANS_PER_UNIT = 2 * math.pi / TURN
CIRCLE_SAMPLES = 64  # points of the circumference that circle.hits looks at


def _int32(n: int) -> int:
    """``n`` wrapped to a 32-bit signed INT."""
    return ((n + (1 << 31)) % TURN) - (1 << 31)


def clear_raster(raster, colour):
    """Every pixel becomes ``colour``."""
    for row in raster:
        row[:] = [colour] * len(row)


def fill_rectangle(x, y, width, height, colour, raster):
    """The rectangle of ``width`` by ``height`` pixels whose top left corner is (x, y)."""
    rows = len(raster)
    cols = len(raster[0]) if rows else 0
    left, right = max(x, 0), min(x + width, cols)
    top, bottom = max(y, 0), min(y + height, rows)
    if left >= right or top >= bottom:
        return
    run = [colour] * (right - left)
    for row in raster[top:bottom]:
        row[left:right] = run


def fill_circle(x, y, r, colour, raster):
    """The disc of radius ``r`` around (x, y): the pixels (i, j) from it with
    i*i + j*j <= r*r + r, which rounds the radius to the nearest half pixel
    (plain r*r leaves a lone pixel at each of the four poles)."""
    if r < 0:
        return
    rows = len(raster)
    cols = len(raster[0]) if rows else 0
    limit = r * r + r
    for i in range(max(-r, -y), min(r, rows - 1 - y) + 1):
        half = math.isqrt(limit - i * i)
        left, right = max(x - half, 0), min(x + half + 1, cols)
        if left < right:
            raster[y + i][left:right] = [colour] * (right - left)


def draw_line(x0, y0, dx, dy, stop, colour, raster):
    """A straight line from (x0, y0) to (x0 + dx, y0 + dy), a pixel per step
    along its longer axis (Bresenham's rule), in ``colour``.  It ends early at
    the first pixel that already has the colour ``stop``, or at the raster's
    edge; returns the last pixel drawn, which is (x0, y0) itself when the line
    starts outside the raster or on a ``stop`` pixel."""
    rows = len(raster)
    cols = len(raster[0]) if rows else 0
    steps = max(abs(dx), abs(dy))
    sx = 1 if dx >= 0 else -1
    sy = 1 if dy >= 0 else -1
    ax, ay = abs(dx), abs(dy)
    x, y = x0, y0
    last = (x0, y0)
    error = 0
    for _ in range(steps + 1):
        if not (0 <= x < cols and 0 <= y < rows) or raster[y][x] == stop:
            break
        raster[y][x] = colour
        last = (x, y)
        if ax >= ay:
            x += sx
            error += 2 * ay
            if error > ax:
                y += sy
                error -= 2 * ax
        else:
            y += sy
            error += 2 * ax
            if error > ay:
                x += sx
                error -= 2 * ay
    return last


def circle_hits(x, y, radius, colour, raster):
    """Whether the circle of ``radius`` around (x, y) touches a pixel of
    ``colour`` (looking at points spread round its circumference), or does
    not fit inside the raster at all (its edge counts as an obstacle)."""
    rows = len(raster)
    cols = len(raster[0]) if rows else 0
    if x < radius or y < radius or x + radius >= cols or y + radius >= rows:
        return True
    for k in range(CIRCLE_SAMPLES):
        a = 2 * math.pi * k / CIRCLE_SAMPLES
        px = x + round(radius * math.cos(a))
        py = y + round(radius * math.sin(a))
        if raster[py][px] == colour:
            return True
    return False


def cordic(x, y, theta):
    """The vector (x, y) rotated through the ANGLE ``theta`` (rounded to whole units)."""
    a = theta * RADIANS_PER_UNIT
    c, s = math.cos(a), math.sin(a)
    return _int32(round(x * c - y * s)), _int32(round(x * s + y * c))


def cidroc(x, y):
    """The polar form of (x, y): its length and its direction as an ANGLE."""
    return _int32(round(math.hypot(x, y))), _int32(round(math.atan2(y, x) / RADIANS_PER_UNIT))
