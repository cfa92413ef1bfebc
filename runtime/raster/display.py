"""Where miniraster's frames go, and the events that come back.

Chosen by the environment when the display opens:

* ``CSPC_RASTER``: ``window`` (a pygame window; pygame must be installed,
  ``pip install 'cspc[graphics]'``), ``headless`` (no window: frames are
  counted, and written out if ``CSPC_RASTER_FRAMES`` says where), or
  ``auto`` (the default: a window when pygame imports and a screen exists --
  on Linux, ``DISPLAY`` or ``WAYLAND_DISPLAY`` is set -- else headless).
* ``CSPC_RASTER_FRAMES=DIR``: every frame shown is also written to DIR as
  ``frame-000001.png``, ``frame-000002.png``, ... (DIR is created).
* ``CSPC_RASTER_LIMIT=N``: after N frames the run ends, successfully, with a
  note on stderr: how a headless run (a test, a recording) stops a program
  that would otherwise animate for ever.
* ``CSPC_RASTER_KEYS=TEXT``: key presses scripted for a run without a
  keyboard: after each frame, the next character of TEXT is reported as a
  RASTER.ET.KEYDOWN event (before the window's own events, if it has one).

The functions follow the ``#PRAGMA PYTHON`` calling convention of
cspc/lib/miniraster.module (reference parameters arrive with their old
values and come back as results): a display is an INT handle.
"""

from __future__ import annotations

import os
import sys

from cspc.runtime.errors import OccamError

from . import images

__all__ = ("open_display", "show", "poll", "has_events", "close")

# RASTER.ET, as raster.module declares them.
ET_QUIT, ET_KEYDOWN, ET_KEYUP = 1 << 2, 1 << 3, 1 << 4
ET_MOUSEBUTTONDOWN, ET_MOUSEBUTTONUP, ET_MOUSEMOTION, ET_EXPOSE = 1 << 5, 1 << 6, 1 << 7, 1 << 8

NO_EVENT = (False, 0, 0, 0, 0, 0)


def _env_limit() -> int | None:
    text = os.environ.get("CSPC_RASTER_LIMIT", "").strip()
    if not text:
        return None
    try:
        limit = int(text)
    except ValueError:
        raise OccamError(f"CSPC_RASTER_LIMIT wants a number of frames, not {text!r}") from None
    return max(limit, 1)


def _screen_exists() -> bool:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return True


def _want_window() -> bool:
    mode = os.environ.get("CSPC_RASTER", "auto").strip().lower() or "auto"
    if mode not in ("window", "headless", "auto"):
        raise OccamError(f"CSPC_RASTER is window, headless or auto, not {mode!r}")
    if mode == "headless":
        return False
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    try:
        import pygame  # noqa: F401 -- only whether it imports
    except ImportError:
        if mode == "window":
            raise OccamError("CSPC_RASTER=window needs pygame: pip install 'cspc[graphics]'") from None
        return False
    return mode == "window" or _screen_exists()


class Display:
    """One miniraster's output: a window or nothing, a frame counter, and
    perhaps a folder the frames are written to."""

    def __init__(self, title: str, width: int, height: int):
        self.size = (width, height)
        self.frames = 0
        self.limit = _env_limit()
        self.folder = os.environ.get("CSPC_RASTER_FRAMES") or None
        if self.folder:
            os.makedirs(self.folder, exist_ok=True)
        self.window = _Window(title, width, height) if _want_window() else None
        self.keys = os.environ.get("CSPC_RASTER_KEYS", "")
        self.keys_sent = 0

    def show(self, raster) -> None:
        self.frames += 1
        if self.window is not None:
            self.window.show(raster)
        if self.folder:
            path = os.path.join(self.folder, f"frame-{self.frames:06d}.png")
            with open(path, "wb") as f:
                f.write(images.png_bytes(raster))
        if self.limit is not None and self.frames >= self.limit:
            print(f"cspc: raster display stopped the run after {self.frames} frames (CSPC_RASTER_LIMIT)",
                  file=sys.stderr, flush=True)
            raise SystemExit(0)

    def poll(self):
        if self.keys_sent < min(self.frames, len(self.keys)):  # a scripted key is due
            self.keys_sent += 1
            return True, ET_KEYDOWN, ord(self.keys[self.keys_sent - 1]), 0, 0, 0
        return self.window.poll() if self.window is not None else NO_EVENT

    def has_events(self) -> bool:
        return self.window is not None or bool(self.keys)


class _Window:
    """A pygame window showing each frame as it comes."""

    def __init__(self, title: str, width: int, height: int):
        os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")  # its greeting would land in the program's output
        import pygame

        self.pygame = pygame
        pygame.display.init()
        self.surface = pygame.display.set_mode((width, height))
        pygame.display.set_caption(title)
        self.size = (width, height)
        self.pending = []

    def show(self, raster) -> None:
        pg = self.pygame
        # The fourth byte of a pixel is not alpha (KRoC's rasters leave it 0):
        # convert() to the window's own format drops it, so the blit is opaque.
        image = pg.image.frombuffer(images.pixel_bytes(raster), self.size, "BGRA").convert()
        self.surface.blit(image, (0, 0))
        pg.display.flip()
        self.pending.extend(pg.event.get())

    def poll(self):
        if not self.pending:
            self.pending.extend(self.pygame.event.get())
        while self.pending:
            event = self._translate(self.pending.pop(0))
            if event is not None:
                return event
        return NO_EVENT

    def _translate(self, e):
        """A pygame event as (got, type, id, mod, x, y), or None for one miniraster does not pass on."""
        pg = self.pygame
        if e.type == pg.QUIT:
            return True, ET_QUIT, 0, 0, 0, 0
        if e.type in (pg.KEYDOWN, pg.KEYUP):
            kind = ET_KEYDOWN if e.type == pg.KEYDOWN else ET_KEYUP
            key = ord(e.unicode) if getattr(e, "unicode", "") and len(e.unicode) == 1 else e.key
            return True, kind, key, e.mod, 0, 0
        if e.type in (pg.MOUSEBUTTONDOWN, pg.MOUSEBUTTONUP):
            kind = ET_MOUSEBUTTONDOWN if e.type == pg.MOUSEBUTTONDOWN else ET_MOUSEBUTTONUP
            return True, kind, e.button, pg.key.get_mods(), e.pos[0], e.pos[1]
        if e.type == pg.MOUSEMOTION:
            return True, ET_MOUSEMOTION, 0, pg.key.get_mods(), e.pos[0], e.pos[1]
        if e.type in (getattr(pg, "VIDEOEXPOSE", -1), getattr(pg, "WINDOWEXPOSED", -1)):
            return True, ET_EXPOSE, 0, 0, 0, 0
        return None


_displays: dict[int, Display] = {}


def open_display(title, width, height, _display_before):
    """A new display for frames of ``width`` by ``height``: its handle (the
    PROC's INT parameter, whose old value is of no interest)."""
    name = bytes(title).split(b"\0", 1)[0].decode("utf-8", "replace")
    handle = len(_displays) + 1
    _displays[handle] = Display(name, width, height)
    return handle


def _display(handle) -> Display:
    display = _displays.get(handle)
    if display is None:
        raise OccamError(f"no raster display {handle} is open")
    return display


def show(handle, raster):
    """Show ``raster`` as the display's next frame."""
    _display(handle).show(raster)


def poll(handle, *_before):
    """The display's next event, if one is waiting: (got, type, id, mod, x, y),
    the PROC's reference parameters (their old values are of no interest)."""
    return _display(handle).poll()


def close(handle):
    """Close the display (its window, if it has one)."""
    display = _displays.pop(handle, None)
    if display is not None and display.window is not None:
        display.window.pygame.display.quit()


def has_events(handle):
    """Whether the display may have events to poll for: it is a window, or
    has scripted keys."""
    return _display(handle).has_events()
