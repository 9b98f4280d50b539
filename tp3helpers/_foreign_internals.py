"""Every use of a private part of Matplotlib, ipympl or ipywidgets, each with a public fallback.

The explorers lean on three things that these libraries do not promise to keep
(:func:`send_fast_frames`, :func:`stop_data_url_sync`, :func:`forget_pixels`). Each first checks
that what it uses is there; when it is not (a release renamed or removed it), it leaves the
library's public behaviour alone, and the explorer still works: slower, or holding more memory
until its figure is freed, never broken. ``tests/test_foreign_internals.py`` takes each attribute
away and checks the fallback, and CI runs the tests on the lowest and the newest versions that
``pyproject.toml`` allows (``make test-lowest``, ``make test``). ``docs/design.md``, "Foreign
internals", says more.
"""

from __future__ import annotations

import struct
import types
import zlib

import numpy as np

__all__ = ["diff_image", "encode_png", "forget_pixels", "send_fast_frames", "stop_data_url_sync"]

#: What :func:`diff_image` reads and writes on a canvas: Matplotlib's ``FigureCanvasWebAggCore``
#: state between two frames (a new frame is due; the next frame must be full; the last frame).
FRAME_STATE = ("_png_is_old", "_force_full", "_last_buff")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk: length, kind, body, CRC-32 of kind and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(rgba: np.ndarray, level: int = 3) -> bytes:
    """PNG bytes of an ``(height, width, 4)`` array of 8-bit RGBA pixels.

    Each row is stored with filter type 0 (none), the whole image compressed by zlib at ``level``.
    Matplotlib writes a frame with Pillow's defaults (each row tries five filters, then zlib level
    6), and the browser waits for it on every slider move. A *diff* frame (the pixels that changed,
    every other one transparent) is mostly transparent rows, which compress to almost nothing
    without any filter: the same pixels in much less time (``make bench`` measures it).
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # column 0: the row's filter type
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return (PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, level)) + _chunk(b"IEND", b""))


def diff_image(canvas: object) -> bytes | None:
    """The next frame of an ipympl ``canvas`` as PNG bytes, or ``None`` if nothing was drawn.

    The logic of Matplotlib's ``FigureCanvasWebAggCore.get_diff_image``, with :func:`encode_png`:
    a full frame when asked for one, when the size changed or when some pixel is not opaque (it
    could not be laid over the previous frame); otherwise only the pixels that changed.
    """
    if not canvas._png_is_old:
        return None
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    buff = pixels.view(np.uint32).squeeze(2)
    full = (canvas._force_full or buff.shape != canvas._last_buff.shape
            or (pixels[:, :, 3] != 255).any())
    canvas.set_image_mode("full" if full else "diff")
    output = buff if full else np.where(buff != canvas._last_buff, buff, 0)
    canvas._last_buff = buff.copy()
    canvas._force_full = False
    canvas._png_is_old = False
    return encode_png(output.view(np.uint8).reshape(*output.shape, 4))


def send_fast_frames(canvas: object) -> bool:
    """Make an ipympl ``canvas`` encode its frames with :func:`diff_image` (faster than Pillow).

    Returns ``False``, and leaves Matplotlib's own ``get_diff_image`` in place, when the canvas
    lacks any of :data:`FRAME_STATE` or the methods that :func:`diff_image` calls.
    """
    needed = (*FRAME_STATE, "get_diff_image", "get_renderer", "set_image_mode")
    if not all(hasattr(canvas, name) for name in needed):
        return False
    canvas.get_diff_image = types.MethodType(diff_image, canvas)
    return True


def stop_data_url_sync(canvas: object) -> bool:
    """Tell an ipympl ``canvas`` that no browser needs a copy of each frame as a data URL.

    Until a browser's view of the canvas connects, ipympl keeps each frame as a data URL that
    lacks its ``data:image/png;base64,`` prefix, and sends raw pixels where a PNG belongs (ipympl
    0.9 and 0.10). An explorer draws before it is displayed, and that broken copy kept the figure
    blank in JupyterLab and Voila. Readers of a stored notebook get the explorer's own PNG (its
    ``image/png``), so ipympl need not keep one. Returns ``False`` when the canvas has no
    ``syncing_data_url``: that ipympl keeps no such copy, and there is nothing to turn off.
    """
    if not hasattr(canvas, "syncing_data_url"):
        return False
    canvas.syncing_data_url = False
    return True


def forget_pixels(canvas: object) -> None:
    """Let a closed figure's ``canvas`` drop the pixels it holds; a later draw makes them again.

    An Agg canvas keeps its renderer (the pixel buffer) with the key ``_lastKey`` that says it is
    current: both are cleared, so that a later draw makes a new renderer (without ``_lastKey``,
    the renderer is kept). A WebAgg canvas (ipympl's) keeps the last frame sent, ``_last_buff``;
    ipympl keeps it as a PNG too, ``_data_url``. Anything absent is left alone: those pixels are
    then freed with the figure.
    """
    if hasattr(canvas, "renderer") and hasattr(canvas, "_lastKey"):
        canvas.renderer, canvas._lastKey = None, None
    if hasattr(canvas, "_last_buff"):
        canvas._last_buff = np.empty((0, 0))
    if hasattr(canvas, "_data_url"):
        canvas._data_url = None
