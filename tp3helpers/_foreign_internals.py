"""Every use of a private part of Matplotlib, ipympl or ipywidgets, each with a public fallback.

Each function first checks that the attribute it uses is there; if a release removed it, the
library's public behaviour is left alone and the explorer still works (slower, or holding more
memory until its figure is freed). ``tests/test_foreign_internals.py`` takes each one away.
"""

from __future__ import annotations

import struct
import types
import zlib

import numpy as np

__all__ = ["diff_image", "encode_png", "forget_pixels", "send_fast_frames", "stop_data_url_sync"]

#: ``FigureCanvasWebAggCore``'s state between two frames, read and written by :func:`diff_image`.
FRAME_STATE = ("_png_is_old", "_force_full", "_last_buff")

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk: length, kind, body, CRC-32 of kind and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(rgba: np.ndarray, level: int = 3) -> bytes:
    """PNG bytes of an ``(height, width, 4)`` array of 8-bit RGBA pixels.

    Rows without a filter, then zlib at ``level``: a diff frame is mostly transparent rows, which
    compress to almost nothing without Pillow's five trial filters per row.
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # column 0: the row's filter type
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return (PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, level)) + _chunk(b"IEND", b""))


def diff_image(canvas: object) -> bytes | None:
    """The next frame of an ipympl ``canvas`` as PNG bytes, or ``None`` if nothing was drawn.

    Matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` with :func:`encode_png`: a full frame
    when asked, when the size changed or when a pixel is not opaque; else the changed pixels.
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
    """Make an ipympl ``canvas`` encode its frames with :func:`diff_image`; ``False`` (and
    Matplotlib's own ``get_diff_image`` kept) when the canvas lacks what it uses."""
    needed = (*FRAME_STATE, "get_diff_image", "get_renderer", "set_image_mode")
    if not all(hasattr(canvas, name) for name in needed):
        return False
    canvas.get_diff_image = types.MethodType(diff_image, canvas)
    return True


def stop_data_url_sync(canvas: object) -> bool:
    """Stop an ipympl ``canvas`` keeping each frame as a data URL; ``False`` if it keeps none.

    Before a browser view connects, ipympl 0.9 and 0.10 keep a data URL without its
    ``data:image/png;base64,`` prefix, which left an explorer drawn early blank in JupyterLab.
    """
    if not hasattr(canvas, "syncing_data_url"):
        return False
    canvas.syncing_data_url = False
    return True


def forget_pixels(canvas: object) -> None:
    """Let a closed figure's ``canvas`` drop its pixels; a later draw makes them again.

    Agg's renderer goes with its key ``_lastKey`` (else it is kept), WebAgg's last frame
    ``_last_buff`` and ipympl's ``_data_url``; anything absent is freed with the figure.
    """
    if hasattr(canvas, "renderer") and hasattr(canvas, "_lastKey"):
        canvas.renderer, canvas._lastKey = None, None
    if hasattr(canvas, "_last_buff"):
        canvas._last_buff = np.empty((0, 0))
    if hasattr(canvas, "_data_url"):
        canvas._data_url = None
