"""The Python side of cspc's graphics library (cspc/lib/raster.module,
rastergraphics.module, rasterio.module, miniraster.module).

A raster is what the occam programs see: a ``MOBILE [][]INT``, here a list
of rows, each a list of pixels (``#RRGGBB`` in an INT), indexed
``raster[y][x]``.  The occam modules declare each routine by its KRoC
heading with ``#PRAGMA PYTHON`` pointing at a function here:

* ``draw``: the drawing primitives (rectangles, discs, lines that stop at a
  colour, the CORDIC rotations), pure functions on rasters;
* ``images``: rasters to and from PNG and PPM files;
* ``display``: where the frames go -- a pygame window, or headless (counted,
  or written as PNG files to a folder) -- and the events that come back.
"""
