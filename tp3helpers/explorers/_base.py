"""The contract shared by every explorer: a figure, named controls and a readout.

An explorer builds its figure and artists once. On every control change it recomputes with the
math layer, updates the existing artists (``set_data``, ``set_height``, ``set_array``) and redraws.
Redrawing uses blitting: artists registered with :meth:`Explorer.animate` are left out of the
cached background and are the only ones drawn on a slider move. A subclass that changes anything
else (axis limits, a static line) calls :meth:`Explorer.request_full_draw`. A subclass that switches
between a few static looks (say, the contours of one loss or another) names each with
:meth:`Explorer.set_scene`: each scene's background is cached, so coming back to a scene blits.

Animated text (value labels) is the costly part of a blit: Matplotlib lays out and rasterises every
glyph on every draw, about 1 ms per short label. On an Agg canvas each label is therefore rendered
once per string and style into a small RGBA image and then copied (:class:`TextSprites`); the
pixels are those of a normal draw.

No exception escapes a callback into the notebook: it is shown in the readout instead.
"""

from __future__ import annotations

import html
import math
from collections.abc import Hashable, Iterable, Mapping

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.colors import to_rgba
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import IdentityTransform

from ..plotting.figure import png_snapshot

__all__ = ["Explorer", "TextSprites", "message_html"]

#: Decimal places kept of every slider value (a browser's arrow key can send 1.9999999999999998).
VALUE_DECIMALS = 10


def message_html(text: str, kind: str = "info") -> str:
    """Readout HTML for a message; ``kind`` is ``"info"``, ``"warning"`` or ``"error"``."""
    colours = {"info": "#1f4e79", "warning": "#8a5300", "error": "#a40000"}
    icon = {"info": "", "warning": "⚠ ", "error": "✖ "}[kind]
    return (
        f'<div class="tp3-message tp3-{kind}" style="color:{colours[kind]}">'
        f"{icon}{html.escape(text)}</div>"
    )


def _align_descriptions(controls: Iterable[widgets.Widget]) -> None:
    """Give every control's label the width of the longest one, so that no label is cut off and
    the controls of the grid line up, each filling its grid cell."""
    described = [c for c in controls if getattr(c, "description", "")]
    if described:
        longest = max(len(c.description) for c in described)
        for control in described:
            control.style.description_width = f"{0.6 * longest + 0.5:.1f}em"
            control.layout.width = "95%"


class TextSprites:
    """Rendered text labels by string and style, drawn on an Agg renderer as image copies.

    The first draw of a string renders it normally into a small transparent canvas (about twice
    the cost of a plain draw); later draws of the same string copy that image (about 20 times
    cheaper). Value labels take a bounded set of strings ("0.00" to "1.00"), so the cache fills
    quickly; it holds at most ``max_size`` images and is emptied when full.
    """

    def __init__(self, max_size: int = 1024) -> None:
        self.max_size = max_size
        self._images: dict[tuple, tuple[np.ndarray, float, float]] = {}

    @staticmethod
    def supports(renderer: object, artist: Artist) -> bool:
        """Plain, unclipped, visible :class:`~matplotlib.text.Text` on an Agg renderer."""
        return (
            isinstance(renderer, RendererAgg)
            and type(artist) is Text
            and artist.get_visible()
            and artist.get_text() != ""
            and artist.get_bbox_patch() is None
            and not (artist.get_clip_on() and (artist.get_clip_box() or artist.get_clip_path()))
        )

    def draw(self, renderer: RendererAgg, text: Text) -> None:
        x, y = text.get_transform().transform(text.get_unitless_position())
        if not (math.isfinite(x) and math.isfinite(y)):
            text.draw(renderer)  # Matplotlib's own warning, and nothing drawn
            return
        key = (
            text.get_text(),
            hash(text.get_fontproperties()),
            to_rgba(text.get_color(), text.get_alpha()),
            text.get_horizontalalignment(),
            text.get_verticalalignment(),
            text.get_rotation(),
            text.get_antialiased(),
            renderer.dpi,
        )
        sprite = self._images.get(key)
        if sprite is None:
            if len(self._images) >= self.max_size:
                self._images.clear()
            sprite = self._images[key] = self._render(renderer, text, x, y)
        image, dx, dy = sprite
        gc = renderer.new_gc()
        try:
            renderer.draw_image(gc, round(x - dx), round(y - dy), image)
        finally:
            gc.restore()

    @staticmethod
    def _render(renderer: RendererAgg, text: Text, x: float, y: float) -> tuple:
        """Render ``text`` into a transparent canvas just larger than it; image and anchor."""
        bbox = text.get_window_extent(renderer)
        x0, y0 = math.floor(bbox.x0) - 2, math.floor(bbox.y0) - 2
        width, height = math.ceil(bbox.x1) - x0 + 2, math.ceil(bbox.y1) - y0 + 2
        canvas = RendererAgg(width, height, renderer.dpi)
        copy = Text()
        copy.update_from(text)
        copy.set_text(text.get_text())
        copy.set_clip_on(False)
        copy.set_transform(IdentityTransform())
        copy.set_position((x - x0, y - y0))
        copy.set_figure(text.get_figure(root=True))
        copy.draw(canvas)
        image = np.ascontiguousarray(np.asarray(canvas.buffer_rgba())[::-1])  # bottom row first
        return image, x - x0, y - y0


class Explorer(widgets.VBox):
    """Base class of the explorers: a ``VBox`` holding the controls, the figure and a readout.

    Attributes
    ----------
    figure : matplotlib.figure.Figure
        The figure, created once.
    controls : dict[str, ipywidgets.Widget]
        The controls by name; setting ``controls[name].value`` updates the figure.
    readout : ipywidgets.HTML
        Numbers that go with the figure, or a message when a setting cannot be shown.
    """

    def __init__(
        self,
        figure: Figure,
        controls: Mapping[str, widgets.Widget],
        *,
        title: str,
        columns: int = 3,
    ) -> None:
        self.figure = figure
        self.controls = dict(controls)
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="2.5em"))
        self.readout.add_class("tp3-readout")
        self._title = title
        self._animated: list[Artist] = []
        self._sprites = TextSprites()
        self._background = None
        self._scene: Hashable = None
        self._backgrounds: dict[Hashable, tuple] = {}  # scene -> (background, canvas size)
        self._snapshotting = False
        self._full_draw = True
        _align_descriptions(self.controls.values())
        grid = widgets.GridBox(
            list(self.controls.values()),
            layout=widgets.Layout(grid_template_columns=f"repeat({columns}, minmax(0, 1fr))"),
        )
        canvas = figure.canvas
        if isinstance(canvas, widgets.DOMWidget):
            view: widgets.Widget = canvas
            # ipympl stores each draw made before a view connects as a data URL that lacks its
            # "data:image/png;base64," prefix; the explorer draws before it is displayed, and that
            # broken URL keeps the figure blank in JupyterLab and Voila. The readers' copy is the
            # explorer's own image/png, so ipympl need not keep one.
            canvas.syncing_data_url = False
        else:
            view = widgets.HTML(
                message_html("The live figure needs the ipympl backend: run %matplotlib widget.")
            )
        super().__init__([widgets.HTML(f"<b>{html.escape(title)}</b>"), grid, view, self.readout])
        self.add_class("tp3-explorer")
        figure.canvas.mpl_connect("draw_event", self._on_draw)
        for name, control in self.controls.items():
            control.add_class(f"tp3-control-{name}")  # a stable hook for browser tests
            control.observe(lambda change, name=name: self.refresh(name), names="value")
        # Subclasses create their artists, call animate(...) and then refresh(None).

    # -- to be provided by subclasses ------------------------------------------------------------
    def update(self, changed: str | None) -> str:
        """Recompute and update the artists after control ``changed`` (``None``: first draw).

        Returns the readout HTML.
        """
        raise NotImplementedError

    # -- helpers for subclasses ------------------------------------------------------------------
    def animate(self, *artists: Artist) -> None:
        """Register artists that change on slider moves; only these are redrawn when blitting."""
        for artist in artists:
            artist.set_animated(True)
            self._animated.append(artist)
        self._full_draw = True

    def request_full_draw(self) -> None:
        """Redraw everything on the next refresh (axis limits or other static parts changed)."""
        self._full_draw = True

    def set_scene(self, key: Hashable) -> None:
        """Declare which static content the figure shows now (``key`` names it).

        The background of a scene is kept after its first full draw; coming back to the scene
        restores it and blits, with no full draw.
        """
        self._scene = key
        cached = self._backgrounds.get(key)
        if cached is not None and cached[1] == self._canvas_size():
            self._background = cached[0]
        else:
            self.request_full_draw()

    def _canvas_size(self) -> tuple:
        return (*self.figure.canvas.get_width_height(), self.figure.dpi)

    def value(self, name: str) -> object:
        """The current value of control ``name``, floats rounded to drop keyboard noise."""
        value = self.controls[name].value
        return round(value, VALUE_DECIMALS) if isinstance(value, float) else value

    # -- the render path -------------------------------------------------------------------------
    def refresh(self, changed: str | None = None) -> None:
        """Run :meth:`update` for a change of ``changed`` and redraw; never raises."""
        try:
            self.readout.value = self.update(changed)
        except Exception as exc:  # noqa: BLE001 - a widget must never raise into the notebook
            self.readout.value = message_html(
                f"This setting cannot be shown ({type(exc).__name__}: {exc}).", "error"
            )
        try:
            self._render()
        except Exception as exc:  # noqa: BLE001
            self.readout.value += message_html(f"Redraw failed: {exc}", "error")

    def _render(self) -> None:
        canvas = self.figure.canvas
        if self._full_draw or self._background is None:
            self._full_draw = False
            canvas.draw()  # the draw_event handler caches the background and draws the artists
            return
        canvas.restore_region(self._background)
        self._draw_animated()
        canvas.blit(self.figure.bbox)

    def _draw_animated(self) -> None:
        renderer = self.figure.canvas.get_renderer()
        for artist in self._animated:
            if TextSprites.supports(renderer, artist):
                self._sprites.draw(renderer, artist)
            else:
                self.figure.draw_artist(artist)

    def _on_draw(self, event: object) -> None:
        canvas = self.figure.canvas
        if getattr(event, "canvas", canvas) is not canvas or not hasattr(canvas, "copy_from_bbox"):
            return
        if self._snapshotting:  # the moving artists are part of this draw: not a background
            return
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._backgrounds[self._scene] = (self._background, self._canvas_size())
        self._draw_animated()

    # -- display ---------------------------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """The live widget, plus a PNG of the figure for readers without a running kernel."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{self._title} (live in JupyterLab or Voilà with a running kernel)"
        self._snapshotting = True
        try:
            bundle["image/png"] = png_snapshot(self.figure, self._animated)
        finally:
            self._snapshotting = False
        return bundle

    def close(self) -> None:
        """Close the figure and every widget of the explorer."""
        if hasattr(self, "figure"):  # also called by __del__ after a failed __init__
            plt.close(self.figure)
            for control in self.controls.values():
                control.close()
            # The title, the grid of controls and the figure's view too: a grid left open keeps
            # the controls, their callbacks, this explorer and its figure alive (about 10 MB).
            for child in self.children:
                child.close()
        super().close()
