"""tp3helpers._foreign_internals: what each use of a private attribute of Matplotlib or ipympl
does, and that without the attribute the public behaviour is kept and the explorer still works.

Frames: the PNG encoder keeps every pixel, ``diff_image`` sends what Matplotlib's
``get_diff_image`` sends, and an explorer's slider move sends one such frame. These tests read the
private state that the module uses, to compare it with Matplotlib's own; the fallbacks are shown
on canvases that lack an attribute.
"""

from __future__ import annotations

import io
import struct
import types
import zlib

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_webagg_core import FigureCanvasWebAggCore
from numpy.testing import assert_array_equal
from PIL import Image

from tp3helpers import _foreign_internals
from tp3helpers._foreign_internals import (
    FRAME_STATE,
    PNG_SIGNATURE,
    diff_image,
    encode_png,
    forget_pixels,
    send_fast_frames,
    stop_data_url_sync,
)
from tp3helpers.explorers import softmax_explorer
from tp3helpers.plotting.figure import new_figure


def decode(png: bytes) -> np.ndarray:
    """RGBA pixels of PNG bytes, decoded by Pillow."""
    with Image.open(io.BytesIO(png)) as image:
        return np.asarray(image.convert("RGBA"))


def row_filters(png: bytes) -> set[int]:
    """The filter type of every row of an RGBA PNG (the first byte of each row's data)."""
    width, height = struct.unpack(">II", png[16:24])
    start = png.index(b"IDAT") + 4
    length = struct.unpack(">I", png[start - 8 : start - 4])[0]
    rows = zlib.decompress(png[start : start + length])
    return set(rows[:: 1 + 4 * width][:height])


@pytest.mark.parametrize("shape", [(1, 1), (3, 5), (64, 7), (580, 900)])
@pytest.mark.parametrize("level", [1, 3, 9])
def test_encode_png_keeps_every_pixel(shape, level):
    rng = np.random.default_rng(sum(shape))
    rgba = rng.integers(0, 256, (*shape, 4), dtype=np.uint8)
    rgba[rng.random(shape) < 0.5] = 0  # transparent pixels, as in a diff frame
    png = encode_png(rgba, level)
    assert_array_equal(decode(png), rgba)
    assert row_filters(png) == {0}


def test_encode_png_takes_a_view_of_a_larger_image():
    rgba = np.arange(10 * 12 * 4, dtype=np.uint8).reshape(10, 12, 4)
    assert_array_equal(decode(encode_png(rgba[2:7, 3:11])), rgba[2:7, 3:11])


@pytest.fixture
def ipympl_figure():
    """A figure on an ipympl canvas (``%matplotlib widget``), with one line to move."""
    previous = plt.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    fig = new_figure(4.0, 3.0, replace=False)
    (line,) = fig.subplots().plot([0, 1], [0, 1])
    try:
        yield fig, line
    finally:
        plt.close(fig)
        plt.switch_backend(previous)


def render(canvas) -> None:
    """Draw the figure's pixels without sending them, and mark them as a frame to send."""
    FigureCanvasAgg.draw(canvas)
    canvas._png_is_old = True


def next_frames(canvas) -> tuple[tuple, tuple]:
    """``(png, image mode)`` from Matplotlib's ``get_diff_image``, then from ``diff_image``, each
    from the same state; the state after both must be the same."""
    before = (canvas._png_is_old, canvas._force_full, canvas._last_buff.copy())
    theirs = FigureCanvasWebAggCore.get_diff_image(canvas), canvas._current_image_mode
    after = (canvas._png_is_old, canvas._force_full, canvas._last_buff.copy())
    canvas._png_is_old, canvas._force_full, canvas._last_buff = before
    ours = diff_image(canvas), canvas._current_image_mode
    assert (canvas._png_is_old, canvas._force_full) == after[:2]
    assert_array_equal(canvas._last_buff, after[2])
    return theirs, ours


def assert_same_frame(theirs: tuple, ours: tuple, mode: str) -> None:
    assert ours[1] == theirs[1] == mode
    assert_array_equal(decode(ours[0]), decode(theirs[0]))


def test_diff_image_sends_what_matplotlib_sends(ipympl_figure):
    fig, line = ipympl_figure
    canvas = fig.canvas
    render(canvas)
    assert_same_frame(*next_frames(canvas), "full")  # the first frame
    line.set_ydata([1, 0])
    render(canvas)
    theirs, ours = next_frames(canvas)
    assert_same_frame(theirs, ours, "diff")
    changed = decode(ours[0])[..., 3] > 0
    assert 0 < changed.mean() < 0.2  # only the line's pixels
    assert next_frames(canvas) == ((None, "diff"), (None, "diff"))  # nothing new to send
    render(canvas)
    canvas._force_full = True  # as after the browser asks for a refresh
    assert_same_frame(*next_frames(canvas), "full")
    fig.patch.set_alpha(0.5)  # pixels that are not opaque cannot be laid over the last frame
    render(canvas)
    assert_same_frame(*next_frames(canvas), "full")


def test_a_slider_move_sends_one_frame_of_the_new_pixels(ipympl_figure, monkeypatch):
    explorer = softmax_explorer()
    canvas = explorer.figure.canvas
    sent: list[bytes] = []
    monkeypatch.setattr(canvas, "send_binary", sent.append)
    shown = canvas._last_buff.view(np.uint8).reshape(*canvas._last_buff.shape, 4).copy()
    explorer.controls["logit_0"].value = 1.0
    try:
        assert len(sent) == 1
        frame = decode(sent[0])
        assert row_filters(sent[0]) == {0}  # encoded by encode_png
        changed = frame[..., 3] > 0
        assert changed.any()
        shown[changed] = frame[changed]  # what the browser does with a diff frame
        assert_array_equal(shown, np.asarray(canvas.buffer_rgba()))
    finally:
        explorer.close()


def reconstructed(canvas, frames: list[bytes], shown: np.ndarray) -> np.ndarray:
    """What the browser shows after ``frames``, starting from ``shown``: a diff frame's opaque
    pixels are laid over the picture (a full frame is opaque everywhere)."""
    shown = shown.copy()
    for png in frames:
        frame = decode(png)
        changed = frame[..., 3] > 0
        shown[changed] = frame[changed]
    return shown


# -- fallbacks: without the private attribute, the public behaviour ----------------------------


def fake_canvas(without: str) -> types.SimpleNamespace:
    """A stand-in for a canvas of a release that has every name diff_image uses but ``without``."""
    names = (*FRAME_STATE, "get_diff_image", "get_renderer", "set_image_mode")
    return types.SimpleNamespace(**{name: object() for name in names if name != without})


@pytest.mark.parametrize("missing", [*FRAME_STATE, "get_diff_image", "set_image_mode"])
def test_without_the_frame_state_matplotlib_keeps_encoding_the_frames(missing):
    canvas = fake_canvas(without=missing)
    before = vars(canvas).copy()
    assert send_fast_frames(canvas) is False
    assert vars(canvas) == before  # nothing replaced, nothing added


def test_an_explorer_whose_canvas_lacks_the_frame_state_still_sends_every_frame(
        ipympl_figure, monkeypatch):
    """As on a release without ``_last_buff``: Matplotlib's own frames, the same pixels."""
    monkeypatch.setattr(_foreign_internals, "FRAME_STATE", (*FRAME_STATE, "_gone_in_a_release"))
    explorer = softmax_explorer()
    canvas = explorer.figure.canvas
    assert canvas.get_diff_image.__func__ is FigureCanvasWebAggCore.get_diff_image
    sent: list[bytes] = []
    monkeypatch.setattr(canvas, "send_binary", sent.append)
    shown = np.asarray(canvas.buffer_rgba()).copy()
    try:
        explorer.controls["logit_0"].value = 1.0
        assert len(sent) == 1 and sent[0].startswith(PNG_SIGNATURE)
        assert (np.asarray(canvas.buffer_rgba()) != shown).any()
        assert_array_equal(reconstructed(canvas, sent, shown), np.asarray(canvas.buffer_rgba()))
    finally:
        explorer.close()


def test_frames_are_pngs_before_a_browser_connects(ipympl_figure, monkeypatch):
    """What stop_data_url_sync buys: ipympl, still waiting for a browser, would send raw pixels."""
    explorer = softmax_explorer()
    canvas = explorer.figure.canvas
    sent: list[bytes] = []
    monkeypatch.setattr(canvas, "send", lambda content, buffers=(): sent.extend(buffers))
    try:
        explorer.controls["logit_0"].value = 1.0
        assert sent and all(bytes(b).startswith(PNG_SIGNATURE) for b in sent)
    finally:
        explorer.close()


def test_stop_data_url_sync_only_where_ipympl_syncs():
    canvas = types.SimpleNamespace(syncing_data_url=True)
    assert stop_data_url_sync(canvas) is True and canvas.syncing_data_url is False
    other = types.SimpleNamespace()
    assert stop_data_url_sync(other) is False and vars(other) == {}


def test_forget_pixels_drops_what_an_ipympl_canvas_holds_and_it_draws_again(ipympl_figure):
    fig, line = ipympl_figure
    canvas = fig.canvas
    canvas.draw()
    fig.canvas._repr_mimebundle_()  # what a notebook displays: ipympl keeps it as a data URL
    assert canvas._data_url and canvas._last_buff.size > 0 and canvas.renderer is not None
    forget_pixels(canvas)
    assert (canvas.renderer, canvas._lastKey, canvas._data_url) == (None, None, None)
    assert canvas._last_buff.size == 0
    canvas.draw()  # a new renderer: the same picture
    assert (np.asarray(canvas.buffer_rgba())[..., :3] < 255).any()


def test_forget_pixels_leaves_alone_what_a_canvas_does_not_have():
    renderer = object()
    canvas = types.SimpleNamespace(renderer=renderer)  # a release without _lastKey
    forget_pixels(canvas)
    assert vars(canvas) == {"renderer": renderer}  # kept: freed with the figure
