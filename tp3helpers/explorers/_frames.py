"""Faster frames from ipympl to the browser: the same pixels, encoded in a quarter of the time.

After every redraw, ipympl sends the browser one PNG: the pixels that changed since the last frame,
every other pixel transparent (a *diff* frame), or the whole figure (a *full* frame). Matplotlib
writes that PNG with Pillow's defaults: each row tries five filters, then zlib compresses at level
6. For a slider move of the explorers at presentation size, 897 pixels wide, that takes 9 to 19 ms
per diff frame, often more than drawing the frame, and the browser waits for it on every move.

A diff frame is mostly transparent rows, which compress to almost nothing without any filter.
:func:`encode_png` writes rows unfiltered at zlib level 3: 2 to 4.5 ms per diff frame (softmax
897 x 318, kernel 897 x 358, momentum 897 x 627; 2-core machine). Diff frames come out up to 30%
larger (tens of kB, nothing on a local or classroom network), full frames about the same size.
``tests/test_frames.py`` checks the pixels against Matplotlib's own frames. :func:`diff_image` is
Matplotlib's ``get_diff_image`` with this encoder.
"""

from __future__ import annotations

import struct
import types
import zlib

import numpy as np

__all__ = ["diff_image", "encode_png", "send_fast_frames"]

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind: bytes, body: bytes) -> bytes:
    """A PNG chunk: length, kind, body, CRC-32 of kind and body."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def encode_png(rgba: np.ndarray, level: int = 3) -> bytes:
    """PNG bytes of an ``(height, width, 4)`` array of 8-bit RGBA pixels.

    Each row is stored with filter type 0 (none), the whole image compressed by zlib at ``level``.
    """
    height, width, _ = rgba.shape
    rows = np.zeros((height, 1 + 4 * width), dtype=np.uint8)  # column 0: the row's filter type
    rows[:, 1:] = rgba.reshape(height, 4 * width)
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8 bits, RGBA, no interlace
    return (PNG_SIGNATURE + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(rows, level)) + _chunk(b"IEND", b""))


def diff_image(canvas: object) -> bytes | None:
    """The next frame of an ipympl ``canvas`` as PNG bytes, or ``None`` if nothing was drawn.

    The logic of Matplotlib's ``FigureCanvasWebAggCore.get_diff_image``: a full frame when asked
    for one, when the size changed or when some pixel is not opaque (it could not be laid over
    the previous frame); otherwise only the pixels that changed.
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


def send_fast_frames(canvas: object) -> None:
    """Make an ipympl ``canvas`` encode its frames with :func:`encode_png`."""
    canvas.get_diff_image = types.MethodType(diff_image, canvas)
