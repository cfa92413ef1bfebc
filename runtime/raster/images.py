"""Rasters as image files: the bodies of rasterio.module's routines.

PNG is written and read with the standard library alone (zlib), so headless
runs need no pygame: 8-bit RGB, no interlacing; reading accepts the
8-bit RGB and RGBA images this module and most tools write.  PPM is the
binary ``P6`` form.  A name ending in neither is refused with an occam
run-time error naming it, where KRoC's CAUSEERROR names nothing.
"""

from __future__ import annotations

import os
import struct
import sys
import zlib
from array import array

from cspc.runtime.errors import OccamError

__all__ = ("write_raster", "read_raster", "png_bytes", "decode_png", "pixel_bytes", "rgb_bytes")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _name(text) -> str:
    return os.fsdecode(bytes(text).split(b"\0", 1)[0])


def pixel_bytes(raster) -> bytes:
    """The pixels, row after row, as 32-bit words in the machine's byte order
    (the layout pygame reads as "BGRA" on a little-endian machine)."""
    words = array("i")
    for row in raster:
        words.extend(row)
    if sys.byteorder == "big":
        words.byteswap()
    return words.tobytes()


def rgb_bytes(raster) -> bytes:
    """The pixels as red, green, blue bytes, row after row."""
    words = pixel_bytes(raster)  # B, G, R, A per pixel
    rgb = bytearray(len(words) // 4 * 3)
    rgb[0::3], rgb[1::3], rgb[2::3] = words[2::4], words[1::4], words[0::4]
    return bytes(rgb)


def _rgb_rows(raster):
    width = len(raster[0]) if raster else 0
    data = rgb_bytes(raster)
    return [data[i:i + 3 * width] for i in range(0, len(data), 3 * width)] if width else []


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png_bytes(raster) -> bytes:
    """The raster as the bytes of a PNG file."""
    height = len(raster)
    width = len(raster[0]) if height else 0
    scanlines = b"".join(b"\0" + line for line in _rgb_rows(raster))  # filter 0 on every line
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(scanlines, 6)) + _chunk(b"IEND", b"")


def _ppm_bytes(raster) -> bytes:
    height = len(raster)
    width = len(raster[0]) if height else 0
    return f"P6\n{width} {height}\n255\n".encode() + b"".join(_rgb_rows(raster))


def write_raster(filename, raster):
    """write.raster: the format from the name's ending (.png or .ppm)."""
    name = _name(filename)
    if name.endswith(".png"):
        data = png_bytes(raster)
    elif name.endswith(".ppm"):
        data = _ppm_bytes(raster)
    else:
        raise OccamError(f"write.raster: {name!r} ends in neither .png nor .ppm")
    with open(name, "wb") as f:
        f.write(data)


def _unfilter(kind: int, line: bytearray, previous: bytes, bpp: int) -> bytearray:
    """PNG's five line filters undone (the spec's own definitions)."""
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        up = previous[i]
        corner = previous[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 0xFF
        elif kind == 2:
            line[i] = (line[i] + up) & 0xFF
        elif kind == 3:
            line[i] = (line[i] + ((left + up) >> 1)) & 0xFF
        elif kind == 4:
            p = left + up - corner
            pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
            predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
            line[i] = (line[i] + predictor) & 0xFF
    return line


def decode_png(data: bytes):
    """The raster a PNG file holds (8-bit RGB or RGBA, not interlaced)."""
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos, idat, header = len(PNG_SIGNATURE), b"", None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    if header is None:
        raise ValueError("no IHDR chunk")
    width, height, depth, colour_type, _, _, interlace = header
    if depth != 8 or colour_type not in (2, 6) or interlace:
        raise ValueError("only 8-bit RGB or RGBA PNGs without interlacing are read")
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytes(stride)
    raster = []
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), previous, bpp)
        raster.append([int.from_bytes(line[i:i + 3], "big") for i in range(0, stride, bpp)])
        previous = bytes(line)
    return raster


def read_raster(filename, _raster_before):
    """read.raster: a .png file as a raster (its RESULT parameter, which
    arrives undefined)."""
    name = _name(filename)
    if not name.endswith(".png"):
        raise OccamError(f"read.raster: {name!r} does not end in .png")
    try:
        with open(name, "rb") as f:
            return decode_png(f.read())
    except (OSError, ValueError, zlib.error) as exc:
        raise OccamError(f"read.raster: cannot read {name!r}: {exc}") from None
