"""The contract shared by every explorer: a figure, named controls, named artists and a readout.

An explorer builds its figure and artists once and passes them to :class:`Explorer`. On every
control change, its :meth:`~Explorer.update` recomputes with the math layer, updates the existing
artists in place (``set_data``, ``set_height``, ``set_array``) and returns the readout.

Redrawing follows Matplotlib's blitting tutorial, in :class:`BlitManager`: the artists that move
are *animated*, left out of a full draw, whose picture is saved as the *background*; a control
change restores the background, draws only the animated artists on it and copies the result to
the screen. Static content that changes with a control (another loss, other contours) is another
*scene* (:meth:`Explorer.show_scene`), each with its own background. Artists that change now and
then (the results of a finished training) form a *layer*, drawn on the background when they
change (:meth:`Explorer.redraw_layer`).

Every explorer fits the screen it is shown on (:mod:`._layout`); its text is never smaller than 12
CSS pixels, larger in presentation size (``presentation=True``, or ``TP3_PRESENTATION=1`` as
``make demo`` sets). No exception escapes a callback into the notebook: the readout shows it, and a
control value the explorer cannot show (set from code) gives a message naming the control.
"""

from __future__ import annotations

import asyncio
import base64
import html
import math
import sys
from collections.abc import Callable, Hashable, Iterable, Mapping

import ipywidgets as widgets
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from .._cells import close_widgets, replace_previous
from .._foreign_internals import send_fast_frames, stop_data_url_sync
from ..plotting.figure import close_figure, make_legible, png_snapshot, text_style
from ._layout import ScreenFit, align_descriptions

__all__ = ["BlitManager", "Explorer", "InvalidSetting", "message_html", "still_html"]

#: A slider value within this many rounding errors (epsilon times the slider's largest number)
#: of one of its stops is that stop, sent with float noise.
STOP_NOISE = 64


def message_html(text: str, kind: str = "info") -> str:
    """Readout HTML for a message; ``kind`` is ``"info"``, ``"warning"`` or ``"error"``."""
    colours = {"info": "#1f4e79", "warning": "#8a5300", "error": "#a40000"}
    icon = {"info": "", "warning": "⚠ ", "error": "✖ "}[kind]
    return (
        f'<div class="tp3-message tp3-{kind}" style="color:{colours[kind]}">'
        f"{icon}{html.escape(text)}</div>"
    )


STILL_CAPTION = "A still picture: run the notebook (Run ▸ Run All Cells) to move the sliders."


def still_html(png: bytes, title: str) -> str:
    """The explorer's picture and :data:`STILL_CAPTION`, for readers without a running kernel."""
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<div class="tp3-still"><img src="{source}" alt="{html.escape(title)}">'
            f"<p><i>{html.escape(STILL_CAPTION)}</i></p></div>")


class InvalidSetting(ValueError):
    """A control holds a value that the explorer cannot show; the message names the control."""


def _options(control: widgets.Widget) -> list:
    """The values a drop-down or selection slider offers (an option may be ``(label, value)``)."""
    return [o[1] if isinstance(o, tuple) and len(o) == 2 else o for o in control.options]


def _domain(control: widgets.Widget) -> list | tuple[float, float] | None:
    """What ``control`` may hold: its options, a slider's ``(low, high)``, else ``None``."""
    if hasattr(control, "options"):
        return _options(control)
    if isinstance(control, widgets.FloatLogSlider):
        return control.base**control.min, control.base**control.max
    if hasattr(control, "min") and hasattr(control, "max"):
        return control.min, control.max
    return None


def _slider_stop(control: widgets.Widget, value: float) -> float:
    """The stop of slider ``control`` that ``value`` is within float noise of (to 12 significant
    digits), else ``value``: a value set from code between two stops is kept."""
    if not control.step:
        return value
    log = isinstance(control, widgets.FloatLogSlider)
    position = math.log(value, control.base) if log else value
    stop = control.min + round((position - control.min) / control.step) * control.step
    scale = max(abs(control.min), abs(control.max), control.step)
    if abs(position - stop) > STOP_NOISE * sys.float_info.epsilon * scale:
        return value
    return float(f"{control.base**stop if log else stop:.12g}")


def _artists_in(value: object) -> list[Artist]:
    """The artists in ``value``: an artist, or a list, tuple or container of artists."""
    if isinstance(value, Artist):
        return [value]
    return [artist for item in value for artist in _artists_in(item)]


class BlitManager:
    """Redraw the animated artists of ``figure`` on a saved background (blitting).

    A background is saved per ``scene`` and canvas size; the ``layer`` artists are drawn on a copy
    kept without them (``bare``) when they change. A canvas that cannot blit is drawn in full.
    """

    def __init__(self, figure: Figure, animated: Iterable[Artist],
                 layer: Iterable[Artist] = ()) -> None:
        self.figure = figure
        # Agg-based canvases (ipympl's too, although it sets supports_blit = False) can blit.
        self.blitting = hasattr(figure.canvas, "copy_from_bbox")
        self.animated = list(animated) if self.blitting else []
        self.layer = list(layer) if self.blitting else []
        for artist in (*self.animated, *self.layer):
            artist.set_animated(True)
        self.scene: Hashable = None
        self.backgrounds: dict[Hashable, object] = {}
        self.bare: dict[Hashable, object] = {}
        self.layer_changed = False
        # Set by an explorer once it has drawn its first frame (see update).
        self.soon = False
        self.on_error: Callable[[Exception], None] | None = None
        self.due: asyncio.Handle | None = None
        figure.canvas.mpl_connect("draw_event", self.on_draw)

    def _key(self) -> tuple:
        return (self.scene, self.figure.bbox.bounds)

    def on_draw(self, event: object) -> None:
        """After a full draw: save the background and draw the animated artists on it."""
        canvas = self.figure.canvas
        if not self.blitting or canvas.is_saving():  # a snapshot draws everything: no background
            return
        scene, size = self._key()
        if any(other_size != size for _, other_size in self.backgrounds):
            self.backgrounds.clear()  # the canvas was resized: the other backgrounds are stale
            self.bare.clear()
        self.bare[scene, size] = canvas.copy_from_bbox(self.figure.bbox)
        self.draw_layer()
        self.draw_animated()

    def draw_layer(self) -> None:
        """On the bare background just drawn or restored: draw the layer, keep the result as the
        scene's background."""
        for artist in self.layer:
            self.figure.draw_artist(artist)
        self.backgrounds[self._key()] = self.figure.canvas.copy_from_bbox(self.figure.bbox)
        self.layer_changed = False

    def has_background(self) -> bool:
        """True when the next :meth:`update` can blit (no full draw needed)."""
        return self._key() in self.backgrounds

    def draw_animated(self) -> None:
        for artist in self.animated:
            self.figure.draw_artist(artist)

    def update(self) -> None:
        """Show the artists' current state: blit on the scene's background, or draw in full.

        With ``soon`` set and an event loop running (a kernel), the frame is drawn at the loop's
        next turn, once the kernel has answered the browser's message: the browser sends the next
        move of a dragged slider while this frame is drawn, and the moves made before it is drawn
        share it. An error of that draw goes to ``on_error``.
        """
        try:
            loop = asyncio.get_running_loop() if self.soon else None
        except RuntimeError:
            loop = None
        if loop is None:
            self.update_now()
        elif self.due is None:
            self.due = loop.call_soon(self._update_due)

    def _update_due(self) -> None:
        self.due = None
        try:
            self.update_now()
        except Exception as exc:
            if self.on_error is None:
                raise
            self.on_error(exc)

    def update_now(self) -> None:
        canvas = self.figure.canvas
        background = self.backgrounds.get(self._key())
        if background is None:
            canvas.draw()  # on_draw saves the background and draws the animated artists
            return
        if self.layer_changed:
            canvas.restore_region(self.bare[self._key()])
            self.draw_layer()
        else:
            canvas.restore_region(background)
        self.draw_animated()
        canvas.blit(self.figure.bbox)


class Explorer(widgets.VBox):
    """Base class of the explorers: a ``VBox`` holding the controls, the figure and a readout.

    A subclass builds its controls, figure and artists, calls ``super().__init__`` with them (this
    draws the first state) and provides :meth:`update`. The parameters ``figure``, ``controls``
    (set ``controls[name].value`` to update the figure) and ``artists`` (their data is what the
    figure shows) stay as attributes, with ``readout``, the HTML under the figure.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        The figure, already holding every artist.
    controls : Mapping[str, ipywidgets.Widget]
        The controls by name.
    artists : Mapping[str, Artist | Sequence[Artist]]
        The artists that :meth:`update` changes, by name.
    title : str
        Shown above the controls.
    animated : Iterable[str], optional
        The names in ``artists`` that change on every control move; all of them by default.
    layer : Iterable[str], optional
        The names in ``artists`` that change now and then (see :meth:`redraw_layer`).
    columns : int
        Columns of the grid of controls (when they are above the figure).
    presentation : bool, optional
        Larger text and thicker lines, for a projector; by default, as ``TP3_PRESENTATION`` says.
    """

    def __init__(
        self,
        figure: Figure,
        controls: Mapping[str, widgets.Widget],
        artists: Mapping[str, object],
        *,
        title: str,
        animated: Iterable[str] | None = None,
        layer: Iterable[str] = (),
        columns: int = 3,
        presentation: bool | None = None,
    ) -> None:
        self.figure = figure
        self.controls = dict(controls)
        self._domains = {name: _domain(control) for name, control in self.controls.items()}
        self.artists = dict(artists)
        self.style = text_style(presentation)
        make_legible(figure, self.style)
        self.readout = widgets.HTML(layout=widgets.Layout(min_height="2.5em"))
        self.readout.style.font_size = f"{self.style.readout_px:g}px"
        self.readout.add_class("tp3-readout")
        self._title = title
        moving = self.artists if animated is None else animated
        self._blit = BlitManager(figure, _artists_in([self.artists[name] for name in moving]),
                                 _artists_in([self.artists[name] for name in layer]))
        self._scenes: dict[Hashable, list[Artist]] = {}
        align_descriptions(self.controls.values())
        grid = widgets.GridBox(list(self.controls.values()))  # its columns: ScreenFit
        canvas = figure.canvas
        if isinstance(canvas, widgets.DOMWidget):
            view: widgets.Widget = canvas
            stop_data_url_sync(canvas)  # the explorer draws before a browser shows it
            send_fast_frames(canvas)
        else:
            view = widgets.HTML(
                message_html("The live figure needs the ipympl backend: run %matplotlib widget.")
            )
        heading = widgets.HTML(f"<b>{html.escape(title)}</b>")
        heading.style.font_size = f"{self.style.readout_px + 2:g}px"
        super().__init__([heading, grid, view, self.readout])
        self.add_class("tp3-explorer")
        self.fit = ScreenFit(self, figure, title=heading, controls=grid, view=view,
                             readout=self.readout, columns=columns, redraw=self._blit.update)
        self.children = (*self.children, self.fit.watcher)
        for name, control in self.controls.items():
            control.add_class(f"tp3-control-{name}")  # a stable hook for browser tests
            control.observe(lambda change, name=name: self.refresh(name), names="value")
        self.refresh(None)
        # In a kernel, a move's frame is drawn once the kernel has answered the browser (see
        # BlitManager.update): while a slider is dragged, the next move comes during the drawing.
        self._blit.soon = True
        self._blit.on_error = self._redraw_failed
        # The panels keep the place the first draw gave them, so that the saved backgrounds stay
        # in register with the moving artists (a new size lays them out again: ScreenFit).
        figure.set_layout_engine("none")
        replace_previous(self, type(self), lambda old: old.close())  # a re-run closes the old

    def update(self, changed: str | None) -> str:
        """Update the artists after control ``changed`` (``None``: first draw); return readout."""
        raise NotImplementedError

    def value(self, name: str) -> object:
        """The value of control ``name``: one of its options, or a number in the slider's range.

        A value within float noise of a slider's stop is that stop (a browser's arrow key sends
        ``1.9999999999999998`` for 2). Raises :class:`InvalidSetting` naming the control otherwise.
        """
        control, domain = self.controls[name], self._domains[name]
        value = control.value
        label = f'{control.description} (controls["{name}"])'
        if isinstance(domain, list):
            if value is None or value not in domain:
                raise InvalidSetting(f"{label} must be one of {', '.join(map(repr, domain))}, "
                                     f"got {value!r}")
            return value
        if domain is not None:
            low, high = domain
            if not low <= value <= high:  # NaN too
                raise InvalidSetting(f"{label} must be a number from {low:g} to {high:g}, "
                                     f"got {value!r}")
            if isinstance(value, float):
                return _slider_stop(control, value)
        return value

    @property
    def scene(self) -> Hashable:
        """The key of the scene shown now (``None`` before any :meth:`show_scene`)."""
        return self._blit.scene

    def show_scene(self, key: Hashable, draw: Callable[[], list[Artist]]) -> None:
        """Show the static artists of scene ``key`` and hide those of the other scenes.

        ``draw()`` draws and returns the scene's static artists, on the first visit of ``key`` only.
        """
        for artist in self._scenes.get(self._blit.scene, ()):
            artist.set_visible(False)
        if key not in self._scenes:
            self._scenes[key] = draw()
        for artist in self._scenes[key]:
            artist.set_visible(True)
        self._blit.scene = key

    def redraw_layer(self) -> None:
        """The ``layer`` artists changed: draw them on the background with the next frame."""
        self._blit.layer_changed = True

    def refresh(self, changed: str | None = None) -> None:
        """Check every control, run :meth:`update` for a change of ``changed`` and redraw; never
        raises."""
        try:
            for name in self.controls:
                self.value(name)
            readout = self.update(changed)
        except InvalidSetting as exc:
            readout = message_html(f"This setting cannot be shown: {exc}.", "warning")
        except Exception as exc:  # noqa: BLE001 - a widget must never raise into the notebook
            readout = message_html(
                f"This setting cannot be shown ({type(exc).__name__}: {exc}).", "error"
            )
        try:
            if not self._blit.has_background():  # static content changed: new texts to size
                make_legible(self.figure, self.style)
            self._blit.update()
        except Exception as exc:  # noqa: BLE001
            readout += message_html(f"Redraw failed: {exc}", "error")
        self.readout.value = readout  # in a kernel the frame follows, at the loop's next turn

    def _redraw_failed(self, exc: Exception) -> None:
        self.readout.value += message_html(f"Redraw failed: {exc}", "error")

    def _repr_mimebundle_(self, **kwargs: object) -> dict:
        """The live widget, plus a PNG of the figure for readers without a running kernel."""
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        bundle["text/plain"] = f"{self._title} (live in JupyterLab or Voilà with a running kernel)"
        bundle["image/png"] = png_snapshot(self.figure, [*self._blit.animated, *self._blit.layer])
        bundle["text/html"] = still_html(bundle["image/png"], self._title)
        return bundle

    def close(self) -> None:
        """Close the figure, its canvas and toolbar, and every widget of the explorer.

        An open widget would keep the figure in memory, and a closed explorer may live on (in
        IPython's ``Out`` history), so it lets go of its figure and artists.
        """
        if hasattr(self, "figure"):  # not closed yet, and __init__ got that far
            if self._blit.due is not None:
                self._blit.due.cancel()
            parts = [self.layout, *self.children]
            close_figure(self.figure)
            close_widgets(*parts)
            self.children = ()
            del self.figure, self._blit, self.fit
            self.artists.clear()
            self._scenes.clear()
        super().close()
