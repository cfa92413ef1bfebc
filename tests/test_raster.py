"""The graphics library (cspc/lib/raster.module, rastergraphics.module,
rasterio.module, miniraster.module over cspc.runtime.raster): occam programs
that draw and check pixels, files written and read back, the display run
headless (and as a pygame window on SDL's dummy driver), on both backends.

KRoC's robot exercises (cylons.occ, robots-sei.occ) run here too when the
folder holding them is named by CSPC_KROC_COURSE; the repository has no
copy of them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from course_support import main_program, outputs, run
from cspc_cli import run_cspc

from cspc.runtime.errors import OccamError
from cspc.runtime.raster import display, draw, images

GRAPHICS = '#INCLUDE "course.module"\n#INCLUDE "rastergraphics.module"\n#INCLUDE "rasterio.module"'
HEADLESS = {"CSPC_RASTER": "headless", "SDL_VIDEODRIVER": "dummy"}


def run_graphics(tmp_path, source, backend, stdin=b"", **env):
    """``cspc run`` of ``source`` with the display settings in ``env``."""
    path = tmp_path / "prog.csp"
    path.write_text(source)
    settings = {**HEADLESS, "CSPC_CACHE_DIR": str(tmp_path / "cache"), **env}
    return run_cspc("run", "--backend", backend, str(path), stdin=stdin, **settings)


def show(label: str, value: str) -> str:
    """An occam process printing ``{label|value|}`` (value an INT expression)."""
    return f'out.string ("{{{label}|", 0, screen!)\nout.int ({value}, 0, screen!)\nout.string ("|}}*n", 0, screen!)'


def show_bool(label: str, value: str) -> str:
    return f'out.string ("{{{label}|", 0, screen!)\nout.bool ({value}, 0, screen!)\nout.string ("|}}*n", 0, screen!)'


# --------------------------------------------------------------------------- drawing


DRAWING = (
    """
RASTER r:
INT x, y:
SEQ
  r := MOBILE [20][30]INT
  clear.raster (r, COLOUR.BLUE)
  fill.rectangle (2, 3, 4, 5, COLOUR.RED, r)
  fill.rectangle (25, -5, 10, 8, COLOUR.YELLOW, r)   -- clipped at the top and right
  fill.circle (20, 10, 3, COLOUR.GREEN, r)
  fill.circle (-100, -100, 3, COLOUR.WHITE, r)       -- wholly outside: nothing
"""
    + "\n".join(
        "  " + line
        for step in [
            show("clear", "r[19][0]"),
            show("rect.corner", "r[3][2]"),
            show("rect.far", "r[7][5]"),
            show("rect.after", "r[8][5]"),
            show("clip.rect", "r[2][29]"),
            show("clip.below", "r[3][29]"),
            show("disc.east", "r[10][23]"),
            show("disc.outside", "r[10][24]"),
            show("disc.corner", "r[12][22]"),  # 2*2 + 2*2 = 8 <= 3*3 + 3
            show("disc.beyond", "r[13][22]"),  # 3*3 + 2*2 = 13 > 12
            show_bool("hits.clear", "circle.hits (20, 10, 5, COLOUR.GREEN, r)"),
            show_bool("hits.touch", "circle.hits (20, 10, 3, COLOUR.GREEN, r)"),
            show_bool("hits.edge", "circle.hits (1, 10, 3, COLOUR.GREEN, r)"),
            "x, y := 0, 10\ndraw.line (x, y, 29, 0, COLOUR.GREEN, COLOUR.WHITE, r)",
            show("line.stops.x", "x"),
            show("line.drawn", "r[10][16]"),
            "x, y := 0, 0\ndraw.line (x, y, 50, 50, COLOUR.GREEN, COLOUR.WHITE, r)",
            show("line.edge.y", "y"),
            show("line.diagonal", "r[5][5]"),
            "x, y := -1, 0\ndraw.line (x, y, 5, 0, COLOUR.GREEN, COLOUR.WHITE, r)",
            show("line.outside.x", "x"),
        ]
        for line in step.splitlines()
    )
)

DRAWING_EXPECTED = {
    "clear": b"255", "rect.corner": b"16711680", "rect.far": b"16711680", "rect.after": b"255",
    "clip.rect": b"16776960", "clip.below": b"255", "disc.east": b"65280", "disc.outside": b"255",
    "disc.corner": b"65280", "disc.beyond": b"255", "hits.clear": b"FALSE", "hits.touch": b"TRUE",
    "hits.edge": b"TRUE", "line.stops.x": b"16", "line.drawn": b"16777215", "line.edge.y": b"19",
    "line.diagonal": b"16777215", "line.outside.x": b"-1",
}  # fmt: skip


def test_drawing_changes_the_pixels_it_should(tmp_path, backend):
    result = run(tmp_path, main_program(DRAWING, GRAPHICS), backend)
    assert result.returncode == 0, result.stderr.decode()
    assert outputs(result.stdout) == DRAWING_EXPECTED


ANGLES = "\n".join(
    [
        "INT dx, dy, length:",
        "ANGLE a:",
        "SEQ",
        "  dx, dy := CORDIC (100, 0, ANGLE.RIGHT)",
        *("  " + line for line in (show("cordic.x", "dx") + "\n" + show("cordic.y", "dy")).splitlines()),
        "  dx, dy := CORDIC (0, 100, 45 * ANGLE.DEGREE)",
        *("  " + line for line in (show("cordic45.x", "dx") + "\n" + show("cordic45.y", "dy")).splitlines()),
        "  length, a := CIDROC (-3, -4)",
        *("  " + line for line in show("cidroc.length", "length").splitlines()),
        *("  " + line for line in show("cidroc.degrees", "(INT a) / (INT ANGLE.DEGREE)").splitlines()),
        "  a := ANGLE.STRAIGHT + ANGLE.STRAIGHT",  # a whole turn wraps to 0
        *("  " + line for line in show("wraps", "INT a").splitlines()),
        *("  " + line for line in show("opposite", "INT (~ANGLE.RIGHT)").splitlines()),
        *("  " + line for line in show_bool("behind", "(-ANGLE.DEGREE) < 0").splitlines()),
        *("  " + line for line in show_bool("ahead", "(ANGLE.STRAIGHT - ANGLE.DEGREE) > 0").splitlines()),
        *("  " + line for line in show("scaled", "INT ((ANGLE.RIGHT / 2) * 3)").splitlines()),
        *("  " + line for line in show("colour", "pack.colour (#12, #34, #56)").splitlines()),
    ]
)

ANGLES_EXPECTED = {
    "cordic.x": b"0", "cordic.y": b"100", "cordic45.x": b"-71", "cordic45.y": b"71",
    "cidroc.length": b"5", "cidroc.degrees": b"-126", "wraps": b"0", "opposite": b"-1073741824",
    "behind": b"TRUE", "ahead": b"TRUE", "scaled": b"1610612736", "colour": b"1193046",
}  # fmt: skip


def test_angles_wrap_and_the_cordic_routines_rotate(tmp_path, backend):
    result = run(tmp_path, main_program(ANGLES, GRAPHICS), backend)
    assert result.returncode == 0, result.stderr.decode()
    assert outputs(result.stdout) == ANGLES_EXPECTED


def test_draw_line_returns_its_start_when_it_starts_on_the_stop_colour():
    raster = [[7] * 5 for _ in range(5)]
    assert draw.draw_line(2, 2, 2, 0, 7, 1, raster) == (2, 2)
    assert raster[2] == [7] * 5


# --------------------------------------------------------------------------- files


def test_rasters_written_as_png_read_back_the_same(tmp_path, backend):
    picture = tmp_path / "pic.png"
    body = f"""
    RASTER r, back:
    SEQ
      r := MOBILE [6][9]INT
      clear.raster (r, #102030)
      fill.rectangle (1, 1, 3, 2, COLOUR.ORANGE, r)
      write.raster ("{picture}", r)
      write.raster ("{tmp_path / 'pic.ppm'}", r)
      read.raster ("{picture}", back)
      INITIAL INT differ IS 0:
      SEQ
        SEQ y = 0 FOR SIZE r
          SEQ x = 0 FOR SIZE r[0]
            IF
              back[y][x] <> r[y][x]
                differ := differ + 1
              TRUE
                SKIP
        out.int (differ, 0, screen!)
        out.int (SIZE back[0], 2, screen!)
        out.int (back[1][3], 9, screen!)
    """
    result = run(tmp_path, main_program(body, GRAPHICS), backend)
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"0 9 16752640"
    ppm = (tmp_path / "pic.ppm").read_bytes()
    assert ppm.startswith(b"P6\n9 6\n255\n") and ppm[11:14] == bytes([0x10, 0x20, 0x30])
    assert len(ppm) == 11 + 9 * 6 * 3


def test_a_raster_file_of_unknown_kind_is_a_run_time_error(tmp_path, backend):
    body = """
    RASTER r:
    SEQ
      r := MOBILE [2][2]INT
      write.raster ("picture.gif", r)
    """
    result = run(tmp_path, main_program(body, GRAPHICS), backend)
    assert result.returncode == 1
    err = result.stderr.decode()
    assert "prog.csp:9" in err and "picture.gif" in err and "neither .png nor .ppm" in err


def test_write_rasters_numbers_its_files(tmp_path, backend):
    body = f"""
    CHAN RASTER a, b:
    PAR
      SEQ i = 0 FOR 3
        RASTER r:
        SEQ
          r := MOBILE [2][3]INT
          clear.raster (r, i)
          a ! r
      write.rasters ("{tmp_path}/shot-", ".png", a?, b!)
      SEQ i = 0 FOR 3
        RASTER r:
        SEQ
          b ? r
          out.int (r[0][0], 0, screen!)
    """
    result = run(tmp_path, main_program(body, GRAPHICS), backend)
    # write.rasters runs for ever, as in KRoC: once the rasters are through,
    # it waits for another, which is a deadlock the run reports.
    assert b"deadlock" in result.stderr, result.stderr.decode()
    assert result.stdout == b"012"
    names = sorted(p.name for p in tmp_path.glob("shot-*.png"))
    assert names == ["shot-000000.png", "shot-000001.png", "shot-000002.png"]
    assert images.decode_png((tmp_path / "shot-000002.png").read_bytes()) == [[2, 2, 2], [2, 2, 2]]


# --------------------------------------------------------------------------- the display

RING = """#INCLUDE "course.module"
#INCLUDE "rastergraphics.module"
#INCLUDE "miniraster.module"

-- A square that moves one pixel right per frame, on rasters going round a ring.
PROC painter (CHAN RASTER in?, out!)
  INITIAL INT frame IS 0:
  WHILE TRUE
    RASTER r:
    SEQ
      in ? r
      clear.raster (r, COLOUR.NAVY)
      fill.square (frame, 2, 3, COLOUR.WHITE, r)
      out ! r
      frame := frame + 1
:

PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN RASTER blank, painted:
  CHAN RASTER.EVENT events:
  PAR
    miniraster ("ring", 16, 8, 1, painted?, blank!, events!)
    painter (blank?, painted!)
    SEQ
      out.string ("started*n", 0, screen!)
      RASTER.EVENT e:
      events ? e
:
"""


def test_the_display_headless_writes_each_frame(tmp_path, backend):
    frames = tmp_path / "frames"
    result = run_graphics(tmp_path, RING, backend, CSPC_RASTER_LIMIT="4", CSPC_RASTER_FRAMES=str(frames))
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"started\n"
    assert "stopped the run after 4 frames" in result.stderr.decode()
    names = sorted(p.name for p in frames.iterdir())
    assert names == [f"frame-00000{n}.png" for n in range(1, 5)]
    for n, name in enumerate(names):
        picture = images.decode_png((frames / name).read_bytes())
        assert len(picture) == 8 and len(picture[0]) == 16
        assert picture[2][n] == 0xFFFFFF and picture[2][n + 3] == 0x000080, name
        assert n == 0 or picture[2][n - 1] == 0x000080, name


def test_without_a_limit_the_headless_ring_runs_until_stopped(tmp_path, backend):
    """Headless, no event ever comes; the ring goes on, frame after frame,
    rather than being reported as a deadlock, until it is killed."""
    import time

    path = tmp_path / "prog.csp"
    path.write_text(RING)
    frames = tmp_path / "frames"
    env = {**os.environ, **HEADLESS, "CSPC_CACHE_DIR": str(tmp_path / "cache"), "CSPC_RASTER_FRAMES": str(frames)}
    env.pop("CSPC_RASTER_LIMIT", None)
    proc = subprocess.Popen([sys.executable, "-m", "cspc", "run", "--backend", backend, str(path)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if frames.is_dir() and len(list(frames.iterdir())) >= 5:
                break
            time.sleep(0.05)
        assert proc.poll() is None, proc.stderr.read().decode()
        assert len(list(frames.iterdir())) >= 5
    finally:
        proc.kill()
        proc.communicate()


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("CSPC_RASTER", "screen", "CSPC_RASTER is window, headless or auto, not 'screen'"),
        ("CSPC_RASTER_LIMIT", "lots", "CSPC_RASTER_LIMIT wants a number of frames, not 'lots'"),
    ],
)
def test_bad_display_settings_are_run_time_errors(tmp_path, variable, value, message):
    result = run_graphics(tmp_path, RING, "greenlet", **{variable: value})
    assert result.returncode == 1
    err = result.stderr.decode()
    assert message in err and "prog.csp:22" in err, err


def test_the_display_as_a_window(tmp_path, backend):
    pytest.importorskip("pygame")
    result = run_graphics(tmp_path, RING, backend, CSPC_RASTER="window", CSPC_RASTER_LIMIT="3")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"started\n"  # and not pygame's greeting


def test_a_window_reports_keys_and_closing(monkeypatch):
    pygame = pytest.importorskip("pygame")
    monkeypatch.setenv("SDL_VIDEODRIVER", "dummy")
    monkeypatch.setenv("CSPC_RASTER", "window")
    monkeypatch.delenv("CSPC_RASTER_FRAMES", raising=False)
    monkeypatch.delenv("CSPC_RASTER_LIMIT", raising=False)
    handle = display.open_display(b"test", 8, 4, 0)
    try:
        assert display.has_events(handle)
        while display.poll(handle, False, 0, 0, 0, 0, 0)[0]:
            pass  # whatever SDL queued as the window opened
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_q, unicode="q", mod=0))
        pygame.event.post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, button=1, pos=(3, 2)))
        pygame.event.post(pygame.event.Event(pygame.QUIT))
        got = [display.poll(handle, False, 0, 0, 0, 0, 0) for _ in range(3)]
        assert got[0] == (True, display.ET_KEYDOWN, ord("q"), 0, 0, 0)
        assert got[1][:3] == (True, display.ET_MOUSEBUTTONDOWN, 1) and got[1][4:] == (3, 2)
        assert got[2] == (True, display.ET_QUIT, 0, 0, 0, 0)
        picture = [[0x0000FF] * 8 for _ in range(4)]
        picture[1][5] = 0xFF8000
        display.show(handle, picture)
        window = pygame.display.get_surface()
        assert tuple(window.get_at((0, 0)))[:3] == (0, 0, 255)
        assert tuple(window.get_at((5, 1)))[:3] == (255, 128, 0)
    finally:
        display.close(handle)


# --------------------------------------------------------------------------- KRoC's robot exercises

COURSE = os.environ.get("CSPC_KROC_COURSE")
ROBOTS = [
    # (file, keyboard answers: one type of robot, brain version, default size)
    ("cylons.occ", b"n0\ny"),
    ("robots-sei.occ", b"n1\n"),
]


def course_file(name: str) -> Path:
    if not COURSE:
        pytest.skip("set CSPC_KROC_COURSE to a folder holding KRoC's course exercises")
    path = Path(COURSE) / name
    if not path.exists():
        pytest.skip(f"{name} is not in CSPC_KROC_COURSE")
    return path


@pytest.mark.parametrize(("name", "answers"), ROBOTS)
def test_robot_exercise_checks(name, answers):
    result = run_cspc("check", str(course_file(name)))
    assert result.returncode == 0, result.stderr.decode()
    assert b"error" not in result.stderr


@pytest.mark.parametrize(("name", "answers"), ROBOTS)
def test_robot_exercise_runs_headless(tmp_path, backend, name, answers):
    path = course_file(name)
    frames = tmp_path / "frames"
    env = {**HEADLESS, "CSPC_RASTER_LIMIT": "6", "CSPC_RASTER_FRAMES": str(frames),
           "CSPC_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
    result = run_cspc("run", "--backend", backend, str(path), stdin=answers, **env)
    assert result.returncode == 0, result.stderr.decode()
    assert b"Robot (v3)" in result.stdout
    last = images.decode_png((frames / "frame-000006.png").read_bytes())
    colours = {pixel for row in last for pixel in row}
    # the scene (black and white), the scanning rays (yellow) and the robots
    assert {0x000000, 0xFFFFFF, 0xFFFF00} <= colours and len(colours) > 4


# --------------------------------------------------------------------------- choosing the display


def test_auto_chooses_a_window_only_where_a_screen_and_pygame_exist(monkeypatch):
    pytest.importorskip("pygame")
    monkeypatch.setattr(display.sys, "platform", "linux")
    monkeypatch.delenv("CSPC_RASTER", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert display._want_window() is False
    monkeypatch.setenv("DISPLAY", ":0")
    assert display._want_window() is True
    monkeypatch.setenv("CSPC_RASTER", "headless")
    assert display._want_window() is False


def test_without_pygame_auto_is_headless_and_window_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "pygame", None)  # `import pygame` now fails
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("CSPC_RASTER", "auto")
    assert display._want_window() is False
    monkeypatch.setenv("CSPC_RASTER", "window")
    with pytest.raises(OccamError, match=r"CSPC_RASTER=window needs pygame: pip install 'cspc\[graphics\]'"):
        display._want_window()


KEYS = """#INCLUDE "course.module"
#INCLUDE "rastergraphics.module"
#INCLUDE "miniraster.module"

-- Frames 20 ms apart; every key event is printed, as the robots' handler sees it.
PROC slow.painter (CHAN RASTER in?, out!)
  TIMER tim:
  INT t:
  WHILE TRUE
    RASTER r:
    SEQ
      in ? r
      tim ? t
      tim ? AFTER t PLUS 20000
      out ! r
:

PROC keys (CHAN RASTER.EVENT events?, CHAN BYTE screen!)
  WHILE TRUE
    RASTER.EVENT e:
    SEQ
      events ? e
      CASE e[type]
        RASTER.ET.KEYDOWN
          SEQ
            screen ! BYTE e[id]
            screen ! FLUSH
        ELSE
          SKIP
:

PROC main (CHAN BYTE keyboard?, screen!, error!)
  CHAN RASTER blank, painted:
  CHAN RASTER.EVENT events:
  PAR
    miniraster ("keys", 4, 4, 1, painted?, blank!, events!)
    slow.painter (blank?, painted!)
    keys (events?, screen!)
:
"""


def test_scripted_keys_reach_the_program_as_key_events(tmp_path, backend):
    result = run_graphics(tmp_path, KEYS, backend, CSPC_RASTER_KEYS="q x", CSPC_RASTER_LIMIT="12")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == b"q x"


def test_a_raster_allocated_at_once_has_rows_of_its_own():
    from cspc.runtime import occam

    r = occam.allocate([3, 2], 0)
    r[0][1] = 7
    assert r == [[0, 7], [0, 0], [0, 0]]
    assert occam.allocate([2, 0], 0) == [[], []]
    with pytest.raises(OccamError, match=r"array size is negative \(-1\)"):
        occam.allocate([2, -1], 0)


def test_a_cloned_raster_is_a_copy_and_records_stay_deep_copies():
    from cspc.runtime import occam

    raster = [[1, 2], [3, 4]]
    clone = occam.copy(raster)
    clone[0][0] = 9
    assert raster == [[1, 2], [3, 4]] and clone == [[9, 2], [3, 4]]
    record = [5, [6, 7]]  # a record whose second field is an array
    copied = occam.copy(record)
    copied[1][0] = 0
    assert record == [5, [6, 7]]
